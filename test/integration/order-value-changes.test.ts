/**
 * Order edits, post-purchase upsells and exchanges end to end: signed orders/create, orders/edited,
 * orders/updated and refunds/create webhooks over real HTTP to the built app (child process), the real
 * database (SQLite, or Postgres with TEST_DATABASE_PROVIDER=postgres), the delivery worker in this
 * process with an injected clock, and the contract-faithful OpenAI stand-in on loopback.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dedupIdForOrder, derivedEventId } from "~/conversions/dedup-id";
import { ledgerForOrder } from "~/models/ledger.server";
import { runUntilIdle } from "~/outbox/worker.server";
import { drainInbox } from "~/webhooks/inbox.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder, makeShopifyRefund, type OrderSpec } from "../../sim/order-factory";
import { makeOrderEdited, makeOrderUpdated } from "../../sim/order-changes";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";
import type { ShopSettingsInput } from "~/models/settings.server";

let standin: OpenAiStandin;
let app: AppProcess;
let nextId = 860000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  standin = await startOpenAiStandin();
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
let webhookSerial = 0;
/** Each call is a new Shopify event (a new X-Shopify-Event-Id) unless one is given: redeliveries are explicit. */
const post = (topic: string, shop: string, body: Json, eventId = `evt-${topic}-${++webhookSerial}`) =>
  sendWebhook(app.url, { topic, shop, body: JSON.stringify(body), secret: TEST_SECRET, eventId });

/** Delivery passes on a test clock moving 30 s per step (past the receipt grace period and the cancel settle window). */
async function drain(minutes = 6) {
  const start = Math.max(clock, Date.now());
  for (let t = 0; t <= minutes * 60_000; t += 30_000) {
    clock = start + t;
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(clock) });
  }
}

function order(id: number, extra: Partial<OrderSpec> = {}) {
  return makeShopifyOrder({ id, landingSite: "/?oppref=oa_click_1", ...extra });
}
const seconds = (n: number) => new Date(Date.now() + n * 1000);

const customs = (pixelId: string) =>
  standin
    .accepted(pixelId)
    .filter((a) => a.event.type === "custom")
    .map((a) => ({
      id: a.event.id,
      name: a.event.custom_event_name,
      amount: a.event.data.amount,
      ref: a.event.data.order_ref,
    }));
const orderCreatedAmounts = (pixelId: string) =>
  standin
    .accepted(pixelId)
    .filter((a) => a.event.type === "order_created")
    .map((a) => a.event.data.amount);

async function ledgerOf(shop: string, orderId: number) {
  const view = await ledgerForOrder(shop, String(orderId));
  if (!view) throw new Error("no ledger row");
  return { gross: view.ledger.grossMinor, refunded: view.ledger.refundedMinor, net: view.ledger.netMinor };
}

async function rowsOf(shop: string, orderId: number) {
  return (await eventsOf(shop))
    .filter((r) => r.orderId === String(orderId))
    .map((r) => ({ name: r.eventName, status: r.status, skipReason: r.skipReason, amount: r.amountMinor }));
}

const valueId = async (orderId: number, cause: string) =>
  derivedEventId(await dedupIdForOrder(orderId), "value", cause);
const refundId = async (orderId: number, id: number) =>
  derivedEventId(await dedupIdForOrder(orderId), "refund", String(id));

describe("post-purchase upsell after order_created was sent", () => {
  it("reports the added value once as order_value_added (id from the order and the edit), and a later refund of the upsold item in full", async () => {
    const { shop, pixelId } = await newShop("upsell");
    const id = nextId++;
    const editId = nextId++;
    expect(await post("orders/create", shop, order(id, { total: "129.99" }))).toBe(200);
    await drain();
    expect(orderCreatedAmounts(pixelId)).toEqual([12999]);

    // The accepted offer: orders/edited (the diff) and orders/updated (the money), redelivered too.
    const edited = makeOrderEdited({
      id: editId,
      orderId: id,
      committedAt: seconds(1),
      addedLineItemIds: [id * 10 + 2],
    });
    const updated = makeOrderUpdated({ id, currentTotal: "159.99", updatedAt: seconds(2) });
    expect(await post("orders/edited", shop, edited, "evt-edit")).toBe(200);
    expect(await post("orders/updated", shop, updated, "evt-upd")).toBe(200);
    expect(await post("orders/edited", shop, edited, "evt-edit")).toBe(200);
    expect(await post("orders/updated", shop, updated)).toBe(200);
    await drain();

    const dedupId = await dedupIdForOrder(id);
    expect(customs(pixelId)).toEqual([
      { id: await valueId(id, `edit-${editId}`), name: "order_value_added", amount: 3000, ref: dedupId },
    ]);
    expect(await ledgerOf(shop, id)).toEqual({ gross: 15999, refunded: 0, net: 15999 });

    // The original item is refunded, then the upsold one: the second would have been clamped at the
    // checkout gross (129.99) and dropped; against the current gross it is reported in full.
    const [r1, r2] = [nextId++, nextId++];
    await post("refunds/create", shop, makeShopifyRefund({ id: r1, orderId: id, amount: "129.99", at: seconds(3) }));
    await drain();
    await post("refunds/create", shop, makeShopifyRefund({ id: r2, orderId: id, amount: "30.00", at: seconds(4) }));
    // orders/updated reflects both refunds: current total 0, the value sold unchanged.
    await post(
      "orders/updated",
      shop,
      makeOrderUpdated({
        id,
        currentTotal: "0.00",
        updatedAt: seconds(5),
        refunds: [
          { id: r1, amount: "129.99", at: seconds(3) },
          { id: r2, amount: "30.00", at: seconds(4) },
        ],
      }),
    );
    await drain();

    expect(customs(pixelId).slice(1)).toEqual([
      { id: await refundId(id, r1), name: "order_refunded", amount: 12999, ref: dedupId },
      { id: await refundId(id, r2), name: "order_refunded", amount: 3000, ref: dedupId },
    ]);
    expect(await ledgerOf(shop, id)).toEqual({ gross: 15999, refunded: 15999, net: 0 });
    expect(standin.duplicatesIgnored()).toBe(0);
  });

  it("orders/updated before orders/edited: the change is reported once (keyed by the update) and the late edit adds nothing", async () => {
    const { shop, pixelId } = await newShop("upd-first");
    const id = nextId++;
    const editId = nextId++;
    await post("orders/create", shop, order(id, { total: "50.00" }));
    await drain();
    const updatedAt = seconds(2);
    await post("orders/updated", shop, makeOrderUpdated({ id, currentTotal: "65.00", updatedAt }));
    await post("orders/edited", shop, makeOrderEdited({ id: editId, orderId: id, committedAt: seconds(1) }));
    await drain();
    expect(customs(pixelId)).toEqual([
      {
        id: await valueId(id, `update-${updatedAt.getTime()}`),
        name: "order_value_added",
        amount: 1500,
        ref: await dedupIdForOrder(id),
      },
    ]);
    expect(await ledgerOf(shop, id)).toMatchObject({ gross: 6500, net: 6500 });
  });

  it("an older orders/updated delivered late changes nothing; a second edit reports only its own difference", async () => {
    const { shop, pixelId } = await newShop("late-update");
    const id = nextId++;
    const [e1, e2] = [nextId++, nextId++];
    await post("orders/create", shop, order(id, { total: "40.00" }));
    await drain();
    await post("orders/edited", shop, makeOrderEdited({ id: e1, orderId: id, committedAt: seconds(1) }));
    await post("orders/updated", shop, makeOrderUpdated({ id, currentTotal: "55.00", updatedAt: seconds(2) }));
    await post("orders/edited", shop, makeOrderEdited({ id: e2, orderId: id, committedAt: seconds(3) }));
    await post("orders/updated", shop, makeOrderUpdated({ id, currentTotal: "60.00", updatedAt: seconds(4) }));
    // A stale state (older updated_at), e.g. a retry of an earlier update: ignored.
    await post("orders/updated", shop, makeOrderUpdated({ id, currentTotal: "40.00", updatedAt: seconds(0.5) }));
    await drain();
    expect(customs(pixelId).map((c) => [c.id, c.amount])).toEqual([
      [await valueId(id, `edit-${e1}`), 1500],
      [await valueId(id, `edit-${e2}`), 500],
    ]);
    expect(await ledgerOf(shop, id)).toMatchObject({ gross: 6000, net: 6000 });
  });
});

describe("value removed before fulfilment", () => {
  it("an edit that removes an item is reported like a refund, once", async () => {
    const { shop, pixelId } = await newShop("removed");
    const id = nextId++;
    const editId = nextId++;
    await post("orders/create", shop, order(id, { total: "129.99" }));
    await drain();
    const edited = makeOrderEdited({
      id: editId,
      orderId: id,
      committedAt: seconds(1),
      removedLineItemIds: [id * 10 + 1],
    });
    await post("orders/edited", shop, edited);
    await post("orders/updated", shop, makeOrderUpdated({ id, currentTotal: "99.99", updatedAt: seconds(2) }));
    await post("orders/edited", shop, edited);
    await drain();
    expect(customs(pixelId)).toEqual([
      { id: await valueId(id, `edit-${editId}`), name: "order_refunded", amount: 3000, ref: await dedupIdForOrder(id) },
    ]);
    expect(await ledgerOf(shop, id)).toEqual({ gross: 9999, refunded: 0, net: 9999 });
  });
});

describe("edits of orders not sent yet: the order's own event carries the new value", () => {
  it("orders/updated before orders/create, and orders/edited before orders/updated", async () => {
    const { shop, pixelId } = await newShop("before-create");
    const id = nextId++;
    const editId = nextId++;
    await post("orders/edited", shop, makeOrderEdited({ id: editId, orderId: id, committedAt: seconds(1) }));
    await post("orders/updated", shop, makeOrderUpdated({ id, currentTotal: "159.99", updatedAt: seconds(2) }));
    expect(await post("orders/create", shop, order(id, { total: "129.99" }))).toBe(200);
    await drain();
    expect(orderCreatedAmounts(pixelId)).toEqual([15999]);
    expect(customs(pixelId)).toEqual([]);
    expect(await rowsOf(shop, id)).toEqual([
      { name: "order_created", status: "delivered", skipReason: null, amount: 15999 },
      { name: "order_value_added", status: "skipped", skipReason: "included_in_order", amount: null },
    ]);
    expect(await ledgerOf(shop, id)).toEqual({ gross: 15999, refunded: 0, net: 15999 });
  });

  it("an upsell accepted while order_created is still queued changes what is sent", async () => {
    const { shop, pixelId } = await newShop("queued");
    const id = nextId++;
    const editId = nextId++;
    await post("orders/create", shop, order(id, { total: "20.00" }));
    await post("orders/edited", shop, makeOrderEdited({ id: editId, orderId: id, committedAt: seconds(1) }));
    await post("orders/updated", shop, makeOrderUpdated({ id, currentTotal: "32.50", updatedAt: seconds(2) }));
    await drain();
    expect(orderCreatedAmounts(pixelId)).toEqual([3250]);
    expect(customs(pixelId)).toEqual([]);
  });
});

describe("exchanges: the difference once, whichever topics report it", () => {
  it("an exchange for a cheaper item: refunds/create and orders/updated both reflect the 20.00 back, reported once, in either order", async () => {
    for (const refundFirst of [true, false]) {
      const { shop, pixelId } = await newShop(refundFirst ? "exch-refund-first" : "exch-update-first");
      const id = nextId++;
      const rid = nextId++;
      await post("orders/create", shop, order(id, { total: "100.00" }));
      await drain();
      const refund = () =>
        post("refunds/create", shop, makeShopifyRefund({ id: rid, orderId: id, amount: "20.00", at: seconds(1) }));
      const update = () =>
        post(
          "orders/updated",
          shop,
          makeOrderUpdated({
            id,
            currentTotal: "80.00",
            updatedAt: seconds(2),
            refunds: [{ id: rid, amount: "20.00" }],
          }),
        );
      if (refundFirst) {
        await refund();
        await update();
      } else {
        await update();
        await refund();
      }
      await refund(); // redelivered under a new event id
      await drain();
      expect(customs(pixelId)).toEqual([
        { id: await refundId(id, rid), name: "order_refunded", amount: 2000, ref: await dedupIdForOrder(id) },
      ]);
      expect(await ledgerOf(shop, id)).toEqual({ gross: 10000, refunded: 2000, net: 8000 });
    }
  });

  it("an exchange for a dearer item (the buyer pays 20.00 more, no orders/edited) is reported as value added, under the shop's name for it", async () => {
    const { shop, pixelId } = await newShop("exch-up", { valueAddedEventName: "revenue_added" });
    const id = nextId++;
    await post("orders/create", shop, order(id, { total: "100.00" }));
    await drain();
    const updatedAt = seconds(2);
    const update = makeOrderUpdated({ id, currentTotal: "120.00", updatedAt });
    await post("orders/updated", shop, update);
    await post("orders/updated", shop, update);
    await drain();
    expect(customs(pixelId)).toEqual([
      {
        id: await valueId(id, `update-${updatedAt.getTime()}`),
        name: "revenue_added",
        amount: 2000,
        ref: await dedupIdForOrder(id),
      },
    ]);
    expect(await ledgerOf(shop, id)).toEqual({ gross: 12000, refunded: 0, net: 12000 });
  });
});

describe("what is not reported", () => {
  it("an update of an order the app never saw and that is too old to still arrive leaves nothing behind", async () => {
    const { shop } = await newShop("old-order");
    const id = nextId++;
    const longAgo = new Date(Date.now() - 3 * 24 * 3600_000);
    expect(
      await post(
        "orders/updated",
        shop,
        makeOrderUpdated({ id, currentTotal: "10.00", updatedAt: new Date(), createdAt: longAgo }),
      ),
    ).toBe(200);
    expect(await ledgerForOrder(shop, String(id))).toBeNull();
  });

  it("a test order's upsell is not reported (its order never counted)", async () => {
    const { shop, pixelId } = await newShop("test-order");
    const id = nextId++;
    await post("orders/create", shop, order(id, { test: true }));
    await drain();
    await post("orders/updated", shop, makeOrderUpdated({ id, currentTotal: "150.00", updatedAt: seconds(2) }));
    await drain();
    expect(standin.accepted(pixelId)).toHaveLength(0);
    expect((await rowsOf(shop, id)).map((r) => [r.name, r.skipReason])).toEqual([
      ["order_created", "test_order"],
      ["order_value_added", "order_not_counted"],
    ]);
  });

  it("a malformed orders/edited body is acknowledged and recorded with its reason", async () => {
    const { shop } = await newShop("malformed");
    expect(await post("orders/edited", shop, { order_edit: { id: "x", order_id: 1 } })).toBe(200);
    const rows = (await eventsOf(shop)).filter((r) => r.skipReason === "malformed_payload");
    expect(rows.map((r) => [r.eventName, r.lastError])).toEqual([
      ["order_value_added", "order_edit.id is missing or invalid"],
    ]);
  });
});

describe("Shopify's published orders/edited and orders/updated examples (test/fixtures/shopify)", () => {
  const DIR = path.join(process.cwd(), "test", "fixtures", "shopify");
  const ISO = /"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))"/g;
  /** The file's raw text (its big ids stay exact) with every timestamp moved to `at`: OpenAI refuses week-old events. */
  const published = (file: string, at: Date) =>
    readFileSync(path.join(DIR, file), "utf8").replace(ISO, () => JSON.stringify(at.toISOString()));

  it("the sample edit and the sample order's current total (414.95 against a 404.95 checkout) report 10.00 added, keyed by the edit", async () => {
    const { shop, pixelId } = await newShop("published");
    // The examples' ids as published (the scraped text has them rounded to doubles, the same in both files).
    const orderId = "820982911946154500";
    const editId = "78912328793123780";
    // The order as checkout saw it: the sample order's id and total_price.
    const checkout = { ...order(0, { total: "404.95" }), id: 0 };
    const body = JSON.stringify(checkout).replace('"id":0', `"id":${orderId}`);
    expect(await sendWebhook(app.url, { topic: "orders/create", shop, body, secret: TEST_SECRET })).toBe(200);
    await drain();
    expect(orderCreatedAmounts(pixelId)).toEqual([40495]);

    const at = new Date();
    for (const [topic, file] of [
      ["orders/edited", "orders-edited.sample-78912328793123780.json"],
      ["orders/updated", "orders-updated.sample-820982911946154508.json"],
    ]) {
      const text = published(file, at);
      expect(await sendWebhook(app.url, { topic, shop, body: text, secret: TEST_SECRET })).toBe(200);
    }
    await drain();
    const dedupId = await dedupIdForOrder(orderId);
    expect(customs(pixelId)).toEqual([
      {
        id: await derivedEventId(dedupId, "value", `edit-${editId}`),
        name: "order_value_added",
        amount: 1000,
        ref: dedupId,
      },
    ]);
  });
});

describe("WEBHOOK_ACK=stored: the same through the inbox (stored before the 200, applied later in batches)", () => {
  let stored: AppProcess;
  beforeAll(async () => {
    stored = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false", WEBHOOK_ACK: "stored" });
  });
  afterAll(async () => {
    await stored?.stop();
  });
  const postStored = (topic: string, shop: string, body: Json) =>
    sendWebhook(stored.url, {
      topic,
      shop,
      body: JSON.stringify(body),
      secret: TEST_SECRET,
      eventId: `evt-s-${++webhookSerial}`,
    });

  it("an upsell and the refund of the upsold item applied in one inbox batch, plus an orders/updated before its orders/create", async () => {
    const { shop, pixelId } = await newShop("inbox");
    const [upsold, early] = [nextId++, nextId++];
    const [editId, rid] = [nextId++, nextId++];
    expect(await postStored("orders/create", shop, order(upsold, { total: "60.00" }))).toBe(200);
    await drainInbox();
    await drain();
    expect(orderCreatedAmounts(pixelId)).toEqual([6000]);

    // One batch: the edit, its update, the original item's refund, and the update that reflects it;
    // and for another order, an update that comes before its orders/create.
    await postStored(
      "orders/updated",
      shop,
      makeOrderUpdated({ id: upsold, currentTotal: "85.00", updatedAt: seconds(2) }),
    );
    await postStored("orders/edited", shop, makeOrderEdited({ id: editId, orderId: upsold, committedAt: seconds(1) }));
    await postStored(
      "refunds/create",
      shop,
      makeShopifyRefund({ id: rid, orderId: upsold, amount: "85.00", at: seconds(3) }),
    );
    await postStored(
      "orders/updated",
      shop,
      makeOrderUpdated({
        id: upsold,
        currentTotal: "0.00",
        updatedAt: seconds(4),
        refunds: [{ id: rid, amount: "85.00" }],
      }),
    );
    await postStored(
      "orders/updated",
      shop,
      makeOrderUpdated({ id: early, currentTotal: "45.00", updatedAt: seconds(2) }),
    );
    await postStored("orders/create", shop, order(early, { total: "40.00" }));
    await drainInbox();
    await drain();

    expect(customs(pixelId).map((c) => [c.name, c.amount, c.ref])).toEqual([
      // orders/updated came first: the change is keyed by the update, and the late edit adds nothing
      ["order_value_added", 2500, await dedupIdForOrder(upsold)],
      // the whole current gross, not the checkout's 60.00
      ["order_refunded", 8500, await dedupIdForOrder(upsold)],
    ]);
    expect(orderCreatedAmounts(pixelId)).toEqual([6000, 4500]);
    expect(await ledgerOf(shop, upsold)).toEqual({ gross: 8500, refunded: 8500, net: 0 });
    expect(await ledgerOf(shop, early)).toEqual({ gross: 4500, refunded: 0, net: 4500 });
  });
});
