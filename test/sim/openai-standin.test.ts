import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const KEY = "capi_key_standin_tests";
const ADVERTISER_KEY = "advertiser_key_not_for_capi";

let standin: OpenAiStandin;
let pixelSeq = 0;

/** Each test registers its own pixel so nothing it accepts is visible to another test. */
function newPixel(key = KEY): string {
  const pid = `px_standin_${++pixelSeq}`;
  standin.addPixel(pid, key);
  return pid;
}

function event(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: "order_created",
    timestamp_ms: NOW - 60_000,
    action_source: "web",
    source_url: "https://shop.example/thank-you",
    data: { type: "contents", amount: 1000, currency: "USD" },
    ...overrides,
  };
}

async function post(
  pid: string | null,
  body: unknown,
  init: { key?: string | null; contentType?: string; method?: string; raw?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const url = new URL("/v1/events", standin.url);
  if (pid !== null) url.searchParams.set("pid", pid);
  const headers: Record<string, string> = { "Content-Type": init.contentType ?? "application/json" };
  const key = init.key === undefined ? KEY : init.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  const method = init.method ?? "POST";
  const response = await fetch(url, {
    method,
    headers,
    body: method === "GET" ? undefined : (init.raw ?? JSON.stringify(body)),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

function imageTag(params: Record<string, string> | string): Promise<Response> {
  const search = typeof params === "string" ? params : new URLSearchParams(params).toString();
  return fetch(`${standin.url}/v1/sdk/events?${search}`);
}

function expectEnvelope(body: any): void {
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error)).toEqual(["message", "type", "param", "code", "errors"]);
  for (const entry of body.error.errors) expect(Object.keys(entry)).toEqual(["message", "param", "code"]);
}

beforeAll(async () => {
  standin = await startOpenAiStandin({ now: () => NOW, advertiserKeys: [ADVERTISER_KEY], maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.setFailure(null);
  standin.setLatency(0);
});

describe("routing", () => {
  it("listens on loopback with an ephemeral port", () => {
    expect(standin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("answers 404 for unknown paths and 405 for the wrong method", async () => {
    const pid = newPixel();
    const missing = await fetch(`${standin.url}/v1/event?pid=${pid}`, { method: "POST" });
    expect(missing.status).toBe(404);
    expectEnvelope(await missing.json());
    const wrong = await post(pid, null, { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
  });
});

describe("auth", () => {
  it("401 without a bearer token", async () => {
    const res = await post(newPixel(), { events: [event("a")] }, { key: null });
    expect(res.status).toBe(401);
    expectEnvelope(res.body);
    expect(res.body.error.type).toBe("authentication_error");
  });

  it("401 for an unknown key, without echoing it", async () => {
    const res = await post(newPixel(), { events: [event("a")] }, { key: "nope_secret_value" });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_api_key");
    expect(JSON.stringify(res.body)).not.toContain("nope_secret_value");
  });

  it("401 that names an Advertiser API key", async () => {
    const res = await post(newPixel(), { events: [event("a")] }, { key: ADVERTISER_KEY });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/Advertiser API key/);
    expect(JSON.stringify(res.body)).not.toContain(ADVERTISER_KEY);
  });

  it("403 for an unknown pid and for a pid that belongs to another key", async () => {
    const unknown = await post("px_nobody", { events: [event("a")] });
    expect(unknown.status).toBe(403);
    expect(unknown.body.error).toMatchObject({ type: "permission_error", param: "pid" });
    const other = newPixel("another_key");
    expect((await post(other, { events: [event("a")] })).status).toBe(403);
    expect(standin.accepted(other)).toEqual([]);
  });

  it("400 when pid is missing", async () => {
    const res = await post(null, { events: [event("a")] });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("pid");
  });
});

describe("request rules", () => {
  it("415 unless the body is application/json (charset allowed)", async () => {
    const pid = newPixel();
    expect((await post(pid, { events: [event("a")] }, { contentType: "text/plain" })).status).toBe(415);
    expect((await post(pid, { events: [event("b")] }, { contentType: "application/json; charset=utf-8" })).status).toBe(
      200,
    );
  });

  it("413 over the body cap", async () => {
    const pid = newPixel();
    const res = await post(pid, {
      events: [event("big", { data: { type: "contents", padding: "x".repeat(70 * 1024) } })],
    });
    expect(res.status).toBe(413);
    expectEnvelope(res.body);
    expect(standin.accepted(pid)).toEqual([]);
  });

  it("400 for broken JSON, a bad events array, unknown body keys, bad flags", async () => {
    const pid = newPixel();
    const cases: [unknown, string | null, string | null][] = [
      [undefined, null, "invalid_json"],
      [{}, "events", "missing_field"],
      [{ events: {} }, "events", "invalid_type"],
      [{ events: [] }, "events", "invalid_batch_size"],
      [{ events: Array.from({ length: 1001 }, (_, i) => ({ id: String(i) })) }, "events", "invalid_batch_size"],
      [{ events: [event("a")], validateOnly: true }, "validateOnly", "unknown_field"],
      [{ events: [event("a")], validate_only: "yes" }, "validate_only", "invalid_type"],
      [{ events: [event("a")], integration_source: "-leading-dash" }, "integration_source", "invalid_value"],
      [{ events: [event("a")], integration_source: "x".repeat(65) }, "integration_source", "invalid_value"],
    ];
    for (const [body, param, code] of cases) {
      const res = await post(pid, body, body === undefined ? { raw: "{not json" } : {});
      expect(res.status, JSON.stringify(body)?.slice(0, 80)).toBe(400);
      expectEnvelope(res.body);
      expect(res.body.error).toMatchObject({ param, code });
    }
    expect(standin.accepted(pid)).toEqual([]);
  });

  it("records every request with its event count, flags and integration source", async () => {
    const pid = newPixel();
    await post(pid, { events: [event("a"), event("b")], integration_source: "my-app.v1" });
    const last = standin.requests().at(-1)!;
    expect(last).toEqual({
      method: "POST",
      path: "/v1/events",
      query: { pid },
      status: 200,
      eventCount: 2,
      validateOnly: false,
      integrationSource: "my-app.v1",
      at: NOW,
    });
    expect(standin.accepted(pid).map((a) => a.integrationSource)).toEqual(["my-app.v1", "my-app.v1"]);
  });
});

describe("events", () => {
  it("accepts a valid batch and stores each event once", async () => {
    const pid = newPixel();
    const res = await post(pid, { events: [event("a"), event("b")] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 2 });
    expect(standin.accepted(pid)).toEqual([
      { pixelId: pid, event: event("a"), receivedAt: NOW, integrationSource: undefined, source: "capi" },
      { pixelId: pid, event: event("b"), receivedAt: NOW, integrationSource: undefined, source: "capi" },
    ]);
  });

  it("validate_only validates and stores nothing", async () => {
    const pid = newPixel();
    const ok = await post(pid, { events: [event("a")], validate_only: true });
    expect(ok.status).toBe(200);
    const bad = await post(pid, { events: [event("b", { type: "purchase" })], validate_only: true });
    expect(bad.status).toBe(400);
    expect(standin.accepted(pid)).toEqual([]);
    expect(standin.requests().at(-2)!.validateOnly).toBe(true);
    // Nothing was stored, so the same id is not a duplicate later.
    const duplicatesBefore = standin.duplicatesIgnored();
    await post(pid, { events: [event("a")] });
    expect(standin.accepted(pid)).toHaveLength(1);
    expect(standin.duplicatesIgnored()).toBe(duplicatesBefore);
  });

  it("rejects the whole batch for one bad event, naming it", async () => {
    const pid = newPixel();
    const events = [
      event("a"),
      event("b"),
      event("c", { data: { type: "contents", amount: -1, currency: "USD" } }),
      event("d"),
    ];
    const res = await post(pid, { events });
    expect(res.status).toBe(400);
    expectEnvelope(res.body);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", param: "events[2]", code: "invalid_event" });
    expect(res.body.error.errors).toEqual([
      { message: expect.stringContaining("amount"), param: "events[2].data.amount", code: "invalid_value" },
    ]);
    expect(standin.accepted(pid)).toEqual([]);
  });

  it("lists every bad event, the first one in param", async () => {
    const pid = newPixel();
    const events = [event("a"), event("b", { type: "purchase" }), event("c"), event("d", { oppref: "" })];
    const res = await post(pid, { events });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("events[1]");
    expect(res.body.error.errors.map((e: any) => e.param)).toEqual(["events[1].type", "events[3].oppref"]);
  });

  it("422 event_timestamp_too_old / event_timestamp_in_future when only timestamps are wrong", async () => {
    const pid = newPixel();
    const old = await post(pid, { events: [event("a"), event("b", { timestamp_ms: NOW - 8 * 86_400_000 })] });
    expect(old.status).toBe(422);
    expect(old.body.error).toMatchObject({ param: "events[1]", code: "event_timestamp_too_old" });
    const future = await post(pid, { events: [event("c", { timestamp_ms: NOW + 11 * 60_000 })] });
    expect(future.status).toBe(422);
    expect(future.body.error).toMatchObject({ param: "events[0]", code: "event_timestamp_in_future" });
    const mixed = await post(pid, {
      events: [event("d", { timestamp_ms: NOW - 8 * 86_400_000 }), event("e", { type: "nope" })],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error).toMatchObject({ param: "events[0]", code: "invalid_event" });
    expect(standin.accepted(pid)).toEqual([]);
  });

  it("first wins per (pid, type or custom name, id); later duplicates are counted", async () => {
    const pid = newPixel();
    const before = standin.duplicatesIgnored();
    await post(pid, { events: [event("o1"), event("o1", { data: { type: "contents", amount: 5, currency: "USD" } })] });
    await post(pid, { events: [event("o1", { data: { type: "contents", amount: 999, currency: "USD" } })] });
    // Same id, other type or other custom name: separate events.
    const custom = (name: string) => event("o1", { type: "custom", custom_event_name: name, data: { type: "custom" } });
    await post(pid, {
      events: [
        event("o1", { type: "checkout_started" }),
        custom("order_refunded"),
        custom("order_cancelled"),
        custom("order_refunded"),
      ],
    });
    const kept = standin.accepted(pid);
    expect(kept.map((a) => [a.event.type, a.event.custom_event_name, a.event.id])).toEqual([
      ["order_created", undefined, "o1"],
      ["checkout_started", undefined, "o1"],
      ["custom", "order_refunded", "o1"],
      ["custom", "order_cancelled", "o1"],
    ]);
    expect(kept[0].event.data.amount).toBe(1000);
    expect(standin.duplicatesIgnored() - before).toBe(3);
    // The same id on another pixel is a different event.
    const other = newPixel();
    await post(other, { events: [event("o1")] });
    expect(standin.accepted(other)).toHaveLength(1);
  });
});

describe("image tag", () => {
  it("answers a 1x1 GIF with CORS and records the hit", async () => {
    const pid = newPixel();
    const res = await imageTag({ pid, event: "page_viewed", "data[type]": "contents", oppref: "opp_1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/gif");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const gif = Buffer.from(await res.arrayBuffer());
    expect(gif.subarray(0, 6).toString("latin1")).toBe("GIF89a");
    expect(standin.imageTagHits().at(-1)).toEqual({
      query: { pid, event: "page_viewed", "data[type]": "contents", oppref: "opp_1" },
      status: 200,
    });
    expect(standin.accepted(pid)).toEqual([
      {
        pixelId: pid,
        receivedAt: NOW,
        source: "pixel",
        event: {
          id: expect.any(String),
          timestamp_ms: NOW,
          action_source: "web",
          type: "page_viewed",
          oppref: "opp_1",
          data: { type: "contents" },
        },
      },
    ]);
  });

  it("rejects unknown and repeated params, bad values and unknown pixels with 400", async () => {
    const pid = newPixel();
    const cases: [string, string][] = [
      [`pid=${pid}&event=page_viewed&data[type]=contents&email=a%40b.c`, "email"],
      [`pid=${pid}&event=page_viewed&data[type]=contents&event_id=a&event_id=b`, "event_id"],
      [`pid=${pid}&event=order_created&data[type]=contents&data[amount]=12.5&data[currency]=USD`, "data[amount]"],
      [`pid=${pid}&event=page_viewed`, "data[type]"],
      [`pid=px_unregistered&event=page_viewed&data[type]=contents`, "pid"],
    ];
    for (const [search, param] of cases) {
      const res = await imageTag(search);
      expect(res.status, search).toBe(400);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      const body = await res.json();
      expectEnvelope(body);
      expect(body.error.param).toBe(param);
    }
    expect(standin.accepted(pid)).toEqual([]);
    expect(
      standin
        .imageTagHits()
        .slice(-cases.length)
        .map((h) => h.status),
    ).toEqual(cases.map(() => 400));
    expect((await fetch(`${standin.url}/v1/sdk/events?pid=${pid}`, { method: "POST" })).status).toBe(405);
  });

  it("shares first-wins dedup with the CAPI: pixel then server counts once", async () => {
    const pid = newPixel();
    const before = standin.duplicatesIgnored();
    const tag = await imageTag({
      pid,
      event: "order_created",
      "data[type]": "contents",
      event_id: "o1_same",
      "data[amount]": "1000",
      "data[currency]": "USD",
    });
    expect(tag.status).toBe(200);
    const capi = await post(pid, { events: [event("o1_same")] });
    expect(capi.status).toBe(200);
    const again = await imageTag({ pid, event: "order_created", "data[type]": "contents", event_id: "o1_same" });
    expect(again.status).toBe(200);
    expect(standin.accepted(pid).map((a) => [a.source, a.event.id])).toEqual([["pixel", "o1_same"]]);
    expect(standin.duplicatesIgnored() - before).toBe(2);
  });

  it("keeps every tag without event_id (nothing to dedup on)", async () => {
    const pid = newPixel();
    await imageTag({ pid, event: "page_viewed", "data[type]": "contents" });
    await imageTag({ pid, event: "page_viewed", "data[type]": "contents" });
    const ids = standin.accepted(pid).map((a) => a.event.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });
});

describe("failure injection", () => {
  it("failNext answers n requests with the status, Retry-After and default envelope, then recovers", async () => {
    const pid = newPixel();
    standin.failNext(2, { kind: "status", status: 429, retryAfterSeconds: 7 });
    const first = await post(pid, { events: [event("a")] });
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("7");
    expectEnvelope(first.body);
    expect(first.body.error.type).toBe("rate_limit_error");
    expect((await post(pid, { events: [event("a")] })).status).toBe(429);
    expect((await post(pid, { events: [event("a")] })).status).toBe(200);
    expect(standin.accepted(pid)).toHaveLength(1);
    expect(
      standin
        .requests()
        .slice(-3)
        .map((r) => r.status),
    ).toEqual([429, 429, 200]);
  });

  it("a failure wins over auth and stores nothing; a custom body is sent as given", async () => {
    const pid = newPixel();
    standin.failNext(1, { kind: "status", status: 503, body: { error: { message: "down for maintenance" } } });
    const res = await post(pid, { events: [event("a")] }, { key: "wrong" });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { message: "down for maintenance" } });
    expect(standin.accepted(pid)).toEqual([]);
  });

  it("setFailure fails every request until cleared", async () => {
    const pid = newPixel();
    standin.setFailure({ kind: "status", status: 500 });
    for (let i = 0; i < 3; i++) expect((await post(pid, { events: [event("a")] })).status).toBe(500);
    standin.setFailure(null);
    expect((await post(pid, { events: [event("a")] })).status).toBe(200);
  });

  it("drop destroys the connection without an answer", async () => {
    const pid = newPixel();
    standin.failNext(1, { kind: "drop" });
    await expect(post(pid, { events: [event("a")] })).rejects.toThrow();
    expect(standin.requests().at(-1)!.status).toBeNull();
    expect(standin.accepted(pid)).toEqual([]);
    expect((await post(pid, { events: [event("a")] })).status).toBe(200);
  });

  it("hang holds the request past the client's patience", async () => {
    const pid = newPixel();
    standin.failNext(1, { kind: "hang", ms: 60_000 });
    const url = `${standin.url}/v1/events?pid=${pid}`;
    const attempt = fetch(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify({ events: [event("a")] }),
      signal: AbortSignal.timeout(200),
    });
    await expect(attempt).rejects.toThrow();
    expect(standin.accepted(pid)).toEqual([]);
  });

  it("latency delays the answer but not its content", async () => {
    const pid = newPixel();
    standin.setLatency(50);
    const started = performance.now();
    expect((await post(pid, { events: [event("a")] })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe("reset", () => {
  it("forgets events, duplicates, requests, hits and failures but keeps pixels", async () => {
    const local = await startOpenAiStandin({ now: () => NOW, credentials: { px_reset: KEY } });
    try {
      const send = () =>
        fetch(`${local.url}/v1/events?pid=px_reset`, {
          method: "POST",
          headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
          body: JSON.stringify({ events: [event("a"), event("a")] }),
        });
      expect((await send()).status).toBe(200);
      local.failNext(5, { kind: "status", status: 500 });
      local.reset();
      expect(local.accepted()).toEqual([]);
      expect(local.duplicatesIgnored()).toBe(0);
      expect(local.requests()).toEqual([]);
      expect(local.imageTagHits()).toEqual([]);
      expect((await send()).status).toBe(200);
      expect(local.accepted()).toHaveLength(1);
      expect(local.duplicatesIgnored()).toBe(1);
    } finally {
      await local.close();
    }
  });

  it("close() ends a hanging request instead of waiting for it", async () => {
    const local = await startOpenAiStandin({ credentials: { px_close: KEY } });
    local.setFailure({ kind: "hang", ms: 600_000 });
    const attempt = fetch(`${local.url}/v1/events?pid=px_close`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
      body: "{}",
    });
    while (local.requests().length === 0) await new Promise((resolve) => setImmediate(resolve));
    await local.close();
    await expect(attempt).rejects.toThrow();
  });
});
