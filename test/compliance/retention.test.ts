/**
 * Retention (app/outbox/retention.server.ts): finished events, receipts and webhook idempotency rows
 * older than RETENTION_DAYS go, in small batches; open events and the ledger stay; user data leaves
 * finished events once OpenAI's 7-day window has closed.
 */
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import {
  DEFAULT_RETENTION_DAYS,
  purgeExpiredData,
  resetRetentionSchedule,
  retentionDaysFromEnv,
  RETENTION_INTERVAL_MS,
  runRetentionIfDue,
  withoutUserData,
} from "~/outbox/retention.server";
import { uniqueShop } from "../helpers/shops";

const DAY = 24 * 3600 * 1000;
// Rows are back-dated from the real "now": rows other tests write meanwhile are young and untouched.
const NOW = new Date();
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

const PAYLOAD = JSON.stringify({
  id: "o1_x",
  type: "order_created",
  timestamp_ms: 1,
  action_source: "web",
  user: { emails_sha256: ["ab".repeat(32)], ip_address: "203.0.113.10", cities: ["san francisco"] },
  data: { type: "contents", amount: 100, currency: "USD" },
});

async function event(shop: string, status: string, createdAt: Date, payload: string | null = PAYLOAD) {
  return prisma.conversionEvent.create({
    data: {
      shop,
      eventType: "order_created",
      eventName: "order_created",
      eventId: `e_${randomBytes(6).toString("hex")}`,
      orderId: String(Math.floor(Math.random() * 1e12)),
      status,
      payload,
      amountMinor: 100,
      currency: "USD",
      occurredAt: createdAt,
      expiresAt: new Date(createdAt.getTime() + 7 * DAY),
      createdAt,
    },
  });
}

let shop: string;
beforeEach(async () => {
  shop = uniqueShop("retention").shop;
  resetRetentionSchedule();
  // Back-dated rows left by earlier tests of this file would count in the totals below.
  const mine = { shop: { startsWith: "retention-" } };
  await prisma.conversionEvent.deleteMany({ where: mine });
  await prisma.pixelReceipt.deleteMany({ where: mine });
  await prisma.webhookDelivery.deleteMany({ where: mine });
});

describe("purgeExpiredData", () => {
  it("deletes finished events older than the retention age and nothing else", async () => {
    const old = await Promise.all(
      ["delivered", "skipped", "rejected", "expired"].map((s) => event(shop, s, daysAgo(91))),
    );
    const young = await Promise.all(["delivered", "skipped"].map((s) => event(shop, s, daysAgo(89))));
    const open = await Promise.all(["pending", "sending"].map((s) => event(shop, s, daysAgo(200))));
    await prisma.orderLedger.create({
      data: {
        shop,
        orderId: "1",
        orderDedupId: "o1_l",
        grossMinor: 100,
        netMinor: 100,
        currency: "USD",
        createdAt: daysAgo(400),
      },
    });

    const report = await purgeExpiredData({ now: NOW, retentionDays: 90, batchSize: 3 });
    expect(report.events).toBe(4);
    expect(report.complete).toBe(true);
    const left = await prisma.conversionEvent.findMany({ where: { shop }, select: { id: true } });
    expect(left.map((r) => r.id).sort()).toEqual([...young, ...open].map((r) => r.id).sort());
    expect(old.every((r) => !left.some((l) => l.id === r.id))).toBe(true);
    expect(await prisma.orderLedger.count({ where: { shop } })).toBe(1); // the ledger is kept
  });

  it("removes the user object from finished events past OpenAI's 7-day window, keeping amounts", async () => {
    const finishedOld = await event(shop, "delivered", daysAgo(8));
    const finishedNew = await event(shop, "delivered", daysAgo(6));
    const pendingOld = await event(shop, "pending", daysAgo(8));
    const report = await purgeExpiredData({ now: NOW, retentionDays: 90 });
    expect(report.userDataRemoved).toBe(1);
    const rows = await prisma.conversionEvent.findMany({ where: { shop } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const stripped = JSON.parse(byId.get(finishedOld.id)!.payload!);
    expect(stripped.user).toBeUndefined();
    expect(stripped.data).toEqual({ type: "contents", amount: 100, currency: "USD" });
    expect(byId.get(finishedNew.id)!.payload).toBe(PAYLOAD);
    expect(byId.get(pendingOld.id)!.payload).toBe(PAYLOAD);
    // Idempotent: nothing left to strip.
    expect((await purgeExpiredData({ now: NOW, retentionDays: 90 })).userDataRemoved).toBe(0);
  });

  it("deletes old receipts and webhook idempotency rows", async () => {
    await prisma.pixelReceipt.create({
      data: { shop, orderId: "1", consent: "granted", pixelStatus: "sent", oppref: "x", receivedAt: daysAgo(100) },
    });
    await prisma.pixelReceipt.create({
      data: { shop, orderId: "2", consent: "granted", pixelStatus: "sent", receivedAt: daysAgo(10) },
    });
    await prisma.webhookDelivery.create({
      data: { shop, topic: "orders/create", eventId: "old", receivedAt: daysAgo(100) },
    });
    await prisma.webhookDelivery.create({
      data: { shop, topic: "orders/create", eventId: "new", receivedAt: daysAgo(1) },
    });
    const report = await purgeExpiredData({ now: NOW, retentionDays: 90 });
    expect(report).toMatchObject({ receipts: 1, webhookDeliveries: 1 });
    expect((await prisma.pixelReceipt.findMany({ where: { shop } })).map((r) => r.orderId)).toEqual(["2"]);
    expect((await prisma.webhookDelivery.findMany({ where: { shop } })).map((r) => r.eventId)).toEqual(["new"]);
  });

  it("works in bounded batches: a run stops at maxBatches and says it is not complete", async () => {
    for (let i = 0; i < 7; i++) await event(shop, "delivered", daysAgo(120), null);
    const first = await purgeExpiredData({ now: NOW, retentionDays: 90, batchSize: 2, maxBatches: 2 });
    expect(first).toMatchObject({ events: 4, complete: false });
    const second = await purgeExpiredData({ now: NOW, retentionDays: 90, batchSize: 2, maxBatches: 2 });
    expect(second).toMatchObject({ events: 3, complete: true });
    expect(await prisma.conversionEvent.count({ where: { shop } })).toBe(0);
  });
});

describe("runRetentionIfDue (the worker loop's call)", () => {
  it("runs at most once per interval and never throws", async () => {
    await event(shop, "delivered", daysAgo(100), null);
    const first = await runRetentionIfDue(NOW, { retentionDays: 90 });
    expect(first?.events).toBe(1);
    await event(shop, "delivered", daysAgo(100), null);
    expect(await runRetentionIfDue(new Date(NOW.getTime() + 60_000), { retentionDays: 90 })).toBeNull();
    const later = await runRetentionIfDue(new Date(NOW.getTime() + RETENTION_INTERVAL_MS), { retentionDays: 90 });
    expect(later?.events).toBe(1);
    // A broken configuration is logged, not thrown into the worker loop.
    resetRetentionSchedule();
    await expect(runRetentionIfDue(NOW, { retentionDays: Number.NaN })).resolves.toBeNull();
  });
});

describe("RETENTION_DAYS", () => {
  it("defaults to 90 and accepts whole days from 8 to 3650", () => {
    expect(retentionDaysFromEnv({})).toBe(DEFAULT_RETENTION_DAYS);
    expect(retentionDaysFromEnv({ RETENTION_DAYS: "" })).toBe(90);
    expect(retentionDaysFromEnv({ RETENTION_DAYS: " 30 " })).toBe(30);
    for (const bad of ["7", "0", "-1", "3651", "30.5", "ninety", "1e3"]) {
      expect(() => retentionDaysFromEnv({ RETENTION_DAYS: bad })).toThrow(/RETENTION_DAYS must be a whole number/);
    }
    try {
      retentionDaysFromEnv({ RETENTION_DAYS: "secret-looking-value" });
    } catch (error) {
      expect((error as Error).message).not.toContain("secret-looking-value");
    }
  });
});

describe("withoutUserData", () => {
  it("drops only the user object; unreadable payloads are dropped whole", () => {
    expect(JSON.parse(withoutUserData(PAYLOAD)!)).toEqual({
      id: "o1_x",
      type: "order_created",
      timestamp_ms: 1,
      action_source: "web",
      data: { type: "contents", amount: 100, currency: "USD" },
    });
    expect(withoutUserData(null)).toBeNull();
    expect(withoutUserData("{broken")).toBeNull();
    expect(withoutUserData("[1]")).toBeNull();
  });
});
