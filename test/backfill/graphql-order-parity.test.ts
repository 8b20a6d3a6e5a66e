/**
 * Parity: an order read with the Admin GraphQL API (the backfill) and the orders/create webhook body
 * of the same order must make the same decision and the same event — same dedup id, amount, currency,
 * time, oppref and user data — or a backfilled order would count differently from a live one (and a
 * pixel-reported order twice). The one documented difference: GraphQL exposes no user agent.
 *
 * The GraphQL side comes from sim/admin-api.ts (`graphqlOrderFromRest`, written from Shopify's Order
 * schema), mapped back by the app's pure app/conversions/graphql-order.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BulkOrderAssembler } from "~/conversions/bulk-jsonl";
import { gidDigits, webhookBodyFromGraphqlOrder, type GqlOrder } from "~/conversions/graphql-order";
import { decideOrderCreated, type OrderEventDecision } from "~/conversions/order-event";
import { DEFAULT_SHOP_POLICY } from "~/conversions/shop-policy";
import { parseWebhookJson } from "~/conversions/webhook-json";
import { SUBSCRIBED_FIELDS } from "~/webhooks/subscribed-fields";
import { classifySubscriptionOrder } from "~/conversions/subscription-order";
import { graphqlOrderFromRest } from "../../sim/admin-api";
import { makeShopifyOrder } from "../../sim/order-factory";

const SHOP = "parity-shop.myshopify.com";
const FIELDS = SUBSCRIBED_FIELDS["orders/create"];

/** The webhook body Shopify sends: only the subscribed fields (include_fields), ids parsed exactly. */
function webhookBody(rest: Record<string, unknown>): unknown {
  const subscribed = Object.fromEntries(Object.entries(rest).filter(([k]) => FIELDS.includes(k)));
  return parseWebhookJson(JSON.stringify(subscribed));
}

/** The same order through the Admin API: GraphQL JSON as the client receives it, then the app's mapping. */
function backfilledBody(rest: Record<string, unknown>): Record<string, unknown> {
  const wire = JSON.parse(JSON.stringify(graphqlOrderFromRest(rest))) as GqlOrder;
  return webhookBodyFromGraphqlOrder(wire).body;
}

const decide = (body: unknown, now: Date) =>
  decideOrderCreated(body, { shopDomain: SHOP, policy: { ...DEFAULT_SHOP_POLICY, nonWebOrders: "send" }, now });

/** The webhook's decision with the user agent removed: the only field GraphQL cannot give. */
function withoutUserAgent(decision: OrderEventDecision): OrderEventDecision {
  if (decision.kind !== "send" || !decision.event.user) return decision;
  const { user_agent: _ua, ...user } = decision.event.user as Record<string, unknown>;
  void _ua;
  return { ...decision, event: { ...decision.event, user: user as typeof decision.event.user } };
}

function fixture(name: string): Record<string, unknown> {
  const text = readFileSync(path.join(__dirname, "../fixtures/shopify", name), "utf8");
  const parsed = parseWebhookJson(text) as Record<string, unknown>;
  return (parsed.order as Record<string, unknown> | undefined) ?? parsed;
}

const NOW = new Date();
const cases: [string, Record<string, unknown>, Date][] = [
  [
    "a web order with oppref in landing_site",
    makeShopifyOrder({ id: 5912345678901, landingSite: "/products/tee?oppref=oa_1%2B2&utm_source=chatgpt" }),
    NOW,
  ],
  [
    "a JPY order from Japan",
    makeShopifyOrder({ id: 5912345678902, currency: "JPY", total: "8900", country: "JP" }),
    NOW,
  ],
  [
    "a KWD order (3 decimals)",
    makeShopifyOrder({ id: 5912345678903, currency: "KWD", total: "1.234", country: "KW" }),
    NOW,
  ],
  [
    "an EEA order without consent signal",
    makeShopifyOrder({ id: 5912345678904, currency: "EUR", total: "49.90", country: "DE" }),
    NOW,
  ],
  ["a POS order", makeShopifyOrder({ id: 5912345678905, sourceName: "pos" }), NOW],
  ["a test order", makeShopifyOrder({ id: 5912345678906, test: true }), NOW],
  ["an order without email or phone", makeShopifyOrder({ id: 5912345678907, email: null, phone: null }), NOW],
  [
    "an order older than 7 days",
    makeShopifyOrder({ id: 5912345678908, processedAt: new Date(NOW.getTime() - 8 * 86_400_000) }),
    NOW,
  ],
  [
    "an order whose theme embed wrote the click and consent",
    {
      ...makeShopifyOrder({ id: 5912345678909, landingSite: "/" }),
      note_attributes: [
        { name: "_oppref", value: "oa_embed_1" },
        { name: "_oppref_at", value: String(NOW.getTime() - 60_000) },
        {
          name: "_oppref_consent",
          value: `marketing=granted&sale_of_data=allowed&source=privacy_api&at=${NOW.getTime()}`,
        },
      ],
    },
    NOW,
  ],
];

describe("GraphQL order ↔ webhook body parity", () => {
  it("a subscription app's tags survive the mapping (GraphQL's list becomes REST's one string)", () => {
    const rest = { ...makeShopifyOrder({ id: 5912345678910 }), tags: "Subscription Recurring Order, vip" };
    expect(classifySubscriptionOrder(backfilledBody(rest))).toEqual(classifySubscriptionOrder(webhookBody(rest)));
    expect(classifySubscriptionOrder(backfilledBody(rest))?.role).toBe("renewal");
  });

  it.each(cases)("%s: same decision and event", async (_label, rest, now) => {
    const fromWebhook = await decide(webhookBody(rest), now);
    const fromBackfill = await decide(backfilledBody(rest), now);
    expect(fromBackfill).toEqual(withoutUserAgent(fromWebhook));
  });

  it("the sent event carries the same dedup id, amount and hashed user fields", async () => {
    const base = makeShopifyOrder({ id: 5912345678901, landingSite: "/?oppref=oa_x" });
    // A public address (the factory's 203.0.113.10 is a documentation range, which the app drops).
    const rest = {
      ...base,
      browser_ip: "81.2.69.160",
      client_details: { ...(base.client_details as object), browser_ip: "81.2.69.160" },
    };
    const a = await decide(webhookBody(rest), NOW);
    const b = await decide(backfilledBody(rest), NOW);
    expect(a.kind).toBe("send");
    if (a.kind !== "send" || b.kind !== "send") throw new Error("expected send");
    expect(b.event.id).toBe(a.event.id);
    expect(b.event.data.amount).toBe(12999);
    expect(b.event.user?.emails_sha256).toEqual(a.event.user?.emails_sha256);
    expect(b.event.user?.phone_numbers_sha256).toEqual(a.event.user?.phone_numbers_sha256);
    expect(b.event.user?.external_ids_sha256).toEqual(a.event.user?.external_ids_sha256);
    expect(b.event.user?.ip_address).toBe("81.2.69.160");
    expect(a.event.user?.ip_address).toBe("81.2.69.160");
    expect(b.event.user?.first_names_sha256).toEqual(a.event.user?.first_names_sha256);
    expect(a.event.user?.user_agent).toBeDefined();
    expect(b.event.user?.user_agent).toBeUndefined();
  });

  it.each(["order-1073459975.api-created-eur.json", "order-450789469.rest-docs-2024-04.json"])(
    "Shopify's published order %s: same decision",
    async (name) => {
      const rest = fixture(name);
      const at = new Date(Date.parse(String(rest.processed_at ?? rest.created_at)) + 3_600_000);
      const fromWebhook = await decide(webhookBody(rest), at);
      const fromBackfill = await decide(backfilledBody(rest), at);
      expect(fromBackfill).toEqual(withoutUserAgent(fromWebhook));
    },
  );

  it("a 64-bit order id above 2^53 stays exact", async () => {
    const rest = {
      ...makeShopifyOrder({ id: 1 }),
      id: undefined,
      admin_graphql_api_id: "gid://shopify/Order/820982911946154508",
    };
    const { orderId, body } = webhookBodyFromGraphqlOrder(graphqlOrderFromRest(rest) as GqlOrder);
    expect(orderId).toBe("820982911946154508");
    expect(body.id).toBe("820982911946154508");
    const decision = await decide(body, NOW);
    expect(decision.orderId).toBe("820982911946154508");
    expect(gidDigits("gid://shopify/Order/abc")).toBeNull();
  });

  it("the mapped body holds exactly the fields the webhook subscription asks for", () => {
    const { body } = webhookBodyFromGraphqlOrder(graphqlOrderFromRest(makeShopifyOrder({ id: 42 })) as GqlOrder);
    expect(Object.keys(body).sort()).toEqual([...FIELDS].sort());
  });

  it("paid: Shopify's paid, partially refunded and refunded statuses", () => {
    const paid = (status: string) =>
      webhookBodyFromGraphqlOrder({ id: "gid://shopify/Order/1", displayFinancialStatus: status }).paid;
    expect(["PAID", "PARTIALLY_REFUNDED", "REFUNDED"].map(paid)).toEqual([true, true, true]);
    expect(["PENDING", "AUTHORIZED", "VOIDED"].map(paid)).toEqual([false, false, false]);
  });
});

describe("bulk JSONL assembly", () => {
  it("joins each order with the line items that follow it, and reports stray lines", () => {
    const assembler = new BulkOrderAssembler();
    const out = [
      assembler.push({ id: "gid://shopify/Order/1", name: "#1" }),
      assembler.push({ id: "gid://shopify/LineItem/11", quantity: 1, __parentId: "gid://shopify/Order/1" }),
      assembler.push({ id: "gid://shopify/LineItem/12", quantity: 2, __parentId: "gid://shopify/Order/1" }),
      assembler.push({ id: "gid://shopify/Order/2", name: "#2" }),
      assembler.push({ id: "gid://shopify/LineItem/99", __parentId: "gid://shopify/Order/7" }),
      assembler.push("not an object"),
    ];
    expect(out[3]).toEqual({
      order: { id: "gid://shopify/Order/1", name: "#1" },
      lineItems: [
        { id: "gid://shopify/LineItem/11", quantity: 1 },
        { id: "gid://shopify/LineItem/12", quantity: 2 },
      ],
    });
    expect(out.filter(Boolean)).toHaveLength(1);
    expect(assembler.finish()).toEqual({ order: { id: "gid://shopify/Order/2", name: "#2" }, lineItems: [] });
    expect(assembler.strayLines).toBe(2);
    expect(assembler.finish()).toBeNull();
  });
});
