/**
 * The queue gauges' numbers, read from the database (SQLite here, Postgres with TEST_DATABASE_PROVIDER):
 * depths count what is waiting, the ages are those of the oldest waiting rows, quarantined inbox rows
 * are counted apart and do not hold the apply lag up for ever. Other tests share this database, so
 * the test compares with what was there before it.
 */
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { queueDepths } from "~/models/queue-depth.server";
import { appendToInbox, QUARANTINED_UNTIL } from "~/models/webhook-inbox.server";
import { eventRow } from "../helpers/reconciliation-rows";
import { configureShop, uniqueShop } from "../helpers/shops";

const HOUR = 3_600_000;

describe("queueDepths", () => {
  it("counts pending and sending events and inbox rows, and ages the oldest of each", async () => {
    // The apply lag is read from the lowest inbox id (ids follow arrival; production never backdates
    // receivedAt, this test does). The inbox starts empty (test/setup-env.ts), so the backdated rows
    // below are the oldest ones.
    const now = new Date();
    const before = await queueDepths(now);
    const { shop, pixelId, apiKey } = uniqueShop("depth");
    await configureShop(shop, { pixelId, apiKey });
    // Oldest pending: three hours old but in backoff (not due) — still waiting, so it counts.
    await prisma.conversionEvent.createMany({
      data: [
        eventRow({
          shop,
          status: "pending",
          createdAt: new Date(now.getTime() - 3 * HOUR),
          nextAttemptAt: new Date(now.getTime() + HOUR),
        }),
        eventRow({ shop, status: "pending", createdAt: new Date(now.getTime() - HOUR) }),
        eventRow({ shop, status: "sending", createdAt: new Date(now.getTime() - 5 * HOUR) }),
        eventRow({ shop, status: "delivered", createdAt: new Date(now.getTime() - 9 * HOUR) }),
      ],
    });
    const webhook = (eventId: string) => ({
      path: "/webhooks/orders/create",
      shop,
      topic: "orders/create",
      eventId,
      webhookId: eventId,
      apiVersion: "2026-10",
      triggeredAt: null,
      rawBody: "{}",
    });
    await appendToInbox(webhook(`q-${shop}`), new Date(now.getTime() - 10 * HOUR));
    await appendToInbox(webhook(`a-${shop}`), new Date(now.getTime() - 2 * HOUR));
    await prisma.webhookInbox.updateMany({
      where: { shop, eventId: `q-${shop}` },
      data: { nextAttemptAt: QUARANTINED_UNTIL },
    });

    const after = await queueDepths(now);
    expect(after.outbox - before.outbox).toBe(3);
    expect(after.inbox - before.inbox).toBe(2);
    expect(after.inboxQuarantined - before.inboxQuarantined).toBe(1);
    // The quarantined row (10 h) is not the apply lag; the 2 h one is (unless older rows were there).
    expect(after.oldestInboxAgeSeconds).toBeCloseTo(2 * 3600, 0);
    expect(after.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(3 * 3600);
    if (before.oldestPendingAgeSeconds < 3 * 3600) expect(after.oldestPendingAgeSeconds).toBeCloseTo(3 * 3600, 0);

    await prisma.conversionEvent.deleteMany({ where: { shop } });
    await prisma.webhookInbox.deleteMany({ where: { shop } });
  });
});
