/**
 * Batch apply (app/webhooks/apply-batch.server.ts) against the real test database (SQLite file, or
 * Postgres in CI's second run): stored webhooks drained from the inbox in one batch leave exactly
 * what the same webhooks applied one at a time by the registry's ingest (WEBHOOK_ACK=processed, the
 * Remix routes) leave, including a duplicate delivery, a refund before its order, malformed bodies,
 * webhooks refused by the admission checks, an order id replayed from another shop, a test order
 * and a buyer who refused the sale of their data through the cart attribute; a malformed webhook is
 * recorded and blocks nothing; an order id seen under one shop is refused under another.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { orderLedgerFromRow } from "~/models/money-columns.server";
import prisma from "~/db/client.server";
import { ENTRY_COLUMNS, EVENT_COLUMNS, LEDGER_COLUMNS } from "~/models/webhook-batch.server";
import { applyBatch, type BatchItem, type WebhookPlanner } from "~/webhooks/apply-batch.server";
import { appendToInbox } from "~/models/webhook-inbox.server";
import { drainInbox } from "~/webhooks/inbox.server";
import { handlerForTopic } from "~/webhooks/registry.server";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { configureShop, uniqueShop } from "../helpers/shops";
import { verifiedWebhook } from "../helpers/verified-webhook";

let nextId = 960_000_000_000 + Math.floor(Math.random() * 1e9);
const NOW = new Date();

/** Which shop a step is delivered under: the shop under test, another installed one, one never installed. */
type Who = "self" | "genuine" | "stranger";

interface Step {
  topic: string;
  body: unknown;
  eventId: string;
  who?: Who;
}

interface Shops {
  self: string;
  genuine: string;
  stranger: string;
}

/** The batch item the inbox builds for a stored webhook: the registry's plan and admission checks. */
function item(shop: string, step: Step): BatchItem {
  const handler = handlerForTopic(step.topic)!;
  return {
    hook: verifiedWebhook(step.topic, shop, step.body, step.eventId),
    plan: handler.plan!,
    admission: { path: handler.path, topics: handler.topics },
    now: NOW,
  };
}

async function configured(label: string) {
  const s = uniqueShop(label);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  return s.shop;
}

async function shopsFor(label: string): Promise<Shops> {
  return {
    self: await configured(label),
    genuine: await configured(`${label}-gen`),
    stranger: uniqueShop(`${label}-never`).shop, // never installed: no settings, no session
  };
}

/**
 * A day of webhooks for a few orders, in an order Shopify may well use: refunds before their order,
 * a cancel, the same event delivered twice, a redelivery under a new event id, malformed bodies,
 * and what must change nothing or be decided as a skip.
 */
function scenario(): { steps: Step[]; orderIds: string[] } {
  const a = nextId++;
  const b = nextId++;
  const c = nextId++;
  const g = nextId++;
  const t = nextId++;
  const r = nextId++;
  const ev = () => randomUUID();
  const orderA = makeShopifyOrder({ id: a, landingSite: "/?oppref=oa_batch_a", total: "120.00" });
  const orderB = makeShopifyOrder({ id: b, total: "80.00", currency: "EUR" });
  const orderC = makeShopifyOrder({ id: c, landingSite: "/?oppref=oa_batch_c", total: "50.00" });
  const orderG = makeShopifyOrder({ id: g, landingSite: "/?oppref=oa_batch_g", total: "70.00" });
  const testOrder = makeShopifyOrder({ id: t, landingSite: "/?oppref=oa_batch_t", test: true });
  // The buyer refused the sale of their data: the theme embed wrote it to the cart.
  const refusedSale = {
    ...makeShopifyOrder({ id: r, landingSite: "/?oppref=oa_batch_r" }),
    note_attributes: [
      { name: "_oppref_consent", value: "marketing=granted&sale_of_data=refused&source=privacy_api&at=1764650000000" },
    ],
  };
  const refundA1 = makeShopifyRefund({ id: nextId++, orderId: a, amount: "20.00", at: new Date(NOW.getTime() - 4000) });
  const refundA2 = makeShopifyRefund({
    id: nextId++,
    orderId: a,
    amount: "150.00",
    at: new Date(NOW.getTime() - 2000),
  });
  const refundB = makeShopifyRefund({
    id: nextId++,
    orderId: b,
    amount: "30.00",
    currency: "EUR",
    at: new Date(NOW.getTime() - 3000),
  });
  const refundG = makeShopifyRefund({ id: nextId++, orderId: g, amount: "10.00" });
  const cancelC = { ...orderC, cancelled_at: new Date(NOW.getTime() - 1000).toISOString(), cancel_reason: "customer" };
  const repeated = ev();
  const steps: Step[] = [
    { topic: "orders/create", body: orderG, eventId: ev(), who: "genuine" }, // another shop's order
    { topic: "refunds/create", body: refundB, eventId: ev() }, // refund before its order
    { topic: "orders/create", body: orderA, eventId: repeated },
    { topic: "orders/create", body: orderA, eventId: repeated }, // the same event twice
    { topic: "refunds/create", body: refundA1, eventId: ev() },
    { topic: "orders/create", body: "{not json", eventId: ev() }, // malformed
    { topic: "orders/create", body: orderG, eventId: ev() }, // the other shop's order id: rejected
    { topic: "orders/create", body: orderB, eventId: ev() },
    { topic: "refunds/create", body: refundG, eventId: ev() }, // the other shop's refund: rejected
    { topic: "orders/create", body: testOrder, eventId: ev() }, // test order: skipped as such
    { topic: "refunds/create", body: refundA2, eventId: ev() }, // more than what remains: clamped
    { topic: "orders/create", body: orderA, eventId: ev(), who: "stranger" }, // never installed: refused
    { topic: "orders/create", body: refundA1, eventId: ev() }, // a refund body on the order topic: refused
    { topic: "orders/cancelled", body: cancelC, eventId: ev() }, // cancel before its order
    { topic: "orders/create", body: orderC, eventId: ev() },
    { topic: "orders/create", body: refusedSale, eventId: ev() }, // sale of data refused in the cart
    { topic: "orders/create", body: orderA, eventId: ev() }, // redelivery under a new event id
    { topic: "refunds/create", body: refundA1, eventId: ev() }, // the same refund again, new event id
    { topic: "orders/paid", body: orderB, eventId: ev() },
    { topic: "refunds/create", body: { order_id: "x" }, eventId: ev() }, // malformed refund
  ];
  return { steps, orderIds: [a, b, c, g, t, r].map(String) };
}

/** Everything the webhooks left for the three shops, with order ids replaced by their position. */
async function stateOf(shops: Shops, orderIds: string[]) {
  const pos = (id: string | null) => (id === null ? null : orderIds.indexOf(id));
  const inShops = { shop: { in: [shops.self, shops.genuine, shops.stranger] } };
  const who = (shop: string) => (shop === shops.self ? "self" : shop === shops.genuine ? "genuine" : "stranger");
  const [ledgers, entries, events, deliveries] = await Promise.all([
    prisma.orderLedger.findMany({ where: inShops }),
    prisma.ledgerEntry.findMany({ where: inShops }),
    prisma.conversionEvent.findMany({ where: inShops }),
    prisma.webhookDelivery.findMany({ where: inShops }),
  ]);
  // Money columns are BigInt: compared as numbers (all of these are far below 2^53).
  const sorted = <T>(rows: T[]) =>
    rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v))).sort();
  return {
    deliveries: sorted(
      deliveries.map((d) => ({ shop: who(d.shop), topic: d.topic, rejected: d.rejectedReason !== null })),
    ),
    ledgers: sorted(
      ledgers.map((l) => ({
        shop: who(l.shop),
        order: pos(l.orderId),
        gross: l.grossMinor,
        net: l.netMinor,
        refunded: l.refundedMinor,
        cancelled: l.cancelledMinor,
        cancelledAt: l.cancelledAt?.toISOString() ?? null,
        currency: l.currency,
        paid: l.paidAt !== null,
        seen: l.orderSeenAt !== null,
        token: l.checkoutToken !== null,
      })),
    ),
    entries: sorted(
      entries.map((e) => ({
        shop: who(e.shop),
        order: pos(e.orderId),
        kind: e.kind,
        requested: e.requestedMinor,
        applied: e.appliedMinor,
        at: e.occurredAt.toISOString(),
      })),
    ),
    events: sorted(
      events.map((e) => ({
        shop: who(e.shop),
        order: pos(e.orderId),
        type: e.eventType,
        name: e.eventName,
        status: e.status,
        skip: e.skipReason,
        amount: e.amountMinor,
        currency: e.currency,
        // when a pending row is due (a skipped row is never due: its timestamp is the write time)
        due: e.status === "pending" ? e.nextAttemptAt.getTime() - NOW.getTime() : null,
        hasPayload: e.payload !== null,
        oppref: e.oppref,
        optIn: e.requiresOptIn,
        regionUnknown: e.regionUnknown,
      })),
    ),
  };
}

/** The same stored webhooks, in arrival order, drained from the inbox (one claim, one batch). */
async function storeAll(shops: Shops, steps: Step[]) {
  const base = Date.now() - steps.length;
  await Promise.all(
    steps.map((step, i) => {
      const hook = verifiedWebhook(step.topic, shops[step.who ?? "self"], step.body, step.eventId);
      return appendToInbox(
        {
          path: handlerForTopic(step.topic)!.path,
          shop: hook.shop,
          topic: hook.topic,
          eventId: hook.eventId,
          webhookId: hook.webhookId,
          apiVersion: hook.apiVersion,
          triggeredAt: null,
          rawBody: hook.rawBody,
        },
        new Date(base + i), // arrival order is claim order
      );
    }),
  );
}

describe("batch apply", () => {
  it("one inbox batch leaves exactly what the registry's ingest of the same webhooks one at a time leaves", async () => {
    const seqShops = await shopsFor("seq");
    const batShops = await shopsFor("batch");
    const seq = scenario();
    const results: unknown[] = [];
    for (const step of seq.steps) {
      const hook = verifiedWebhook(step.topic, seqShops[step.who ?? "self"], step.body, step.eventId);
      results.push(await handlerForTopic(step.topic)!.ingest(hook));
    }
    expect(results.filter((r) => r === "duplicate")).toHaveLength(1);
    expect(results.filter((r) => r === "rejected")).toHaveLength(2);
    expect(results.filter((r) => r === "refused")).toHaveLength(2);

    const bat = scenario();
    await storeAll(batShops, bat.steps);
    // NOW is the planners' clock in the per-row run; the inbox run plans with its own, a moment
    // later: only relative times are compared below.
    const report = await drainInbox();
    // The same event delivered twice while still waiting is stored once (the inbox's own key).
    expect(report).toEqual({ applied: bat.steps.length - 1, failed: 0 });
    expect(await prisma.webhookInbox.count({ where: { shop: { in: Object.values(batShops) } } })).toBe(0);

    const expected = await stateOf(seqShops, seq.orderIds);
    const actual = await stateOf(batShops, bat.orderIds);
    expect(actual.deliveries).toEqual(expected.deliveries);
    expect(actual.ledgers).toEqual(expected.ledgers);
    expect(actual.entries).toEqual(expected.entries);
    const undated = (rows: string[]) => rows.map((r) => r.replace(/"due":-?\d+/, '"due":"~"')).sort();
    expect(undated(actual.events)).toEqual(undated(expected.events));
    // And what that is: five orders of this shop and one of the other, the refund entry kept once,
    // the clamp, the malformed rows, the two rejections, nothing for the never-installed shop.
    expect(expected.ledgers.filter((l) => l.includes('"shop":"self"'))).toHaveLength(5);
    expect(expected.ledgers.filter((l) => l.includes('"shop":"genuine"'))).toHaveLength(1);
    expect(expected.entries).toHaveLength(4);
    expect(expected.deliveries.filter((d) => d.includes('"rejected":true'))).toHaveLength(2);
    expect([...expected.deliveries, ...expected.ledgers, ...expected.events].join()).not.toContain("stranger");
    expect(expected.events.filter((e) => e.includes('"malformed_payload"'))).toHaveLength(2);
    expect(expected.events.filter((e) => e.includes('"skip":"test_order"'))).toHaveLength(1);
    expect(expected.events.filter((e) => e.includes('"skip":"sale_of_data_refused"'))).toHaveLength(1);
    // 5 orders + the malformed order of this shop, and the other shop's own order
    expect(expected.events.filter((e) => e.includes('"order_created"'))).toHaveLength(7);
  });

  it("the same event id twice in one batch is one webhook, and a duplicate", async () => {
    const shop = await configured("dup");
    const id = nextId++;
    const body = makeShopifyOrder({ id, landingSite: "/?oppref=oa_dup" });
    const eventId = randomUUID();
    const step = { topic: "orders/create", body, eventId };
    const outcomes = await applyBatch([item(shop, step), item(shop, step), item(shop, { ...step, eventId: "other" })]);
    expect(outcomes.map((o) => o.ok && o.result)).toEqual(["stored", "duplicate", "stored"]);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(2);
    expect(await prisma.conversionEvent.count({ where: { shop } })).toBe(1);
    expect(await prisma.orderLedger.count({ where: { shop } })).toBe(1);
    // A later batch with the same event again: duplicate, nothing written.
    const [again] = await applyBatch([item(shop, step)]);
    expect(again).toEqual({ ok: true, result: "duplicate" });
    expect(await prisma.conversionEvent.count({ where: { shop } })).toBe(1);
  });

  it("a refund before its order in the same batch is applied when the order comes", async () => {
    const shop = await configured("early");
    const id = nextId++;
    const refund = makeShopifyRefund({
      id: nextId++,
      orderId: id,
      amount: "25.00",
      at: new Date(NOW.getTime() - 1000),
    });
    const order = makeShopifyOrder({ id, landingSite: "/?oppref=oa_early", total: "100.00" });
    await applyBatch([
      item(shop, { topic: "refunds/create", body: refund, eventId: randomUUID() }),
      item(shop, { topic: "orders/create", body: order, eventId: randomUUID() }),
    ]);
    const ledger = orderLedgerFromRow(
      await prisma.orderLedger.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: String(id) } } }),
    );
    expect(ledger).toMatchObject({ grossMinor: 10000, refundedMinor: 2500, netMinor: 7500, currency: "USD" });
    expect(ledger.orderSeenAt).not.toBeNull();
    const entries = await prisma.ledgerEntry.findMany({ where: { shop } });
    expect(entries.map((e) => [Number(e.requestedMinor), Number(e.appliedMinor)])).toEqual([[2500, 2500]]);
    const events = await prisma.conversionEvent.findMany({ where: { shop }, orderBy: { eventType: "asc" } });
    expect(events.map((e) => [e.eventType, e.status])).toEqual([
      ["custom", "pending"],
      ["order_created", "pending"],
    ]);
  });

  it("a malformed webhook in an inbox batch is recorded as skipped with its reason and blocks none of the others", async () => {
    const shop = await configured("inbox-bad");
    const ids = [nextId++, nextId++, nextId++];
    const bodies = [
      JSON.stringify(makeShopifyOrder({ id: ids[0], landingSite: "/?oppref=oa_i0" })),
      '{"id": ', // cut off
      JSON.stringify({ id: { nested: true }, total_price: "x" }),
      JSON.stringify(makeShopifyOrder({ id: ids[1], landingSite: "/?oppref=oa_i1" })),
      JSON.stringify(makeShopifyRefund({ id: nextId++, orderId: ids[2], amount: "abc" })),
      JSON.stringify(makeShopifyOrder({ id: ids[2], landingSite: "/?oppref=oa_i2" })),
    ];
    const topics = [
      "orders/create",
      "orders/create",
      "orders/create",
      "orders/create",
      "refunds/create",
      "orders/create",
    ];
    await Promise.all(
      bodies.map((rawBody, i) =>
        appendToInbox({
          path: `/webhooks/${topics[i]}`,
          shop,
          topic: topics[i],
          eventId: randomUUID(),
          webhookId: randomUUID(),
          apiVersion: "2026-10",
          triggeredAt: null,
          rawBody,
        }),
      ),
    );
    const report = await drainInbox();
    expect(report.failed).toBe(0);
    expect(await prisma.webhookInbox.count({ where: { shop } })).toBe(0);
    const events = await prisma.conversionEvent.findMany({ where: { shop } });
    const orders = events.filter((e) => e.status === "pending" && e.eventType === "order_created");
    expect(orders.map((e) => e.orderId).sort()).toEqual(ids.map(String).sort());
    const skipped = events.filter((e) => e.status === "skipped");
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    for (const row of skipped) {
      expect(row.skipReason).toBe("malformed_payload");
      expect(row.lastError).toBeTruthy();
    }
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(6);
  });

  it("a webhook whose planner throws fails alone; the rest of its batch is applied", async () => {
    const shop = await configured("throws");
    const good = [nextId++, nextId++];
    const broken: WebhookPlanner = async () => {
      throw new Error("planner bug");
    };
    const outcomes = await applyBatch([
      item(shop, { topic: "orders/create", body: makeShopifyOrder({ id: good[0] }), eventId: randomUUID() }),
      {
        ...item(shop, { topic: "orders/create", body: makeShopifyOrder({ id: nextId++ }), eventId: randomUUID() }),
        plan: broken,
      },
      item(shop, { topic: "orders/create", body: makeShopifyOrder({ id: good[1] }), eventId: randomUUID() }),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(await prisma.conversionEvent.count({ where: { shop } })).toBe(2);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(2); // the failed one may come again
  });

  it("an order or refund id already seen under one shop is refused under another, recorded with a reason", async () => {
    const genuine = await configured("genuine");
    const other = await configured("replayed");
    const id = nextId++;
    const order = makeShopifyOrder({ id, landingSite: "/?oppref=oa_genuine" });
    const refund = makeShopifyRefund({ id: nextId++, orderId: id, amount: "10.00" });
    await applyBatch([item(genuine, { topic: "orders/create", body: order, eventId: randomUUID() })]);
    // Replayed under the other shop, alone and inside a batch with one of its own orders.
    const own = nextId++;
    const outcomes = await applyBatch([
      item(other, { topic: "orders/create", body: order, eventId: randomUUID() }),
      item(other, { topic: "refunds/create", body: refund, eventId: randomUUID() }),
      item(other, { topic: "orders/create", body: makeShopifyOrder({ id: own }), eventId: randomUUID() }),
    ]);
    expect(outcomes.map((o) => o.ok && o.result)).toEqual(["rejected", "rejected", "stored"]);
    const events = await prisma.conversionEvent.findMany({ where: { shop: other } });
    expect(events.map((e) => e.orderId)).toEqual([String(own)]);
    expect(await prisma.orderLedger.count({ where: { shop: other, orderId: String(id) } })).toBe(0);
    expect(await prisma.ledgerEntry.count({ where: { shop: other } })).toBe(0);
    const rejected = await prisma.webhookDelivery.findMany({ where: { shop: other, rejectedReason: { not: null } } });
    expect(rejected).toHaveLength(2);
    expect(rejected[0].rejectedReason).toMatch(/already seen under another shop/);
    // Within one batch the first shop wins, exactly as in sequence.
    const fresh = nextId++;
    const body = makeShopifyOrder({ id: fresh });
    const race = await applyBatch([
      item(genuine, { topic: "orders/create", body, eventId: randomUUID() }),
      item(other, { topic: "orders/create", body, eventId: randomUUID() }),
    ]);
    expect(race.map((o) => o.ok && o.result)).toEqual(["stored", "rejected"]);
    // The genuine shop is unaffected: its refund still applies.
    const [mine] = await applyBatch([item(genuine, { topic: "refunds/create", body: refund, eventId: randomUUID() })]);
    expect(mine).toEqual({ ok: true, result: "stored" });
    expect(await prisma.ledgerEntry.count({ where: { shop: genuine } })).toBe(1);
  });
});

describe("batch statements write every column the per-row writes write", () => {
  // Columns only the delivery worker writes (leases, OpenAI's answers), never an ingest.
  const WORKER_ONLY = ["leaseOwner", "leaseUntil", "lastStatus", "deliveredAt"];
  it("ConversionEvent, OrderLedger and LedgerEntry: a column added to the schema must be added to the batch INSERT", () => {
    const fields = (e: Record<string, string>) => Object.keys(e).sort();
    expect([...EVENT_COLUMNS].sort()).toEqual(
      fields(Prisma.ConversionEventScalarFieldEnum).filter((f) => !WORKER_ONLY.includes(f)),
    );
    expect([...LEDGER_COLUMNS].sort()).toEqual(fields(Prisma.OrderLedgerScalarFieldEnum));
    expect([...ENTRY_COLUMNS].sort()).toEqual(fields(Prisma.LedgerEntryScalarFieldEnum));
  });
});
