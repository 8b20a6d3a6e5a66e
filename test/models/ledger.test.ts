/**
 * app/models/ledger.server.ts against the real SQLite test database: facts in any order, the ledger
 * recomputed from all of them. Each test uses its own shop domain.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import {
  CANCEL_ENTRY_KEY,
  correctionKeyOf,
  ensureLedgerRow,
  ledgerForOrder,
  ledgerSummary,
  recomputeLedger,
  recordLedgerEntry,
  recordOrderInLedger,
  refundEntryKey,
} from "~/models/ledger.server";

const shopFor = (label: string) => `${label}-${randomBytes(4).toString("hex")}.myshopify.com`;
let nextOrder = 930000000000 + Math.floor(Math.random() * 1e8);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 12, minute));

async function order(shop: string, orderId: string, grossMinor: number | null, currency = "USD") {
  await prisma.$transaction((tx) =>
    recordOrderInLedger(tx, {
      shop,
      orderId,
      orderDedupId: "placeholder-not-used-when-a-row-exists",
      orderName: "#1001",
      grossMinor,
      currency,
      paidAt: null,
      cancelled: null,
    }),
  );
}

async function refund(
  shop: string,
  orderId: string,
  refundId: string,
  minor: number,
  minute: number,
  currency: string | null = "USD",
) {
  return prisma.$transaction(async (tx) => {
    await ensureLedgerRow(tx, shop, orderId);
    const stored = await recordLedgerEntry(tx, {
      shop,
      orderId,
      entryKey: refundEntryKey(refundId),
      kind: "refund",
      requestedMinor: minor,
      currency,
      reason: null,
      occurredAt: at(minute),
    });
    await recomputeLedger(tx, shop, orderId);
    return stored.status;
  });
}

async function cancel(shop: string, orderId: string, minute: number, reason = "customer") {
  return prisma.$transaction(async (tx) => {
    await ensureLedgerRow(tx, shop, orderId);
    const stored = await recordLedgerEntry(tx, {
      shop,
      orderId,
      entryKey: CANCEL_ENTRY_KEY,
      kind: "cancel",
      requestedMinor: 0,
      currency: null,
      reason,
      occurredAt: at(minute),
    });
    await recomputeLedger(tx, shop, orderId);
    return stored.status;
  });
}

async function view(shop: string, orderId: string) {
  const v = await ledgerForOrder(shop, orderId);
  if (!v) throw new Error("no ledger");
  return {
    gross: v.ledger.grossMinor,
    refunded: v.ledger.refundedMinor,
    cancelled: v.ledger.cancelledMinor,
    net: v.ledger.netMinor,
    entries: v.entries.map((e) => [e.entryKey, e.requestedMinor, e.appliedMinor]),
  };
}

describe("ledger model", () => {
  it("two partial refunds accumulate", async () => {
    const shop = shopFor("partials");
    const id = String(nextOrder++);
    await order(shop, id, 12999);
    await refund(shop, id, "r1", 3000, 1);
    await refund(shop, id, "r2", 2000, 2);
    expect(await view(shop, id)).toEqual({
      gross: 12999,
      refunded: 5000,
      cancelled: 0,
      net: 7999,
      entries: [
        ["refund:r1", 3000, 3000],
        ["refund:r2", 2000, 2000],
      ],
    });
  });

  it("a refund larger than what remains is clamped and recorded (applied < requested)", async () => {
    const shop = shopFor("clamp");
    const id = String(nextOrder++);
    await order(shop, id, 5000);
    await refund(shop, id, "r1", 4000, 1);
    await refund(shop, id, "r2", 3000, 2);
    expect(await view(shop, id)).toEqual({
      gross: 5000,
      refunded: 5000,
      cancelled: 0,
      net: 0,
      entries: [
        ["refund:r1", 4000, 4000],
        ["refund:r2", 3000, 1000],
      ],
    });
  });

  it("the same refund stored twice counts once", async () => {
    const shop = shopFor("dupe");
    const id = String(nextOrder++);
    await order(shop, id, 1000);
    expect(await refund(shop, id, "r1", 300, 1)).toBe("created");
    expect(await refund(shop, id, "r1", 300, 1)).toBe("exists");
    expect((await view(shop, id)).net).toBe(700);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(1);
  });

  it("a refund before its order is kept (net unknown) and applied when the order arrives", async () => {
    const shop = shopFor("early");
    const id = String(nextOrder++);
    await refund(shop, id, "r1", 1500, 1);
    const early = await ledgerForOrder(shop, id);
    expect(early?.ledger).toMatchObject({
      grossMinor: null,
      netMinor: null,
      orderSeenAt: null,
      orderDedupId: await dedupIdForOrder(id),
    });
    expect(early?.entries.map((e) => [e.requestedMinor, e.appliedMinor])).toEqual([[1500, 0]]);

    await order(shop, id, 8000);
    expect(await view(shop, id)).toEqual({
      gross: 8000,
      refunded: 1500,
      cancelled: 0,
      net: 6500,
      entries: [["refund:r1", 1500, 1500]],
    });
    // The placeholder's dedup id is THE dedup id, whatever the caller passed.
    expect((await ledgerForOrder(shop, id))?.ledger.orderDedupId).toBe(await dedupIdForOrder(id));
  });

  it("cancel + refund of the same money reverses it once, whichever arrives first", async () => {
    for (const cancelFirst of [true, false]) {
      const shop = shopFor("cancelrefund");
      const id = String(nextOrder++);
      await order(shop, id, 12999);
      if (cancelFirst) {
        await cancel(shop, id, 1);
        // Alone, the cancellation reverses everything.
        expect((await view(shop, id)).cancelled).toBe(12999);
        await refund(shop, id, "r1", 12999, 1);
      } else {
        await refund(shop, id, "r1", 12999, 1);
        await cancel(shop, id, 1);
      }
      const result = await view(shop, id);
      expect(result).toMatchObject({ gross: 12999, refunded: 12999, cancelled: 0, net: 0 });
      const ledger = (await ledgerForOrder(shop, id))!.ledger;
      expect(ledger.cancelledAt).toEqual(at(1));
      expect(ledger.cancelReason).toBe("customer");
    }
  });

  it("a cancel after a partial refund reverses only the rest", async () => {
    const shop = shopFor("partialcancel");
    const id = String(nextOrder++);
    await order(shop, id, 10000);
    await refund(shop, id, "r1", 2500, 1);
    await cancel(shop, id, 2);
    expect(await view(shop, id)).toEqual({
      gross: 10000,
      refunded: 2500,
      cancelled: 7500,
      net: 0,
      entries: [
        ["refund:r1", 2500, 2500],
        ["cancel", 0, 7500],
      ],
    });
  });

  it("is exact in a 0-decimal (JPY) and a 3-decimal (KWD) currency", async () => {
    const shop = shopFor("decimals");
    const jpy = String(nextOrder++);
    const kwd = String(nextOrder++);
    await order(shop, jpy, 8900, "JPY");
    await refund(shop, jpy, "j1", 1500, 1, "JPY");
    await refund(shop, jpy, "j2", 1, 2, "JPY");
    await order(shop, kwd, 12345, "KWD");
    await refund(shop, kwd, "k1", 1005, 1, "KWD");
    await refund(shop, kwd, "k2", 1, 2, "KWD");
    expect((await view(shop, jpy)).net).toBe(7399);
    expect((await view(shop, kwd)).net).toBe(11339);
  });

  it("a refund in another currency than the order's is kept but applies nothing", async () => {
    const shop = shopFor("fx");
    const id = String(nextOrder++);
    await order(shop, id, 10000, "EUR");
    await refund(shop, id, "r1", 2000, 1, "USD");
    expect(await view(shop, id)).toMatchObject({ net: 10000, refunded: 0, entries: [["refund:r1", 2000, 0]] });
  });

  it("a second order webhook (orders/paid after orders/create) keeps the gross and the corrections", async () => {
    const shop = shopFor("paid");
    const id = String(nextOrder++);
    await order(shop, id, 5000);
    await refund(shop, id, "r1", 1000, 1);
    await order(shop, id, 9999);
    expect(await view(shop, id)).toMatchObject({ gross: 5000, net: 4000 });
  });

  it("correctionKeyOf gives the refund id or 'cancel'", () => {
    expect(correctionKeyOf({ kind: "refund", entryKey: "refund:929361463" })).toBe("929361463");
    expect(correctionKeyOf({ kind: "cancel", entryKey: "cancel" })).toBe("cancel");
  });

  it("ledgerSummary: gross, refunded, cancelled and net per currency, never mixed", async () => {
    const shop = shopFor("summary");
    const [a, b, c, d, early] = Array.from({ length: 5 }, () => String(nextOrder++));
    const from = new Date(Date.now() - 60_000);
    await order(shop, a, 10000, "USD");
    await refund(shop, a, "a1", 2500, 1);
    await order(shop, b, 5000, "USD");
    await cancel(shop, b, 1);
    await order(shop, c, 8900, "JPY");
    await refund(shop, c, "c1", 900, 1, "JPY");
    await order(shop, d, 12345, "KWD");
    await refund(shop, early, "e1", 100, 1);
    const to = new Date(Date.now() + 60_000);

    expect(await ledgerSummary(shop, { from, to })).toEqual({
      currencies: [
        { currency: "JPY", orders: 1, grossMinor: 8900, refundedMinor: 900, cancelledMinor: 0, netMinor: 8000 },
        { currency: "KWD", orders: 1, grossMinor: 12345, refundedMinor: 0, cancelledMinor: 0, netMinor: 12345 },
        { currency: "USD", orders: 2, grossMinor: 15000, refundedMinor: 2500, cancelledMinor: 5000, netMinor: 7500 },
      ],
      awaitingOrder: 1,
    });
    // Outside the range: nothing.
    expect(await ledgerSummary(shop, { from: new Date(0), to: from })).toEqual({ currencies: [], awaitingOrder: 0 });
    // Another shop sees nothing of this one.
    expect(await ledgerSummary(shopFor("other"), { from, to })).toEqual({ currencies: [], awaitingOrder: 0 });
  });
});
