/**
 * orders/create and orders/paid: everything that must happen before the 200 — decide, persist the
 * event (or the recorded decision not to send it) and the ledger's gross, all in the transaction
 * that marks the webhook as seen. Talking to OpenAI is the worker's job.
 */
import { decideOrderCreated, MAX_EVENT_AGE_MS, type OrderEventDecision } from "~/conversions/order-event";
import { getShopSettings, policyFromSettings } from "~/models/settings.server";
import { insertEventOnce, withWebhookOnce, type NewConversionEvent } from "~/models/conversion-events.server";
import { recordOrderInLedger } from "~/models/ledger.server";
import { settleOrderValue } from "./order-changes.server";
import type { VerifiedWebhook } from "./verify.server";

export type IngestResult = "stored" | "duplicate";

export async function ingestOrderWebhook(hook: VerifiedWebhook, now: Date = new Date()): Promise<IngestResult> {
  const settings = await getShopSettings(hook.shop);
  const policy = policyFromSettings(settings);
  const decision = await decideOrderCreated(hook.payload, { shopDomain: hook.shop, policy, now });
  const countsHere =
    (hook.topic === "orders/create" && policy.conversionTrigger === "orders_create") ||
    (hook.topic === "orders/paid" && policy.conversionTrigger === "orders_paid");
  const paidAt = hook.topic === "orders/paid" ? now : null;

  return withWebhookOnce(webhookKey(hook), async (tx) => {
    let valueObserved = false;
    if (decision.kind === "send" || decision.orderId !== null) {
      const view = await recordOrderInLedger(tx, {
        shop: hook.shop,
        orderId: decision.orderId!,
        orderDedupId: decision.dedupId!,
        orderName: decision.orderName,
        checkoutToken: checkoutTokenOf(hook.payload),
        grossMinor: decision.amountMinor,
        currency: decision.currency,
        paidAt,
        cancelled: cancelledFromPayload(hook.payload),
      });
      valueObserved = view.ledger.observedValueAt !== null;
    }
    // A malformed payload is always recorded, whatever the trigger: it is the merchant's only trace.
    if (countsHere || (decision.kind === "skip" && decision.reason === "malformed_payload")) {
      await insertEventOnce(tx, orderEventRow(hook.shop, decision, now));
    }
    // An orders/updated or orders/edited that came before this webhook: its value change is recorded
    // now that the original gross is known (into the order_created row above when it is still unsent).
    if (valueObserved) await settleOrderValue(tx, hook.shop, decision.orderId!, policy, now);
  });
}

export function webhookKey(hook: VerifiedWebhook) {
  return { shop: hook.shop, topic: hook.topic, eventId: hook.eventId, webhookId: hook.webhookId };
}

function orderEventRow(shop: string, decision: OrderEventDecision, now: Date): NewConversionEvent {
  const occurredAt = decision.occurredAt ?? now;
  const base = {
    shop,
    eventType: "order_created",
    eventName: "order_created",
    eventId: decision.dedupId,
    orderId: decision.orderId,
    orderName: decision.orderName,
    orderDedupId: decision.dedupId,
    amountMinor: decision.amountMinor,
    currency: decision.currency,
    requiresOptIn: decision.requiresOptIn,
    regionUnknown: decision.regionUnknown,
    occurredAt,
    expiresAt: new Date(occurredAt.getTime() + MAX_EVENT_AGE_MS),
  };
  if (decision.kind === "skip") {
    return { ...base, status: "skipped", skipReason: decision.reason, lastError: decision.detail, payload: null };
  }
  return {
    ...base,
    status: "pending",
    payload: JSON.stringify(decision.event),
    oppref: decision.event.oppref ?? null,
    opprefSource: decision.opprefSource,
    nextAttemptAt: now,
  };
}

function checkoutTokenOf(payload: unknown): string | null {
  const token = (payload as { checkout_token?: unknown } | undefined)?.checkout_token;
  return typeof token === "string" && token.length > 0 && token.length <= 128 ? token : null;
}

function cancelledFromPayload(payload: unknown): { at: Date; reason: string | null } | null {
  const p = payload as { cancelled_at?: unknown; cancel_reason?: unknown } | undefined;
  if (!p || typeof p.cancelled_at !== "string") return null;
  const at = new Date(p.cancelled_at);
  return Number.isNaN(at.getTime())
    ? null
    : { at, reason: typeof p.cancel_reason === "string" ? p.cancel_reason : null };
}
