import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CapiEvent } from "~/conversions/capi-event";
import {
  CapiConfigError,
  chunkEvents,
  checkCredentials,
  classifyResponse,
  deliverBatch,
  eventIndexFromParam,
  INTEGRATION_SOURCE,
  MAX_BATCH,
  MAX_REQUEST_BYTES,
  parseRetryAfter,
  postEvents,
  type CapiTarget,
} from "~/openai/capi-client";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";

const KEY = "sk_capi_client_tests_0123456789";
let standin: OpenAiStandin;
let pixelSeq = 0;

/** Each test gets its own pixel, so what one test delivered is invisible to the others. */
function newTarget(): CapiTarget {
  const pixelId = `px_client_${++pixelSeq}`;
  standin.addPixel(pixelId, KEY);
  return { baseUrl: standin.url, pixelId, apiKey: KEY };
}

function requestsFor(target: CapiTarget) {
  return standin.requests().filter((r) => r.query.pid === target.pixelId);
}

function order(id: string, overrides: Partial<CapiEvent> = {}): CapiEvent {
  return {
    id,
    type: "order_created",
    timestamp_ms: Date.now() - 60_000,
    action_source: "web",
    source_url: "https://shop.example/thank-you",
    data: {
      type: "contents",
      amount: 2599,
      currency: "USD",
      contents: [{ id: "sku-1", content_type: "product", quantity: 1, amount: 2599 }],
    },
    ...overrides,
  };
}

function orders(n: number, prefix = "o"): CapiEvent[] {
  return Array.from({ length: n }, (_, i) => order(`${prefix}${i}`));
}

/** Invalid per the contract: a negative amount. */
function negative(id: string): CapiEvent {
  return order(id, { data: { type: "contents", amount: -100, currency: "USD" } });
}

beforeAll(async () => {
  standin = await startOpenAiStandin({ advertiserKeys: ["adv_key"] });
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.setFailure(null);
});

describe("classifyResponse", () => {
  const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
  const envelope = {
    error: {
      message: "bad amount",
      type: "invalid_request_error",
      param: "events[3]",
      code: "invalid_event",
      errors: [],
    },
  };
  const headers = (retryAfter: string) => new Headers({ "Retry-After": retryAfter });

  it.each([
    [200, null, undefined, { class: "accepted", retryAfterMs: null }],
    [204, null, undefined, { class: "accepted", retryAfterMs: null }],
    [400, envelope, undefined, { class: "invalid", message: "bad amount", code: "invalid_event", param: "events[3]" }],
    [422, null, undefined, { class: "invalid" }],
    [413, null, undefined, { class: "invalid", message: "HTTP 413" }],
    [404, "not here", undefined, { class: "invalid", message: "HTTP 404: not here" }],
    [401, null, undefined, { class: "auth" }],
    [403, null, undefined, { class: "auth" }],
    [408, null, undefined, { class: "retry", retryAfterMs: null }],
    [429, null, undefined, { class: "retry", retryAfterMs: null }],
    [429, null, headers("30"), { class: "retry", retryAfterMs: 30_000 }],
    [429, null, headers("1.5"), { class: "retry", retryAfterMs: 1_500 }],
    [429, null, headers(new Date(NOW + 120_000).toUTCString()), { class: "retry", retryAfterMs: 120_000 }],
    [429, null, headers(new Date(NOW - 5_000).toUTCString()), { class: "retry", retryAfterMs: 0 }],
    [429, null, headers("soon"), { class: "retry", retryAfterMs: null }],
    [500, null, undefined, { class: "retry" }],
    [503, null, headers("2"), { class: "retry", retryAfterMs: 2_000 }],
    [302, null, headers("2"), { class: "retry" }],
    [null, "connect ECONNREFUSED", undefined, { class: "retry", status: null, retryAfterMs: null }],
  ] as const)("status %s, body %j, headers %o", (status, body, hdrs, expected) => {
    expect(classifyResponse(status, body, hdrs, NOW)).toMatchObject(expected);
  });

  it("ignores Retry-After on non-retry answers", () => {
    expect(classifyResponse(400, null, headers("10"), NOW).retryAfterMs).toBeNull();
  });

  it("parses Retry-After seconds and HTTP dates", () => {
    expect(parseRetryAfter("0", NOW)).toBe(0);
    expect(parseRetryAfter(" 120 ", NOW)).toBe(120_000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 12:01:00 GMT", NOW)).toBe(60_000);
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter("-3", NOW)).toBeNull();
  });

  it("reads the event index from param", () => {
    expect(eventIndexFromParam("events[37]")).toBe(37);
    expect(eventIndexFromParam("events[2].data.amount")).toBe(2);
    expect(eventIndexFromParam("integration_source")).toBeNull();
    expect(eventIndexFromParam(null)).toBeNull();
  });
});

describe("chunkEvents", () => {
  it("keeps ≤ MAX_BATCH events and ≤ MAX_REQUEST_BYTES per chunk, in order", () => {
    expect(chunkEvents(orders(2500), (e) => e).map((c) => c.length)).toEqual([1000, 1000, 500]);
    const fat = Array.from({ length: 10 }, (_, i) =>
      order(`f${i}`, {
        data: { type: "contents", contents: [{ id: "x".repeat(900_000), content_type: "product", quantity: 1 }] },
      }),
    );
    const chunks = chunkEvents(fat, (e) => e);
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 2]);
    for (const chunk of chunks) expect(JSON.stringify({ events: chunk }).length).toBeLessThan(MAX_REQUEST_BYTES);
    expect(chunks.flat().map((e) => e.id)).toEqual(fat.map((e) => e.id));
    expect(MAX_BATCH).toBe(1000);
  });
});

describe("postEvents", () => {
  it("sends one request with the contract's URL, headers and body", async () => {
    const target = newTarget();
    let seen: { url: string; init: RequestInit } | null = null;
    const spy: typeof fetch = async (url, init) => {
      seen = { url: String(url), init: init! };
      return fetch(url, init);
    };
    const info = await postEvents(target, [order("a")], { fetch: spy, validateOnly: false });
    expect(info).toMatchObject({ status: 200, class: "accepted" });
    expect(seen!.url).toBe(`${standin.url}/v1/events?pid=${target.pixelId}`);
    expect(seen!.init.headers).toEqual({ Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" });
    expect(JSON.parse(String(seen!.init.body))).toEqual({
      events: [order("a", { timestamp_ms: expect.any(Number) })],
      integration_source: INTEGRATION_SOURCE,
      validate_only: false,
    });
    expect(requestsFor(target).at(-1)).toMatchObject({ integrationSource: INTEGRATION_SOURCE, eventCount: 1 });
  });

  it("times out as a retry", async () => {
    const target = newTarget();
    standin.failNext(1, { kind: "hang", ms: 30_000 });
    const info = await postEvents(target, [order("a")], { timeoutMs: 100 });
    expect(info).toMatchObject({
      status: null,
      class: "retry",
      message: expect.stringContaining("timed out after 100 ms"),
    });
  });

  it("refuses a target it cannot form a request from, without quoting the key", async () => {
    const secret = "sk_live_should_never_leak";
    const attempts: [CapiTarget, RegExp][] = [
      [{ baseUrl: "not a url", pixelId: "p", apiKey: secret }, /base URL/],
      [{ baseUrl: "ftp://x", pixelId: "p", apiKey: secret }, /http/],
      [{ baseUrl: standin.url, pixelId: "", apiKey: secret }, /Pixel id/],
      [{ baseUrl: standin.url, pixelId: "p", apiKey: `${secret}\n` }, /key/],
      [{ baseUrl: standin.url, pixelId: "p", apiKey: "" }, /key/],
    ];
    for (const [target, message] of attempts) {
      const error = await postEvents(target, [order("a")]).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(CapiConfigError);
      expect(error!.message).toMatch(message);
      expect(error!.message).not.toContain(secret);
    }
    await expect(postEvents(newTarget(), [order("a")], { integrationSource: "bad source" })).rejects.toThrow(
      CapiConfigError,
    );
  });

  it("scrubs the key from anything a failing fetch or a server says", async () => {
    const target = newTarget();
    const leakyFetch: typeof fetch = async () => {
      throw new Error(`socket hang up while sending Bearer ${KEY}`, { cause: new Error(`cause with ${KEY}`) });
    };
    const thrown = await postEvents(target, [order("a")], { fetch: leakyFetch });
    expect(thrown.class).toBe("retry");
    expect(thrown.message).not.toContain(KEY);
    expect(thrown.message).toContain("[redacted]");

    standin.failNext(1, {
      kind: "status",
      status: 400,
      body: { error: { message: `key ${KEY} is odd`, param: `p-${KEY}`, code: KEY } },
    });
    const echoed = await postEvents(target, [order("a")]);
    expect(JSON.stringify(echoed)).not.toContain(KEY);
  });
});

describe("deliverBatch against the stand-in", () => {
  it("delivers a clean batch in one request", async () => {
    const target = newTarget();
    const outcome = await deliverBatch(target, orders(10));
    expect(outcome).toEqual({
      accepted: orders(10).map((e) => e.id),
      rejected: [],
      retry: null,
      auth: null,
      requests: 1,
    });
    expect(standin.accepted(target.pixelId)).toHaveLength(10);
  });

  it("100 events with one invalid at index 37 → 99 accepted, 1 rejected with OpenAI's message, 2 requests", async () => {
    const target = newTarget();
    const events = orders(100);
    events[37] = negative("o37");
    const outcome = await deliverBatch(target, events);
    expect(outcome.accepted).toHaveLength(99);
    expect(outcome.accepted).not.toContain("o37");
    expect(outcome.rejected).toEqual([
      {
        id: "o37",
        status: 400,
        code: "invalid_event",
        message: expect.stringMatching(/events\[37\].*amount.*negative/),
      },
    ]);
    expect(outcome.retry).toBeNull();
    expect(outcome.auth).toBeNull();
    expect(outcome.requests).toBe(2);
    expect(requestsFor(target).map((r) => [r.status, r.eventCount])).toEqual([
      [400, 100],
      [200, 99],
    ]);
    expect(standin.accepted(target.pixelId).map((a) => a.event.id)).toEqual(
      events.map((e) => e.id).filter((id) => id !== "o37"),
    );
  });

  it("two invalid events → both rejected, 3 requests", async () => {
    const target = newTarget();
    const events = orders(50);
    events[5] = negative("o5");
    events[40] = order("o40", { timestamp_ms: Date.now() - 8 * 86_400_000 });
    const outcome = await deliverBatch(target, events);
    expect(outcome.accepted).toHaveLength(48);
    expect(outcome.rejected.map((r) => [r.id, r.status, r.code])).toEqual([
      ["o5", 400, "invalid_event"],
      ["o40", 422, "event_timestamp_too_old"],
    ]);
    expect(outcome.requests).toBe(3);
  });

  it("bisects when the error names no event (413), down to the one too-large event", async () => {
    const small = await startOpenAiStandin({ credentials: { px_small: KEY }, maxBodyBytes: 20_000 });
    try {
      const target = { baseUrl: small.url, pixelId: "px_small", apiKey: KEY };
      const events = orders(8);
      events[6] = order("o6", {
        data: { type: "contents", contents: [{ id: "x".repeat(30_000), content_type: "product", quantity: 1 }] },
      });
      const outcome = await deliverBatch(target, events);
      expect(outcome.rejected).toEqual([
        { id: "o6", status: 413, code: "request_too_large", message: expect.any(String) },
      ]);
      expect(outcome.accepted.sort()).toEqual(["o0", "o1", "o2", "o3", "o4", "o5", "o7"]);
      // 8 → 413; halves: [o0..o3] ok, [o4..o7] 413; [o4,o5] ok, [o6,o7] 413; [o6] 413 → rejected; [o7] ok.
      expect(outcome.requests).toBe(7);
      expect(small.requests().map((r) => r.status)).toEqual([413, 200, 413, 200, 413, 413, 200]);
    } finally {
      await small.close();
    }
  });

  it("2500 events → 3 chunks, all accepted", async () => {
    const target = newTarget();
    const events = orders(2500);
    const outcome = await deliverBatch(target, events);
    expect(outcome.requests).toBe(3);
    expect(outcome.accepted).toEqual(events.map((e) => e.id));
    expect(requestsFor(target).map((r) => r.eventCount)).toEqual([1000, 1000, 500]);
  });

  it("5xx → every id in retry, the same ids, nothing accepted", async () => {
    const target = newTarget();
    standin.setFailure({ kind: "status", status: 503 });
    const events = orders(1500);
    const outcome = await deliverBatch(target, events);
    expect(outcome.accepted).toEqual([]);
    expect(outcome.rejected).toEqual([]);
    expect(outcome.retry).toEqual({
      ids: events.map((e) => e.id),
      status: 503,
      message: "Injected failure: HTTP 503",
      retryAfterMs: null,
    });
    expect(outcome.requests).toBe(1);
  });

  it("a retryable failure on the second chunk keeps the first chunk's acceptances", async () => {
    const target = newTarget();
    const events = orders(1200);
    // First chunk goes through; the second one is refused.
    const outcome = await deliverBatch(target, events, {
      fetch: async (url, init) => {
        if (requestsFor(target).length === 1) standin.failNext(1, { kind: "status", status: 500 });
        return fetch(url, init);
      },
    });
    expect(outcome.accepted).toEqual(events.slice(0, 1000).map((e) => e.id));
    expect(outcome.retry?.ids).toEqual(events.slice(1000).map((e) => e.id));
    expect(outcome.requests).toBe(2);
  });

  it("429 → retryAfterMs from Retry-After in the outcome", async () => {
    const target = newTarget();
    standin.failNext(1, { kind: "status", status: 429, retryAfterSeconds: 42 });
    const events = orders(3);
    const outcome = await deliverBatch(target, events);
    expect(outcome.retry).toMatchObject({ ids: ["o0", "o1", "o2"], status: 429, retryAfterMs: 42_000 });
    expect(outcome.accepted).toEqual([]);
  });

  it("a retry during isolation keeps already-isolated rejections and retries the rest", async () => {
    const target = newTarget();
    const events = orders(10);
    events[2] = negative("o2");
    const outcome = await deliverBatch(target, events, {
      fetch: async (url, init) => {
        if (requestsFor(target).length === 1) standin.failNext(1, { kind: "status", status: 502 });
        return fetch(url, init);
      },
    });
    expect(outcome.rejected.map((r) => r.id)).toEqual(["o2"]);
    expect(outcome.accepted).toEqual([]);
    expect(outcome.retry?.ids).toEqual(events.map((e) => e.id).filter((id) => id !== "o2"));
  });

  it("dropped connection → retry", async () => {
    const target = newTarget();
    standin.failNext(1, { kind: "drop" });
    const outcome = await deliverBatch(target, orders(5));
    expect(outcome.retry).toMatchObject({ ids: ["o0", "o1", "o2", "o3", "o4"], status: null, retryAfterMs: null });
    expect(outcome.accepted).toEqual([]);
    // The same ids go through on the next attempt.
    const again = await deliverBatch(target, orders(5));
    expect(again.accepted).toEqual(["o0", "o1", "o2", "o3", "o4"]);
  });

  it("401 → auth, nothing accepted or rejected, and the key is nowhere in the outcome", async () => {
    const target = { ...newTarget(), apiKey: "sk_wrong_key_value" };
    const outcome = await deliverBatch(target, orders(2500));
    expect(outcome).toEqual({
      accepted: [],
      rejected: [],
      retry: null,
      auth: { status: 401, message: "Invalid Conversions API key." },
      requests: 1,
    });
    expect(JSON.stringify(outcome)).not.toContain(target.apiKey);
    const advertiser = await deliverBatch({ ...target, apiKey: "adv_key" }, orders(1));
    expect(advertiser.auth?.message).toMatch(/Advertiser API key/);
  });

  it("403 for another pixel's id → auth", async () => {
    const target = { ...newTarget(), pixelId: "px_not_mine" };
    const outcome = await deliverBatch(target, orders(3));
    expect(outcome.auth?.status).toBe(403);
    expect(outcome.accepted).toEqual([]);
  });

  it("an empty batch sends nothing", async () => {
    expect(await deliverBatch(newTarget(), [])).toEqual({
      accepted: [],
      rejected: [],
      retry: null,
      auth: null,
      requests: 0,
    });
  });

  it("never logs the key", async () => {
    const target = newTarget();
    const lines: string[] = [];
    const methods = ["log", "info", "warn", "error", "debug"] as const;
    const originals = methods.map((m) => console[m]);
    for (const m of methods) console[m] = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    try {
      standin.failNext(1, { kind: "drop" });
      await deliverBatch(target, [negative("x"), order("y")]);
      await deliverBatch(target, [negative("x"), order("y")]);
      await deliverBatch({ ...target, apiKey: "sk_nope" }, [order("z")]);
    } finally {
      methods.forEach((m, i) => (console[m] = originals[i]));
    }
    expect(lines.join("\n")).not.toContain(KEY);
  });
});

describe("checkCredentials", () => {
  it("validates without storing anything", async () => {
    const target = newTarget();
    const info = await checkCredentials(target, { sourceUrl: "https://shop.example/" });
    expect(info).toMatchObject({ status: 200, class: "accepted" });
    expect(standin.accepted(target.pixelId)).toEqual([]);
    expect(requestsFor(target).at(-1)).toMatchObject({ validateOnly: true, eventCount: 1, status: 200 });
  });

  it("reports bad keys and foreign pixels as auth", async () => {
    const target = newTarget();
    expect(await checkCredentials({ ...target, apiKey: "adv_key" })).toMatchObject({
      status: 401,
      class: "auth",
      message: expect.stringMatching(/Advertiser API key/),
    });
    expect(await checkCredentials({ ...target, pixelId: "px_other" })).toMatchObject({ status: 403, class: "auth" });
  });

  it("reports an unreachable endpoint as retry", async () => {
    const closed = await startOpenAiStandin();
    const url = closed.url;
    await closed.close();
    const info = await checkCredentials({ baseUrl: url, pixelId: "p", apiKey: KEY });
    expect(info).toMatchObject({ status: null, class: "retry" });
    expect(info.message).not.toContain(KEY);
  });
});
