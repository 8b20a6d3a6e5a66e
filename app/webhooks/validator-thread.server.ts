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
 * The thread's code is a small CommonJS script (evaluated, so the bundlers need no extra entry) that
 * loads @shopify/shopify-api's CommonJS build, resolved here. If the thread dies, whatever was in flight
 * is rejected (those webhooks get a 500 and Shopify delivers them again) and the next call starts a
 * new thread.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface ValidatorConfig {
  apiKey: string;
  apiSecretKey: string;
  apiVersion: string;
  hostName: string;
}

export interface WebhookParts {
  method: string;
  url: string;
  /** Only the headers the validator reads (shopifyHeadersOf in verify.server.ts). */
  headers: [string, string][];
  rawBody: string;
}

/** What `webhooks.validate` answered: a plain object (valid, reason or the webhook's fields). */
export type ValidationAnswer = Record<string, unknown> & { valid: boolean };

export interface ValidatorThread {
  validate(parts: WebhookParts): Promise<ValidationAnswer>;
  close(): Promise<void>;
}

const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
require(workerData.adapterPath);
const { shopifyApi } = require(workerData.libraryPath);
const api = shopifyApi({ ...workerData.config, hostScheme: "https", isEmbeddedApp: true, scopes: [], logger: { level: 0, log: async () => {} } });
parentPort.on("message", ({ id, method, url, headers, rawBody }) => {
  const rawRequest = { method, url, headers: { entries: () => headers[Symbol.iterator]() } };
  api.webhooks.validate({ rawBody, rawRequest }).then(
    (answer) => parentPort.postMessage({ id, answer }),
    (error) => parentPort.postMessage({ id, error: String((error && error.message) || error) }),
  );
});
`;

export function startValidatorThread(config: ValidatorConfig): ValidatorThread {
  const resolve = createRequire(import.meta.url).resolve;
  const workerData = {
    config,
    libraryPath: resolve("@shopify/shopify-api"),
    adapterPath: resolve("@shopify/shopify-api/adapters/web-api"),
  };
  const pending = new Map<number, { resolve: (answer: ValidationAnswer) => void; reject: (error: Error) => void }>();
  let sequence = 0;
  let worker: Worker | null = null;
  let closing = false;

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const start = (): Worker => {
    const thread = new Worker(THREAD_SOURCE, { eval: true, workerData });
    thread.on("message", (message: { id: number; answer?: ValidationAnswer; error?: string }) => {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (pending.size === 0) thread.unref();
      if (message.answer) waiter.resolve(message.answer);
      else waiter.reject(new Error(`webhook validator failed: ${message.error}`));
    });
    thread.on("error", (error) => failAll(error instanceof Error ? error : new Error(String(error))));
    thread.on("exit", (code) => {
      if (worker === thread) worker = null;
      failAll(new Error(`webhook validator thread exited (${code})`));
    });
    // Idle, it does not keep the process alive; with a webhook in flight it does.
    thread.unref();
    return thread;
  };

  return {
    validate(parts) {
      if (closing) return Promise.reject(new Error("webhook validator thread is closed"));
      const thread = (worker ??= start());
      const id = ++sequence;
      return new Promise((resolve, reject) => {
        if (pending.size === 0) thread.ref();
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, ...parts });
      });
    },
    async close() {
      closing = true;
      const thread = worker;
      worker = null;
      if (thread) await thread.terminate();
    },
  };
}
