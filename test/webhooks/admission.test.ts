/**
 * The Remix webhook routes run the same admission checks as the lean path (the attack suite covers
 * the lean path over HTTP): a signed body replayed under another topic, shop or URL is answered 200
 * and changes nothing; the genuine body still works.
 */
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { bodyFitsTopic, shopNamedByBody } from "~/webhooks/topic-bodies.server";
import { webhookRequest } from "../../sim/shopify-webhooks";
import { makeShopifyOrder } from "../../sim/order-factory";
import { addOfflineSession, BASE, callAction, compliancePayload, status } from "../compliance/helpers";
import { TEST_SECRET } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";
import { WEBHOOK_ROUTE_ACTIONS } from "../helpers/webhook-route-actions";

async function installed(label: string) {
  const s = uniqueShop(label);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  await addOfflineSession(s.shop);
  return s.shop;
}

const dataRequest = (shop: string) =>
  compliancePayload("customers/data_request", shop, { orders_requested: [1], data_request: { id: 7 } });

describe("topic bodies", () => {
  it("each genuine body fits its own topic only", () => {
    const shop = "a.myshopify.com";
    const bodies: Record<string, unknown> = {
      "customers/data_request": dataRequest(shop),
      "customers/redact": compliancePayload("customers/redact", shop, { orders_to_redact: [1] }),
      "shop/redact": compliancePayload("shop/redact", shop),
      "app/uninstalled": { id: 1, name: "A", domain: "a.example.com", myshopify_domain: shop },
      "app/scopes_update": { id: 1, previous: ["read_orders"], current: ["read_orders"], updated_at: "x" },
      "orders/create": makeShopifyOrder({ id: 1 }),
      "orders/cancelled": makeShopifyOrder({ id: 1, cancelledAt: new Date() }),
      "refunds/create": { id: 2, order_id: 1, refund_line_items: [], transactions: [], order_adjustments: [] },
    };
    for (const [topic, body] of Object.entries(bodies)) {
      for (const other of Object.keys(bodies)) {
        // A cancelled order is still an order: orders/create and orders/paid accept it.
        const expected = other === topic || (topic === "orders/cancelled" && other === "orders/create");
        expect(bodyFitsTopic(other, body), `${topic} body as ${other}`).toBe(expected);
      }
    }
    expect(bodyFitsTopic("orders/paid", bodies["orders/create"])).toBe(true);
    expect(bodyFitsTopic("products/update", {})).toBe(false);
    expect(shopNamedByBody("app/uninstalled", bodies["app/uninstalled"])).toBe(shop);
    expect(shopNamedByBody("orders/create", { domain: "x.myshopify.com" })).toBeNull();
  });
});

describe("Remix webhook routes refuse replays", () => {
  it("a data_request body as customers/redact, shop/redact or app/uninstalled changes nothing", async () => {
    const shop = await installed("route-replay");
    for (const topic of ["customers/redact", "shop/redact", "app/uninstalled"]) {
      expect(await status(topic, shop, dataRequest(shop))).toBe(200);
    }
    expect(await prisma.session.count({ where: { shop } })).toBe(1);
    expect(await prisma.shopSettings.count({ where: { shop } })).toBe(1);
  });

  it("an order body on the uninstall route, under either topic, and a topic the route is not subscribed to", async () => {
    const shop = await installed("route-topic");
    const body = JSON.stringify(makeShopifyOrder({ id: 424242 }));
    for (const topic of ["orders/create", "app/uninstalled"]) {
      const request = webhookRequest(BASE, { topic, shop, body, secret: TEST_SECRET });
      const onUninstallRoute = new Request(new URL("/webhooks/app/uninstalled", BASE), request);
      expect((await callAction(WEBHOOK_ROUTE_ACTIONS["app/uninstalled"], onUninstallRoute)).status).toBe(200);
    }
    const toRefunds = webhookRequest(BASE, { topic: "orders/create", shop, body, secret: TEST_SECRET });
    expect((await callAction(WEBHOOK_ROUTE_ACTIONS["refunds/create"], toRefunds)).status).toBe(200);
    expect(await prisma.session.count({ where: { shop } })).toBe(1);
    expect(await eventsOf(shop)).toHaveLength(0);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(0);
  });

  it("a never-installed shop, or a header outside myshopify.com, gets 200 and nothing", async () => {
    for (const shop of [uniqueShop("never").shop, "shop.example.com"]) {
      expect(await status("orders/create", shop, makeShopifyOrder({ id: 515151 }))).toBe(200);
      expect(await eventsOf(shop)).toHaveLength(0);
      expect(await prisma.orderLedger.count({ where: { shop } })).toBe(0);
    }
  });

  it("the genuine body still acts", async () => {
    const shop = await installed("route-genuine");
    expect(await status("app/uninstalled", shop, { id: 1, myshopify_domain: shop })).toBe(200);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
  });
});
