/**
 * Bringing an erased buyer back: after customers/redact, captured signed bodies of the buyer's order
 * and refund are replayed under fresh event and webhook ids (Shopify's own redeliveries look the
 * same) to the production build with WEBHOOK_ACK=stored. They are stored and acknowledged like any
 * verified webhook, but once the inbox is applied no row of the database differs from before: no
 * event, ledger row, idempotency row or stored body of the erased order is left.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import prisma from "~/db/client.server";
import { drainInbox } from "~/webhooks/inbox.server";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { addOfflineSession, compliancePayload } from "../compliance/helpers";
import { TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";
import { attack, startProductionApp } from "./harness";

let app: AppProcess;
let nextId = 940000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  app = await startProductionApp({ WEBHOOK_ACK: "stored" });
});
afterAll(async () => {
  await app?.stop();
});

const post = (topic: string, shop: string, body: unknown, eventId?: string) =>
  sendWebhook(app.url, { topic, shop, body: JSON.stringify(body), secret: TEST_SECRET, eventId });

describe("an erased buyer's webhooks cannot bring their data back", () => {
  attack("captured order and refund bodies of an erased order replayed under new ids (stored ack)", async (strike) => {
    const s = uniqueShop("erased-replay");
    await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
    await addOfflineSession(s.shop);
    const id = nextId++;
    const email = `erased.${id}@example.com`;
    const order = makeShopifyOrder({ id, email, landingSite: "/?oppref=oa_attack" });
    const refund = makeShopifyRefund({ id: nextId++, orderId: id, amount: "10.00" });
    expect(await post("orders/create", s.shop, order)).toBe(200);
    expect(await post("refunds/create", s.shop, refund)).toBe(200);
    await drainInbox();
    expect(await prisma.orderLedger.count({ where: { shop: s.shop } })).toBe(1);
    const redact = compliancePayload("customers/redact", s.shop, {
      customer: { id: 191167, email },
      orders_to_redact: [id],
    });
    expect(await post("customers/redact", s.shop, redact)).toBe(200);
    await drainInbox();
    expect(await prisma.orderLedger.count({ where: { shop: s.shop } })).toBe(0);

    await strike(async () => {
      for (let i = 0; i < 3; i++) {
        expect(await post("orders/create", s.shop, order, `replay-order-${i}`)).toBe(200);
        expect(await post("refunds/create", s.shop, refund, `replay-refund-${i}`)).toBe(200);
      }
      expect(await drainInbox()).toMatchObject({ applied: 6, failed: 0 });
    });
  });
});
