/**
 * Refund and cancellation corrections end to end: signed refunds/create, orders/cancelled, orders/create and orders/paid webhooks
 * over real HTTP to the built app (child process), the real SQLite file, the delivery worker in this
 * process with an injected clock, and the contract-faithful OpenAI stand-in on loopback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder, derivedEventId } from "~/conversions/dedup-id";
import { ledgerForOrder } from "~/models/ledger.server";
import { runUntilIdle } from "~/outbox/worker.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder, makeShopifyRefund, type OrderSpec } from "../../sim/order-factory";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";
import type { ShopSettingsInput } from "~/models/settings.server";

let standin: OpenAiStandin;
let app: AppProcess;
let nextId = 840000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  standin = await startOpenAiStandin();
  // The worker runs in this test process (deterministic clock); the app only ingests.
  app = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false" });
});
afterAll(async () => {
  await app?.stop();
  await standin?.close();
});
let clock = 0;
beforeEach(() => {
  standin.reset();
  clock = Date.now();
});

async function newShop(label: string, settings: ShopSettingsInput = {}) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey, ...settings });
  return s;
}

type Json = Record<string, unknown>;
const post = (topic: string, shop: string, body: Json | string, eventId?: string) =>
  sendWebhook(app.url, {
    topic,
    shop,
    body: typeof body === "string" ? body : JSON.stringify(body),
    secret: TEST_SECRET,
    eventId,
  });

/**
 * Delivery passes on a test clock that moves 30 s per step for `minutes` (default 6: past the
 * pixel-receipt grace period and the cancel settle window), so holds resolve the way they would in
 * production. The clock only moves forward within a test, like a real one.
 */
async function drain(minutes = 6) {
  const start = Math.max(clock, Date.now());
  for (let t = 0; t <= minutes * 60_000; t += 30_000) {
    clock = start + t;
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(clock) });
  }
}

/** An order the worker sends at once: an oppref in the landing URL, a US buyer. */
function order(id: number, extra: Partial<OrderSpec> = {}) {
  return makeShopifyOrder({ id, landingSite: "/?oppref=oa_click_1", ...extra });
}
const cancelled = (o: Json, at = new Date()) => ({
  ...o,
  cancelled_at: at.toISOString(),
  cancel_reason: "customer",
  financial_status: "refunded",
});

const customs = (pixelId: string) =>
  standin
    .accepted(pixelId)
    .filter((a) => a.event.type === "custom")
    .map((a) => a.event);
const orderCreated = (pixelId: string) =>
  standin
    .accepted(pixelId)
    .filter((a) => a.event.type === "order_created")
    .map((a) => a.event);

async function ledgerOf(shop: string, orderId: number) {
  const view = await ledgerForOrder(shop, String(orderId));
  if (!view) throw new Error("no ledger row");
  return {
    gross: view.ledger.grossMinor,
    refunded: view.ledger.refundedMinor,
    cancelled: view.ledger.cancelledMinor,
    net: view.ledger.netMinor,
    entries: view.entries.map((e) => [e.entryKey, e.requestedMinor, e.appliedMinor]),
  };
}

async function rowsOf(shop: string, orderId: number) {
  return (await eventsOf(shop))
    .filter((r) => r.orderId === String(orderId))
    .map((r) => ({ name: r.eventName, status: r.status, skipReason: r.skipReason, amount: r.amountMinor }));
}

describe("refunds/create → one correction per refund", () => {
  it("a refund of a delivered order arrives once as order_refunded with the order's dedup key and exact minor units, however often Shopify repeats it", async () => {
    const { shop, pixelId } = await newShop("refund");
    const id = nextId++;
    const refundId = nextId++;
    expect(await post("orders/create", shop, order(id))).toBe(200);
    await drain();
    expect(orderCreated(pixelId)).toHaveLength(1);

    const refund = makeShopifyRefund({ id: refundId, orderId: id, amount: "32.50" });
    for (let i = 0; i < 5; i++) expect(await post("refunds/create", shop, refund, "evt-refund")).toBe(200);
    expect(await post("refunds/create", shop, refund, "evt-refund-resent-under-new-id")).toBe(200);
    await drain();

    const dedupId = await dedupIdForOrder(id);
    const sent = customs(pixelId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      id: await derivedEventId(dedupId, "refund", String(refundId)),
      type: "custom",
      custom_event_name: "order_refunded",
      action_source: "web",
      data: { type: "custom", order_ref: dedupId, amount: 3250, currency: "USD" },
    });
    expect(JSON.stringify(sent[0])).not.toContain(String(id));

    // Five more redeliveries after it was delivered: nothing new reaches OpenAI.
    for (let i = 0; i < 5; i++) expect(await post("refunds/create", shop, refund, `evt-late-${i}`)).toBe(200);
    await drain();
    expect(customs(pixelId)).toHaveLength(1);
    expect(standin.duplicatesIgnored()).toBe(0);

    expect(await rowsOf(shop, id)).toEqual([
      { name: "order_created", status: "delivered", skipReason: null, amount: 12999 },
      { name: "order_refunded", status: "delivered", skipReason: null, amount: 3250 },
    ]);
    expect(await ledgerOf(shop, id)).toEqual({
      gross: 12999,
      refunded: 3250,
      cancelled: 0,
      net: 9749,
      entries: [[`refund:${refundId}`, 3250, 3250]],
    });
  });

  it("a refund before its order is kept, applied when the order arrives, and reported after order_created", async () => {
    const { shop, pixelId } = await newShop("early");
    const id = nextId++;
    const refundId = nextId++;
    const refund = makeShopifyRefund({ id: refundId, orderId: id, amount: "15.00" });
    expect(await post("refunds/create", shop, refund)).toBe(200);
    expect(await post("refunds/create", shop, refund)).toBe(200);
    await drain();
    expect(standin.accepted(pixelId)).toHaveLength(0);
    expect(await ledgerOf(shop, id)).toMatchObject({
      gross: null,
      net: null,
      entries: [[`refund:${refundId}`, 1500, 0]],
    });
    expect(await rowsOf(shop, id)).toEqual([
      { name: "order_refunded", status: "pending", skipReason: null, amount: 1500 },
    ]);

    expect(await post("orders/create", shop, order(id, { total: "80.00" }))).toBe(200);
    await drain();
    // First-wins: order_created carries the gross; the correction carries the refund.
    expect(orderCreated(pixelId).map((e) => e.data.amount)).toEqual([8000]);
    expect(customs(pixelId).map((e) => [e.custom_event_name, e.data.amount, e.data.order_ref])).toEqual([
      ["order_refunded", 1500, await dedupIdForOrder(id)],
    ]);
    expect(await ledgerOf(shop, id)).toEqual({
      gross: 8000,
      refunded: 1500,
      cancelled: 0,
      net: 6500,
      entries: [[`refund:${refundId}`, 1500, 1500]],
    });
  });

  it("two partial refunds accumulate: two corrections, net exact", async () => {
    const { shop, pixelId } = await newShop("partials");
    const id = nextId++;
    const [r1, r2] = [nextId++, nextId++];
    await post("orders/create", shop, order(id));
    await drain();
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: r1, orderId: id, amount: "30.00", at: new Date(Date.now() - 2000) }),
    );
    await post("refunds/create", shop, makeShopifyRefund({ id: r2, orderId: id, amount: "20.00" }));
    await drain();
    expect(
      customs(pixelId)
        .map((e) => e.data.amount)
        .sort(),
    ).toEqual([2000, 3000]);
    expect(await ledgerOf(shop, id)).toMatchObject({ gross: 12999, refunded: 5000, net: 7999 });
  });

  it("a refund larger than what remains is clamped, recorded, and never reported beyond the gross", async () => {
    const { shop, pixelId } = await newShop("clamp");
    const id = nextId++;
    const [r1, r2, r3] = [nextId++, nextId++, nextId++];
    await post("orders/create", shop, order(id, { total: "50.00" }));
    await drain();
    const t = Date.now();
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: r1, orderId: id, amount: "40.00", at: new Date(t - 3000) }),
    );
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: r2, orderId: id, amount: "30.00", at: new Date(t - 2000) }),
    );
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: r3, orderId: id, amount: "5.00", at: new Date(t - 1000) }),
    );
    await drain();

    expect(await ledgerOf(shop, id)).toEqual({
      gross: 5000,
      refunded: 5000,
      cancelled: 0,
      net: 0,
      entries: [
        [`refund:${r1}`, 4000, 4000],
        [`refund:${r2}`, 3000, 1000],
        [`refund:${r3}`, 500, 0],
      ],
    });
    const sent = customs(pixelId).map((e) => e.data.amount as number);
    expect(sent.sort((a, b) => a - b)).toEqual([1000, 4000]);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(5000);
    expect((await rowsOf(shop, id)).filter((r) => r.status === "skipped")).toEqual([
      { name: "order_refunded", status: "skipped", skipReason: "already_reversed", amount: null },
    ]);
  });

  it("refunds arriving out of time order after one was reported never add up to more than the gross at OpenAI", async () => {
    const { shop, pixelId } = await newShop("out-of-order");
    const id = nextId++;
    const [r1, r2, r3] = [nextId++, nextId++, nextId++];
    await post("orders/create", shop, order(id));
    await drain();
    const t = Date.now();
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: r3, orderId: id, amount: "30.00", at: new Date(t - 1000) }),
    );
    await drain();
    expect(customs(pixelId).map((e) => e.data.amount)).toEqual([3000]);
    // Two earlier refunds show up late (same delivery batch): the ledger re-clamps r3 to 9.99, but
    // 30.00 already reached OpenAI, so only 99.99 is left to report in total.
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: r1, orderId: id, amount: "80.00", at: new Date(t - 3000) }),
    );
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: r2, orderId: id, amount: "40.00", at: new Date(t - 2000) }),
    );
    await drain();
    expect(await ledgerOf(shop, id)).toMatchObject({
      net: 0,
      entries: [
        [`refund:${r1}`, 8000, 8000],
        [`refund:${r2}`, 4000, 4000],
        [`refund:${r3}`, 3000, 999],
      ],
    });
    const sent = customs(pixelId).map((e) => e.data.amount as number);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(12999);
    expect(sent.sort((a, b) => a - b)).toEqual([1999, 3000, 8000]);
  });

  it("0-decimal (JPY) and 3-decimal (KWD) refunds: exact minor units at OpenAI and in the ledger", async () => {
    const { shop, pixelId } = await newShop("decimals");
    const [jpy, kwd] = [nextId++, nextId++];
    await post("orders/create", shop, order(jpy, { currency: "JPY", total: "8900" }));
    await post("orders/create", shop, order(kwd, { currency: "KWD", total: "12.345" }));
    await drain();
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: nextId++, orderId: jpy, amount: "1500", currency: "JPY" }),
    );
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: nextId++, orderId: kwd, amount: "1.005", currency: "KWD" }),
    );
    await drain();
    expect(
      customs(pixelId)
        .map((e) => [e.data.currency, e.data.amount])
        .sort(),
    ).toEqual([
      ["JPY", 1500],
      ["KWD", 1005],
    ]);
    expect(await ledgerOf(shop, jpy)).toMatchObject({ gross: 8900, refunded: 1500, net: 7400 });
    expect(await ledgerOf(shop, kwd)).toMatchObject({ gross: 12345, refunded: 1005, net: 11340 });
  });

  it("a refund that moved no money is recorded as zero_amount and not sent", async () => {
    const { shop, pixelId } = await newShop("zero");
    const id = nextId++;
    await post("orders/create", shop, order(id));
    await post("refunds/create", shop, {
      ...makeShopifyRefund({ id: nextId++, orderId: id, amount: "0" }),
      transactions: [],
    });
    await drain();
    expect(customs(pixelId)).toHaveLength(0);
    expect((await rowsOf(shop, id)).find((r) => r.name === "order_refunded")).toMatchObject({
      status: "skipped",
      skipReason: "zero_amount",
    });
  });

  it("corrections turned off: the ledger is kept, the correction is recorded as corrections_disabled", async () => {
    const { shop, pixelId } = await newShop("off", { correctionsEnabled: false });
    const id = nextId++;
    await post("orders/create", shop, order(id));
    await post("refunds/create", shop, makeShopifyRefund({ id: nextId++, orderId: id, amount: "10.00" }));
    await post("orders/cancelled", shop, cancelled(order(id)));
    await drain();
    expect(customs(pixelId)).toHaveLength(0);
    expect(orderCreated(pixelId)).toHaveLength(0); // cancelled before delivery, no pixel
    expect((await rowsOf(shop, id)).filter((r) => r.name !== "order_created").map((r) => r.skipReason)).toEqual([
      "corrections_disabled",
      "corrections_disabled",
    ]);
    expect(await ledgerOf(shop, id)).toMatchObject({ refunded: 1000, cancelled: 11999, net: 0 });
  });

  it("uses the shop's own correction event names", async () => {
    const { shop, pixelId } = await newShop("names", {
      refundEventName: "refund_issued",
      cancelEventName: "order_voided",
    });
    const [a, b] = [nextId++, nextId++];
    await post("orders/create", shop, order(a));
    await post("orders/create", shop, order(b));
    await drain();
    await post("refunds/create", shop, makeShopifyRefund({ id: nextId++, orderId: a, amount: "1.00" }));
    await post("orders/cancelled", shop, cancelled(order(b)));
    await drain();
    expect(
      customs(pixelId)
        .map((e) => [e.custom_event_name, e.data.amount])
        .sort(),
    ).toEqual([
      ["order_voided", 12999],
      ["refund_issued", 100],
    ]);
  });

  it("a malformed refund is acknowledged and recorded; a forged one is refused", async () => {
    const { shop } = await newShop("badrefund");
    expect(await post("refunds/create", shop, "{not json")).toBe(200);
    expect(await post("refunds/create", shop, { id: 1, order_id: "nope" })).toBe(200);
    const rows = await eventsOf(shop);
    expect(rows.map((r) => [r.eventName, r.status, r.skipReason])).toEqual([
      ["order_refunded", "skipped", "malformed_payload"],
      ["order_refunded", "skipped", "malformed_payload"],
    ]);
    const body = JSON.stringify(makeShopifyRefund({ id: nextId++, orderId: nextId++, amount: "1.00" }));
    expect(await sendWebhook(app.url, { topic: "refunds/create", shop, body, secret: "wrong-secret" })).toBe(401);
    expect(await sendWebhook(app.url, { topic: "orders/cancelled", shop, body, secret: "wrong-secret" })).toBe(401);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
    expect(await eventsOf(shop)).toHaveLength(2);
  });
});

describe("orders/cancelled and cancel + refund", () => {
  for (const first of ["cancel", "refund"] as const) {
    it(`cancel + refund of the same money (${first} first) is reversed once`, async () => {
      const { shop, pixelId } = await newShop(`both-${first}`);
      const id = nextId++;
      const refundId = nextId++;
      await post("orders/create", shop, order(id));
      await drain();
      const cancel = () => post("orders/cancelled", shop, cancelled(order(id)));
      const refund = () =>
        post("refunds/create", shop, makeShopifyRefund({ id: refundId, orderId: id, amount: "129.99" }));
      if (first === "cancel") {
        expect(await cancel()).toBe(200);
        expect(await refund()).toBe(200);
      } else {
        expect(await refund()).toBe(200);
        expect(await cancel()).toBe(200);
      }
      expect(await cancel()).toBe(200); // and a redelivery
      await drain();

      const sent = customs(pixelId);
      expect(sent.map((e) => [e.custom_event_name, e.data.amount])).toEqual([["order_refunded", 12999]]);
      expect(await rowsOf(shop, id)).toEqual([
        { name: "order_created", status: "delivered", skipReason: null, amount: 12999 },
        ...(first === "cancel"
          ? [
              { name: "order_cancelled", status: "skipped", skipReason: "already_reversed", amount: 12999 },
              { name: "order_refunded", status: "delivered", skipReason: null, amount: 12999 },
            ]
          : [
              { name: "order_refunded", status: "delivered", skipReason: null, amount: 12999 },
              { name: "order_cancelled", status: "skipped", skipReason: "already_reversed", amount: null },
            ]),
      ]);
      expect(await ledgerOf(shop, id)).toMatchObject({ gross: 12999, refunded: 12999, cancelled: 0, net: 0 });
    });
  }

  it("a cancel alone reverses the whole order once, after its settle window", async () => {
    const { shop, pixelId } = await newShop("cancel");
    const id = nextId++;
    await post("orders/create", shop, order(id));
    await drain();
    await post("orders/cancelled", shop, cancelled(order(id)));
    // Inside the settle window (2 minutes after the webhook) nothing goes out.
    const received = Date.now();
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(received + 60_000) });
    expect(customs(pixelId)).toHaveLength(0);
    await drain();
    const dedupId = await dedupIdForOrder(id);
    expect(customs(pixelId)).toEqual([
      expect.objectContaining({
        id: await derivedEventId(dedupId, "cancel", "cancel"),
        custom_event_name: "order_cancelled",
        data: { type: "custom", order_ref: dedupId, amount: 12999, currency: "USD" },
      }),
    ]);
  });

  it("a cancel after a partial refund reports only the rest", async () => {
    const { shop, pixelId } = await newShop("rest");
    const id = nextId++;
    await post("orders/create", shop, order(id));
    await drain();
    await post(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: nextId++, orderId: id, amount: "29.99", at: new Date(Date.now() - 5000) }),
    );
    await post("orders/cancelled", shop, cancelled(order(id)));
    await drain();
    expect(
      customs(pixelId)
        .map((e) => [e.custom_event_name, e.data.amount])
        .sort(),
    ).toEqual([
      ["order_cancelled", 10000],
      ["order_refunded", 2999],
    ]);
    expect(await ledgerOf(shop, id)).toMatchObject({ refunded: 2999, cancelled: 10000, net: 0 });
  });

  it("a refund that arrives after its cancel was already reported adds nothing at OpenAI", async () => {
    const { shop, pixelId } = await newShop("late-refund");
    const id = nextId++;
    await post("orders/create", shop, order(id));
    await drain();
    await post("orders/cancelled", shop, cancelled(order(id)));
    await drain();
    expect(customs(pixelId).map((e) => e.data.amount)).toEqual([12999]);

    await post("refunds/create", shop, makeShopifyRefund({ id: nextId++, orderId: id, amount: "129.99" }));
    await drain();
    expect(customs(pixelId).map((e) => e.data.amount)).toEqual([12999]);
    expect((await rowsOf(shop, id)).find((r) => r.name === "order_refunded")).toMatchObject({
      status: "skipped",
      skipReason: "already_reversed",
    });
    // The ledger still tells the truth about where the money went.
    expect(await ledgerOf(shop, id)).toMatchObject({ refunded: 12999, cancelled: 0, net: 0 });
  });
});

describe("policy before delivery", () => {
  for (const how of ["cancel", "cancel + refund", "full refund"] as const) {
    it(`an order reversed (${how}) before its order_created was delivered and not counted by the pixel is never sent`, async () => {
      const { shop, pixelId } = await newShop("before");
      const id = nextId++;
      // No oppref in the URL: order_created waits for the pixel's receipt.
      expect(await post("orders/create", shop, order(id, { landingSite: "/" }))).toBe(200);
      if (how !== "full refund") await post("orders/cancelled", shop, cancelled(order(id, { landingSite: "/" })));
      if (how !== "cancel")
        await post("refunds/create", shop, makeShopifyRefund({ id: nextId++, orderId: id, amount: "129.99" }));
      await drain();
      expect(standin.accepted(pixelId)).toHaveLength(0);
      const rows = await rowsOf(shop, id);
      expect(rows[0]).toMatchObject({ name: "order_created", status: "skipped", skipReason: "cancelled_before_send" });
      expect(rows.slice(1).map((r) => [r.status, r.skipReason])).toEqual(
        rows.slice(1).map(() => ["skipped", "order_not_counted"]),
      );
      expect(rows.length).toBe(how === "cancel + refund" ? 3 : 2);
    });
  }

  it("a partial refund before delivery: order_created is sent as is (gross) and the correction follows", async () => {
    const { shop, pixelId } = await newShop("partial-before");
    const id = nextId++;
    await post("orders/create", shop, order(id, { landingSite: "/" }));
    await post("refunds/create", shop, makeShopifyRefund({ id: nextId++, orderId: id, amount: "30.00" }));
    await drain();
    expect(orderCreated(pixelId).map((e) => e.data.amount)).toEqual([12999]);
    expect(customs(pixelId).map((e) => e.data.amount)).toEqual([3000]);
  });

  it("an order the pixel already counted is still sent when cancelled before delivery, and corrected", async () => {
    const { shop, pixelId } = await newShop("pixel-counted");
    const id = nextId++;
    await prisma.pixelReceipt.create({
      data: {
        shop,
        orderId: String(id),
        checkoutToken: `chk${id}`,
        consent: "granted",
        pixelStatus: "sent",
        oppref: "oa_click_1",
      },
    });
    await post("orders/create", shop, order(id));
    await post("orders/cancelled", shop, cancelled(order(id)));
    await drain();
    expect(orderCreated(pixelId).map((e) => e.data.amount)).toEqual([12999]);
    expect(customs(pixelId).map((e) => [e.custom_event_name, e.data.amount])).toEqual([["order_cancelled", 12999]]);
  });
});

describe("conversion trigger", () => {
  it("orders_paid: orders/create records the ledger only, orders/paid counts — exactly one order_created", async () => {
    const { shop, pixelId } = await newShop("paid", { conversionTrigger: "orders_paid" });
    const id = nextId++;
    expect(await post("orders/create", shop, order(id))).toBe(200);
    await drain();
    expect(await rowsOf(shop, id)).toEqual([]);
    expect(await ledgerOf(shop, id)).toMatchObject({ gross: 12999, net: 12999 });
    expect(standin.accepted(pixelId)).toHaveLength(0);

    expect(await post("orders/paid", shop, order(id), "evt-paid")).toBe(200);
    expect(await post("orders/paid", shop, order(id), "evt-paid")).toBe(200);
    expect(await post("orders/paid", shop, order(id), "evt-paid-again")).toBe(200);
    expect(await post("orders/create", shop, order(id), "evt-create-again")).toBe(200);
    await drain();
    expect(orderCreated(pixelId).map((e) => e.id)).toEqual([await dedupIdForOrder(id)]);
    expect(await rowsOf(shop, id)).toEqual([
      { name: "order_created", status: "delivered", skipReason: null, amount: 12999 },
    ]);
    expect((await ledgerForOrder(shop, String(id)))?.ledger.paidAt).not.toBeNull();
  });

  it("orders_create (default): orders/create then orders/paid — exactly one order_created", async () => {
    const { shop, pixelId } = await newShop("create");
    const id = nextId++;
    await post("orders/create", shop, order(id));
    await post("orders/paid", shop, order(id));
    await drain();
    await post("orders/paid", shop, order(id));
    await drain();
    expect(orderCreated(pixelId)).toHaveLength(1);
    expect(await rowsOf(shop, id)).toEqual([
      { name: "order_created", status: "delivered", skipReason: null, amount: 12999 },
    ]);
  });
});
