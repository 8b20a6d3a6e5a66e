/**
 * A contract-faithful stand-in for OpenAI's ChatGPT Ads Conversions API (`POST /v1/events`) and its
 * image tag (`GET /v1/sdk/events`), as a real HTTP server on loopback. Tests, the offline demo and the
 * bench point the app's CAPI base URL at it. The field rules live in ./openai-contract.ts; this file
 * is the HTTP layer: routing, auth, request limits, batch atomicity, first-wins dedup, and injected
 * failures (status, dropped connection, hang, latency).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { CapiEvent } from "../app/conversions/capi-event";
import {
  dedupKey,
  INTEGRATION_SOURCE_PATTERN,
  isPlainObject,
  isTimestampError,
  MAX_EVENTS_PER_REQUEST,
  validateEvent,
  validateImageTagQuery,
  type ContractError,
} from "./openai-contract";

export type Failure =
  | { kind: "status"; status: number; retryAfterSeconds?: number; body?: unknown }
  /** Destroy the socket without answering. */
  | { kind: "drop" }
  /** Hold the request for `ms`, then destroy the socket without answering. */
  | { kind: "hang"; ms: number };

export interface AcceptedEvent {
  pixelId: string;
  event: CapiEvent;
  receivedAt: number;
  integrationSource?: string;
  source: "pixel" | "capi";
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** null when the connection was dropped (or hung) without an answer. */
  status: number | null;
  eventCount: number;
  validateOnly: boolean;
  integrationSource?: string;
  at: number;
}

export interface ImageTagHit {
  query: Record<string, string>;
  status: number;
}

export interface OpenAiStandinOptions {
  port?: number;
  host?: string;
  /** pixel id → Conversions API key */
  credentials?: Record<string, string>;
  now?: () => number;
  /** Keys that exist but are Advertiser API keys: 401 with a message that says so. */
  advertiserKeys?: string[];
  /** Request body cap; larger bodies get 413. Default 5 MB. */
  maxBodyBytes?: number;
}

export interface OpenAiStandin {
  /** Base URL, e.g. http://127.0.0.1:54321 (the app appends /v1/events?pid=). */
  url: string;
  addPixel(pixelId: string, apiKey: string): void;
  /** First-wins: one per (pid, type or custom name, id). */
  accepted(pixelId?: string): AcceptedEvent[];
  /** Events that arrived again with an already-accepted key. */
  duplicatesIgnored(): number;
  requests(): RecordedRequest[];
  imageTagHits(): ImageTagHit[];
  /** The next n `/v1/events` requests fail this way (before `setFailure`'s failure). */
  failNext(n: number, failure: Failure): void;
  /** Every `/v1/events` request fails until cleared with null. */
  setFailure(failure: Failure | null): void;
  /** Delay every answer by ms. */
  setLatency(ms: number): void;
  /** Forget accepted events, duplicates, failures, latency, requests and image tag hits (pixels stay). */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
const EVENTS_PATH = "/v1/events";
const IMAGE_TAG_PATH = "/v1/sdk/events";
const BODY_KEYS = new Set(["events", "validate_only", "integration_source"]);
/** The classic transparent 1x1 GIF. */
const PIXEL_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "server_error";

interface ErrorDetail {
  message: string;
  param: string | null;
  code: string;
}

/** OpenAI's error envelope, exactly: `{"error":{"message","type","param","code","errors":[…]}}`. */
export function errorEnvelope(type: ErrorType, first: ErrorDetail, errors: ErrorDetail[] = [first]) {
  return {
    error: {
      message: first.message,
      type,
      param: first.param,
      code: first.code,
      errors: errors.map((e) => ({ message: e.message, param: e.param, code: e.code })),
    },
  };
}

export async function startOpenAiStandin(options: OpenAiStandinOptions = {}): Promise<OpenAiStandin> {
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const keyByPixel = new Map<string, string>(Object.entries(options.credentials ?? {}));
  const advertiserKeys = new Set(options.advertiserKeys ?? []);

  let accepted: AcceptedEvent[] = [];
  let acceptedKeys = new Set<string>();
  let duplicates = 0;
  let requests: RecordedRequest[] = [];
  let imageTagHits: ImageTagHit[] = [];
  let queuedFailures: Failure[] = [];
  let stickyFailure: Failure | null = null;
  let latencyMs = 0;
  let imageTagSeq = 0;
  const timers = new Set<NodeJS.Timeout>();

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  /** First-wins: store the event unless its key was seen; count it as a duplicate otherwise. */
  function acceptOnce(entry: AcceptedEvent): void {
    const key = dedupKey(entry.pixelId, entry.event);
    if (acceptedKeys.has(key)) {
      duplicates += 1;
      return;
    }
    acceptedKeys.add(key);
    accepted.push(entry);
  }

  function nextFailure(): Failure | null {
    return queuedFailures.shift() ?? stickyFailure;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://standin.invalid");
    const body = await readBody(req, maxBodyBytes);
    if (latencyMs > 0) await wait(latencyMs);

    if (url.pathname === IMAGE_TAG_PATH) return handleImageTag(req, res, url);
    if (url.pathname === EVENTS_PATH) return handleEvents(req, res, url, body);
    sendJson(
      res,
      404,
      errorEnvelope("not_found_error", { message: `No route for ${url.pathname}`, param: null, code: "not_found" }),
    );
  }

  async function handleEvents(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    body: Body,
  ): Promise<void> {
    const parsed = body.tooLarge ? undefined : parseJson(body.bytes);
    const peek = isPlainObject(parsed) ? parsed : {};
    const record: RecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: null,
      eventCount: Array.isArray(peek.events) ? peek.events.length : 0,
      validateOnly: peek.validate_only === true,
      integrationSource: typeof peek.integration_source === "string" ? peek.integration_source : undefined,
      at: now(),
    };
    requests.push(record);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, payload, headers);
    };
    const invalid = (message: string, param: string | null, code: string, status = 400) =>
      answer(status, errorEnvelope("invalid_request_error", { message, param, code }));

    if (req.method !== "POST") {
      return answer(
        405,
        errorEnvelope("invalid_request_error", {
          message: `Method ${req.method} not allowed; use POST`,
          param: null,
          code: "method_not_allowed",
        }),
        { Allow: "POST" },
      );
    }

    const failure = nextFailure();
    if (failure) return applyFailure(failure, res, answer);

    // Auth: a known Conversions API key, then a pixel that key may write to.
    const key = bearerToken(req.headers.authorization);
    if (key === null || !isKnownKey(key)) {
      const message =
        key !== null && advertiserKeys.has(key)
          ? "This is an Advertiser API key. The Conversions API requires a Conversions API key for this pixel."
          : key === null
            ? "Missing bearer token: send 'Authorization: Bearer <Conversions API key>'."
            : "Invalid Conversions API key.";
      return answer(401, errorEnvelope("authentication_error", { message, param: null, code: "invalid_api_key" }), {
        "WWW-Authenticate": "Bearer",
      });
    }
    const pid = url.searchParams.get("pid");
    if (!pid) return invalid("Query parameter 'pid' (the pixel id) is required.", "pid", "missing_parameter");
    if (keyByPixel.get(pid) !== key) {
      return answer(
        403,
        errorEnvelope("permission_error", {
          message: "This key may not send events for this pixel id, or the pixel id is unknown.",
          param: "pid",
          code: "pixel_forbidden",
        }),
      );
    }

    if (mediaType(req.headers["content-type"]) !== "application/json") {
      return invalid("Content-Type must be application/json.", null, "unsupported_media_type", 415);
    }
    if (body.tooLarge) return invalid(`Request body exceeds ${maxBodyBytes} bytes.`, null, "request_too_large", 413);
    if (parsed === undefined) return invalid("Request body is not valid JSON.", null, "invalid_json");
    if (!isPlainObject(parsed)) return invalid("Request body must be a JSON object.", null, "invalid_request");

    for (const bodyKey of Object.keys(parsed)) {
      if (!BODY_KEYS.has(bodyKey)) return invalid(`Unknown request field '${bodyKey}'.`, bodyKey, "unknown_field");
    }
    const { events, validate_only: validateOnly, integration_source: integrationSource } = parsed;
    if (!Array.isArray(events))
      return invalid(
        "'events' must be an array of events.",
        "events",
        events === undefined ? "missing_field" : "invalid_type",
      );
    if (events.length < 1 || events.length > MAX_EVENTS_PER_REQUEST) {
      return invalid(
        `'events' must hold 1 to ${MAX_EVENTS_PER_REQUEST} events (got ${events.length}).`,
        "events",
        "invalid_batch_size",
      );
    }
    if (validateOnly !== undefined && typeof validateOnly !== "boolean") {
      return invalid("'validate_only' must be a boolean.", "validate_only", "invalid_type");
    }
    if (
      integrationSource !== undefined &&
      (typeof integrationSource !== "string" || !INTEGRATION_SOURCE_PATTERN.test(integrationSource))
    ) {
      return invalid(
        `'integration_source' must match ${INTEGRATION_SOURCE_PATTERN.source}.`,
        "integration_source",
        "invalid_value",
      );
    }

    // Batch atomicity: one bad event rejects the whole request.
    const nowMs = now();
    const bad = events
      .map((event, index) => ({ index, errors: validateEvent(event, nowMs) }))
      .filter((entry) => entry.errors.length > 0);
    if (bad.length > 0) {
      const [status, envelope] = batchRejection(bad);
      return answer(status, envelope);
    }

    if (validateOnly !== true) {
      const receivedAt = now();
      for (const event of events as CapiEvent[]) {
        acceptOnce({
          pixelId: pid,
          event: structuredClone(event),
          receivedAt,
          integrationSource: integrationSource as string | undefined,
          source: "capi",
        });
      }
    }
    answer(200, { received: events.length });
  }

  function handleImageTag(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const query = Object.fromEntries(url.searchParams);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      imageTagHits.push({ query, status });
      sendJson(res, status, payload, { "Access-Control-Allow-Origin": "*", ...headers });
    };
    if (req.method !== "GET") {
      return answer(
        405,
        errorEnvelope("invalid_request_error", {
          message: `Method ${req.method} not allowed; use GET`,
          param: null,
          code: "method_not_allowed",
        }),
        { Allow: "GET" },
      );
    }
    const { errors, tag } = validateImageTagQuery(url.searchParams);
    if (!tag) {
      const details = errors.map((e) => ({ message: e.message, param: e.param, code: e.code }));
      return answer(400, errorEnvelope("invalid_request_error", { ...details[0], code: "invalid_event" }, details));
    }
    if (!keyByPixel.has(tag.pixelId)) {
      return answer(
        400,
        errorEnvelope("invalid_request_error", { message: "Unknown pixel id.", param: "pid", code: "unknown_pixel" }),
      );
    }
    const receivedAt = now();
    const event = {
      id: tag.eventId ?? `image-tag-${++imageTagSeq}`,
      timestamp_ms: receivedAt,
      action_source: "web",
      ...tag.event,
    } as CapiEvent;
    acceptOnce({ pixelId: tag.pixelId, event, receivedAt, source: "pixel" });
    imageTagHits.push({ query, status: 200 });
    res.writeHead(200, {
      "Content-Type": "image/gif",
      "Content-Length": String(PIXEL_GIF.length),
      "Cache-Control": "no-store",
      "Access-Control-Allow-Origin": "*",
    });
    res.end(PIXEL_GIF);
  }

  async function applyFailure(
    failure: Failure,
    res: http.ServerResponse,
    answer: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): Promise<void> {
    switch (failure.kind) {
      case "status": {
        const headers: Record<string, string> = {};
        if (failure.retryAfterSeconds !== undefined) headers["Retry-After"] = String(failure.retryAfterSeconds);
        return answer(failure.status, failure.body ?? defaultFailureBody(failure.status), headers);
      }
      case "drop":
        res.socket?.destroy();
        return;
      case "hang":
        await wait(failure.ms);
        res.socket?.destroy();
        return;
    }
  }

  function isKnownKey(key: string): boolean {
    for (const known of keyByPixel.values()) if (known === key) return true;
    return false;
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, defaultFailureBody(500));
      else res.destroy();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    addPixel(pixelId, apiKey) {
      keyByPixel.set(pixelId, apiKey);
    },
    accepted(pixelId) {
      return accepted.filter((entry) => pixelId === undefined || entry.pixelId === pixelId);
    },
    duplicatesIgnored: () => duplicates,
    requests: () => [...requests],
    imageTagHits: () => [...imageTagHits],
    failNext(n, failure) {
      for (let i = 0; i < n; i++) queuedFailures.push(failure);
    },
    setFailure(failure) {
      stickyFailure = failure;
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    reset() {
      accepted = [];
      acceptedKeys = new Set();
      duplicates = 0;
      requests = [];
      imageTagHits = [];
      queuedFailures = [];
      stickyFailure = null;
      latencyMs = 0;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * 400 `invalid_event` naming the first bad event, or 422 with the timestamp code when every problem
 * in the batch is a timestamp one. `errors` lists every problem of every bad event.
 */
function batchRejection(bad: { index: number; errors: ContractError[] }[]): [number, ReturnType<typeof errorEnvelope>] {
  const details = bad.flatMap(({ index, errors }) =>
    errors.map((e) => ({
      message: `events[${index}]${e.param ? `.${e.param}` : ""}: ${e.message}`,
      param: `events[${index}]${e.param ? `.${e.param}` : ""}`,
      code: e.code,
    })),
  );
  const first = bad[0];
  const onlyTimestamps = bad.every(({ errors }) => errors.every(isTimestampError));
  const status = onlyTimestamps ? 422 : 400;
  const code = onlyTimestamps ? first.errors[0].code : "invalid_event";
  const message = `Invalid event at events[${first.index}]: ${details[0].message}`;
  return [status, errorEnvelope("invalid_request_error", { message, param: `events[${first.index}]`, code }, details)];
}

function defaultFailureBody(status: number) {
  const type: ErrorType =
    status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error";
  const code = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "injected_failure";
  return errorEnvelope(type, { message: `Injected failure: HTTP ${status}`, param: null, code });
}

interface Body {
  bytes: Buffer;
  tooLarge: boolean;
}

/** Reads the whole body, keeping at most `cap` bytes (the rest is drained so the client can finish). */
async function readBody(req: http.IncomingMessage, cap: number): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= cap) chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), tooLarge: size > cap };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1] : null;
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
