/**
 * include_fields: Shopify sends only the fields listed in app/webhooks/subscribed-fields.ts. Three
 * checks keep that list, the subscriptions and the code in step:
 *  1. shopify.app.toml subscribes every order/refund topic with exactly the listed fields;
 *  2. the real ingest functions read no top-level payload field outside the list (a proxy records
 *     every field they look at, present in the payload or not), over fixtures that take the paths
 *     where optional fields matter (oppref in note attributes, POS, test, EEA buyer, cancelled...);
 *  3. the decisions on a payload reduced to the listed fields, as Shopify would send it, equal the
 *     decisions on the full fixture payload.
 * A field the code starts reading without being subscribed fails 2 (and 3 when a fixture carries it).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { parseCancellation, parseRefund } from "~/conversions/correction-event";
import { decideOrderCreated } from "~/conversions/order-event";
import { DEFAULT_SHOP_POLICY, type ShopPolicy } from "~/conversions/shop-policy";
import { SUBSCRIBED_FIELDS } from "~/webhooks/subscribed-fields";
import { ingestCancelWebhook, ingestRefundWebhook } from "~/webhooks/corrections.server";
import { ingestOrderWebhook } from "~/webhooks/orders.server";
import type { VerifiedWebhook } from "~/webhooks/verify.server";
import { makeCancelledOrder, makeOrder, makeRefund } from "../fixtures/orders";
import { uniqueShop } from "../helpers/shops";
import { verifiedWebhook } from "../helpers/verified-webhook";

const NOW = new Date();
const ORDER_TOPICS = ["orders/create", "orders/paid"] as const;

/** The fixture orders, one per path through the order decision that reads optional fields. */
function orderPayloads(): [string, Record<string, unknown>][] {
  const at = { at: NOW };
  return [
    ["web order, oppref in landing_site", makeOrder({}, at)],
    [
      "oppref and consent from the theme embed's cart attributes",
      makeOrder(
        {
          landing_site: undefined,
          note_attributes: [
            { name: "_oppref", value: "oa_embed_click_9" },
            { name: "_oppref_at", value: String(NOW.getTime() - 60_000) },
            {
              name: "_oppref_consent",
              value: `marketing=granted&sale_of_data=allowed&source=privacy_api&at=${NOW.getTime()}`,
            },
          ],
        },
        at,
      ),
    ],
    [
      "buyer in the EEA",
      makeOrder({ billing_address: { country_code: "DE" }, shipping_address: { country_code: "DE" } }, at),
    ],
    ["POS order", makeOrder({ source_name: "pos" }, at)],
    ["draft order", makeOrder({ source_name: "shopify_draft_order" }, at)],
    ["test order", makeOrder({ test: true }, at)],
    ["presentment currency differs", makeOrder({ presentment_currency: "EUR" }, at)],
    ["cancelled before the webhook", makeCancelledOrder({ processed_at: NOW.toISOString() })],
    ["too old", makeOrder({}, { at: new Date(NOW.getTime() - 30 * 24 * 3600_000) })],
    ["malformed: no id", makeOrder({ id: undefined }, at)],
  ];
}

function refundPayloads(): [string, Record<string, unknown>][] {
  return [
    ["partial refund", makeRefund({}, { at: NOW })],
    ["refund without a successful transaction", makeRefund({ transactions: [] }, { at: NOW })],
    ["malformed: no order id", makeRefund({ order_id: undefined }, { at: NOW })],
  ];
}

const POLICIES: [string, ShopPolicy][] = [
  ["default policy", DEFAULT_SHOP_POLICY],
  ["send everything", { ...DEFAULT_SHOP_POLICY, nonWebOrders: "send", consentPolicy: "send" }],
  ["no matching data", { ...DEFAULT_SHOP_POLICY, enhancedMatching: [] }],
];

/** What Shopify sends under include_fields: only the listed top-level fields. */
function reduced(topic: string, payload: Record<string, unknown>): Record<string, unknown> {
  const fields = SUBSCRIBED_FIELDS[topic];
  return Object.fromEntries(Object.entries(payload).filter(([key]) => fields.includes(key)));
}

/** The payload behind a proxy that records every top-level field the code looks at. */
function recording(payload: Record<string, unknown>, read: Set<string>): Record<string, unknown> {
  return new Proxy(payload, {
    get(target, key, receiver) {
      // `then` is how `await` and promise resolution test any value for being a promise, not a read.
      if (typeof key === "string" && key !== "then") read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      // Enumerating (spread, Object.keys, JSON.stringify) reads every field there is.
      read.add("<every field: the payload was enumerated>");
      return Reflect.ownKeys(target);
    },
  });
}

/** The verified webhook for `payload`, whose parsed payload is the recording proxy over it. */
function hookWith(topic: string, shop: string, payload: Record<string, unknown>, read: Set<string>): VerifiedWebhook {
  return { ...verifiedWebhook(topic, shop, payload), payload: recording(payload, read) };
}

describe("include_fields", () => {
  const toml = parse(readFileSync(path.join(process.cwd(), "shopify.app.toml"), "utf8")) as {
    webhooks: { subscriptions: { topics?: string[]; include_fields?: string[] }[] };
  };

  it("shopify.app.toml subscribes every order and refund topic with exactly the listed fields", () => {
    const orderOrRefund = toml.webhooks.subscriptions.filter((s) =>
      (s.topics ?? []).some((t) => t.startsWith("orders/") || t.startsWith("refunds/")),
    );
    expect(orderOrRefund.flatMap((s) => s.topics).sort()).toEqual(Object.keys(SUBSCRIBED_FIELDS).sort());
    for (const subscription of orderOrRefund) {
      for (const topic of subscription.topics ?? []) {
        expect({ topic, fields: [...(subscription.include_fields ?? [])].sort() }).toEqual({
          topic,
          fields: [...SUBSCRIBED_FIELDS[topic]].sort(),
        });
      }
    }
  });

  it("the ingest functions read no top-level field outside the subscription", async () => {
    const readBy = new Map<string, Set<string>>();
    const seen = (topic: string) => readBy.get(topic) ?? readBy.set(topic, new Set()).get(topic)!;
    for (const topic of ORDER_TOPICS) {
      for (const [, payload] of orderPayloads()) {
        await ingestOrderWebhook(hookWith(topic, uniqueShop("fields").shop, payload, seen(topic)), NOW);
      }
    }
    for (const [, payload] of orderPayloads()) {
      await ingestCancelWebhook(
        hookWith("orders/cancelled", uniqueShop("fields").shop, payload, seen("orders/cancelled")),
        NOW,
      );
    }
    for (const [, payload] of refundPayloads()) {
      await ingestRefundWebhook(
        hookWith("refunds/create", uniqueShop("fields").shop, payload, seen("refunds/create")),
        NOW,
      );
    }
    for (const [topic, read] of readBy) {
      const unsubscribed = [...read].filter((field) => !SUBSCRIBED_FIELDS[topic].includes(field));
      expect({ topic, unsubscribed }).toEqual({ topic, unsubscribed: [] });
    }
  });

  it("order decisions on the reduced payload equal those on the full payload", async () => {
    for (const topic of ORDER_TOPICS) {
      for (const [name, payload] of orderPayloads()) {
        for (const [policyName, policy] of POLICIES) {
          const ctx = { shopDomain: "example-shop.myshopify.com", policy, now: NOW };
          const full = await decideOrderCreated(payload, ctx);
          const fromReduced = await decideOrderCreated(reduced(topic, payload), ctx);
          expect({ case: `${topic}: ${name}, ${policyName}`, decision: fromReduced }).toEqual({
            case: `${topic}: ${name}, ${policyName}`,
            decision: full,
          });
        }
      }
    }
  });

  it("cancellation and refund facts from the reduced payload equal those from the full payload", () => {
    for (const [name, payload] of orderPayloads()) {
      expect({ name, facts: parseCancellation(reduced("orders/cancelled", payload)) }).toEqual({
        name,
        facts: parseCancellation(payload),
      });
    }
    for (const [name, payload] of refundPayloads()) {
      expect({ name, facts: parseRefund(reduced("refunds/create", payload)) }).toEqual({
        name,
        facts: parseRefund(payload),
      });
    }
  });

  it("the fixtures exercise the paths: the decisions differ between them", async () => {
    const ctx = { shopDomain: "example-shop.myshopify.com", policy: DEFAULT_SHOP_POLICY, now: NOW };
    const outcomes = new Set<string>();
    for (const [, payload] of orderPayloads()) {
      const decision = await decideOrderCreated(payload, ctx);
      outcomes.add(decision.kind === "send" ? `send:${decision.opprefSource}` : `skip:${decision.reason}`);
    }
    expect(outcomes.size).toBeGreaterThanOrEqual(5);
  });
});
