/**
 * Batch apply in the real processes (build/server.js, build/worker.js) over loopback HTTP:
 *  - a captured orders/create body and a refunds/create body, replayed under another
 *    X-Shopify-Shop-Domain, are answered 200, recorded as rejected and change nothing for that
 *    shop, in both acknowledgement modes;
 *  - a worker SIGKILLed while it drains the inbox loses nothing and applies nothing twice: a stored
 *    webhook leaves the inbox in the commit that writes its effects.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { appendToInbox } from "~/models/webhook-inbox.server";
import { makeShopifyOrder } from "../../sim/order-factory";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";

const started: AppProcess[] = [];
let nextId = 970_000_000_000 + Math.floor(Math.random() * 1e9);

afterEach(async () => {
  // No clean-up of the shops' rows here: deleting them right after a SIGKILL could deadlock with
  // the killed worker's transaction that Postgres is still running; the next test file starts
  // without due work anyway (test/setup-env.ts), and every assertion here counts by shop.
  for (const app of started.splice(0)) await app.kill("SIGKILL").catch(() => undefined);
});

const fixture = (name: string) => readFileSync(path.join(process.cwd(), "test", "fixtures", name), "utf8");

/** The captured bodies, byte for byte, with fresh ids (the test database is shared by test files). */
function capturedBodies() {
  const orderId = String(nextId++);
  const refundId = String(nextId++);
  const order = fixture("orders-create.json").replaceAll("5912345678901", orderId);
  const refund = fixture("refunds-create.json").replaceAll("5912345678901", orderId).replaceAll("929361463", refundId);
  return { orderId, order, refund };
}

async function configured(label: string) {
  const s = uniqueShop(label);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  return s.shop;
}

describe("order and refund ids are bound to the first shop that sent them", () => {
  for (const ack of ["processed", "stored"] as const) {
    it(`WEBHOOK_ACK=${ack}: bodies replayed under another shop domain are answered 200, recorded, and change nothing`, async () => {
      const genuine = await configured(`gen-${ack}`);
      const victim = await configured(`vic-${ack}`);
      // RUN_WORKER=true: with `stored` the same process applies the inbox; delivery goes nowhere.
      const app = await startAppProcess({
        WEBHOOK_ACK: ack,
        RUN_WORKER: "true",
        OPENAI_CAPI_URL: "http://127.0.0.1:9",
        WORKER_INTERVAL_MS: "60000",
      });
      started.push(app);
      const { orderId, order, refund } = capturedBodies();
      const send = (topic: string, shop: string, body: string) =>
        sendWebhook(app.url, { topic, shop, body, secret: TEST_SECRET, eventId: randomUUID() });

      expect(await send("orders/create", genuine, order)).toBe(200);
      expect(await send("refunds/create", genuine, refund)).toBe(200);
      const applied = async (shop: string, n: number) =>
        (await prisma.webhookDelivery.count({ where: { shop } })) === n &&
        (await prisma.webhookInbox.count({ where: { shop } })) === 0;
      await waitFor(() => applied(genuine, 2), "the genuine shop's webhooks applied", 30_000);
      const genuineEvents = await prisma.conversionEvent.count({ where: { shop: genuine } });
      expect(genuineEvents).toBe(2); // order_created (whatever its decision) + the refund's correction

      expect(await send("orders/create", victim, order)).toBe(200);
      expect(await send("refunds/create", victim, refund)).toBe(200);
      await waitFor(() => applied(victim, 2), "the replays applied", 30_000);

      expect(await prisma.conversionEvent.count({ where: { shop: victim } })).toBe(0);
      expect(await prisma.orderLedger.count({ where: { shop: victim } })).toBe(0);
      expect(await prisma.ledgerEntry.count({ where: { shop: victim } })).toBe(0);
      const records = await prisma.webhookDelivery.findMany({ where: { shop: victim } });
      expect(records.map((r) => r.topic).sort()).toEqual(["orders/create", "refunds/create"]);
      for (const r of records)
        expect(r.rejectedReason).toContain(`order ${orderId} was already seen under another shop`);
      // The genuine shop kept exactly what it had.
      expect(await prisma.conversionEvent.count({ where: { shop: genuine } })).toBe(genuineEvents);
      expect(await prisma.webhookDelivery.count({ where: { shop: genuine, rejectedReason: { not: null } } })).toBe(0);
    }, 90_000);
  }
});

describe("kill -9 while a worker applies stored webhooks", () => {
  it("loses nothing and applies nothing twice; an applied webhook is never left in the inbox", async () => {
    const shop = await configured("kill9");
    const total = 3000;
    const orders = Array.from({ length: total }, () => nextId++);
    for (let i = 0; i < total; i += 250) {
      await Promise.all(
        orders.slice(i, i + 250).map((id) =>
          appendToInbox({
            path: "/webhooks/orders/create",
            shop,
            topic: "orders/create",
            eventId: `ev-${id}`,
            webhookId: `wh-${id}`,
            apiVersion: "2026-10",
            triggeredAt: null,
            rawBody: JSON.stringify(makeShopifyOrder({ id, landingSite: `/?oppref=oa_k${id}` })),
          }),
        ),
      );
    }
    const env = {
      OPENAI_CAPI_URL: "http://127.0.0.1:9",
      WORKER_INTERVAL_MS: "60000",
      // Rows the killed worker had claimed come back after this lease.
      WEBHOOK_INBOX_LEASE_MS: "2000",
    };
    const first = await startAppProcess(env, "worker.js");
    started.push(first);
    await waitFor(
      async () => (await prisma.webhookDelivery.count({ where: { shop } })) > 0,
      "the first batches applied",
      60_000,
    );
    await first.kill("SIGKILL");

    // At the kill: every webhook is either applied (idempotency row) or still in the inbox, never both.
    const applied = new Set(
      (await prisma.webhookDelivery.findMany({ where: { shop }, select: { eventId: true } })).map((r) => r.eventId),
    );
    const waiting = new Set(
      (await prisma.webhookInbox.findMany({ where: { shop }, select: { eventId: true } })).map((r) => r.eventId),
    );
    expect(applied.size).toBeLessThan(total); // killed mid-drain, not after it
    expect([...applied].filter((id) => waiting.has(id))).toEqual([]);
    expect(applied.size + waiting.size).toBe(total);

    const second = await startAppProcess(env, "worker.js");
    started.push(second);
    await waitFor(
      async () => (await prisma.webhookInbox.count({ where: { shop } })) === 0,
      "the inbox drained",
      120_000,
    );
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(total);
    const events = await prisma.conversionEvent.findMany({ where: { shop }, select: { eventId: true } });
    expect(events).toHaveLength(total);
    const have = new Set(events.map((e) => e.eventId));
    const expected = await Promise.all(orders.map((id) => dedupIdForOrder(id)));
    expect(expected.filter((id) => !have.has(id))).toEqual([]);
    expect(await prisma.orderLedger.count({ where: { shop } })).toBe(total);
  }, 240_000);
});
