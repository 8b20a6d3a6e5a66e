/**
 * `/webhooks/*` served by plain node:http in front of Remix, in the same process (server.ts).
 *
 * Why: a webhook needs none of what a framework request costs (routing, loaders, a web Request per
 * call, document headers); measured on 2 cores the Remix route tops out far below what verifying and
 * persisting costs (docs/PERFORMANCE.md). This is a thin adapter, not a second implementation: it
 * verifies with the same Shopify validator (verifyWebhookParts, run on a thread of its own so it
 * overlaps the HTTP work: app/webhooks/validator-thread.server.ts) and calls the same ingest function
 * the Remix route calls, looked up in app/webhooks/registry.server.ts. Its answers are the route's:
 * 405 (not POST), 413 (body over the limit; the connection is then closed, not drained), 503 + Retry-After
 * (the bytes of bodies already in flight leave no room for this one), 400 (headers missing), 401 (HMAC wrong), 200 (stored, or
 * a duplicate), 500 (could not store: Shopify delivers again, the event id keeps that safe).
 * Paths not in the registry fall through to Remix untouched.
 *
 * Acknowledgement (WEBHOOK_ACK):
 *   processed (default)  200 after the webhook's effects are committed (group-committed transaction)
 *   stored               200 after the verified webhook is committed to the inbox; its effects follow
 *                        within milliseconds (app/webhooks/inbox.server.ts). For high volume.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { configValue, type AppConfig } from "~/config.server";
import { logger } from "~/logger.server";
import { metrics } from "~/ops/metrics.server";
import { errorSummary, httpFields } from "~/ops/error-log.server";
import { createBodyBudget, type BodyBudget } from "~/security/body-budget.server";
import { closeAfterAnswer, readNodeBodyWithin } from "~/security/bounded-body.server";
import { MAX_WEBHOOK_BODY_BYTES } from "./respond.server";
import { headerRefusal, recordRefusal } from "./admission.server";
import { storeWebhook } from "./inbox.server";
import { handlerForPath, type WebhookHandler } from "./registry.server";
import { validateOnThread, verifyWebhookParts, type VerifiedWebhook, type WebhookRequestParts } from "./verify.server";

export type WebhookAckMode = AppConfig["WEBHOOK_ACK"];

export interface LeanWebhookPath {
  /** Handles the request and returns true, or returns false for Remix to handle it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * Webhook body bytes held at once across all requests (WEBHOOK_BODIES_IN_FLIGHT_MB, default 32):
 * sixteen of the largest genuine order bodies (1-2 MB), or thousands of ordinary ones. A body in
 * flight costs several times its size (the text, its copy on the validator thread, the validator's
 * own encoding), so 32 MB of bodies is roughly 150-200 MB of memory. Beyond it a webhook gets 503 +
 * Retry-After before its body is read; Shopify delivers it again later.
 */
const BUSY_RETRY_AFTER_S = 5;

export function createLeanWebhookPath(
  options: { ack?: WebhookAckMode; maxBodyBytes?: number; bodiesInFlightBytes?: number } = {},
): LeanWebhookPath {
  const ack = options.ack ?? configValue("WEBHOOK_ACK");
  const maxBodyBytes = options.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const budget = createBodyBudget(
    options.bodiesInFlightBytes ?? configValue("WEBHOOK_BODIES_IN_FLIGHT_MB") * 1024 * 1024,
  );
  return {
    handle(req, res) {
      const url = req.url ?? "/";
      if (!url.startsWith("/webhooks/")) return false;
      const q = url.indexOf("?");
      const pathname = q === -1 ? url : url.slice(0, q);
      const handler = handlerForPath(pathname);
      if (!handler) return false;
      void serve(req, res, handler, ack, maxBodyBytes, budget).finally(() =>
        metrics.webhookReceived(handler.topics, req.headers["x-shopify-topic"], res.statusCode),
      );
      return true;
    },
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handler: WebhookHandler,
  ack: WebhookAckMode,
  maxBodyBytes: number,
  budget: BodyBudget,
) {
  if (req.method !== "POST") {
    // The log policy's one line per 405 (a webhook answered 200 logs nothing at info).
    logger.warn({ http: httpFields(req, 405) }, "method not allowed");
    return answer(res, 405, { Allow: "POST" });
  }
  let body: Awaited<ReturnType<typeof readNodeBodyWithin>>;
  try {
    body = await readNodeBodyWithin(req, maxBodyBytes, budget);
  } catch {
    return answer(res, 400, { Connection: "close" });
  }
  if (body.kind !== "body") {
    closeAfterAnswer(req, res);
    // No "Connection: close" header: with it Node resets the socket at once, and a client still
    // sending its body loses the answer. closeAfterAnswer half-closes it instead.
    if (body.kind === "too_large") return answer(res, 413);
    return answer(res, 503, { "Retry-After": String(BUSY_RETRY_AFTER_S) });
  }
  try {
    await verifyAndIngest(req, res, handler, ack, body.text);
  } finally {
    body.release();
  }
}

async function verifyAndIngest(
  req: IncomingMessage,
  res: ServerResponse,
  handler: WebhookHandler,
  ack: WebhookAckMode,
  rawBody: string,
) {
  let hook: VerifiedWebhook;
  try {
    hook = await verifyWebhookParts(partsOf(req, rawBody), validateOnThread);
  } catch (error) {
    if (error instanceof Response) return answer(res, error.status, Object.fromEntries(error.headers));
    logger.error({ http: httpFields(req, 500), error: errorSummary(error) }, "webhook verification failed");
    return answer(res, 500);
  }
  try {
    if (ack === "stored") {
      // Stored only if it could act: the rest of the admission checks run when it is applied.
      const refused = headerRefusal(handler.topics, hook);
      if (refused) recordRefusal(handler.path, hook, refused);
      else await storeWebhook(handler.path, hook);
    } else {
      const result = await handler.ingest(hook);
      logger.debug({ shop: hook.shop, topic: hook.topic, result }, "webhook ingested");
    }
    answer(res, 200);
  } catch (error) {
    logger.error(
      {
        http: httpFields(req, 500),
        shop: hook.shop.slice(0, 255),
        topic: hook.topic.slice(0, 64),
        error: errorSummary(error),
      },
      "webhook ingest failed",
    );
    answer(res, 500);
  }
}

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Length": "0", ...headers });
  res.end();
}

/** What the Shopify validator reads, from the Node request (no web Request per call). */
function partsOf(req: IncomingMessage, rawBody: string): WebhookRequestParts {
  const headers = req.headers;
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(", ") : value);
  return {
    method: req.method ?? "GET",
    // Only parsed by the validator; the Host header is not ours to trust.
    url: `http://localhost${req.url ?? "/"}`,
    headers: {
      get: (name) => one(headers[name.toLowerCase()]) ?? null,
      *entries() {
        for (const [key, value] of Object.entries(headers)) {
          const text = one(value);
          if (text !== undefined) yield [key, text] as [string, string];
        }
      },
    },
    rawBody,
  };
}
