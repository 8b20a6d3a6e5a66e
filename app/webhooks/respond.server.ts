import { logger } from "~/logger.server";
import { verifyWebhook, type VerifiedWebhook } from "./verify.server";

/**
 * The shape of every webhook route: verify (405/400/401 thrown as Responses), hand to one ingest
 * function, 200 once it is on disk. An unexpected error is a 500 so Shopify delivers again later;
 * the idempotency row makes that redelivery safe.
 */
export async function handleWebhook(request: Request, ingest: (hook: VerifiedWebhook) => Promise<unknown>): Promise<Response> {
  let hook: VerifiedWebhook;
  try {
    hook = await verifyWebhook(request);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  try {
    const result = await ingest(hook);
    logger.debug({ shop: hook.shop, topic: hook.topic, result }, "webhook ingested");
    return new Response(null, { status: 200 });
  } catch (error) {
    logger.error({ shop: hook.shop, topic: hook.topic, err: error instanceof Error ? error.message : String(error) }, "webhook ingest failed");
    return new Response(null, { status: 500 });
  }
}
