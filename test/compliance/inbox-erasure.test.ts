/**
 * customers/redact with WEBHOOK_ACK=stored: webhooks of the buyer that are stored but not yet applied
 * (their encrypted bodies hold the buyer's raw email, phone, name and address) are erased with the
 * rest, and no webhook of an erased order creates anything afterwards — neither one applied from
 * the inbox after the erasure nor one Shopify delivers again later. On the run's database (SQLite, or
 * Postgres with TEST_DATABASE_PROVIDER=postgres), through the real route actions and the inbox applier.
 */
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { rowsHeldForShop } from "~/models/privacy.server";
import { appendToInbox } from "~/models/webhook-inbox.server";
import { drainInbox } from "~/webhooks/inbox.server";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { configureShop, uniqueShop } from "../helpers/shops";
import { addOfflineSession, compliancePayload, status } from "./helpers";

let nextId = 8_700_000_000_000 + Math.floor(Math.random() * 1e9);

interface Buyer {
  customerId: number;
  email: string;
}
function buyer(label: string): Buyer {
  const n = Math.floor(Math.random() * 1e6);
  return { customerId: 6_100_000_000_000 + n, email: `${label}.${n}@Example.com` };
}

function orderBody(id: number, who: Buyer) {
  const body = makeShopifyOrder({ id, email: who.email, landingSite: "/?oppref=oa_c" });
  (body.customer as Record<string, unknown>).id = who.customerId;
  return body;
}

/** What the lean path stores for a verified webhook with WEBHOOK_ACK=stored. */
async function store(shop: string, topic: string, body: Record<string, unknown>) {
  const eventId = `evt-${nextId++}`;
  await appendToInbox({
    path: topic === "refunds/create" ? "/webhooks/refunds/create" : "/webhooks/orders/create",
    shop,
    topic,
    eventId,
    webhookId: `wh-${eventId}`,
    apiVersion: "2026-10",
    triggeredAt: null,
    rawBody: JSON.stringify(body),
  });
}

async function newShop(label: string) {
  const s = uniqueShop(label);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  await addOfflineSession(s.shop);
  return s.shop;
}

async function rowsForOrder(shop: string, orderId: number) {
  const id = String(orderId);
  const dedup = await dedupIdForOrder(orderId);
  const [events, ledgers, entries, inbox] = await Promise.all([
    prisma.conversionEvent.count({ where: { shop, OR: [{ orderId: id }, { orderDedupId: dedup }] } }),
    prisma.orderLedger.count({ where: { shop, orderId: id } }),
    prisma.ledgerEntry.count({ where: { shop, orderId: id } }),
    prisma.webhookInbox.count({ where: { shop } }),
  ]);
  return { events, ledgers, entries, inbox };
}

const redactBody = (shop: string, who: Buyer, orders: number[]) =>
  compliancePayload("customers/redact", shop, {
    customer: { id: who.customerId, email: who.email, phone: null },
    orders_to_redact: orders,
  });

describe("customers/redact reaches stored, not yet applied webhooks", () => {
  it("erases the buyer's waiting bodies (by order id, and by customer id or email for orders not listed), applies everyone else's", async () => {
    const shop = await newShop("inbox-redact");
    const jane = buyer("jane");
    const other = buyer("other");
    const listed = nextId++;
    const unlistedByEmail = nextId++;
    const unlistedById = nextId++;
    const kept = nextId++;
    await store(shop, "orders/create", orderBody(listed, jane));
    await store(shop, "refunds/create", makeShopifyRefund({ id: nextId++, orderId: listed, amount: "10.00" }));
    await store(shop, "orders/create", orderBody(unlistedByEmail, { ...jane, customerId: 1 }));
    await store(shop, "orders/create", {
      ...orderBody(unlistedById, jane),
      email: null,
      customer: { id: jane.customerId },
    });
    await store(shop, "orders/create", orderBody(kept, other));
    // The same buyer's order in another shop is not this shop's to erase.
    const elsewhere = await newShop("inbox-redact-bystander");
    await store(elsewhere, "orders/create", orderBody(listed, jane));

    expect(await status("customers/redact", shop, redactBody(shop, jane, [listed]))).toBe(200);
    // Only the other buyer's webhook is left waiting in this shop; the other shop's is untouched.
    expect(await prisma.webhookInbox.count({ where: { shop } })).toBe(1);
    expect(await prisma.webhookInbox.count({ where: { shop: elsewhere } })).toBe(1);
    await drainInbox();
    for (const id of [listed, unlistedByEmail, unlistedById])
      expect(await rowsForOrder(shop, id)).toEqual({ events: 0, ledgers: 0, entries: 0, inbox: 0 });
    expect((await rowsForOrder(shop, kept)).events).toBe(1);
    expect((await rowsForOrder(elsewhere, listed)).events).toBe(1);
  });

  it("an erased order's webhooks that come later change nothing: redelivered, or applied from the inbox after the erasure", async () => {
    const shop = await newShop("inbox-redact-late");
    const jane = buyer("jane");
    const applied = nextId++;
    // Already applied (its rows exist), then erased.
    expect(await status("orders/create", shop, orderBody(applied, jane))).toBe(200);
    expect((await rowsForOrder(shop, applied)).events).toBe(1);
    expect(await status("customers/redact", shop, redactBody(shop, jane, [applied]))).toBe(200);
    expect(await rowsForOrder(shop, applied)).toEqual({ events: 0, ledgers: 0, entries: 0, inbox: 0 });

    // Shopify delivers the order again under a new event id, and its refund: both acknowledged, refused.
    expect(await status("orders/create", shop, orderBody(applied, jane), { eventId: "late-redelivery" })).toBe(200);
    const refund = makeShopifyRefund({ id: nextId++, orderId: applied, amount: "5.00" });
    expect(await status("refunds/create", shop, refund)).toBe(200);
    // A stored copy that was claimed before the erasure and is applied only now.
    await store(shop, "orders/create", orderBody(applied, jane));
    expect(await drainInbox()).toMatchObject({ failed: 0 });
    expect(await rowsForOrder(shop, applied)).toEqual({ events: 0, ledgers: 0, entries: 0, inbox: 0 });
    expect(await prisma.webhookDelivery.count({ where: { shop, topic: "orders/create" } })).toBe(1);

    // The record of erased orders is a digest per order and goes with shop/redact.
    const held = await prisma.redactedOrder.findMany({ where: { shop } });
    expect(held).toEqual([expect.objectContaining({ orderDedupId: await dedupIdForOrder(applied) })]);
    expect(JSON.stringify(held)).not.toContain(String(applied));
    await prisma.session.deleteMany({ where: { shop } });
    expect(await status("shop/redact", shop, compliancePayload("shop/redact", shop))).toBe(200);
    expect((await rowsHeldForShop(shop)).redactedOrders).toBe(0);
  });

  it("a second buyer's order is still applied after the first buyer's erasure", async () => {
    const shop = await newShop("inbox-redact-other");
    const jane = buyer("jane");
    const other = buyer("other");
    const hers = nextId++;
    expect(await status("customers/redact", shop, redactBody(shop, jane, [hers]))).toBe(200);
    const his = nextId++;
    await store(shop, "orders/create", orderBody(his, other));
    await drainInbox();
    expect((await rowsForOrder(shop, his)).events).toBe(1);
  });
});
