/**
 * One JSON log line per error response (404, 405, 5xx) and per thrown error, never a multi-line stack
 * on stderr: a flood of bad requests costs one short line each, and every line parses.
 *
 * server.ts watches each request it hands to Express/Remix (`watchErrorResponses`). Whatever catches
 * an error while that request is served — Remix's handleError (app/entry.server.tsx), the document
 * renderer, Express's error handler — notes it on the response (`noteRequestError`) instead of
 * logging it; when the response is done, ONE line says method, path, status, time and the error.
 * An error noted for a response nobody watches (the Remix dev server, a script) is logged at once,
 * as one line too. The lean webhook path logs its own answers (app/webhooks/lean-path.server.ts),
 * so the webhook hot path carries no watcher.
 *
 * Never logged: the query string (Shopify's embedded requests carry `id_token`, `hmac`, `host`),
 * headers, bodies. The stack is one JSON string, cut to a few frames.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { logger } from "~/logger.server";

interface Noted {
  error: unknown;
  fields: Record<string, unknown>;
}

const watched = new WeakMap<ServerResponse, { noted: Noted | null }>();

const MAX_PATH = 200;
const MAX_MESSAGE = 500;
const STACK_FRAMES = 8;

/** The request's path without its query string, cut to a bounded length. */
export function loggedPath(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  const path = q === -1 ? raw : raw.slice(0, q);
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

/** An error as one bounded JSON object: type, message, the first frames of its stack (one string). */
export function errorSummary(error: unknown): { type: string; message: string; stack?: string } {
  if (isRouteErrorResponse(error)) {
    // Remix's own 404/405 answers: the status says it all, and their inner error's stack is Remix's.
    return { type: "ErrorResponse", message: `${error.status} ${String(error.statusText ?? "")}`.trim() };
  }
  if (error instanceof Error) {
    const stack = error.stack
      ?.split("\n")
      .slice(1, STACK_FRAMES + 1)
      .map((line) => line.trim())
      .join(" | ");
    return { type: error.name, message: error.message.slice(0, MAX_MESSAGE), ...(stack ? { stack } : {}) };
  }
  return { type: typeof error, message: String(error).slice(0, MAX_MESSAGE) };
}

/** The `http` fields of a line the lean webhook path logs itself (it is not watched). */
export function httpFields(req: IncomingMessage, status: number) {
  return { method: req.method, path: loggedPath(req.url), status };
}

function isRouteErrorResponse(error: unknown): error is { status: number; statusText?: unknown } {
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { status?: unknown }).status === "number" &&
    "internal" in error &&
    "data" in error
  );
}

/** Logs one line for `res` once it is done, if it is an error response or an error was noted. */
export function watchErrorResponses(req: IncomingMessage, res: ServerResponse): void {
  const state = { noted: null as Noted | null };
  watched.set(res, state);
  const started = Date.now();
  res.once("close", () => {
    const status = res.statusCode;
    const noted = state.noted;
    if (!noted && status !== 404 && status !== 405 && status < 500) return;
    const http = {
      method: req.method,
      path: loggedPath(req.url),
      status,
      ms: Date.now() - started,
      ...(res.writableFinished ? {} : { aborted: true }),
    };
    // `error`, not `err`: pino's err serializer would rewrite the summary.
    const line = { http, ...noted?.fields, ...(noted ? { error: errorSummary(noted.error) } : {}) };
    if (status >= 400 && status < 500)
      logger.warn(line, status === 404 ? "not found" : status === 405 ? "method not allowed" : "request refused");
    else logger.error(line, "request failed");
  });
}

/**
 * Something went wrong while serving `res`: it goes into the response's one line if the response is
 * watched, else it is logged now. The first error noted wins (a render error after a loader error
 * is the same failure).
 */
export function noteRequestError(
  res: ServerResponse | undefined,
  error: unknown,
  fields: Record<string, unknown> = {},
): void {
  const state = res ? watched.get(res) : undefined;
  if (state) {
    state.noted ??= { error, fields };
    return;
  }
  logger.error({ ...fields, error: errorSummary(error) }, "request failed");
}

/** What Remix code gets in its load context to note errors on the current response. */
export interface RequestErrorSink {
  note(error: unknown, fields?: Record<string, unknown>): void;
}

export function requestErrorSink(res: ServerResponse): RequestErrorSink {
  return { note: (error, fields) => noteRequestError(res, error, fields) };
}
