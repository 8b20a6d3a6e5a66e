/**
 * Builders for the rows the reconciliation reads (ConversionEvent, PixelReceipt, OrderLedger), with
 * every required column filled and every interesting one explicit. Shared by the model tests, the
 * event-log tests and the e2e demo data.
 */
import type { Prisma } from "@prisma/client";

let seq = 0;
const next = () => `${Date.now().toString(36)}${(++seq).toString(36).padStart(5, "0")}`;

export type EventInput = Partial<Prisma.ConversionEventCreateManyInput> & {
  shop: string;
  createdAt: Date;
  status: string;
};

export function eventRow(input: EventInput): Prisma.ConversionEventCreateManyInput {
  const id = next();
  const type = input.eventType ?? "order_created";
  const occurredAt = input.occurredAt ?? new Date(input.createdAt.getTime() - 1000);
  return {
    eventType: type,
    eventName: type === "order_created" ? "order_created" : "order_refunded",
    eventId: `${type === "order_created" ? "o1" : "r1"}_${id}`,
    orderId: input.orderId === undefined ? String(6_000_000_000_000 + seq) : input.orderId,
    orderName: `#${1000 + seq}`,
    orderDedupId: `o1_${id}`,
    skipReason: null,
    payload:
      input.status === "skipped"
        ? null
        : JSON.stringify({
            id: `o1_${id}`,
            type,
            action_source: "web",
            data: { type: "contents" },
            user: { emails_sha256: ["ab".repeat(32)] },
          }),
    amountMinor: null,
    currency: null,
    occurredAt,
    expiresAt: new Date(new Date(occurredAt).getTime() + 7 * 86_400_000),
    updatedAt: input.createdAt,
    ...input,
  };
}

/** A CAPI payload as the pipeline stores it, with a chosen action_source. */
export function payloadWith(actionSource: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: "o1_x",
    type: "order_created",
    timestamp_ms: 1,
    action_source: actionSource,
    data: { type: "contents", amount: 100, currency: "USD" },
    ...extra,
  });
}

export function receiptRow(
  input: Partial<Prisma.PixelReceiptCreateManyInput> & { shop: string; orderId: string; receivedAt: Date },
): Prisma.PixelReceiptCreateManyInput {
  // The token the order's ledger row gets by default (ledgerRow): only a matching receipt is believed.
  return { checkoutToken: `chk${input.orderId}`, oppref: null, consent: "granted", pixelStatus: "sent", ...input };
}

export function ledgerRow(
  input: Partial<Prisma.OrderLedgerCreateManyInput> & { shop: string; orderId: string },
): Prisma.OrderLedgerCreateManyInput {
  const gross = input.grossMinor === undefined ? 1000 : input.grossMinor;
  return {
    orderDedupId: `o1_${next()}`,
    currency: "USD",
    grossMinor: gross,
    netMinor: gross,
    refundedMinor: 0,
    cancelledMinor: 0,
    orderSeenAt: new Date(),
    checkoutToken: `chk${input.orderId}`,
    ...input,
  };
}
