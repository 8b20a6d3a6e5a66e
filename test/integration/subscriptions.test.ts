/**
 * Subscription orders end to end: signed order webhooks over real HTTP into the built app, the
 * delivery worker, the OpenAI stand-in. A first order is order_created + subscription_created; a
 * renewal is never order_created (also not with non-web orders turned on) and is sent as the custom
 * subscription_renewed only with the setting on; a signal that comes after orders/create (tags in
 * orders/paid) still decides the order.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { subscriptionCreatedEventId, subscriptionRenewedEventId } from "~/conversions/subscription-order";
import { recordWebPixel, type ShopSettingsInput } from "~/models/settings.server";
import { runUntilIdle } from "~/outbox/worker.server";
import prisma from "~/db/client.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder } from "../../sim/order-factory";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";
import { startSellingPlanStandin, type SellingPlanStandin } from "../../sim/admin-api-selling-plans";
import { storeOfflineSession } from "../admin/embedded-requests";
import { sessionStorage } from "~/shopify.server";

let standin: OpenAiStandin;
let app: AppProcess;
let clock = 0;
let nextId = 5_100_000_000 + Math.floor(Math.random() * 1_000_000) * 100;

beforeAll(async () => {
  standin = await startOpenAiStandin();
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

async function newShop(label: string, settings: ShopSettingsInput = {}) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey, ...settings });
  return s;
}

function order(extra: Record<string, unknown> = {}, sourceName = "web") {
  const id = nextId++;
  return {
    id,
    body: { ...makeShopifyOrder({ id, sourceName, landingSite: "/?oppref=sub-click-1" }), ...extra },
  };
}

let eventSeq = 0;
const post = (topic: string, shop: string, body: unknown) =>
  sendWebhook(app.url, {
    topic,
    shop,
    body: JSON.stringify(body),
    secret: TEST_SECRET,
    eventId: `sub-evt-${++eventSeq}-${Date.now()}`,
  });

async function drain(minutes = 2) {
  const start = Math.max(clock, Date.now());
  for (let t = 0; t <= minutes * 60_000; t += 30_000) {
    clock = start + t;
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(clock) });
  }
}

const sentOf = (pixelId: string) => standin.accepted(pixelId).map((a) => a.event);

describe("a subscription's first order", () => {
  it("is order_created and OpenAI's standard subscription_created, with an id derived from the order's", async () => {
    const { shop, pixelId } = await newShop("sub-first");
    const { id, body } = order({ tags: "Subscription First Order, Subscription" });
    expect(await post("orders/create", shop, body)).toBe(200);
    await drain();

    const dedupId = await dedupIdForOrder(String(id));
    const sent = sentOf(pixelId);
    expect(sent.map((e) => e.type).sort()).toEqual(["order_created", "subscription_created"]);
    const orderCreated = sent.find((e) => e.type === "order_created")!;
    const created = sent.find((e) => e.type === "subscription_created")!;
    expect(orderCreated.id).toBe(dedupId);
    expect(created.id).toBe(await subscriptionCreatedEventId(dedupId));
    expect(created.id).not.toBe(dedupId);
    expect(created).toMatchObject({
      action_source: "web",
      oppref: "sub-click-1",
      timestamp_ms: orderCreated.timestamp_ms,
      data: { type: "plan_enrollment", amount: 12999, currency: "USD" },
    });
    expect(created.data.contents).toBeUndefined();
    expect(created.data.plan_id).toBeUndefined(); // no Admin API access in this shop: sent without one
    expect(created.user).toEqual(orderCreated.user);

    // Redelivered (new event id) and paid: still one of each.
    expect(await post("orders/create", shop, body)).toBe(200);
    expect(await post("orders/paid", shop, body)).toBe(200);
    await drain();
    expect(sentOf(pixelId)).toHaveLength(2);
    const rows = await eventsOf(shop);
    expect(rows.map((r) => [r.eventName, r.status]).sort()).toEqual([
      ["order_created", "delivered"],
      ["subscription_created", "delivered"],
    ]);
    expect(
      await prisma.subscriptionOrder.findUnique({ where: { shop_orderId: { shop, orderId: String(id) } } }),
    ).toMatchObject({ role: "first", source: "tag", evidence: "subscription first order" });
  });

  it("whose tag comes only with orders/paid still gets its subscription_created after order_created went out", async () => {
    const { shop, pixelId } = await newShop("sub-first-late");
    const { id, body } = order();
    expect(await post("orders/create", shop, body)).toBe(200);
    await drain();
    expect(sentOf(pixelId).map((e) => e.type)).toEqual(["order_created"]);

    expect(await post("orders/paid", shop, { ...body, tags: "Subscription First Order" })).toBe(200);
    await drain();
    const sent = sentOf(pixelId);
    expect(sent.map((e) => e.type)).toEqual(["order_created", "subscription_created"]);
    expect(sent[1].id).toBe(await subscriptionCreatedEventId(await dedupIdForOrder(String(id))));
    expect(sent[1].oppref).toBe("sub-click-1");
  });
});

describe("a subscription renewal", () => {
  it("is not sent by default, not even with non-web orders turned on, and is recorded as subscription_renewal", async () => {
    const { shop, pixelId } = await newShop("sub-renew", { nonWebOrders: "send" });
    const { body: byShopify } = order({}, "subscription_contract");
    const { body: byTag } = order({ tags: "Subscription Recurring Order, Subscription" });
    expect(await post("orders/create", shop, byShopify)).toBe(200);
    expect(await post("orders/create", shop, byTag)).toBe(200);
    await drain();

    expect(sentOf(pixelId)).toEqual([]);
    const rows = await eventsOf(shop);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ eventName: "order_created", status: "skipped", skipReason: "subscription_renewal" });
    }
    expect(rows.map((r) => r.lastError).sort()).toEqual([
      'a subscription renewal, not a new conversion (source_name "subscription_contract")',
      'a subscription renewal, not a new conversion (tag "subscription recurring order")',
    ]);
  });

  it("is sent as the custom subscription_renewed with the setting on, never as order_created", async () => {
    const { shop, pixelId } = await newShop("sub-renew-send", { subscriptionRenewals: "send" });
    const { id, body } = order({}, "subscription_contract");
    expect(await post("orders/create", shop, body)).toBe(200);
    await drain();

    const sent = sentOf(pixelId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      id: await subscriptionRenewedEventId(await dedupIdForOrder(String(id))),
      type: "custom",
      custom_event_name: "subscription_renewed",
      action_source: "other",
      data: { type: "custom", amount: 12999, currency: "USD" },
    });
    const rows = await eventsOf(shop);
    expect(rows.find((r) => r.eventName === "order_created")).toMatchObject({
      status: "skipped",
      skipReason: "subscription_renewal",
    });
    expect(rows.find((r) => r.eventName === "subscription_renewed")).toMatchObject({ status: "delivered" });
  });

  it("whose tag comes with orders/paid after orders/create, before delivery, is not sent as order_created", async () => {
    const { shop, pixelId } = await newShop("sub-renew-late", { subscriptionRenewals: "send" });
    const { id, body } = order();
    expect(await post("orders/create", shop, body)).toBe(200);
    expect((await eventsOf(shop)).map((r) => [r.eventName, r.status])).toEqual([["order_created", "pending"]]);
    expect(await post("orders/paid", shop, { ...body, tags: "Subscription Recurring Order" })).toBe(200);
    await drain();

    const sent = sentOf(pixelId);
    expect(sent.map((e) => [e.type, e.custom_event_name])).toEqual([["custom", "subscription_renewed"]]);
    expect(sent[0].id).toBe(await subscriptionRenewedEventId(await dedupIdForOrder(String(id))));
    const rows = await eventsOf(shop);
    expect(rows.find((r) => r.eventName === "order_created")).toMatchObject({
      status: "skipped",
      skipReason: "subscription_renewal",
      lastError: 'a subscription renewal, not a new conversion (tag "subscription recurring order")',
    });
  });
});

describe("a renewal reported as subscription_renewed follows the order's other rules", () => {
  it("is not reported again when its signal came after it had already gone out as order_created", async () => {
    const { shop, pixelId } = await newShop("sub-renew-after", { subscriptionRenewals: "send" });
    const { body } = order();
    expect(await post("orders/create", shop, body)).toBe(200);
    await drain();
    expect(await post("orders/paid", shop, { ...body, tags: "Subscription Recurring Order" })).toBe(200);
    await drain();

    expect(sentOf(pixelId).map((e) => e.type)).toEqual(["order_created"]);
    const rows = await eventsOf(shop);
    expect(rows.find((r) => r.eventName === "order_created")).toMatchObject({ status: "delivered" });
    expect(rows.find((r) => r.eventName === "subscription_renewed")).toMatchObject({
      status: "skipped",
      skipReason: "subscription_renewal",
      lastError: "the renewal was already reported as order_created before its renewal signal came",
    });
  });

  it("is not sent when the setting is turned off before delivery", async () => {
    const { shop, pixelId } = await newShop("sub-renew-off", { subscriptionRenewals: "send" });
    const { id, body } = order({}, "subscription_contract");
    expect(await post("orders/create", shop, body)).toBe(200);
    await configureShop(shop, { subscriptionRenewals: "skip" });
    await drain();

    expect(sentOf(pixelId)).toEqual([]);
    const renewed = (await eventsOf(shop)).find((r) => r.eventName === "subscription_renewed");
    expect(renewed).toMatchObject({
      orderId: String(id),
      status: "skipped",
      skipReason: "subscription_renewal",
      lastError: "reporting renewals as subscription_renewed was turned off before delivery",
    });
  });

  it("waits for no pixel receipt: a US renewal goes out in the first pass, an EU one without consent is skipped", async () => {
    // A web pixel is active, so orders wait for its receipt; a renewal has no checkout to send one.
    const { shop, pixelId } = await newShop("sub-renew-consent", {
      subscriptionRenewals: "send",
      oppRefGraceSeconds: 600,
    });
    await recordWebPixel(shop, "gid://shopify/WebPixel/1");
    const fr = order({}, "subscription_contract");
    fr.body = { ...makeShopifyOrder({ id: fr.id, sourceName: "subscription_contract", country: "FR" }) };
    const us = order({}, "subscription_contract");
    expect(await post("orders/create", shop, fr.body)).toBe(200);
    expect(await post("orders/create", shop, us.body)).toBe(200);
    await drain(0);

    expect(sentOf(pixelId).map((e) => e.id)).toEqual([
      await subscriptionRenewedEventId(await dedupIdForOrder(String(us.id))),
    ]);
    const frRow = (await eventsOf(shop)).find(
      (r) => r.eventName === "subscription_renewed" && r.orderId === String(fr.id),
    );
    expect(frRow).toMatchObject({ status: "skipped", skipReason: "no_consent_signal" });
  });
});

describe("the plan id, from the Admin API's LineItem.sellingPlan", () => {
  let admin: SellingPlanStandin;
  beforeAll(async () => {
    admin = await startSellingPlanStandin();
    process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.url;
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    await admin?.close();
  });

  it("is read once with the shop's offline session, stored, and sent as subscription_created's data.plan_id", async () => {
    const { shop, pixelId } = await newShop("sub-plan");
    const session = await storeOfflineSession(sessionStorage, shop);
    const { id, body } = order({ tags: "Subscription First Order" });
    admin.addOrder(shop, session.accessToken!, String(id), {
      sourceName: "web",
      sellingPlanIds: [null, "gid://shopify/SellingPlan/777"],
    });
    expect(await post("orders/create", shop, body)).toBe(200);
    await drain();

    const created = sentOf(pixelId).find((e) => e.type === "subscription_created")!;
    expect(created.data).toEqual({
      type: "plan_enrollment",
      plan_id: "gid://shopify/SellingPlan/777",
      amount: 12999,
      currency: "USD",
    });
    const calls = admin.calls().filter((c) => c.shop === shop);
    expect(calls).toEqual([{ shop, token: session.accessToken, ids: [`gid://shopify/Order/${id}`] }]);
    expect(
      await prisma.subscriptionOrder.findUnique({ where: { shop_orderId: { shop, orderId: String(id) } } }),
    ).toMatchObject({ role: "first", source: "tag", planId: "gid://shopify/SellingPlan/777" });
  });

  it("turns a tagged first order into a renewal when Shopify says a billing attempt created it", async () => {
    const { shop, pixelId } = await newShop("sub-plan-renewal");
    const session = await storeOfflineSession(sessionStorage, shop);
    const { id, body } = order({ tags: "Subscription First Order" });
    admin.addOrder(shop, session.accessToken!, String(id), {
      sourceName: "subscription_contract",
      sellingPlanIds: ["gid://shopify/SellingPlan/778"],
    });
    expect(await post("orders/create", shop, body)).toBe(200);
    await drain();

    // order_created went out first (the webhook said web); the Admin API's answer stops the rest.
    expect(sentOf(pixelId).map((e) => e.type)).toEqual(["order_created"]);
    const rows = await eventsOf(shop);
    expect(rows.find((r) => r.eventName === "subscription_created")).toMatchObject({
      status: "skipped",
      skipReason: "subscription_renewal",
    });
    expect(
      await prisma.subscriptionOrder.findUnique({ where: { shop_orderId: { shop, orderId: String(id) } } }),
    ).toMatchObject({ role: "renewal", source: "selling_plan", planId: "gid://shopify/SellingPlan/778" });
  });
});
