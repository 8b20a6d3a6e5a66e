/**
 * The order pipeline end to end: signed webhooks over real HTTP to the built app (child process), the real
 * SQLite file, the delivery worker, and the contract-faithful OpenAI stand-in on loopback.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { runDeliveryPass, runUntilIdle } from "~/outbox/worker.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

let standin: OpenAiStandin;
let app: AppProcess;
let nextOrderId = 820000000000 + Math.floor(Math.random() * 1e9);
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

beforeAll(async () => {
  standin = await startOpenAiStandin();
  // The worker runs in this test process (deterministic clock); the app only ingests.
  app = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false" });
});
afterAll(async () => {
  await app?.stop();
  await standin?.close();
});
beforeEach(() => standin.reset());

async function newShop(label: string) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  return s;
}

function orderMessage(shop: string, order: Record<string, unknown>, eventId?: string) {
  return { topic: "orders/create", shop, body: JSON.stringify(order), secret: TEST_SECRET, eventId };
}

/** This pixel's Conversions API requests (other tests' shops, whose events a pass may also send, excluded). */
const eventRequestsFor = (pixelId: string) =>
  standin.requests().filter((r) => r.path === "/v1/events" && r.query.pid === pixelId);

const worker = (now?: Date) => ({ baseUrl: standin.url, ...(now ? { now: () => now } : {}) });

describe("orders/create → order_created at OpenAI", () => {
  it("delivers exactly one correct event, however often Shopify repeats itself", async () => {
    const { shop, pixelId } = await newShop("once");
    const id = nextOrderId++;
    const order = makeShopifyOrder({
      id,
      currency: "USD",
      total: "129.99",
      landingSite: "/products/tee?oppref=oa_click_42&utm_source=chatgpt",
      email: " Jane.Doe@Example.COM ",
    });
    for (let i = 0; i < 5; i++) expect(await sendWebhook(app.url, orderMessage(shop, order, "evt-same"))).toBe(200);
    expect(await sendWebhook(app.url, orderMessage(shop, order, "evt-other"))).toBe(200);

    await runUntilIdle(worker());
    const accepted = standin.accepted(pixelId);
    expect(accepted).toHaveLength(1);
    const event = accepted[0].event;
    expect(event.id).toBe(await dedupIdForOrder(id));
    expect(event.id).not.toContain(String(id));
    expect(event.type).toBe("order_created");
    expect(event.data).toMatchObject({ type: "contents", amount: 12999, currency: "USD" });
    expect(event.oppref).toBe("oa_click_42");
    expect(event.action_source).toBe("web");
    expect(event.user?.emails_sha256).toEqual([sha256("jane.doe@example.com")]);
    expect(event.user?.phone_numbers_sha256).toEqual([sha256("14155552671")]);
    expect(JSON.stringify(event)).not.toContain("Example.COM");
    expect(accepted[0].integrationSource).toBeTruthy();
    const rows = await eventsOf(shop);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "delivered", opprefSource: "landing_site", attempts: 1 });
    // A later pass sends nothing more for this pixel. (The pass claims every due event in the
    // database, so an event an earlier test of this file left due may reach the stand-in too: only
    // this shop's requests count.)
    await runUntilIdle(worker());
    expect(eventRequestsFor(pixelId)).toHaveLength(1);
  });

  it("JPY and KWD totals arrive as exact minor units", async () => {
    const { shop, pixelId } = await newShop("money");
    await sendWebhook(
      app.url,
      orderMessage(
        shop,
        makeShopifyOrder({ id: nextOrderId++, currency: "JPY", total: "8900", landingSite: "/?oppref=a" }),
      ),
    );
    await sendWebhook(
      app.url,
      orderMessage(
        shop,
        makeShopifyOrder({ id: nextOrderId++, currency: "KWD", total: "12.345", landingSite: "/?oppref=b" }),
      ),
    );
    await runUntilIdle(worker());
    const amounts = standin
      .accepted(pixelId)
      .map((a) => [a.event.data.currency, a.event.data.amount])
      .sort();
    expect(amounts).toEqual([
      ["JPY", 8900],
      ["KWD", 12345],
    ]);
  });

  it("a forged or tampered signature is refused with 401 and nothing is stored", async () => {
    const { shop } = await newShop("forged");
    const order = makeShopifyOrder({ id: nextOrderId++ });
    const message = orderMessage(shop, order);
    expect(await sendWebhook(app.url, { ...message, secret: "not-the-secret" })).toBe(401);
    // Signed correctly, then the body altered in flight.
    const tampered = { ...message };
    const signedFor = orderMessage(shop, { ...order, total_price: "0.01" });
    const { webhookHeaders } = await import("../../sim/shopify-webhooks");
    const response = await fetch(new URL("/webhooks/orders/create", app.url), {
      method: "POST",
      headers: webhookHeaders(signedFor),
      body: tampered.body,
    });
    expect(response.status).toBe(401);
    expect(await eventsOf(shop)).toHaveLength(0);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(0);
  });

  it("a malformed but signed payload is acknowledged, recorded as skipped, and blocks nothing", async () => {
    const { shop, pixelId } = await newShop("malformed");
    expect(await sendWebhook(app.url, { topic: "orders/create", shop, body: "{not json", secret: TEST_SECRET })).toBe(
      200,
    );
    expect(await sendWebhook(app.url, orderMessage(shop, { id: "nope", total_price: 12 }))).toBe(200);
    const good = makeShopifyOrder({ id: nextOrderId++, landingSite: "/?oppref=x" });
    expect(await sendWebhook(app.url, orderMessage(shop, good))).toBe(200);
    await runUntilIdle(worker());
    const rows = await eventsOf(shop);
    expect(rows.filter((r) => r.status === "skipped").map((r) => r.skipReason)).toEqual([
      "malformed_payload",
      "malformed_payload",
    ]);
    expect(standin.accepted(pixelId)).toHaveLength(1);
  });

  it("an order older than OpenAI's 7-day window is recorded as expired and never sent", async () => {
    const { shop, pixelId } = await newShop("old");
    const old = makeShopifyOrder({ id: nextOrderId++, processedAt: new Date(Date.now() - 8 * 24 * 3600 * 1000) });
    expect(await sendWebhook(app.url, orderMessage(shop, old))).toBe(200);
    await runUntilIdle(worker());
    expect((await eventsOf(shop)).map((r) => [r.status, r.skipReason])).toEqual([["skipped", "expired"]]);
    expect(standin.accepted(pixelId)).toHaveLength(0);
  });
});

describe("delivery when OpenAI misbehaves", () => {
  it("retries through an outage with the same ids", async () => {
    const { shop, pixelId } = await newShop("outage");
    const ids = [nextOrderId++, nextOrderId++, nextOrderId++];
    for (const id of ids)
      await sendWebhook(app.url, orderMessage(shop, makeShopifyOrder({ id, landingSite: "/?oppref=o" })));
    standin.setFailure({ kind: "status", status: 503 });
    let now = new Date();
    for (let i = 0; i < 4; i++) {
      await runDeliveryPass(worker(now));
      now = new Date(now.getTime() + 10 * 60_000);
    }
    expect(standin.accepted(pixelId)).toHaveLength(0);
    const waiting = await eventsOf(shop);
    expect(waiting.every((r) => r.status === "pending" && r.attempts >= 2 && r.lastStatus === 503)).toBe(true);
    standin.setFailure(null);
    await runUntilIdle(worker(new Date(now.getTime() + 2 * 3600_000)));
    const expected = await Promise.all(ids.map((id) => dedupIdForOrder(id)));
    expect(
      standin
        .accepted(pixelId)
        .map((a) => a.event.id)
        .sort(),
    ).toEqual(expected.sort());
    expect((await eventsOf(shop)).every((r) => r.status === "delivered")).toBe(true);
  });

  it("honours Retry-After on 429", async () => {
    const { shop, pixelId } = await newShop("ratelimit");
    await sendWebhook(app.url, orderMessage(shop, makeShopifyOrder({ id: nextOrderId++, landingSite: "/?oppref=r" })));
    standin.failNext(1, { kind: "status", status: 429, retryAfterSeconds: 120 });
    const t0 = new Date();
    await runDeliveryPass(worker(t0));
    const [row] = await eventsOf(shop);
    expect(row.status).toBe("pending");
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(t0.getTime() + 120_000);
    await runDeliveryPass(worker(new Date(t0.getTime() + 60_000)));
    expect(eventRequestsFor(pixelId)).toHaveLength(1);
    await runDeliveryPass(worker(new Date(t0.getTime() + 121_000)));
    expect(standin.accepted(pixelId)).toHaveLength(1);
  });

  it("isolates one invalid event in a batch of 100: 99 accepted, 1 rejected with OpenAI's message", async () => {
    const { shop, pixelId } = await newShop("isolate");
    const ids = Array.from({ length: 100 }, () => nextOrderId++);
    for (const id of ids)
      await sendWebhook(app.url, orderMessage(shop, makeShopifyOrder({ id, landingSite: "/?oppref=i" })));
    // Corrupt one stored event the way a mapping bug would: a negative amount.
    const victim = (await eventsOf(shop))[37];
    const payload = JSON.parse(victim.payload!);
    payload.data.amount = -1;
    await prisma.conversionEvent.update({ where: { id: victim.id }, data: { payload: JSON.stringify(payload) } });

    await runUntilIdle(worker());
    expect(standin.accepted(pixelId)).toHaveLength(99);
    const rows = await eventsOf(shop);
    const rejected = rows.filter((r) => r.status === "rejected");
    expect(rejected.map((r) => r.id)).toEqual([victim.id]);
    expect(rejected[0].skipReason).toBe("rejected_by_openai");
    expect(rejected[0].lastError).toMatch(/amount/i);
    expect(rows.filter((r) => r.status === "delivered")).toHaveLength(99);
  });

  it("stops for a shop whose key OpenAI refuses and says so, without losing its events", async () => {
    const { shop, pixelId } = await newShop("badkey");
    await configureShop(shop, { apiKey: "capi_wrong_key_000000000000" });
    await sendWebhook(app.url, orderMessage(shop, makeShopifyOrder({ id: nextOrderId++, landingSite: "/?oppref=k" })));
    await runDeliveryPass(worker());
    const settings = await prisma.shopSettings.findUnique({ where: { shop } });
    expect(settings?.credentialsStatus).toBe("rejected");
    const [row] = await eventsOf(shop);
    expect(row.status).toBe("pending");
    expect(row.lastError).toMatch(/credentials_rejected/);
    expect(row.lastError).not.toContain("capi_wrong_key");
    expect(standin.accepted(pixelId)).toHaveLength(0);
  });
});

describe("crash safety", () => {
  it("a worker SIGKILLed mid-batch loses nothing: after restart every event is delivered once", async () => {
    const { shop, pixelId } = await newShop("sigkill");
    const ids = Array.from({ length: 20 }, () => nextOrderId++);
    for (const id of ids)
      await sendWebhook(app.url, orderMessage(shop, makeShopifyOrder({ id, landingSite: "/?oppref=s" })));
    standin.setLatency(3_000);
    const workerProcess = await startAppProcess(
      { OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "50" },
      "worker.js",
    );
    await waitFor(async () => {
      if (workerProcess.child.exitCode !== null) throw new Error(`worker exited early:\n${workerProcess.output()}`);
      return (await prisma.conversionEvent.count({ where: { shop, status: "sending" } })) > 0;
    }, "worker to claim the batch");
    await workerProcess.kill("SIGKILL");
    standin.setLatency(0);
    const stranded = await prisma.conversionEvent.count({ where: { shop, status: "sending" } });
    expect(stranded).toBeGreaterThan(0);
    // A new worker after the lease has run out.
    await runUntilIdle(worker(new Date(Date.now() + 5 * 60_000)));
    const expected = (await Promise.all(ids.map((id) => dedupIdForOrder(id)))).sort();
    expect(
      standin
        .accepted(pixelId)
        .map((a) => a.event.id)
        .sort(),
    ).toEqual(expected);
    expect(await prisma.conversionEvent.count({ where: { shop, status: "delivered" } })).toBe(20);
  });
});
