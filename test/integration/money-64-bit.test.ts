/**
 * Money above 2^31 minor units, up to the core's own cap (Number.MAX_SAFE_INTEGER), end to end on
 * whichever database the run uses (SQLite by default, Postgres with TEST_DATABASE_PROVIDER=postgres):
 * signed webhooks over real HTTP to the built app, the delivery worker, the OpenAI stand-in on
 * loopback, then the ledger, the reconciliation sums, the event log (loader JSON and CSV) and the
 * data-request report read back from the database. An INTEGER column would refuse the first order.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma, { currentDatabaseProvider } from "~/db/client.server";
import { utcDay } from "~/conversions/day-range";
import { eventLogCsvStream, listEventLog, type EventLogFilter } from "~/models/event-log.server";
import { ledgerForOrder, ledgerSummary } from "~/models/ledger.server";
import { customerDataReport } from "~/models/privacy.server";
import { appendToInbox, claimInbox, removeFromInbox } from "~/models/webhook-inbox.server";
import { loadReconciliation } from "~/models/reconciliation.server";
import { runUntilIdle } from "~/outbox/worker.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

/** IDR has 2 decimals: 90,071,992,547,409.91 IDR is exactly Number.MAX_SAFE_INTEGER minor units. */
const CAP_IDR = "90071992547409.91";
const CAP = Number.MAX_SAFE_INTEGER;
const HALF_IDR = "45035996273704.95";
const HALF = 4503599627370495;
const INT32_MAX = 2 ** 31 - 1;

let standin: OpenAiStandin;
let app: AppProcess;
let nextId = 8_600_000_000_000 + Math.floor(Math.random() * 1e9);
let clock = 0;

beforeAll(async () => {
  standin = await startOpenAiStandin();
  // The worker runs here on a test clock; the app process only ingests.
  app = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false" });
});
afterAll(async () => {
  await app?.stop();
  await standin?.close();
});
beforeEach(() => {
  standin.reset();
  clock = Date.now();
});

async function newShop(label: string) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  return s;
}

const post = (topic: string, shop: string, body: Record<string, unknown>) =>
  sendWebhook(app.url, { topic, shop, body: JSON.stringify(body), secret: TEST_SECRET });

/** Delivery passes 30 s apart for 6 minutes of test clock: past the grace period and every hold. */
async function drain() {
  const start = Math.max(clock, Date.now());
  for (let t = 0; t <= 6 * 60_000; t += 30_000) {
    clock = start + t;
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(clock) });
  }
}

const accepted = (pixelId: string, type: string) =>
  standin
    .accepted(pixelId)
    .filter((a) => a.event.type === type)
    .map((a) => a.event);

const today = () => utcDay(new Date());
const allOf = (): EventLogFilter => ({ status: null, reason: null, type: null, range: null, search: null });

async function csvOf(shop: string): Promise<string> {
  return new Response(eventLogCsvStream(shop, allOf())).text();
}

describe("money and ids are 64-bit, up to MAX_SAFE_INTEGER minor units", () => {
  it("an IDR order at the cap goes to OpenAI, into the ledger and back out exactly; so does a refund of half of it", async () => {
    const { shop, pixelId } = await newShop("idr-cap");
    const orderId = nextId++;
    const order = makeShopifyOrder({ id: orderId, currency: "IDR", total: CAP_IDR, landingSite: "/?oppref=oa_idr" });
    expect(await post("orders/create", shop, order)).toBe(200);
    await drain();

    const [sent] = accepted(pixelId, "order_created");
    expect(sent?.data).toMatchObject({ amount: CAP, currency: "IDR" });
    // Stored as a 64-bit integer: read the column itself, not through the model.
    const [stored] = await prisma.$queryRaw<{ grossMinor: bigint | number }[]>`
      SELECT "grossMinor" FROM "OrderLedger" WHERE "shop" = ${shop}`;
    expect(BigInt(stored.grossMinor)).toBe(BigInt(CAP));
    expect((await eventsOf(shop)).map((r) => [r.status, r.amountMinor])).toEqual([["delivered", CAP]]);

    const refundId = nextId++;
    const refund = makeShopifyRefund({ id: refundId, orderId, amount: HALF_IDR, currency: "IDR" });
    expect(await post("refunds/create", shop, refund)).toBe(200);
    await drain();

    const [correction] = accepted(pixelId, "custom");
    expect(correction?.data).toMatchObject({ amount: HALF, currency: "IDR" });
    const view = await ledgerForOrder(shop, String(orderId));
    expect(view?.ledger).toMatchObject({ grossMinor: CAP, refundedMinor: HALF, netMinor: CAP - HALF });
    expect(view?.entries.map((e) => [e.kind, e.requestedMinor, e.appliedMinor])).toEqual([["refund", HALF, HALF]]);

    // Every reader hands out plain numbers: the admin's loader data is JSON, and the CSV is text.
    const page = await listEventLog(shop, allOf());
    expect(() => JSON.stringify(page)).not.toThrow();
    expect(page.rows.map((r) => r.amount).sort()).toEqual(["45035996273704.95 IDR", "90071992547409.91 IDR"]);
    const csv = await csvOf(shop);
    expect(csv).toContain(",90071992547409.91,IDR,");
    expect(csv).toContain(",45035996273704.95,IDR,");
    const report = await customerDataReport({ shop, orders: [orderId] });
    expect(JSON.parse(JSON.stringify(report)).ordersHeld[0]).toMatchObject({
      ledger: { grossMinor: CAP, refundedMinor: HALF, netMinor: CAP - HALF },
      ledgerEntries: [{ requestedMinor: HALF, appliedMinor: HALF }],
    });

    const reconciliation = await loadReconciliation(shop, { from: today(), to: today() });
    expect(reconciliation.revenue.find((r) => r.currency === "IDR")).toMatchObject({
      orders: 1,
      grossMinor: CAP,
      refundedMinor: HALF,
      netMinor: CAP - HALF,
      reportedMinor: CAP,
      correctionsReportedMinor: HALF,
    });
    expect(JSON.stringify(reconciliation)).toContain(String(CAP));
  });

  it("reconciliation and ledger sums beyond 2^31 are exact (each order below it, the total above)", async () => {
    const { shop, pixelId } = await newShop("vnd-sum");
    // VND has no decimals: 1,500,000,000 VND per order, three orders = 4,500,000,000 > 2^31 - 1.
    for (let i = 0; i < 3; i++) {
      const order = makeShopifyOrder({
        id: nextId++,
        currency: "VND",
        total: "1500000000",
        landingSite: "/?oppref=oa_vnd",
      });
      expect(await post("orders/create", shop, order)).toBe(200);
    }
    await drain();
    expect(accepted(pixelId, "order_created")).toHaveLength(3);

    const total = 4_500_000_000;
    expect(total).toBeGreaterThan(INT32_MAX);
    const reconciliation = await loadReconciliation(shop, { from: today(), to: today() });
    expect(reconciliation.revenue).toEqual([
      expect.objectContaining({ currency: "VND", orders: 3, grossMinor: total, netMinor: total, reportedMinor: total }),
    ]);
    const day = new Date(`${today()}T00:00:00Z`);
    const summary = await ledgerSummary(shop, { from: day, to: new Date(day.getTime() + 86_400_000) });
    expect(summary.currencies).toEqual([
      { currency: "VND", orders: 3, grossMinor: total, refundedMinor: 0, cancelledMinor: 0, netMinor: total },
    ]);
  });

  it("one minor unit above the cap is refused with a recorded reason, never rounded and never a crash", async () => {
    const { shop, pixelId } = await newShop("idr-over");
    const order = makeShopifyOrder({ id: nextId++, currency: "IDR", total: "90071992547409.92", landingSite: "/" });
    expect(await post("orders/create", shop, order)).toBe(200);
    await drain();
    expect(accepted(pixelId, "order_created")).toEqual([]);
    const rows = await eventsOf(shop);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "skipped", skipReason: "malformed_payload", amountMinor: null });
    expect(rows[0].lastError).toMatch(/total_price_set/);
  });
});

describe("the webhook inbox's id is 64-bit", () => {
  it("appends, claims and removes rows whose ids are past 2^31 (a SERIAL would stop there)", async () => {
    const shop = uniqueShop("inbox-ids").shop;
    if (currentDatabaseProvider() === "postgres") {
      await prisma.$executeRawUnsafe(`SELECT setval('"WebhookInbox_id_seq"', 3000000000)`);
    } else {
      // SQLite's rowid: the next automatic id follows the largest one ever used
      await prisma.$executeRawUnsafe(
        `INSERT INTO "WebhookInbox" ("id", "path", "shop", "topic", "eventId", "webhookId", "apiVersion", "bodyCiphertext", "receivedAt", "nextAttemptAt") VALUES (3000000000, '/x', '${shop}', 'x', 'seed', 'seed', '2026-10', 'x', 0, 0)`,
      );
      await prisma.webhookInbox.deleteMany({ where: { shop, eventId: "seed" } });
    }
    // Long ago, so this claim takes these rows only, whatever else the database holds.
    const at = new Date("2001-01-01T00:00:00Z");
    const body = JSON.stringify({ id: 1, total_price: CAP_IDR });
    for (const eventId of ["a", "b"])
      await appendToInbox(
        {
          path: "/webhooks/orders/create",
          shop,
          topic: "orders/create",
          eventId,
          webhookId: eventId,
          apiVersion: "2026-10",
          triggeredAt: null,
          rawBody: body,
        },
        at,
      );
    const claimed = await claimInbox({ limit: 10, leaseMs: 60_000, now: at });
    expect(claimed.map((e) => e.eventId).sort()).toEqual(["a", "b"]);
    for (const entry of claimed) {
      expect(typeof entry.id).toBe("number");
      expect(entry.id).toBeGreaterThan(3_000_000_000);
      expect(entry.rawBody).toBe(body);
    }
    await removeFromInbox(claimed.map((e) => e.id));
    expect(await prisma.webhookInbox.count({ where: { shop } })).toBe(0);
  });
});
