/**
 * Shopify's webhook validator (@shopify/shopify-api `webhooks.validate`, the very same function and
 * configuration as verify.server.ts) on a thread of its own, for the lean `/webhooks/*` path.
 *
 * Why: with `WEBHOOK_ACK=stored` the process's one JS thread is the limit, and a third of its time per
 * webhook is this validator (Web Crypto `importKey` + `sign` for every call, and the header
 * canonicalization it repeats on every header lookup). On a thread it runs beside the HTTP
 * handling instead of in turn with it. Nothing about the check changes: same library, same secret,
 * same answers (test/webhooks/validator-thread.test.ts compares them case by case).
 *
 * The thread's code is a small CommonJS script that loads @shopify/shopify-api's CommonJS build,
 * resolved here; requests, replies and the thread's lifetime are app/lib/request-thread.server.ts. If the
 * thread dies, whatever was in flight is rejected (those webhooks get a 500 and Shopify delivers them
 * again) and the next call starts a new thread.
 */
import { createRequire } from "node:module";
import { startRequestThread } from "~/lib/request-thread.server";

/** shopifyApi's options minus the logger (a function cannot cross to the thread; it adds a silent one). */
export interface ValidatorConfig {
  apiKey: string;
  apiSecretKey: string;
  apiVersion: string;
  hostName: string;
  hostScheme: "https";
  isEmbeddedApp: boolean;
  scopes: string[];
}

interface WebhookParts {
  method: string;
  url: string;
  /** Only the headers the validator reads (shopifyHeadersOf in verify.server.ts). */
  headers: [string, string][];
  rawBody: string;
}

/** What `webhooks.validate` answered: a plain object (valid, reason or the webhook's fields). */
type ValidationAnswer = Record<string, unknown> & { valid: boolean };

export interface ValidatorThread {
  validate(parts: WebhookParts): Promise<ValidationAnswer>;
  close(): Promise<void>;
}

const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
require(workerData.adapterPath);
const { shopifyApi } = require(workerData.libraryPath);
const api = shopifyApi({ ...workerData.config, logger: { level: 0, log: async () => {} } });
parentPort.on("message", ({ id, method, url, headers, rawBody }) => {
  const rawRequest = { method, url, headers: { entries: () => headers[Symbol.iterator]() } };
  api.webhooks.validate({ rawBody, rawRequest }).then(
    (reply) => parentPort.postMessage({ id, reply }),
    (error) => parentPort.postMessage({ id, error: { message: String((error && error.message) || error) } }),
  );
});
`;

export function startValidatorThread(config: ValidatorConfig): ValidatorThread {
  const resolve = createRequire(import.meta.url).resolve;
  const thread = startRequestThread<WebhookParts, ValidationAnswer>({
    name: "webhook validator thread",
    source: THREAD_SOURCE,
    workerData: () => ({
      config,
      libraryPath: resolve("@shopify/shopify-api"),
      adapterPath: resolve("@shopify/shopify-api/adapters/web-api"),
    }),
    toError: (error) => new Error(`webhook validator failed: ${error.message}`),
  });
  return { validate: (parts) => thread.request(parts), close: () => thread.close() };
}
