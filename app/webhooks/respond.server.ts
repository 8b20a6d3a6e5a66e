import { logger } from "~/logger.server";
import { limitRequestBody } from "~/security/bounded-body.server";
import { verifyWebhook, type VerifiedWebhook } from "./verify.server";

/**
 * Largest webhook body read, in bytes. Compliance and app lifecycle payloads are a few KB (a
 * data_request listing a thousand orders is ~20 KB); order payloads are the large ones: hundreds
 * of line items, each with price sets, tax lines, discount allocations and properties, reach 1-2 MB.
 * 5 MB leaves headroom for those while bounding what one unauthenticated request can make us buffer
 * and hash (HMAC verification needs the whole body). Bigger bodies get 413 before any verification.
 * handleWebhook (respond.server.ts) and the lean path apply it to every webhook route.
 */
export const MAX_WEBHOOK_BODY_BYTES = 5 * 1024 * 1024;

/**
 * The shape of every webhook route: verify (405/400/401 thrown as Responses), hand to one ingest
 * function, 200 once it is on disk. An unexpected error is a 500 so Shopify delivers again later;
 * the idempotency row makes that redelivery safe.
 */
export async function handleWebhook(
  request: Request,
  ingest: (hook: VerifiedWebhook) => Promise<unknown>,
): Promise<Response> {
  const limited = await limitRequestBody(request, MAX_WEBHOOK_BODY_BYTES);
  if (limited instanceof Response) return limited;
  let hook: VerifiedWebhook;
  try {
    hook = await verifyWebhook(limited);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  try {
    const result = await ingest(hook);
    logger.debug({ shop: hook.shop, topic: hook.topic, result }, "webhook ingested");
    return new Response(null, { status: 200 });
  } catch (error) {
    logger.error(
      { shop: hook.shop, topic: hook.topic, err: error instanceof Error ? error.message : String(error) },
      "webhook ingest failed",
    );
    return new Response(null, { status: 500 });
  }
}
