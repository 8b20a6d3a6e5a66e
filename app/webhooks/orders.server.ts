/**
 * orders/create and orders/paid: everything that must happen before the 200 — decide, persist the
 * event (or the recorded decision not to send it) and the ledger's gross, all in the transaction
 * that marks the webhook as seen (a batch of them: app/webhooks/apply-batch.server.ts). Talking to
 * OpenAI is the worker's job.
 */
import { decideOrderCreated, MAX_EVENT_AGE_MS, type OrderEventDecision } from "~/conversions/order-event";
import type { ShopPolicy } from "~/conversions/shop-policy";
import {
  classifySubscriptionOrder,
  decideSubscriptionOrder,
  mergeSubscriptionSignals,
  policyForSubscriptionOrder,
  type SubscriptionCompanion,
  type SubscriptionSignal,
} from "~/conversions/subscription-order";
import type { NewConversionEvent } from "~/models/conversion-events.server";
import { findSubscriptionSignal, recordSubscriptionSignal } from "~/models/subscription-orders.server";
import { applyWebhook, crossShopRefusal, type IngestResult, type WebhookPlanner } from "./apply-batch.server";
import { settleOrderValueAfterCommit } from "./order-changes.server";
import type { VerifiedWebhook } from "./verify.server";

export type { IngestResult };

export async function ingestOrderWebhook(hook: VerifiedWebhook, now: Date = new Date()): Promise<IngestResult> {
  return applyWebhook(hook, planOrderWebhook, { now });
}

/**
 * Decides with the pure core (outside the transaction), with what is known of the order's place in a
 * subscription (app/conversions/subscription-order.ts); the effects follow in the batch, in arrival order.
 */
export const planOrderWebhook: WebhookPlanner = async (hook, policy, now) => {
  const fresh = classifySubscriptionOrder(hook.payload);
  const { decision: orderDecision, signal } = await decideWithSubscriptionSignal(hook, policy, fresh, now);
  const { orderCreated: decision, companions } = await decideSubscriptionOrder(orderDecision, signal, policy);
  const countsHere =
    (hook.topic === "orders/create" && policy.conversionTrigger === "orders_create") ||
    (hook.topic === "orders/paid" && policy.conversionTrigger === "orders_paid");
  const paidAt = hook.topic === "orders/paid" ? now : null;

  return {
    orderIds: decision.orderId === null ? [] : [decision.orderId],
    apply: async (state, tx) => {
      if (decision.orderId !== null) {
        const refused = crossShopRefusal(state, hook.shop, decision.orderId);
        if (refused) return { rejected: refused };
      }
      let valueObserved = false;
      if (decision.kind === "send" || decision.orderId !== null) {
        valueObserved = state.recordOrderInLedger({
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
      }
      // A malformed payload is always recorded, whatever the trigger: it is the merchant's only trace.
      if (countsHere || (decision.kind === "skip" && decision.reason === "malformed_payload")) {
        state.insertEventOnce(orderEventRow(hook.shop, decision, now));
      }
      // Subscription orders are rare: their signal is merged with one Prisma upsert in the batch's transaction.
      if (decision.orderId !== null && fresh !== null)
        await recordSubscriptionSignal(tx, hook.shop, decision.orderId, fresh);
      // From whichever order webhook first knows the role (a tag can come only with orders/paid or a
      // later update): the business key keeps each companion to one row, and subscription_created waits
      // at send time for its order's own event.
      for (const companion of companions) state.insertEventOnce(companionRow(hook.shop, decision, companion, now));
      // An orders/updated or orders/edited that came before this webhook: its value change is recorded
      // once the order's gross and order_created row are committed (into that row while it is unsent).
      if (valueObserved) {
        const orderId = decision.orderId!;
        return { afterCommit: () => settleOrderValueAfterCommit(hook.shop, orderId, policy, now) };
      }
    },
  };
};

/**
 * The order's decision with everything known about its subscription role: the payload's own signal
 * and what an earlier webhook (or the Admin API) stored. A renewal is decided under its own policy
 * (policyForSubscriptionOrder), so a stored renewal signal the payload lacks means deciding again.
 */
async function decideWithSubscriptionSignal(
  hook: VerifiedWebhook,
  policy: ShopPolicy,
  fresh: SubscriptionSignal | null,
  now: Date,
): Promise<{ decision: OrderEventDecision; signal: SubscriptionSignal | null }> {
  const decide = (signal: SubscriptionSignal | null) =>
    decideOrderCreated(hook.payload, {
      shopDomain: hook.shop,
      policy: policyForSubscriptionOrder(policy, signal),
      now,
    });
  const first = await decide(fresh);
  if (first.orderId === null) return { decision: first, signal: fresh };
  const signal = mergeSubscriptionSignals(await findSubscriptionSignal(hook.shop, first.orderId), fresh);
  if (signal?.role === "renewal" && fresh?.role !== "renewal") return { decision: await decide(signal), signal };
  return { decision: first, signal };
}

function companionRow(
  shop: string,
  order: OrderEventDecision,
  companion: SubscriptionCompanion,
  now: Date,
): NewConversionEvent {
  const occurredAt = order.occurredAt ?? now;
  const base = {
    shop,
    eventType: companion.eventType,
    eventName: companion.eventName,
    eventId: companion.eventId,
    orderId: order.orderId,
    orderName: order.orderName,
    orderDedupId: order.dedupId,
    amountMinor: order.amountMinor,
    currency: order.currency,
    requiresOptIn: order.requiresOptIn,
    regionUnknown: order.regionUnknown,
    occurredAt,
    expiresAt: new Date(occurredAt.getTime() + MAX_EVENT_AGE_MS),
  };
  if (companion.kind === "skip") {
    return { ...base, status: "skipped", skipReason: companion.reason, lastError: companion.detail, payload: null };
  }
  return {
    ...base,
    status: "pending",
    payload: JSON.stringify(companion.event),
    oppref: companion.event.oppref ?? null,
    opprefSource: null,
    nextAttemptAt: now,
  };
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
