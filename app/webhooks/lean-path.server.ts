/**
 * `/webhooks/*` served by plain node:http in front of Remix, in the same process (server.ts).
 *
 * Why: a webhook needs none of what a framework request costs (routing, loaders, a web Request per
 * call, document headers); measured on 2 cores the Remix route tops out far below what verifying and
 * persisting costs (docs/PERFORMANCE.md). This is a thin adapter, not a second implementation: it
 * verifies with the same Shopify validator (verifyWebhookParts, run on a thread of its own so it
 * overlaps the HTTP work: app/webhooks/validator-thread.server.ts) and calls the same ingest function
 * the Remix route calls, looked up in app/webhooks/registry.server.ts. Its answers are the route's:
 * 405 (not POST), 413 (body over the limit), 400 (headers missing), 401 (HMAC wrong), 200 (stored, or
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
import { readNodeBodyAtMost } from "~/security/bounded-body.server";
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

export function createLeanWebhookPath(options: { ack?: WebhookAckMode; maxBodyBytes?: number } = {}): LeanWebhookPath {
  const ack = options.ack ?? configValue("WEBHOOK_ACK");
  const maxBodyBytes = options.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  return {
    handle(req, res) {
      const url = req.url ?? "/";
      if (!url.startsWith("/webhooks/")) return false;
      const q = url.indexOf("?");
      const pathname = q === -1 ? url : url.slice(0, q);
      const handler = handlerForPath(pathname);
      if (!handler) return false;
      void serve(req, res, handler, ack, maxBodyBytes);
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
) {
  if (req.method !== "POST") return answer(res, 405, { Allow: "POST" });
  let rawBody: string;
  try {
    const body = await readNodeBodyAtMost(req, maxBodyBytes);
    if (body === null) return answer(res, 413);
    rawBody = body;
  } catch {
    return answer(res, 400, { Connection: "close" });
  }
  let hook: VerifiedWebhook;
  try {
    hook = await verifyWebhookParts(partsOf(req, rawBody), validateOnThread);
  } catch (error) {
    if (error instanceof Response) return answer(res, error.status, Object.fromEntries(error.headers));
    logger.error({ err: error instanceof Error ? error.message : String(error) }, "webhook verification failed");
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
      { shop: hook.shop, topic: hook.topic, err: error instanceof Error ? error.message : String(error) },
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
