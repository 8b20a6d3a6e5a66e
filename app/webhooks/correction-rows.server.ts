/**
 * Outbox rows that corrections (refunds, cancellations) and order-value changes write the same way:
 * a correction that is recorded but not sent, and a body that could not be read. One shape for both
 * paths, so the event log shows them alike.
 */
import type { SkipReason } from "~/conversions/skip-reasons";
import type { NewConversionEvent } from "~/models/conversion-events.server";

/** A correction's row before its decision: who, which order, which derived id, when. */
export type CorrectionRowBase = Omit<NewConversionEvent, "status" | "payload" | "amountMinor" | "currency">;

/** Recorded, never sent, with the reason the merchant sees in the event log. */
export function skippedCorrectionRow(base: CorrectionRowBase, reason: SkipReason, detail: string): NewConversionEvent {
  return {
    ...base,
    status: "skipped",
    skipReason: reason,
    lastError: detail,
    payload: null,
    amountMinor: null,
    currency: null,
  };
}

/** A body that could not be read: the merchant's only trace of it (no order, no id, nothing sent). */
export function malformedCorrectionRow(shop: string, eventName: string, detail: string, now: Date): NewConversionEvent {
  return {
    shop,
    eventType: "custom",
    eventName,
    eventId: null,
    orderId: null,
    orderName: null,
    orderDedupId: null,
    status: "skipped",
    skipReason: "malformed_payload",
    lastError: detail,
    payload: null,
    amountMinor: null,
    currency: null,
    occurredAt: now,
    expiresAt: now,
  };
}
