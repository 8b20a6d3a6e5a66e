/**
 * A buyer with 5,000 orders: customers/data_request reports all of them and customers/redact erases
 * all of them, through the real route, on whichever database the suite runs on (SQLite by default,
 * Postgres with TEST_DATABASE_PROVIDER=postgres). Two lists of ids in one statement used to exceed
 * SQLite's 999 bound parameters from 499 orders on, and the erasure failed on every retry.
 */
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { customerDataReport } from "~/models/privacy.server";
import { addOfflineSession, compliancePayload, status } from "./helpers";
import { configureShop, uniqueShop } from "../helpers/shops";

const ORDERS = 5000;

async function buyerWithOrders(shop: string, first: number) {
  const ids = Array.from({ length: ORDERS }, (_, i) => String(first + i));
  const dedup = await Promise.all(ids.map((id) => dedupIdForOrder(id)));
  const now = new Date();
  for (let i = 0; i < ORDERS; i += 1000) {
    const slice = ids.slice(i, i + 1000);
    await prisma.conversionEvent.createMany({
      data: slice.map((orderId, j) => ({
        shop,
        eventType: "order_created",
        eventName: "order_created",
        eventId: dedup[i + j],
        orderId,
        orderDedupId: dedup[i + j],
        status: "delivered",
        occurredAt: now,
        expiresAt: now,
      })),
    });
    await prisma.orderLedger.createMany({
      data: slice.map((orderId, j) => ({
        shop,
        orderId,
        orderDedupId: dedup[i + j],
        grossMinor: 1000,
        netMinor: 1000,
      })),
    });
    await prisma.ledgerEntry.createMany({
      data: slice.map((orderId) => ({
        shop,
        orderId,
        entryKey: "refund:1",
        kind: "refund",
        requestedMinor: 100,
        occurredAt: now,
      })),
    });
    await prisma.pixelReceipt.createMany({
      data: slice.map((orderId) => ({ shop, orderId, consent: "granted", pixelStatus: "sent" })),
    });
  }
  return ids.map(Number);
}

async function held(shop: string) {
  const where = { where: { shop } };
  return [
    await prisma.conversionEvent.count(where),
    await prisma.orderLedger.count(where),
    await prisma.ledgerEntry.count(where),
    await prisma.pixelReceipt.count(where),
  ];
}

describe("a buyer with 5,000 orders", () => {
  it("customers/data_request reports them all and customers/redact erases them all", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("many-orders");
    await configureShop(shop, { pixelId, apiKey });
    await addOfflineSession(shop);
    const ids = await buyerWithOrders(shop, 880000000000);
    const bystander = uniqueShop("many-orders-bystander");
    await configureShop(bystander.shop, { pixelId: bystander.pixelId, apiKey: bystander.apiKey });
    await buyerWithOrders(bystander.shop, 880000000000);
    expect(await held(shop)).toEqual([ORDERS, ORDERS, ORDERS, ORDERS]);

    const request = compliancePayload("customers/data_request", shop, {
      orders_requested: ids,
      data_request: { id: 1 },
    });
    expect(await status("customers/data_request", shop, request)).toBe(200);
    const report = await customerDataReport({ shop, orders: ids, customer: null, dataRequestId: "1" });
    expect(report.ordersHeld).toHaveLength(ORDERS);
    expect(report.ordersHeld.every((o) => o.events.length === 1 && o.ledger && o.pixelReceipt)).toBe(true);

    const redact = compliancePayload("customers/redact", shop, { orders_to_redact: ids });
    expect(await status("customers/redact", shop, redact)).toBe(200);
    expect(await held(shop)).toEqual([0, 0, 0, 0]);
    expect(await held(bystander.shop)).toEqual([ORDERS, ORDERS, ORDERS, ORDERS]);
  }, 180_000);
});
