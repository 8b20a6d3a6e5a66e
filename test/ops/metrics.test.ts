/**
 * GET /metrics of the real built app (and of `npm run worker`'s listener), on loopback, with the
 * OpenAI stand-in: the token rule (404 without METRICS_TOKEN, 401 without the right one), the
 * metric names, types and bounded label sets (forged Shopify headers never create a label value),
 * and the values moving when webhooks are received, applied and their events delivered.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import {
  APPLIED_OUTCOMES,
  AUTH_FAILURE_KINDS,
  EVENT_OUTCOMES,
  RECEIVED_OUTCOMES,
  STATUS_CLASSES,
  TOPIC_LABELS,
} from "~/ops/metrics.server";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { webhookHeaders } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { parseExposition, scrape, value, type Exposition } from "../helpers/prometheus";
import { configureShop, uniqueShop } from "../helpers/shops";

const TOKEN = randomBytes(24).toString("hex");
const started: AppProcess[] = [];
let standin: OpenAiStandin | undefined;
let nextOrderId = 880000000000 + Math.floor(Math.random() * 1e9);

afterEach(async () => {
  for (const app of started.splice(0)) await app.kill("SIGKILL").catch(() => undefined);
  await standin?.close();
  standin = undefined;
});

async function start(env: Record<string, string>, script: "server.js" | "worker.js" = "server.js") {
  const app = await startAppProcess(env, script);
  started.push(app);
  return app;
}

/** The metric families this app defines, their types and their labels' allowed values. */
const FAMILIES: Record<string, { type: string; labels: Record<string, readonly string[]> }> = {
  oppref_webhooks_received_total: {
    type: "counter",
    labels: { topic: TOPIC_LABELS, outcome: Object.values(RECEIVED_OUTCOMES) },
  },
  oppref_webhooks_applied_total: { type: "counter", labels: { topic: TOPIC_LABELS, outcome: APPLIED_OUTCOMES } },
  oppref_openai_answers_total: { type: "counter", labels: { status_class: STATUS_CLASSES } },
  oppref_delivery_batch_size: { type: "histogram", labels: {} },
  oppref_delivery_events_total: { type: "counter", labels: { outcome: EVENT_OUTCOMES } },
  oppref_delivery_latency_seconds: { type: "histogram", labels: {} },
  oppref_auth_failures_total: { type: "counter", labels: { kind: AUTH_FAILURE_KINDS } },
  oppref_inbox_depth: { type: "gauge", labels: {} },
  oppref_inbox_quarantined: { type: "gauge", labels: {} },
  oppref_inbox_oldest_age_seconds: { type: "gauge", labels: {} },
  oppref_outbox_depth: { type: "gauge", labels: {} },
  oppref_outbox_oldest_pending_age_seconds: { type: "gauge", labels: {} },
};

/** The family a sample belongs to (histograms expose _bucket, _sum, _count). */
function familyOf(name: string): string | undefined {
  if (FAMILIES[name]) return name;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return FAMILIES[base]?.type === "histogram" ? base : undefined;
}

/** Every series of the app's own families, as "name{k=v,…}". */
function ownSeries(x: Exposition): string[] {
  return x.samples
    .filter((s) => familyOf(s.name))
    .map((s) => `${s.name}{${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`)}}`)
    .sort();
}

function expectBoundedLabels(x: Exposition) {
  for (const [name, family] of Object.entries(FAMILIES)) expect(x.types.get(name), name).toBe(family.type);
  for (const sample of x.samples) {
    const name = familyOf(sample.name);
    if (!name) continue;
    const allowed = FAMILIES[name].labels;
    for (const [key, label] of Object.entries(sample.labels)) {
      if (key === "le" && FAMILIES[name].type === "histogram") continue;
      expect(allowed[key], `${sample.name} has label ${key}`).toBeDefined();
      expect(allowed[key], `${sample.name}{${key}="${label}"}`).toContain(label);
    }
  }
}

function signedOrder(shop: string, overrides: Record<string, string> = {}) {
  const orderId = nextOrderId++;
  const body = JSON.stringify(makeShopifyOrder({ id: orderId, landingSite: `/?oppref=oa_m${orderId}` }));
  const headers = {
    ...webhookHeaders({ topic: "orders/create", shop, body, secret: TEST_SECRET, eventId: randomUUID() }),
    ...overrides,
  };
  return { body, headers };
}

async function post(baseUrl: string, path: string, message: { body: string; headers: Record<string, string> }) {
  const response = await fetch(new URL(path, baseUrl), {
    method: "POST",
    headers: message.headers,
    body: message.body,
  });
  await response.arrayBuffer();
  return response.status;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe("GET /metrics", () => {
  it("does not exist without METRICS_TOKEN (404, even with a token presented)", async () => {
    const app = await start({ RUN_WORKER: "false" });
    const plain = await fetch(new URL("/metrics", app.url));
    expect(plain.status).toBe(404);
    const withToken = await fetch(new URL("/metrics", app.url), { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(withToken.status).toBe(404);
    expect(await withToken.text()).not.toContain("oppref_");
  }, 60_000);

  it("answers only the right bearer token; bounded labels; values move as webhooks are received, applied and delivered", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("metrics");
    standin = await startOpenAiStandin({ credentials: { [pixelId]: apiKey } });
    await configureShop(shop, { pixelId, apiKey });
    const app = await start({
      METRICS_TOKEN: TOKEN,
      OPENAI_CAPI_URL: standin.url,
      WORKER_INTERVAL_MS: "50",
    });

    // The token.
    const url = new URL("/metrics", app.url);
    const statusWith = async (headers: Record<string, string>) => {
      const response = await fetch(url, { headers });
      const text = await response.text();
      expect(text).not.toContain("oppref_webhooks");
      return response.status;
    };
    expect(await statusWith({})).toBe(401);
    expect(await statusWith({ Authorization: "Bearer wrong" })).toBe(401);
    expect(await statusWith({ Authorization: `Bearer ${TOKEN.slice(0, -1)}x` })).toBe(401); // same length
    expect(await statusWith({ Authorization: `Basic ${TOKEN}` })).toBe(401);
    expect(await statusWith({ Authorization: `Bearer ${TOKEN} ` + "x" })).toBe(401);
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.headers.get("cache-control")).toBe("private, no-store");
    const before = parseExposition(await ok.text());
    expectBoundedLabels(before);
    expect(value(before, "oppref_auth_failures_total", { kind: "metrics_token" })).toBeGreaterThanOrEqual(4);

    // N webhooks received, applied, delivered.
    const N = 12;
    for (let i = 0; i < N; i++) expect(await post(app.url, "/webhooks/orders/create", signedOrder(shop))).toBe(200);
    await waitFor(
      async () => (await prisma.conversionEvent.count({ where: { shop, status: "delivered" } })) === N,
      "every event delivered",
      30_000,
    );
    // The per-outcome counters move when a batch's report is finished, just after its rows are
    // written: the rows can read `delivered` a moment before the scrape counts them.
    let moved = await scrape(app.url, TOKEN);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      value(moved, name, labels) - value(before, name, labels);
    await waitFor(
      async () => {
        moved = await scrape(app.url, TOKEN);
        return delta("oppref_delivery_events_total", { outcome: "delivered" }) >= N;
      },
      "the delivered counter to count every event",
      10_000,
    );
    expect(delta("oppref_webhooks_received_total", { topic: "orders/create", outcome: "accepted" })).toBe(N);
    expect(delta("oppref_webhooks_applied_total", { topic: "orders/create", outcome: "applied" })).toBe(N);
    expect(delta("oppref_openai_answers_total", { status_class: "2xx" })).toBeGreaterThanOrEqual(1);
    expect(delta("oppref_openai_answers_total", { status_class: "2xx" })).toBe(
      standin.requests().filter((r) => r.path.startsWith("/v1/events")).length,
    );
    expect(delta("oppref_delivery_events_total", { outcome: "delivered" })).toBe(N);
    expect(delta("oppref_delivery_batch_size_count")).toBeGreaterThanOrEqual(1);
    expect(delta("oppref_delivery_batch_size_sum")).toBeGreaterThanOrEqual(N);
    expect(delta("oppref_delivery_latency_seconds_count")).toBe(N);
    expect(delta("oppref_delivery_latency_seconds_sum")).toBeGreaterThan(0);

    // Forged headers: a signed body replayed under another topic and shop, a bad signature with a
    // made-up topic, a compliance route with a made-up topic. They count, under labels of the set.
    const marker = `zz${randomBytes(6).toString("hex")}`;
    const forged = [
      ["/webhooks/orders/create", signedOrder(shop, { "X-Shopify-Topic": `${marker}/create` })],
      ["/webhooks/orders/create", signedOrder(shop, { "X-Shopify-Shop-Domain": `${marker}.myshopify.com` })],
      ["/webhooks/orders/create", signedOrder(shop, { "X-Shopify-Hmac-Sha256": "AAAA", "X-Shopify-Topic": marker })],
      ["/webhooks/compliance", signedOrder(shop, { "X-Shopify-Topic": `${marker}/redact` })],
      ["/webhooks/compliance", signedOrder(shop, { "X-Shopify-Hmac-Sha256": "AAAA", "X-Shopify-Topic": marker })],
    ] as const;
    const statuses = [];
    for (const [path, message] of forged) statuses.push(await post(app.url, path, message));
    expect(statuses).toEqual([200, 200, 401, 200, 401]);
    const after = await scrape(app.url, TOKEN);
    expect(after.text).not.toContain(marker);
    expect(after.text).not.toContain(shop);
    expectBoundedLabels(after);
    expect(ownSeries(after)).toEqual(ownSeries(before));
    const change = (name: string, labels: Record<string, string>) =>
      value(after, name, labels) - value(moved, name, labels);
    expect(change("oppref_webhooks_applied_total", { topic: "orders/create", outcome: "refused" })).toBe(2);
    expect(change("oppref_webhooks_received_total", { topic: "orders/create", outcome: "bad_signature" })).toBe(1);
    expect(change("oppref_webhooks_received_total", { topic: "other", outcome: "bad_signature" })).toBe(1);
    expect(change("oppref_webhooks_applied_total", { topic: "other", outcome: "refused" })).toBe(1);
    expect(change("oppref_auth_failures_total", { kind: "webhook_hmac" })).toBe(2);
  }, 120_000);

  it("WEBHOOK_ACK=stored: the inbox gauges on the web process, the worker's counters on METRICS_PORT", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("metrics-w");
    standin = await startOpenAiStandin({ credentials: { [pixelId]: apiKey } });
    await configureShop(shop, { pixelId, apiKey });
    const web = await start({
      METRICS_TOKEN: TOKEN,
      WEBHOOK_ACK: "stored",
      RUN_WORKER: "false",
      OPENAI_CAPI_URL: standin.url,
    });
    const before = await scrape(web.url, TOKEN);
    const N = 8;
    for (let i = 0; i < N; i++) expect(await post(web.url, "/webhooks/orders/create", signedOrder(shop))).toBe(200);
    const stored = await scrape(web.url, TOKEN);
    expect(value(stored, "oppref_inbox_depth")).toBe(value(before, "oppref_inbox_depth") + N);
    expect(value(stored, "oppref_inbox_oldest_age_seconds")).toBeGreaterThan(0);
    expect(
      value(stored, "oppref_webhooks_received_total", { topic: "orders/create", outcome: "accepted" }) -
        value(before, "oppref_webhooks_received_total", { topic: "orders/create", outcome: "accepted" }),
    ).toBe(N);
    // Nothing is applied in a web process without a worker.
    expect(value(stored, "oppref_webhooks_applied_total", { topic: "orders/create", outcome: "applied" })).toBe(
      value(before, "oppref_webhooks_applied_total", { topic: "orders/create", outcome: "applied" }),
    );

    const port = await freePort();
    await start(
      { METRICS_TOKEN: TOKEN, METRICS_PORT: String(port), OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "50" },
      "worker.js",
    );
    await waitFor(
      async () => (await prisma.conversionEvent.count({ where: { shop, status: "delivered" } })) === N,
      "every event delivered by the worker",
      30_000,
    );
    const workerUrl = `http://127.0.0.1:${port}`;
    expect((await fetch(new URL("/metrics", workerUrl))).status).toBe(401);
    expect((await fetch(new URL("/other", workerUrl))).status).toBe(404);
    // As above: the counters follow the rows by one report.
    let worker = await scrape(workerUrl, TOKEN);
    await waitFor(
      async () => {
        worker = await scrape(workerUrl, TOKEN);
        return value(worker, "oppref_delivery_events_total", { outcome: "delivered" }) >= N;
      },
      "the worker's delivered counter to count every event",
      10_000,
    );
    expectBoundedLabels(worker);
    expect(value(worker, "oppref_webhooks_applied_total", { topic: "orders/create", outcome: "applied" })).toBe(N);
    expect(value(worker, "oppref_delivery_events_total", { outcome: "delivered" })).toBe(N);
    expect(value(worker, "oppref_delivery_latency_seconds_count")).toBe(N);
    expect(value(worker, "oppref_openai_answers_total", { status_class: "2xx" })).toBeGreaterThanOrEqual(1);
    // The worker received no webhook; the gauges are the database's, the same seen from both.
    expect(value(worker, "oppref_webhooks_received_total", { topic: "orders/create", outcome: "accepted" })).toBe(0);
    const drained = await scrape(web.url, TOKEN);
    expect(value(drained, "oppref_inbox_depth")).toBeLessThanOrEqual(value(before, "oppref_inbox_depth"));
    expect(value(drained, "oppref_inbox_depth")).toBe(value(await scrape(workerUrl, TOKEN), "oppref_inbox_depth"));
  }, 120_000);
});
