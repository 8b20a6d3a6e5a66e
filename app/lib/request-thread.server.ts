/**
 * A worker thread that answers requests, one promise per request: the mechanism under the SQLite
 * inbox writer (app/db/sqlite-writer-thread.server.ts) and the webhook validator thread
 * (app/webhooks/validator-thread.server.ts).
 *
 * The thread's code is a small CommonJS script, evaluated (so the bundlers need no extra entry). It
 * receives `{ id, ...request }` and answers `{ id, reply }` or `{ id, error: { message, code? } }`.
 *
 * - The thread starts with the first request. If it dies, whatever was in flight is rejected (the
 *   caller cannot know whether it took effect) and the next request starts a new one.
 * - An idle thread does not keep the process alive; one with a request in flight does, so a script
 *   that awaits an answer cannot exit before it arrives.
 * - After close, requests are refused instead of hanging.
 */
import { Worker } from "node:worker_threads";

export interface RequestThread<TRequest extends object, TReply> {
  request(message: TRequest): Promise<TReply>;
  close(): Promise<void>;
}

export interface ThreadError {
  message: string;
  code?: string;
}

export function startRequestThread<TRequest extends object, TReply>(options: {
  /** For error messages: "SQLite writer thread". */
  name: string;
  source: string;
  /** Computed when a thread starts. */
  workerData: () => unknown;
  /** How an error the thread reports reaches the caller (default: an Error with its message). */
  toError?: (error: ThreadError) => Error;
}): RequestThread<TRequest, TReply> {
  const toError = options.toError ?? ((error: ThreadError) => new Error(error.message));
  const pending = new Map<number, { resolve: (reply: TReply) => void; reject: (error: Error) => void }>();
  let sequence = 0;
  let worker: Worker | null = null;
  let closing = false;

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const start = (): Worker => {
    const thread = new Worker(options.source, { eval: true, workerData: options.workerData() });
    thread.on("message", (message: { id: number; reply?: TReply; error?: ThreadError }) => {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (pending.size === 0) thread.unref();
      if (message.error) waiter.reject(toError(message.error));
      else waiter.resolve(message.reply as TReply);
    });
    thread.on("error", (error) => failAll(error instanceof Error ? error : new Error(String(error))));
    thread.on("exit", (code) => {
      if (worker === thread) worker = null;
      failAll(new Error(`${options.name} exited (${code})`));
    });
    thread.unref();
    return thread;
  };

  return {
    request(message) {
      if (closing) return Promise.reject(new Error(`${options.name} is closed`));
      const thread = (worker ??= start());
      const id = ++sequence;
      return new Promise<TReply>((resolve, reject) => {
        if (pending.size === 0) thread.ref();
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, ...message });
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
