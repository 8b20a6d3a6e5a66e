/**
 * Facts that can change between the webhook and the send (a pixel receipt that arrived late, a
 * cancellation, a refund) are looked up here, at send time, and handed to the pure core to decide.
 */
import type { PixelReceipt } from "@prisma/client";
import prisma from "~/db/client.server";
import { findTrustedReceipt } from "~/models/receipts.server";
import type { CapiEvent } from "~/conversions/capi-event";
import type { OpprefSource } from "~/conversions/oppref";
import type { ReceiptConsent } from "~/conversions/consent";
import type { ShopPolicy } from "~/conversions/shop-policy";
import type { SkipReason } from "~/conversions/skip-reasons";
import { finalizeOrderCreated } from "~/conversions/finalize-order-event";
import { buildCorrectionEvent } from "~/conversions/correction-event";
import { derivedEventId, type DedupId } from "~/conversions/dedup-id";
import { waitForUnseenOrder } from "~/conversions/order-wait";
import {
  correctionKeyOf,
  entryCurrencyMismatch,
  isCorrectionEntry,
  ledgerForOrder,
  valueCauseOf,
} from "~/models/ledger.server";
import { findSubscriptionSignal, recordSubscriptionSignal } from "~/models/subscription-orders.server";
import { logger } from "~/logger.server";
import { readSellingPlanSignals } from "./selling-plans.server";
import {
  decideSubscriptionCreatedAtSendTime,
  renewalSkipAtSendTime,
  SUBSCRIPTION_CREATED_EVENT,
  SUBSCRIPTION_RENEWED_EVENT,
  type SubscriptionSignal,
} from "~/conversions/subscription-order";
import {
  conversionEventFromRow,
  orderLedgerFromRow,
  type ConversionEvent,
  type LedgerEntry,
  type OrderLedger,
} from "~/models/money-columns.server";

export type SendTimeDecision =
  | { action: "send"; event: CapiEvent; opprefSource: OpprefSource | null; amountMinor?: number }
  | { action: "hold"; until: Date }
  | { action: "skip"; reason: SkipReason; detail: string };

/**
 * A cancel that refunds makes Shopify send orders/cancelled AND refunds/create, in either order and
 * usually seconds apart. The cancel correction waits this long after its webhook so that the refund
 * is normally in the ledger first: the refund then reports the money and the cancel reports only what
 * no refund covers (typically nothing → `already_reversed`). If the refund comes later still, the
 * send-time cap (never more than gross in total) keeps the money from being reported twice.
 */
export const CANCEL_SETTLE_MS = 2 * 60_000;
/** How long a correction waits before looking again at what it depends on (its order, a sibling). */
export const CORRECTION_RECHECK_MS = 10_000;

/** `source_url` of a correction: the shop's origin (no order id, no token). */
export function correctionSourceUrl(shop: string): string {
  return `https://${shop}/`;
}

/** The facts an order_created row is decided on, when the caller loaded them already (a whole batch at once). */
export interface OrderCreatedFacts {
  /** The order's trusted receipt (findTrustedReceipt's rule), or null. */
  receipt: PixelReceipt | null;
  ledger: OrderLedger | null;
  /** What is known of the order's subscription role; undefined = not loaded (looked up here). */
  subscription?: SubscriptionSignal | null;
}

export async function decideAtSendTime(
  row: ConversionEvent,
  policy: ShopPolicy,
  now: Date,
  facts?: OrderCreatedFacts,
): Promise<SendTimeDecision> {
  if (row.eventType === SUBSCRIPTION_CREATED_EVENT && row.orderId !== null && row.orderDedupId !== null) {
    return decideSubscriptionCreated(row, now);
  }
  if (row.eventType === "custom" && row.eventName === SUBSCRIPTION_RENEWED_EVENT && row.orderId !== null) {
    return decideSubscriptionRenewed(row, policy, now, facts);
  }
  if (row.eventType === "custom" && row.orderId !== null && row.orderDedupId !== null) {
    const correction = (await decideCorrection(row, policy, now)) ?? (await decideValueChange(row, policy, now));
    if (correction !== null) return correction;
  }
  if (!row.payload) return { action: "skip", reason: "malformed_payload", detail: "no event payload stored" };
  const event = JSON.parse(row.payload) as CapiEvent;
  if (row.eventType !== "order_created") {
    return { action: "send", event, opprefSource: (row.opprefSource as OpprefSource | null) ?? null };
  }
  const [receipt, ledger] = facts
    ? [facts.receipt, facts.ledger]
    : await Promise.all([
        row.orderId ? findTrustedReceipt(row.shop, row.orderId) : null,
        row.orderId
          ? prisma.orderLedger
              .findUnique({ where: { shop_orderId: { shop: row.shop, orderId: row.orderId } } })
              .then((ledger) => ledger && orderLedgerFromRow(ledger))
          : null,
      ]);
  // A renewal whose signal came after its order_created was stored (tags added later).
  const renewal = renewalSkipAtSendTime(await subscriptionOf(row, facts));
  if (renewal) return { action: "skip", ...renewal };
  // The pixel can only have counted the sale if its own OpenAI request went out.
  const pixelCounted = receipt?.pixelStatus === "sent";
  const result = finalizeOrderCreated({
    event,
    opprefSource: (row.opprefSource as OpprefSource | null) ?? "none",
    requiresOptIn: row.requiresOptIn,
    regionUnknown: row.regionUnknown,
    receipt: receipt
      ? {
          oppref: receipt.oppref,
          consent: receipt.consent as ReceiptConsent,
          saleOfData: receipt.saleOfData as "allowed" | "refused" | "unknown" | null,
          obref: receipt.obref,
        }
      : null,
    orderFullyReversed: ledger !== null && isFullyReversed(ledger) && !pixelCounted,
    eventCreatedAt: row.createdAt,
    now,
    policy,
  });
  if (result.action === "send") return { action: "send", event: result.event, opprefSource: result.opprefSource };
  return result;
}

async function subscriptionOf(row: ConversionEvent, facts?: OrderCreatedFacts): Promise<SubscriptionSignal | null> {
  if (facts?.subscription !== undefined) return facts.subscription;
  return row.orderId ? findSubscriptionSignal(row.shop, row.orderId) : null;
}

/** subscription_created follows its order's order_created (app/conversions/subscription-order.ts). */
async function decideSubscriptionCreated(row: ConversionEvent, now: Date): Promise<SendTimeDecision> {
  const [order, signal] = await Promise.all([
    prisma.conversionEvent.findUnique({
      where: { shop_eventName_eventId: { shop: row.shop, eventName: "order_created", eventId: row.orderDedupId! } },
      select: { status: true, skipReason: true, payload: true, nextAttemptAt: true },
    }),
    findSubscriptionSignal(row.shop, row.orderId!),
  ]);
  let decision = decideSubscriptionCreatedAtSendTime({ eventId: row.eventId ?? "", order, signal });
  if (decision.action === "send" && !signal?.planId) {
    const known = await withSellingPlan(row.shop, row.orderId!, signal);
    if (known !== signal)
      decision = decideSubscriptionCreatedAtSendTime({ eventId: row.eventId ?? "", order, signal: known });
  }
  if (decision.action === "wait") {
    const orderDue = order?.status === "pending" ? order.nextAttemptAt.getTime() : 0;
    return { action: "hold", until: new Date(Math.max(now.getTime(), orderDue) + CORRECTION_RECHECK_MS) };
  }
  if (decision.action === "send") return { action: "send", event: decision.event, opprefSource: null };
  return decision;
}

/**
 * The order's selling plan from the Admin API, asked once, just before its subscription_created goes
 * out without a plan id (order webhooks carry none), and stored with the order's other signals. An
 * Admin API that cannot answer (no token, no scope, Shopify down) costs the event its plan id, never
 * the event itself: the conversion is not held for an optional field.
 */
async function withSellingPlan(
  shop: string,
  orderId: string,
  signal: SubscriptionSignal | null,
): Promise<SubscriptionSignal | null> {
  try {
    const fresh = (await readSellingPlanSignals(shop, [orderId])).get(orderId) ?? null;
    if (fresh === null) return signal;
    return await recordSubscriptionSignal(prisma, shop, orderId, fresh);
  } catch (error) {
    logger.warn(
      { shop, err: error instanceof Error ? error.message : String(error) },
      "subscription_created sent without a plan id: the Admin API gave no selling plan",
    );
    return signal;
  }
}

/**
 * A renewal reported as subscription_renewed: no checkout, so no pixel receipt will come (no grace
 * period); otherwise the order's own rules (consent by region, cancelled before sending, 7 days).
 */
async function decideSubscriptionRenewed(
  row: ConversionEvent,
  policy: ShopPolicy,
  now: Date,
  facts?: OrderCreatedFacts,
): Promise<SendTimeDecision> {
  if (policy.subscriptionRenewals !== "send") {
    return {
      action: "skip",
      reason: "subscription_renewal",
      detail: "reporting renewals as subscription_renewed was turned off before delivery",
    };
  }
  if (!row.payload) return { action: "skip", reason: "malformed_payload", detail: "no event payload stored" };
  // The renewal signal came after the order had already gone out as order_created: reporting it again
  // as a renewal would count the same charge twice in the merchant's reports.
  const orderEvent = row.orderDedupId
    ? await prisma.conversionEvent.findUnique({
        where: { shop_eventName_eventId: { shop: row.shop, eventName: "order_created", eventId: row.orderDedupId } },
        select: { status: true },
      })
    : null;
  if (orderEvent?.status === "delivered") {
    return {
      action: "skip",
      reason: "subscription_renewal",
      detail: "the renewal was already reported as order_created before its renewal signal came",
    };
  }
  const stored = facts?.ledger
    ? null
    : await prisma.orderLedger.findUnique({ where: { shop_orderId: { shop: row.shop, orderId: row.orderId! } } });
  const ledger = facts?.ledger ?? (stored ? orderLedgerFromRow(stored) : null);
  const result = finalizeOrderCreated({
    event: JSON.parse(row.payload) as CapiEvent,
    opprefSource: (row.opprefSource as OpprefSource | null) ?? "none",
    requiresOptIn: row.requiresOptIn,
    regionUnknown: row.regionUnknown,
    receipt: null,
    orderFullyReversed: ledger !== null && isFullyReversed(ledger),
    eventCreatedAt: row.createdAt,
    now,
    policy: { ...policy, opprefGraceMs: 0 },
  });
  if (result.action === "send") return { action: "send", event: result.event, opprefSource: null };
  return result;
}

/**
 * Fully cancelled or refunded: net 0 BECAUSE of corrections. A free order (gross 0, nothing
 * reversed) is not "reversed", so it is not skipped as `cancelled_before_send`.
 */
function isFullyReversed(ledger: OrderLedger): boolean {
  if (ledger.grossMinor === null || ledger.netMinor !== 0) return false;
  return ledger.grossMinor > 0 || ledger.cancelledAt !== null;
}

/**
 * A refund or cancel correction (see app/webhooks/corrections.server.ts). Null when the row is not
 * one of the order's corrections (then it is sent as stored, like any other custom event).
 *
 * In order:
 * 1. Corrections turned off since the webhook → skip `corrections_disabled`.
 * 2. A cancel waits out its settle window (CANCEL_SETTLE_MS after its webhook).
 * 3. The order's gross is not known yet (refund before order) → hold with backoff; an order that
 *    never comes ends the correction as `order_not_seen` (app/conversions/order-wait.ts).
 * 4. Only a counted order is corrected. Counted = its order_created was delivered (2xx), or the pixel
 *    sent it from the browser (receipt pixelStatus "sent"). order_created still open (held for the
 *    pixel receipt's grace period, retrying, or in this very batch) or not created yet (the
 *    orders/paid trigger before payment) → hold. order_created ended skipped (e.g.
 *    `cancelled_before_send`), rejected or expired and no pixel counted it → skip `order_not_counted`.
 * 5. One correction of an order at a time: another correction of the same order that is being
 *    delivered right now (another worker's live lease, or an earlier row of this batch) → hold. This
 *    makes step 6 exact: it sees every amount that can have reached OpenAI.
 * 6. Amount = what the ledger applies to this entry (refunds clamped to what remains; a cancel takes
 *    what no refund took), capped so that all delivered corrections of the order never exceed its
 *    gross: a refund that arrives after its cancel was already reported reports nothing more.
 *    0 → skip `already_reversed`.
 */
async function decideCorrection(row: ConversionEvent, policy: ShopPolicy, now: Date): Promise<SendTimeDecision | null> {
  const view = await ledgerForOrder(row.shop, row.orderId!);
  if (!view) return null;
  const dedupId = row.orderDedupId as DedupId;
  const idOf = new Map<string, LedgerEntry>();
  for (const entry of view.entries) {
    if (isCorrectionEntry(entry)) idOf.set(await derivedEventId(dedupId, entry.kind, correctionKeyOf(entry)), entry);
  }
  const entry = row.eventId ? idOf.get(row.eventId) : undefined;
  if (!entry) return null;
  const { ledger } = view;
  const kind = entry.kind === "cancel" ? "cancel" : "refund";
  const recheck = new Date(now.getTime() + CORRECTION_RECHECK_MS);

  if (!policy.correctionsEnabled) {
    return {
      action: "skip",
      reason: "corrections_disabled",
      detail: "refund and cancellation reporting was turned off before delivery",
    };
  }
  if (kind === "cancel") {
    const settled = row.createdAt.getTime() + CANCEL_SETTLE_MS;
    if (now.getTime() < settled) return { action: "hold", until: new Date(settled) };
  }
  if (ledger.grossMinor === null) {
    const wait = waitForUnseenOrder({ waitingSince: row.createdAt, now });
    return wait.action === "hold" ? wait : { action: "skip", reason: "order_not_seen", detail: wait.detail };
  }
  if (entryCurrencyMismatch(ledger, entry)) {
    return {
      action: "skip",
      reason: "malformed_payload",
      detail: `the refund's currency (${entry.currency}) differs from the order's (${ledger.currency})`,
    };
  }

  const notCounted = await unlessOrderCounted(row, dedupId, recheck);
  if (notCounted) return notCounted;

  const correctionIds = [...idOf.keys()];
  const siblingRows = await prisma.conversionEvent.findMany({
    where: {
      shop: row.shop,
      orderId: row.orderId,
      eventType: "custom",
      eventId: { in: correctionIds },
      id: { not: row.id },
    },
    select: { id: true, status: true, amountMinor: true, createdAt: true, leaseOwner: true, leaseUntil: true },
  });
  const siblings = siblingRows.map(conversionEventFromRow);
  const inFlight = siblings.some((s) => {
    if (s.status !== "sending") return false;
    if (s.leaseOwner !== row.leaseOwner) return s.leaseUntil !== null && s.leaseUntil.getTime() > now.getTime();
    return (
      s.createdAt.getTime() < row.createdAt.getTime() ||
      (s.createdAt.getTime() === row.createdAt.getTime() && s.id < row.id)
    );
  });
  if (inFlight) return { action: "hold", until: recheck };

  const alreadyReported = siblings
    .filter((s) => s.status === "delivered")
    .reduce((sum, s) => sum + (s.amountMinor ?? 0), 0);
  const amountMinor = Math.max(0, Math.min(entry.appliedMinor, ledger.grossMinor - alreadyReported));
  if (amountMinor === 0) {
    if (kind === "refund" && entry.requestedMinor <= 0) {
      return { action: "skip", reason: "zero_amount", detail: "the refund moved no money" };
    }
    return {
      action: "skip",
      reason: "already_reversed",
      detail:
        kind === "cancel"
          ? "refunds or an earlier correction already reversed the order's value"
          : "the order's value was already fully reversed when this refund came",
    };
  }
  if (!ledger.currency)
    return { action: "skip", reason: "malformed_payload", detail: "the order's currency is unknown" };

  let event: CapiEvent;
  try {
    event = await buildCorrectionEvent({
      kind,
      orderDedupId: dedupId,
      key: correctionKeyOf(entry),
      eventName: row.eventName,
      amountMinor,
      currency: ledger.currency,
      occurredAt: row.occurredAt,
      sourceUrl: correctionSourceUrl(row.shop),
    });
  } catch (error) {
    return {
      action: "skip",
      reason: "malformed_payload",
      detail: error instanceof Error ? error.message : String(error),
    };
  }
  return { action: "send", event, opprefSource: null, amountMinor };
}

/**
 * Step 4 of decideCorrection, shared with value changes: null when the order counted at OpenAI
 * (order_created delivered, or the pixel sent it), else the hold (still open) or skip (it ended
 * unsent) for a row that depends on it.
 */
async function unlessOrderCounted(
  row: ConversionEvent,
  dedupId: DedupId,
  recheck: Date,
): Promise<SendTimeDecision | null> {
  const [orderEvent, receipt] = await Promise.all([
    prisma.conversionEvent.findUnique({
      where: { shop_eventName_eventId: { shop: row.shop, eventName: "order_created", eventId: dedupId } },
    }),
    findTrustedReceipt(row.shop, row.orderId!),
  ]);
  if (orderEvent?.status === "delivered" || receipt?.pixelStatus === "sent") return null;
  if (orderEvent === null || orderEvent.status === "pending" || orderEvent.status === "sending") {
    const orderDue = orderEvent?.status === "pending" ? orderEvent.nextAttemptAt.getTime() : 0;
    return { action: "hold", until: new Date(Math.max(recheck.getTime(), orderDue + CORRECTION_RECHECK_MS)) };
  }
  const why = orderEvent.skipReason ?? orderEvent.status;
  return {
    action: "skip",
    reason: "order_not_counted",
    detail: `the order's order_created was not delivered (${why})`,
  };
}

/**
 * A change of the order's value after checkout (app/webhooks/order-changes.server.ts). Null when the
 * row is not one. Like a correction: only after the order counted (hold while order_created is open,
 * `order_not_counted` when it ended unsent), never when value reporting was turned off since. The
 * amount is the change the ledger recorded: added value under the value-added name, removed value
 * under the refund name (the row's name, chosen when it was stored).
 */
async function decideValueChange(
  row: ConversionEvent,
  policy: ShopPolicy,
  now: Date,
): Promise<SendTimeDecision | null> {
  const view = await ledgerForOrder(row.shop, row.orderId!);
  if (!view) return null;
  const dedupId = row.orderDedupId as DedupId;
  let entry: LedgerEntry | undefined;
  for (const candidate of view.entries) {
    if (candidate.kind !== "value") continue;
    if ((await derivedEventId(dedupId, "value", valueCauseOf(candidate))) === row.eventId) entry = candidate;
  }
  if (!entry) return null;
  if (!policy.correctionsEnabled) {
    return {
      action: "skip",
      reason: "corrections_disabled",
      detail: "refund and value-change reporting was turned off before delivery",
    };
  }
  const notCounted = await unlessOrderCounted(row, dedupId, new Date(now.getTime() + CORRECTION_RECHECK_MS));
  if (notCounted) return notCounted;
  const amountMinor = Math.abs(entry.requestedMinor);
  if (amountMinor === 0) return { action: "skip", reason: "zero_amount", detail: "the order's value did not change" };
  if (!view.ledger.currency) {
    return { action: "skip", reason: "malformed_payload", detail: "the order's currency is unknown" };
  }
  let event: CapiEvent;
  try {
    event = await buildCorrectionEvent({
      kind: "value",
      orderDedupId: dedupId,
      key: valueCauseOf(entry),
      eventName: row.eventName,
      amountMinor,
      currency: view.ledger.currency,
      occurredAt: row.occurredAt,
      sourceUrl: correctionSourceUrl(row.shop),
    });
  } catch (error) {
    return {
      action: "skip",
      reason: "malformed_payload",
      detail: error instanceof Error ? error.message : String(error),
    };
  }
  return { action: "send", event, opprefSource: null, amountMinor };
}
