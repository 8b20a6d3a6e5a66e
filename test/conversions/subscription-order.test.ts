import { describe, expect, it } from "vitest";
import type { CapiEvent } from "~/conversions/capi-event";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { decideOrderCreated } from "~/conversions/order-event";
import { DEFAULT_SHOP_POLICY, type ShopPolicy } from "~/conversions/shop-policy";
import {
  classifySellingPlanOrder,
  classifySubscriptionOrder,
  decideSubscriptionCreatedAtSendTime,
  decideSubscriptionOrder,
  mergeSubscriptionSignals,
  orderTagsOf,
  policyForSubscriptionOrder,
  subscriptionCreatedEventId,
  subscriptionRenewedEventId,
  type SubscriptionSignal,
} from "~/conversions/subscription-order";
import { makeShopifyOrder } from "../../sim/order-factory";

const first: SubscriptionSignal = { role: "first", source: "tag", evidence: "subscription first order", planId: null };
const renewal: SubscriptionSignal = {
  role: "renewal",
  source: "source_name",
  evidence: "subscription_contract",
  planId: null,
};

describe("classifySubscriptionOrder", () => {
  it("reads Shopify's renewal source_name and the documented app tags, case-insensitively", () => {
    expect(classifySubscriptionOrder({ source_name: "subscription_contract" })).toEqual(renewal);
    expect(classifySubscriptionOrder({ source_name: "subscription_contract_checkout_one" })?.role).toBe("renewal");
    expect(classifySubscriptionOrder({ tags: "VIP, Subscription First Order" })).toEqual(first);
    expect(classifySubscriptionOrder({ tags: "subscription recurring order" })?.role).toBe("renewal");
    expect(classifySubscriptionOrder({ tags: "Firmhouse-First-Order" })?.role).toBe("first");
    expect(classifySubscriptionOrder({ tags: "inveterate-rebill" })?.role).toBe("renewal");
  });

  it("says nothing for ordinary orders, loose tags or odd payloads", () => {
    expect(
      classifySubscriptionOrder({ source_name: "web", tags: "Subscription, subscriptions first order" }),
    ).toBeNull();
    expect(classifySubscriptionOrder({ tags: 42 })).toBeNull();
    expect(classifySubscriptionOrder(null)).toBeNull();
    expect(classifySubscriptionOrder("subscription_contract")).toBeNull();
  });

  it("lets renewal evidence win over a first-order tag on the same order", () => {
    expect(classifySubscriptionOrder({ tags: "Subscription First Order, Subscription Recurring Order" })?.role).toBe(
      "renewal",
    );
    expect(
      classifySubscriptionOrder({ source_name: "subscription_contract", tags: "Subscription First Order" }),
    ).toEqual(renewal);
  });

  it("splits Shopify's comma-separated tags and accepts an array", () => {
    expect(orderTagsOf(" A ,b,, c ")).toEqual(["a", "b", "c"]);
    expect(orderTagsOf(["X", 1, " y "])).toEqual(["x", "y"]);
  });
});

describe("classifySellingPlanOrder (Admin API LineItem.sellingPlan)", () => {
  it("makes a checkout with a selling plan a first order with its plan id, a billing attempt a renewal", () => {
    const plan = "gid://shopify/SellingPlan/123";
    expect(classifySellingPlanOrder({ sourceName: "web", sellingPlanIds: [null, plan], hasSellingPlan: true })).toEqual(
      { role: "first", source: "selling_plan", evidence: "web", planId: plan },
    );
    expect(
      classifySellingPlanOrder({ sourceName: "subscription_contract", sellingPlanIds: [plan], hasSellingPlan: true })
        ?.role,
    ).toBe("renewal");
    expect(classifySellingPlanOrder({ sourceName: "web", sellingPlanIds: [], hasSellingPlan: false })).toBeNull();
  });
});

describe("mergeSubscriptionSignals", () => {
  it("keeps what is known, lets a renewal win, and keeps a plan id once known", () => {
    expect(mergeSubscriptionSignals(first, null)).toBe(first);
    expect(mergeSubscriptionSignals(null, first)).toBe(first);
    expect(mergeSubscriptionSignals(first, { ...first })).toBe(first);
    expect(mergeSubscriptionSignals(first, renewal)).toEqual(renewal);
    expect(mergeSubscriptionSignals(renewal, first)).toBe(renewal);
    const planned = { ...first, source: "selling_plan" as const, planId: "gid://shopify/SellingPlan/9" };
    expect(mergeSubscriptionSignals(first, planned)).toEqual({ ...first, planId: "gid://shopify/SellingPlan/9" });
    expect(mergeSubscriptionSignals(planned, first)).toBe(planned);
  });
});

const now = new Date();
const policy = (extra: Partial<ShopPolicy> = {}): ShopPolicy => ({ ...DEFAULT_SHOP_POLICY, ...extra });
const orderPayload = (id: number, sourceName = "web") =>
  makeShopifyOrder({ id, sourceName, processedAt: new Date(now.getTime() - 60_000), landingSite: "/?oppref=abc" });
const decide = (payload: unknown, p: ShopPolicy, signal: SubscriptionSignal | null) =>
  decideOrderCreated(payload, { shopDomain: "s.myshopify.com", policy: policyForSubscriptionOrder(p, signal), now });

describe("decideSubscriptionOrder", () => {
  it("adds subscription_created to a first order: plan_enrollment, derived id, the order's click and value", async () => {
    const signal = { ...first, planId: "gid://shopify/SellingPlan/7" };
    const order = await decide(orderPayload(111), policy(), signal);
    const { orderCreated, companions } = await decideSubscriptionOrder(order, signal, policy());
    expect(orderCreated).toBe(order);
    expect(companions).toHaveLength(1);
    const [c] = companions;
    expect(c.kind).toBe("send");
    if (c.kind !== "send" || order.kind !== "send") throw new Error("expected sends");
    const dedupId = await dedupIdForOrder("111");
    expect(c.eventId).toBe(await subscriptionCreatedEventId(dedupId));
    expect(c.eventId.startsWith("s1_")).toBe(true);
    expect(c.event).toEqual({
      id: c.eventId,
      type: "subscription_created",
      timestamp_ms: order.event.timestamp_ms,
      action_source: "web",
      source_url: order.event.source_url,
      oppref: "abc",
      user: order.event.user,
      data: { type: "plan_enrollment", plan_id: "gid://shopify/SellingPlan/7", amount: 12999, currency: "USD" },
    });
  });

  it("passes a skipped first order's reason on to its subscription_created", async () => {
    const order = await decide({ ...orderPayload(112), test: true }, policy(), first);
    const { companions } = await decideSubscriptionOrder(order, first, policy());
    expect(companions[0]).toMatchObject({ kind: "skip", reason: "test_order", eventName: "subscription_created" });
  });

  it("never sends a renewal as order_created, also when non-web orders are sent", async () => {
    for (const p of [policy(), policy({ nonWebOrders: "send" })]) {
      const order = await decide(orderPayload(113, "subscription_contract"), p, renewal);
      const { orderCreated, companions } = await decideSubscriptionOrder(order, renewal, p);
      expect(orderCreated).toMatchObject({ kind: "skip", reason: "subscription_renewal", orderId: "113" });
      expect(companions).toEqual([]);
    }
  });

  it("reports a renewal as the custom subscription_renewed when the shop turned that on", async () => {
    const p = policy({ subscriptionRenewals: "send" });
    const order = await decide(orderPayload(114, "subscription_contract"), p, renewal);
    const { orderCreated, companions } = await decideSubscriptionOrder(order, renewal, p);
    expect(orderCreated).toMatchObject({ kind: "skip", reason: "subscription_renewal" });
    const [c] = companions;
    if (c.kind !== "send") throw new Error("expected a send");
    expect(c.eventId).toBe(await subscriptionRenewedEventId(await dedupIdForOrder("114")));
    expect(c.event).toMatchObject({
      type: "custom",
      custom_event_name: "subscription_renewed",
      action_source: "other",
      data: { type: "custom", amount: 12999, currency: "USD" },
    });
    expect(c.event.data.contents).toHaveLength(1);
  });

  it("keeps a renewal's test-order or expired skip as it is", async () => {
    const order = await decide({ ...orderPayload(115, "subscription_contract"), test: true }, policy(), renewal);
    expect((await decideSubscriptionOrder(order, renewal, policy())).orderCreated).toMatchObject({
      reason: "test_order",
    });
  });
});

describe("decideSubscriptionCreatedAtSendTime", () => {
  const orderEvent: CapiEvent = {
    id: "o1_x",
    type: "order_created",
    timestamp_ms: 1_000,
    action_source: "web",
    oppref: "from-receipt",
    data: { type: "contents", amount: 500, currency: "EUR" },
  };
  const base = { eventId: "s1_y", signal: { ...first, planId: "p1" } };

  it("waits while the order's event is open, and sends a copy of what OpenAI accepted", () => {
    expect(decideSubscriptionCreatedAtSendTime({ ...base, order: null })).toEqual({ action: "wait" });
    for (const status of ["pending", "sending", "held"]) {
      expect(
        decideSubscriptionCreatedAtSendTime({ ...base, order: { status, skipReason: null, payload: null } }),
      ).toEqual({
        action: "wait",
      });
    }
    const sent = decideSubscriptionCreatedAtSendTime({
      ...base,
      order: { status: "delivered", skipReason: null, payload: JSON.stringify(orderEvent) },
    });
    expect(sent).toEqual({
      action: "send",
      event: {
        id: "s1_y",
        type: "subscription_created",
        timestamp_ms: 1_000,
        action_source: "web",
        oppref: "from-receipt",
        data: { type: "plan_enrollment", plan_id: "p1", amount: 500, currency: "EUR" },
      },
    });
  });

  it("is skipped with the order's reason, or as a renewal when the order turned out to be one", () => {
    expect(
      decideSubscriptionCreatedAtSendTime({
        ...base,
        order: { status: "skipped", skipReason: "consent_denied", payload: null },
      }),
    ).toMatchObject({ action: "skip", reason: "consent_denied" });
    expect(
      decideSubscriptionCreatedAtSendTime({ ...base, order: { status: "rejected", skipReason: null, payload: null } }),
    ).toMatchObject({ action: "skip", reason: "order_not_counted" });
    expect(
      decideSubscriptionCreatedAtSendTime({
        ...base,
        signal: renewal,
        order: { status: "delivered", skipReason: null, payload: JSON.stringify(orderEvent) },
      }),
    ).toMatchObject({ action: "skip", reason: "subscription_renewal" });
  });
});
