/**
 * refunds/create and orders/cancelled: what must happen before the 200, in the transaction that marks
 * the webhook as seen (a batch of them: app/webhooks/apply-batch.server.ts) — store the ledger entry
 * (one per Shopify refund id, one for the cancellation), recompute the order's net, and queue ONE correction event per entry (or record why none is sent).
 *
 * What is NOT decided here: the amount reported to OpenAI and whether to report at all. Both depend on
 * facts that can change until the event goes out (the order may not have arrived yet, its
 * order_created may still be waiting or end up skipped, a cancel's accompanying refund may still be on
 * its way, another correction may already have reported the money). The delivery worker decides them
 * at send time (app/outbox/send-time.server.ts); the payload stored here is the best estimate so far.
 *
 * Ids: derivedEventId(order dedup id, "refund", refund id) / (…, "cancel", "cancel"), so a redelivered
 * webhook — same or new X-Shopify-Event-Id — finds the existing row by its business key and never
 * becomes a second event.
 */
import { isValidCustomEventName, type CapiEvent } from "~/conversions/capi-event";
import { buildCorrectionEvent, parseCancellation, parseRefund } from "~/conversions/correction-event";
import { derivedEventId, type DedupId } from "~/conversions/dedup-id";
import { MAX_EVENT_AGE_MS, MAX_FUTURE_MS } from "~/conversions/order-event";
import { DEFAULT_SHOP_POLICY, type ShopPolicy } from "~/conversions/shop-policy";
import { malformedCorrectionRow, skippedCorrectionRow, type CorrectionRowBase } from "./correction-rows.server";
import type { NewConversionEvent } from "~/models/conversion-events.server";
import { CANCEL_ENTRY_KEY, refundEntryKey, type OrderLedgerView } from "~/models/ledger.server";
import { CANCEL_SETTLE_MS, correctionSourceUrl } from "~/outbox/send-time.server";
import { applyWebhook, crossShopRefusal, type IngestResult, type WebhookPlanner } from "./apply-batch.server";
import type { VerifiedWebhook } from "./verify.server";

type CorrectionKind = "refund" | "cancel";

export async function ingestRefundWebhook(hook: VerifiedWebhook, now: Date = new Date()): Promise<IngestResult> {
  return applyWebhook(hook, planRefundWebhook, { now });
}

export async function ingestCancelWebhook(hook: VerifiedWebhook, now: Date = new Date()): Promise<IngestResult> {
  return applyWebhook(hook, planCancelWebhook, { now });
}

/** refunds/create: parsed by the pure core now; the effects follow in the batch, in arrival order. */
export const planRefundWebhook: WebhookPlanner = async (hook, policy, now) => {
  const eventName = correctionEventName(policy, "refund");
  const parsed = parseRefund(hook.payload);

  return {
    orderIds: parsed.ok ? [parsed.refund.orderId] : [],
    apply: async (state) => {
      if (!parsed.ok) {
        // Acknowledged (Shopify would retry a broken payload for hours) and recorded: the merchant's only trace.
        state.insertEventOnce(malformedCorrectionRow(hook.shop, eventName, parsed.detail, now));
        return;
      }
      const refund = parsed.refund;
      const refused = crossShopRefusal(state, hook.shop, refund.orderId);
      if (refused) return { rejected: refused };
      await state.ensureLedgerRow(hook.shop, refund.orderId);
      state.recordLedgerEntry({
        shop: hook.shop,
        orderId: refund.orderId,
        entryKey: refundEntryKey(refund.refundId),
        kind: "refund",
        requestedMinor: refund.amountMinor,
        currency: refund.currency === "" ? null : refund.currency,
        reason: null,
        occurredAt: refund.occurredAt,
      });
      const view = state.recomputeLedger(hook.shop, refund.orderId)!;
      const entry = view.entries.find((e) => e.entryKey === refundEntryKey(refund.refundId))!;

      const occurredAt = eventTime(entry.occurredAt, now);
      const base = await correctionBase(hook.shop, view, "refund", refund.refundId, eventName, occurredAt);
      let row: NewConversionEvent;
      if (!policy.correctionsEnabled) {
        row = skippedCorrectionRow(base, "corrections_disabled", "refund and cancellation reporting is turned off");
      } else if (entry.requestedMinor <= 0) {
        row = skippedCorrectionRow(
          base,
          "zero_amount",
          "the refund has no successful refund transaction (no money moved)",
        );
      } else {
        // Estimate: what the ledger applies now, or the requested money while the order is unknown.
        const estimate = view.ledger.grossMinor === null ? entry.requestedMinor : entry.appliedMinor;
        const currency = view.ledger.currency ?? entry.currency;
        row = await pendingRow(base, view, "refund", refund.refundId, estimate, currency, now);
      }
      state.insertEventOnce(row);
    },
  };
};

/** orders/cancelled: parsed by the pure core now; the effects follow in the batch, in arrival order. */
export const planCancelWebhook: WebhookPlanner = async (hook, policy, now) => {
  const eventName = correctionEventName(policy, "cancel");
  const parsed = parseCancellation(hook.payload);

  return {
    orderIds: parsed.ok ? [parsed.orderId] : [],
    apply: async (state) => {
      if (!parsed.ok) {
        state.insertEventOnce(malformedCorrectionRow(hook.shop, eventName, parsed.detail, now));
        return;
      }
      const refused = crossShopRefusal(state, hook.shop, parsed.orderId);
      if (refused) return { rejected: refused };
      const ledgerRow = await state.ensureLedgerRow(hook.shop, parsed.orderId);
      state.recordLedgerEntry({
        shop: hook.shop,
        orderId: parsed.orderId,
        entryKey: CANCEL_ENTRY_KEY,
        kind: "cancel",
        // A cancellation asks for nothing specific: it reverses whatever the refunds have not.
        requestedMinor: 0,
        currency: ledgerRow.currency,
        reason: parsed.reason,
        occurredAt: parsed.cancelledAt,
      });
      const view = state.recomputeLedger(hook.shop, parsed.orderId)!;
      const entry = view.entries.find((e) => e.entryKey === CANCEL_ENTRY_KEY)!;

      const occurredAt = eventTime(entry.occurredAt, now);
      const base = await correctionBase(hook.shop, view, "cancel", CANCEL_ENTRY_KEY, eventName, occurredAt);
      const row = policy.correctionsEnabled
        ? await pendingRow(
            base,
            view,
            "cancel",
            CANCEL_ENTRY_KEY,
            entry.appliedMinor,
            view.ledger.currency,
            new Date(now.getTime() + CANCEL_SETTLE_MS),
          )
        : skippedCorrectionRow(base, "corrections_disabled", "refund and cancellation reporting is turned off");
      state.insertEventOnce(row);
    },
  };
};

/**
 * The shop's configured name, validated against OpenAI's custom-name rule when saved; a stored name
 * that fails the rule anyway falls back to the default rather than losing the correction.
 */
function correctionEventName(policy: ShopPolicy, kind: CorrectionKind): string {
  const name = kind === "refund" ? policy.refundEventName : policy.cancelEventName;
  if (isValidCustomEventName(name)) return name;
  return kind === "refund" ? DEFAULT_SHOP_POLICY.refundEventName : DEFAULT_SHOP_POLICY.cancelEventName;
}

/** The refund/cancel time, pinned to "now" when it is further in the future than OpenAI accepts. */
function eventTime(at: Date, now: Date): Date {
  return at.getTime() > now.getTime() + MAX_FUTURE_MS ? now : at;
}

async function correctionBase(
  shop: string,
  view: OrderLedgerView,
  kind: CorrectionKind,
  key: string,
  eventName: string,
  occurredAt: Date,
): Promise<CorrectionRowBase> {
  const dedupId = view.ledger.orderDedupId as DedupId;
  return {
    shop,
    eventType: "custom",
    eventName,
    eventId: await derivedEventId(dedupId, kind, key),
    orderId: view.ledger.orderId,
    orderName: view.ledger.orderName,
    orderDedupId: dedupId,
    occurredAt,
    expiresAt: new Date(occurredAt.getTime() + MAX_EVENT_AGE_MS),
  };
}

async function pendingRow(
  base: CorrectionRowBase,
  view: OrderLedgerView,
  kind: CorrectionKind,
  key: string,
  estimateMinor: number,
  currency: string | null,
  nextAttemptAt: Date,
): Promise<NewConversionEvent> {
  let payload: CapiEvent | null = null;
  if (estimateMinor > 0 && currency) {
    try {
      payload = await buildCorrectionEvent({
        kind,
        orderDedupId: view.ledger.orderDedupId as DedupId,
        key,
        eventName: base.eventName,
        amountMinor: estimateMinor,
        currency,
        occurredAt: base.occurredAt,
        sourceUrl: correctionSourceUrl(base.shop),
      });
    } catch {
      payload = null; // an estimate only: the worker builds the event it sends
    }
  }
  return {
    ...base,
    status: "pending",
    payload: payload ? JSON.stringify(payload) : null,
    amountMinor: payload ? estimateMinor : null,
    currency: currency ?? null,
    nextAttemptAt,
  };
}
