/**
 * Transport to OpenAI's Conversions API: one request (`postEvents`), what its answer means
 * (`classifyResponse`), and delivering a batch of any size with the contract's rules
 * (`deliverBatch`): ≤ 1000 events and a few MB per request, the SAME ids on retry, and, because one
 * invalid event rejects a whole request, isolation of bad events so the good ones still land.
 *
 * No database, no environment: the caller passes the target (base URL, pixel id, key) and decides
 * what to do with the outcome. The API key only ever goes into the Authorization header; every
 * message this module produces is scrubbed of it.
 */
import type { CapiEvent } from "~/conversions/capi-event";

/** Stable id of this app, sent as `integration_source` on every request. */
export const INTEGRATION_SOURCE = "shopify-oppref-conversions";
export const MAX_BATCH = 1000;
/** Request body budget. OpenAI documents no size limit; the reference says "a few MB". */
export const MAX_REQUEST_BYTES = 4_000_000;
export const DEFAULT_TIMEOUT_MS = 15_000;
const INTEGRATION_SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Room for `{"events":[…],"integration_source":"…","validate_only":true}` around the events. */
const ENVELOPE_BYTES = 256;

export interface CapiTarget {
  baseUrl: string;
  pixelId: string;
  apiKey: string;
}

export interface CapiClientOptions {
  fetch?: typeof fetch;
  /** Per request, including reading the answer. Default 15 s. */
  timeoutMs?: number;
  integrationSource?: string;
  /** Told the HTTP status of every answer deliverBatch gets (null: none, a network failure or timeout). */
  onAnswer?: (status: number | null) => void;
}

export type CapiFailureClass = "accepted" | "retry" | "invalid" | "auth";

export interface CapiResponseInfo {
  /** null = network error or timeout (no answer). */
  status: number | null;
  class: CapiFailureClass;
  retryAfterMs: number | null;
  message: string;
  code: string | null;
  param: string | null;
}

export interface BatchOutcome {
  accepted: string[];
  rejected: { id: string; status: number; message: string; code: string | null }[];
  /** Not yet delivered after a retryable failure: resend these SAME ids later. */
  retry: { ids: string[]; status: number | null; message: string; retryAfterMs: number | null } | null;
  /** Credentials refused: the undelivered events are in no list; keep them queued. */
  auth: { status: number; message: string } | null;
  requests: number;
}

/** The target or options cannot make a valid request (a setup problem, not a delivery outcome). */
export class CapiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CapiConfigError";
  }
}

/**
 * What an answer means for delivery: 2xx accepted; 429, 408, 5xx and no answer → retry with the same
 * ids (honouring Retry-After); 401/403 → auth (stop, keep events); other 4xx → invalid (isolate, never
 * retry). Anything else (1xx/3xx, which OpenAI never documents) is treated as retry: never call an
 * event delivered without a 2xx, never drop it for a status that says nothing about the event.
 */
export function classifyResponse(
  status: number | null,
  body: unknown,
  headers?: Headers,
  nowMs: number = Date.now(),
): CapiResponseInfo {
  if (status === null) {
    return {
      status,
      class: "retry",
      retryAfterMs: null,
      message: `No answer from the Conversions API: ${describe(body)}`,
      code: null,
      param: null,
    };
  }
  const cls = classOf(status);
  const error = errorFields(body);
  return {
    status,
    class: cls,
    retryAfterMs: cls === "retry" ? parseRetryAfter(headers?.get("retry-after") ?? null, nowMs) : null,
    message: error.message ?? (cls === "accepted" ? `Accepted (HTTP ${status})` : fallbackMessage(status, body)),
    code: error.code,
    param: error.param,
  };
}

function classOf(status: number): CapiFailureClass {
  if (status >= 200 && status < 300) return "accepted";
  if (status === 401 || status === 403) return "auth";
  if (status === 408 || status === 429 || status >= 500) return "retry";
  if (status >= 400) return "invalid";
  return "retry";
}

/** `Retry-After` as delay-seconds or an HTTP date → milliseconds from now (never negative). */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Every HTTP-date form starts with a day name; without this check Date.parse reads "-3" as a year.
  const date = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function errorFields(body: unknown): { message: string | null; code: string | null; param: string | null } {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : null);
  return { message: text(error?.message), code: text(error?.code), param: text(error?.param) };
}

function fallbackMessage(status: number, body: unknown): string {
  const text = typeof body === "string" ? body.trim().slice(0, 300) : "";
  return text ? `HTTP ${status}: ${text}` : `HTTP ${status}`;
}

/**
 * ONE request: `POST {baseUrl}/v1/events?pid=…` with `{ events, integration_source, validate_only? }`.
 * Never throws for an answer or a network failure (those come back classified); throws
 * CapiConfigError when the target cannot form a request at all.
 */
export async function postEvents(
  target: CapiTarget,
  events: CapiEvent[],
  opts: CapiClientOptions & { validateOnly?: boolean } = {},
): Promise<CapiResponseInfo> {
  const url = eventsUrl(target);
  const integrationSource = opts.integrationSource ?? INTEGRATION_SOURCE;
  if (!INTEGRATION_SOURCE_PATTERN.test(integrationSource)) {
    throw new CapiConfigError(`integration_source must match ${INTEGRATION_SOURCE_PATTERN.source}`);
  }
  const payload: Record<string, unknown> = { events, integration_source: integrationSource };
  if (opts.validateOnly !== undefined) payload.validate_only = opts.validateOnly;

  const fetchImpl = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchImpl(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${target.apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify(payload),
      signal: controller.signal,
      // A redirect would replay the key elsewhere; treat it as an answer (classified as retry) instead.
      redirect: "manual",
    });
    const text = await response.text();
    return scrubbed(classifyResponse(response.status, parseBody(text), response.headers), target.apiKey);
  } catch (error) {
    const reason = controller.signal.aborted ? `timed out after ${timeoutMs} ms` : describe(error);
    return scrubbed(classifyResponse(null, reason), target.apiKey);
  } finally {
    clearTimeout(timer);
  }
}

function eventsUrl(target: CapiTarget): URL {
  if (!target.pixelId) throw new CapiConfigError("Pixel id is empty");
  // Checked here so a bad key fails with our message, not with fetch's (which may quote the header).
  if (!/^[\x21-\x7e]+$/.test(target.apiKey ?? "")) {
    throw new CapiConfigError("Conversions API key is empty or has characters not allowed in an HTTP header");
  }
  let url: URL;
  try {
    url = new URL("/v1/events", target.baseUrl);
  } catch {
    throw new CapiConfigError("Conversions API base URL is not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new CapiConfigError("Conversions API base URL must be http(s)");
  }
  url.searchParams.set("pid", target.pixelId);
  return url;
}

/**
 * Sends any number of events with the contract's rules and reports, per id, what happened.
 * - Chunks of ≤ MAX_BATCH events and ≤ MAX_REQUEST_BYTES, sent in order.
 * - invalid (400/422/413…): the error's `param` `events[i]` marks that event rejected and the rest is
 *   resent; without a usable index the group is halved, down to single events. An isolated event
 *   is rejected with OpenAI's message and never retried.
 * - retry (429/5xx/network): stop; every id not yet accepted or rejected goes into `retry`.
 * - auth (401/403): stop; undelivered ids are left out of every list (the caller keeps them queued).
 * Each id lands in at most one of accepted / rejected / retry (events sharing an id are reported
 * together with the first event's fate for that id).
 */
export async function deliverBatch(
  target: CapiTarget,
  events: CapiEvent[],
  opts: CapiClientOptions = {},
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { accepted: [], rejected: [], retry: null, auth: null, requests: 0 };
  const settled = new Set<number>();
  const indexed = events.map((event, index) => ({ event, index }));
  const reported = new Set<string>();
  const report = (id: string, list: () => void) => {
    if (!reported.has(id)) {
      reported.add(id);
      list();
    }
  };

  type Item = (typeof indexed)[number];
  const send = async (group: Item[]): Promise<CapiResponseInfo> => {
    outcome.requests += 1;
    const info = await postEvents(
      target,
      group.map((item) => item.event),
      opts,
    );
    opts.onAnswer?.(info.status);
    return info;
  };
  const accept = (group: Item[]) => {
    for (const item of group) {
      settled.add(item.index);
      report(item.event.id, () => outcome.accepted.push(item.event.id));
    }
  };
  const reject = (item: Item, info: CapiResponseInfo) => {
    settled.add(item.index);
    const status = info.status ?? 0;
    report(item.event.id, () =>
      outcome.rejected.push({ id: item.event.id, status, message: info.message, code: info.code }),
    );
  };

  /** Delivers one chunk, isolating invalid events; returns the answer that stopped delivery, if any. */
  const deliverChunk = async (chunk: Item[]): Promise<CapiResponseInfo | null> => {
    const pending: Item[][] = [chunk];
    while (pending.length > 0) {
      const group = pending.shift()!;
      const info = await send(group);
      if (info.class === "accepted") accept(group);
      else if (info.class === "retry" || info.class === "auth") return info;
      else if (group.length === 1) reject(group[0], info);
      else {
        const bad = eventIndexFromParam(info.param);
        if (bad !== null && bad < group.length) {
          reject(group[bad], info);
          pending.unshift(group.filter((_, i) => i !== bad));
        } else {
          const middle = Math.ceil(group.length / 2);
          pending.unshift(group.slice(0, middle), group.slice(middle));
        }
      }
    }
    return null;
  };

  for (const chunk of chunkEvents(indexed, (item) => item.event)) {
    const stop = await deliverChunk(chunk);
    if (!stop) continue;
    if (stop.class === "auth") {
      outcome.auth = { status: stop.status ?? 0, message: stop.message };
    } else {
      const ids: string[] = [];
      for (const item of indexed) if (!settled.has(item.index)) report(item.event.id, () => ids.push(item.event.id));
      outcome.retry = { ids, status: stop.status, message: stop.message, retryAfterMs: stop.retryAfterMs };
    }
    break;
  }
  return outcome;
}

/**
 * The admin's connection check: one `validate_only` request with a harmless synthetic page view.
 * OpenAI validates it (so key, pixel id and reachability are proven) and stores nothing.
 */
export async function checkCredentials(
  target: CapiTarget,
  opts: CapiClientOptions & { sourceUrl?: string; now?: () => number } = {},
): Promise<CapiResponseInfo> {
  const event: CapiEvent = {
    id: "connection-check",
    type: "page_viewed",
    timestamp_ms: (opts.now ?? Date.now)(),
    action_source: "web",
    source_url: opts.sourceUrl ?? "https://example.com/",
    data: { type: "contents" },
  };
  return postEvents(target, [event], { ...opts, validateOnly: true });
}

/** `events[37]` or `events[37].data.amount` → 37. */
export function eventIndexFromParam(param: string | null): number | null {
  const match = /^events\[(\d+)\]/.exec(param ?? "");
  return match ? Number(match[1]) : null;
}

/** Splits in order into chunks of ≤ MAX_BATCH events whose JSON stays under MAX_REQUEST_BYTES. */
export function chunkEvents<T>(items: T[], eventOf: (item: T) => CapiEvent): T[][] {
  const encoder = new TextEncoder();
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const item of items) {
    const size = encoder.encode(JSON.stringify(eventOf(item))).length + 1;
    if (current.length > 0 && (current.length >= MAX_BATCH || bytes + size > MAX_REQUEST_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return typeof error === "string" ? error : "unknown error";
}

function scrubbed(info: CapiResponseInfo, apiKey: string): CapiResponseInfo {
  if (!apiKey) return info;
  const clean = (text: string | null) => (text === null ? null : text.split(apiKey).join("[redacted]"));
  return { ...info, message: clean(info.message)!, code: clean(info.code), param: clean(info.param) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
