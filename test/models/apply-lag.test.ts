/**
 * The apply lag shown on the admin's status header: the age of a shop's oldest webhook that was
 * acknowledged (stored) but not applied yet, and how the header words it.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { eventHealth } from "~/models/event-health.server";
import { appendToInbox, oldestUnappliedAgeMs } from "~/models/webhook-inbox.server";
import { applyLagFact } from "~/components/StatusHeader";
import { drainInbox } from "~/webhooks/inbox.server";
import { makeShopifyOrder } from "../../sim/order-factory";
import { configureShop, uniqueShop } from "../helpers/shops";

async function store(shop: string, receivedAt: Date) {
  await appendToInbox(
    {
      path: "/webhooks/orders/create",
      shop,
      topic: "orders/create",
      eventId: randomUUID(),
      webhookId: randomUUID(),
      apiVersion: "2026-10",
      triggeredAt: null,
      rawBody: JSON.stringify(makeShopifyOrder({ id: 980_000_000_000 + Math.floor(Math.random() * 1e9) })),
    },
    receivedAt,
  );
}

describe("apply lag", () => {
  it("is the age of the shop's oldest stored webhook, per shop, and 0 once applied", async () => {
    const a = uniqueShop("lag-a");
    const b = uniqueShop("lag-b");
    await configureShop(a.shop, { pixelId: a.pixelId, apiKey: a.apiKey });
    const now = new Date();
    expect(await oldestUnappliedAgeMs(now, a.shop)).toBe(0);
    await store(a.shop, new Date(now.getTime() - 90_000));
    await store(a.shop, new Date(now.getTime() - 10_000));
    await store(b.shop, new Date(now.getTime() - 600_000));
    // Not due while we look (other test files' appliers share this database), due again below.
    const ours = { shop: { in: [a.shop, b.shop] } };
    await prisma.webhookInbox.updateMany({ where: ours, data: { nextAttemptAt: new Date(now.getTime() + 3600_000) } });
    expect(await oldestUnappliedAgeMs(now, a.shop)).toBe(90_000);
    expect(await oldestUnappliedAgeMs(now, b.shop)).toBe(600_000);
    expect(await oldestUnappliedAgeMs(now)).toBeGreaterThanOrEqual(600_000);
    expect((await eventHealth(a.shop, now)).applyLagMs).toBe(90_000);

    await prisma.webhookInbox.updateMany({ where: ours, data: { nextAttemptAt: now } });
    await drainInbox();
    expect(await oldestUnappliedAgeMs(new Date(), a.shop)).toBe(0);
    expect(await oldestUnappliedAgeMs(new Date(), b.shop)).toBe(0); // refused (never installed), and gone
  });

  it("the header says up to date, then how far behind, and a problem past five minutes", () => {
    expect(applyLagFact(0)).toMatchObject({ id: "apply-lag", value: "Up to date" });
    expect(applyLagFact(4_999).value).toBe("Up to date");
    expect(applyLagFact(42_000).value).toBe("42 s behind");
    expect(applyLagFact(42_000).tone).toBeUndefined();
    expect(applyLagFact(299_000)).toMatchObject({ value: "5 min behind" });
    expect(applyLagFact(299_000).tone).toBeUndefined();
    expect(applyLagFact(300_000)).toMatchObject({ value: "5 min behind", tone: "critical" });
    expect(applyLagFact(3 * 3600_000)).toMatchObject({ value: "3 h behind", tone: "critical" });
  });
});
