/**
 * Demo data for the reconciliation page: two weeks of a small shop's orders with the outcomes a real
 * shop sees (mostly accepted, a few waiting/rejected/expired, test orders, consent refusals, POS
 * orders), pixel receipts that were sent, blocked, not sent or never came, refunds and a
 * cancellation, in USD with a few EUR orders. Deterministic (seeded), so screenshots are comparable.
 */
import type { PrismaClient } from "@prisma/client";
import { eventRow, ledgerRow, receiptRow } from "./reconciliation-rows";
import { seededRandom } from "./seeded-random";

export interface DemoSeed {
  orders: number;
  corrections: number;
  receipts: number;
}

export async function seedReconciliationDemo(
  db: PrismaClient,
  shop: string,
  options: { now?: Date; days?: number; seed?: number } = {},
): Promise<DemoSeed> {
  const now = options.now ?? new Date();
  const days = options.days ?? 14;
  const rnd = seededRandom(options.seed ?? 20261125);
  const pick = <T>(table: [number, T][]): T => {
    let x = rnd();
    for (const [p, value] of table) {
      if ((x -= p) < 0) return value;
    }
    return table[table.length - 1][1];
  };

  const events: ReturnType<typeof eventRow>[] = [];
  const receipts: ReturnType<typeof receiptRow>[] = [];
  const ledger: ReturnType<typeof ledgerRow>[] = [];
  let orderNo = 1001;
  let orderId = 5_550_000_000_000;

  for (let d = days - 1; d >= 0; d--) {
    const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - d);
    const perDay = 14 + Math.floor(rnd() * 16) + (d % 7 === 1 || d % 7 === 2 ? 8 : 0);
    for (let k = 0; k < perDay; k++) {
      const createdAt = new Date(dayStart + Math.floor(rnd() * 86_000_000));
      if (createdAt > now) continue;
      const id = String(++orderId);
      const currency = rnd() < 0.12 ? "EUR" : "USD";
      const gross = 1500 + Math.floor(rnd() * 18_000);
      const ageHours = (now.getTime() - createdAt.getTime()) / 3_600_000;
      const outcome = pick<[string, string | null]>([
        [0.8, ["delivered", null]],
        [0.045, ["skipped", "test_order"]],
        [0.035, ["skipped", "consent_denied"]],
        [0.03, ["skipped", "pos_order"]],
        [0.02, ["skipped", "no_consent_signal"]],
        [0.012, ["rejected", "rejected_by_openai"]],
        [0.008, ["skipped", "cancelled_before_send"]],
        [0.05, ["pending", null]],
      ]);
      let [status, skipReason] = outcome;
      // Old undelivered events have expired; recent ones are still waiting.
      if (status === "pending" && ageHours > 7 * 24) [status, skipReason] = ["expired", "expired"];
      if (status === "pending" && ageHours > 6) [status, skipReason] = ["delivered", null];
      // The last few hours always have some orders still in the queue (grace period, a retry).
      if (status === "delivered" && ageHours < 4 && rnd() < 0.35) [status, skipReason] = ["pending", null];
      const delivered = status === "delivered";
      const pixel =
        skipReason === "pos_order"
          ? null
          : pick<[string, string] | null>([
              [0.66, ["sent", "granted"]],
              [0.12, ["blocked", "granted"]],
              [0.05, ["not_sent", "denied"]],
              [0.17, null],
            ]);
      const opprefSource = !delivered
        ? null
        : pixel?.[0] === "sent" && rnd() < 0.55
          ? "receipt"
          : pick<string>([
              [0.18, "landing_site"],
              [0.05, "note_attributes"],
              [0.77, "none"],
            ]);
      events.push(
        eventRow({
          shop,
          createdAt,
          status,
          skipReason,
          orderId: id,
          orderName: `#${orderNo++}`,
          amountMinor: gross,
          currency,
          attempts: delivered || status === "rejected" ? 1 : status === "pending" ? Math.floor(rnd() * 3) : 0,
          lastStatus: delivered ? 200 : status === "rejected" ? 422 : null,
          lastError:
            status === "rejected"
              ? "invalid_event: events[0].data.contents[0].quantity must be a positive integer"
              : null,
          deliveredAt: delivered ? new Date(createdAt.getTime() + 125_000) : null,
          oppref: opprefSource && opprefSource !== "none" ? `op_demo_${id}` : null,
          opprefSource,
        }),
      );
      const refunded = delivered && rnd() < 0.06 ? Math.floor(gross / 2) : 0;
      const cancelled = delivered && !refunded && rnd() < 0.02;
      ledger.push(
        ledgerRow({
          shop,
          orderId: id,
          currency,
          grossMinor: gross,
          refundedMinor: refunded,
          cancelledMinor: cancelled ? gross : 0,
          cancelledAt: cancelled ? new Date(createdAt.getTime() + 3_600_000) : null,
          netMinor: cancelled ? 0 : gross - refunded,
          createdAt,
          orderSeenAt: createdAt,
        }),
      );
      if (refunded || cancelled) {
        const at = new Date(Math.min(now.getTime() - 60_000, createdAt.getTime() + 3_600_000));
        const correctionDelivered = rnd() < 0.9;
        events.push(
          eventRow({
            shop,
            createdAt: at,
            eventType: "custom",
            eventName: cancelled ? "order_cancelled" : "order_refunded",
            status: correctionDelivered ? "delivered" : "pending",
            orderId: id,
            amountMinor: cancelled ? gross : refunded,
            currency,
            attempts: correctionDelivered ? 1 : 0,
            lastStatus: correctionDelivered ? 200 : null,
            deliveredAt: correctionDelivered ? new Date(at.getTime() + 30_000) : null,
          }),
        );
      }
      if (pixel)
        receipts.push(
          receiptRow({
            shop,
            orderId: id,
            pixelStatus: pixel[0],
            consent: pixel[1],
            receivedAt: new Date(createdAt.getTime() - 4000),
          }),
        );
    }
  }
  // Orders from the last hour or two are still in the queue (grace period, a retry after a 503).
  for (const [minutesAgo, attempts] of [
    [3, 0],
    [41, 1],
    [97, 2],
  ] as const) {
    const createdAt = new Date(now.getTime() - minutesAgo * 60_000);
    const id = String(++orderId);
    const gross = 2500 + minutesAgo * 37;
    events.push(
      eventRow({
        shop,
        createdAt,
        status: "pending",
        orderId: id,
        orderName: `#${orderNo++}`,
        amountMinor: gross,
        currency: "USD",
        attempts,
        lastStatus: attempts > 0 ? 503 : null,
        lastError: attempts > 0 ? "server_error: The server is temporarily unavailable" : null,
      }),
    );
    ledger.push(
      ledgerRow({
        shop,
        orderId: id,
        currency: "USD",
        grossMinor: gross,
        netMinor: gross,
        createdAt,
        orderSeenAt: createdAt,
      }),
    );
    receipts.push(
      receiptRow({
        shop,
        orderId: id,
        pixelStatus: attempts === 2 ? "blocked" : "sent",
        receivedAt: new Date(createdAt.getTime() - 3000),
      }),
    );
  }

  await db.conversionEvent.createMany({ data: events });
  await db.pixelReceipt.createMany({ data: receipts });
  await db.orderLedger.createMany({ data: ledger });
  return {
    orders: events.filter((e) => e.eventType === "order_created").length,
    corrections: events.filter((e) => e.eventType === "custom").length,
    receipts: receipts.length,
  };
}
