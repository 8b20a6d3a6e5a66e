/**
 * Subscription orders, as an app that owns no subscription contract can see them. Order webhooks
 * carry no selling-plan field, and the subscription-contract topics need
 * `read_own_subscription_contracts`, which shows only contracts this app created. What is left:
 * the order's `source_name` (Shopify's billing attempts create renewals with a source of their own)
 * and the tags the subscription apps put on orders, sometimes only later (orders/paid, orders/updated),
 * plus, optionally, the Admin API's `LineItem.sellingPlan` (read_orders). The tables of what each app
 * sets, with sources: docs/SUBSCRIPTIONS.md.
 *
 * The rule: a subscription's FIRST order is a conversion (order_created as for any order, plus OpenAI's
 * standard `subscription_created`); a RENEWAL is not a new ad conversion. It is never sent as
 * order_created (also not when the merchant sends non-web orders) and is recorded as
 * `subscription_renewal`; the shop may report it as the custom event `subscription_renewed`.
 *
 * Pure: no I/O. The callers store the signals (app/models/subscription-orders.server.ts) and merge
 * what they knew with what a new payload says, since signals arrive in any order.
 */
import type { CapiEvent } from "./capi-event";
import { derivedEventId, type DedupId } from "./dedup-id";
import type { OrderEventDecision } from "./order-event";
import type { ShopPolicy } from "./shop-policy";
import { isSkipReason, type SkipReason } from "./skip-reasons";

export type SubscriptionRole = "first" | "renewal";

/** Where a role came from: kept with the order so the admin and the logs can say why. */
export type SubscriptionSignalSource = "source_name" | "tag" | "selling_plan";

export interface SubscriptionSignal {
  role: SubscriptionRole;
  source: SubscriptionSignalSource;
  /** The text that matched (a tag or a source_name), lower-cased; never personal data. */
  evidence: string;
  /** Shopify's selling plan id (digits or gid) when the Admin API told it; sent as `data.plan_id`. */
  planId: string | null;
}

/** The standard event of a subscription's first order. */
export const SUBSCRIPTION_CREATED_EVENT = "subscription_created";
/** The custom event a renewal is reported as, when the shop turns that on. */
export const SUBSCRIPTION_RENEWED_EVENT = "subscription_renewed";

/**
 * `source_name` values of orders that Shopify creates from a subscription contract's billing attempt.
 * Not in Shopify's REST reference; seen in published payloads and public integrations (SUBSCRIPTIONS.md).
 */
const RENEWAL_SOURCE_NAMES: ReadonlySet<string> = new Set([
  "subscription_contract",
  "subscription_contract_checkout_one",
]);

/**
 * Order tags the subscription apps document, lower-cased (Shopify compares tags without case).
 * Only exact tags: a tag that merely contains "subscription" says nothing about first or renewal.
 */
const TAG_ROLES: ReadonlyMap<string, SubscriptionRole> = new Map<string, SubscriptionRole>([
  // Recharge, Skio, Shopify's subscriptions reference app
  ["subscription first order", "first"],
  ["subscription recurring order", "renewal"],
  // Firmhouse
  ["firmhouse-first-order", "first"],
  ["firmhouse-recurring-order", "renewal"],
  ["firmhouse-first-recurring-order", "renewal"],
  // Inveterate (paid memberships)
  ["inveterate-signup", "first"],
  ["inveterate-rebill", "renewal"],
]);

/** Shopify's REST `tags`: one comma-separated string ("a, b"); an array is accepted too. */
export function orderTagsOf(tags: unknown): string[] {
  const parts = typeof tags === "string" ? tags.split(",") : Array.isArray(tags) ? tags : [];
  return parts
    .filter((t): t is string => typeof t === "string")
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== "" && t.length <= 255);
}

/**
 * What one order payload (orders/create, orders/paid, orders/updated, or the Admin API's answer in
 * the same REST shape) says about the order's place in a subscription. Null: nothing. Renewal
 * evidence wins over first-order evidence: reporting a renewal as a new conversion is the error the
 * whole feature exists to prevent, and Shopify's own renewal source cannot be a checkout.
 */
export function classifySubscriptionOrder(payload: unknown): SubscriptionSignal | null {
  const order = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : null;
  if (!order) return null;
  const sourceName = typeof order.source_name === "string" ? order.source_name.trim().toLowerCase() : "";
  if (RENEWAL_SOURCE_NAMES.has(sourceName)) {
    return { role: "renewal", source: "source_name", evidence: sourceName, planId: null };
  }
  let first: SubscriptionSignal | null = null;
  for (const tag of orderTagsOf(order.tags)) {
    const role = TAG_ROLES.get(tag);
    if (role === "renewal") return { role, source: "tag", evidence: tag, planId: null };
    if (role === "first" && first === null) first = { role, source: "tag", evidence: tag, planId: null };
  }
  return first;
}

/**
 * The Admin API's answer about an order (`Order.sourceName` and `lineItems.sellingPlan`): an order
 * with a selling plan is a subscription order; a checkout (`web`) places the first one, anything
 * Shopify's billing attempts create is a renewal.
 */
export function classifySellingPlanOrder(input: {
  sourceName: string | null;
  sellingPlanIds: readonly (string | null)[];
  hasSellingPlan: boolean;
}): SubscriptionSignal | null {
  if (!input.hasSellingPlan) return null;
  const planId = input.sellingPlanIds.find((id): id is string => typeof id === "string" && id.trim() !== "") ?? null;
  const sourceName = (input.sourceName ?? "").trim().toLowerCase();
  const role: SubscriptionRole = RENEWAL_SOURCE_NAMES.has(sourceName) ? "renewal" : "first";
  return { role, source: "selling_plan", evidence: sourceName || "selling plan", planId: planId?.trim() ?? null };
}

/**
 * What is known once a new signal comes: renewal beats first (see classifySubscriptionOrder); a plan
 * id, once known, is kept. Returns `known` itself when nothing changed, so callers can skip a write.
 */
export function mergeSubscriptionSignals(
  known: SubscriptionSignal | null,
  fresh: SubscriptionSignal | null,
): SubscriptionSignal | null {
  if (fresh === null) return known;
  if (known === null) return fresh;
  const role: SubscriptionRole = known.role === "renewal" || fresh.role === "renewal" ? "renewal" : "first";
  const base = known.role === role ? known : fresh;
  const planId = known.planId ?? fresh.planId;
  if (base === known && planId === known.planId) return known;
  return { ...base, planId };
}

/** The order's own id for OpenAI's subscription_created: derived, so every retry reuses it. */
export function subscriptionCreatedEventId(orderDedupId: DedupId): Promise<string> {
  return derivedEventId(orderDedupId, SUBSCRIPTION_CREATED_EVENT, "v1");
}

/** The id of a renewal's custom subscription_renewed event. */
export function subscriptionRenewedEventId(orderDedupId: DedupId): Promise<string> {
  return derivedEventId(orderDedupId, SUBSCRIPTION_RENEWED_EVENT, "v1");
}

/**
 * OpenAI's standard `subscription_created` for a first order, from the order's own order_created
 * event: the same time, source, click and matching data; `data` is `plan_enrollment` with the plan id
 * when known and the order's value (OpenAI's supported-events data shape: type, plan_id, amount,
 * currency; no contents).
 */
export function subscriptionCreatedFrom(orderEvent: CapiEvent, id: string, planId: string | null): CapiEvent {
  const event: CapiEvent = {
    id,
    type: SUBSCRIPTION_CREATED_EVENT,
    timestamp_ms: orderEvent.timestamp_ms,
    action_source: orderEvent.action_source,
    data: { type: "plan_enrollment" },
  };
  if (planId !== null && planId.trim() !== "") event.data.plan_id = planId.trim();
  if (typeof orderEvent.data.amount === "number" && typeof orderEvent.data.currency === "string") {
    event.data.amount = orderEvent.data.amount;
    event.data.currency = orderEvent.data.currency;
  }
  if (orderEvent.source_url !== undefined) event.source_url = orderEvent.source_url;
  if (orderEvent.oppref !== undefined) event.oppref = orderEvent.oppref;
  if (orderEvent.user !== undefined) event.user = structuredClone(orderEvent.user);
  if (orderEvent.opt_out !== undefined) event.opt_out = orderEvent.opt_out;
  return event;
}

/** A renewal as the custom `subscription_renewed`: the order's value and items, reporting only. */
export function subscriptionRenewedFrom(orderEvent: CapiEvent, id: string): CapiEvent {
  const event: CapiEvent = {
    id,
    type: "custom",
    custom_event_name: SUBSCRIPTION_RENEWED_EVENT,
    timestamp_ms: orderEvent.timestamp_ms,
    action_source: orderEvent.action_source,
    data: { type: "custom" },
  };
  if (typeof orderEvent.data.amount === "number" && typeof orderEvent.data.currency === "string") {
    event.data.amount = orderEvent.data.amount;
    event.data.currency = orderEvent.data.currency;
  }
  if (Array.isArray(orderEvent.data.contents) && orderEvent.data.contents.length > 0) {
    event.data.contents = structuredClone(orderEvent.data.contents);
  }
  if (orderEvent.source_url !== undefined) event.source_url = orderEvent.source_url;
  if (orderEvent.oppref !== undefined) event.oppref = orderEvent.oppref;
  if (orderEvent.user !== undefined) event.user = structuredClone(orderEvent.user);
  return event;
}

export const RENEWAL_DETAIL_PREFIX = "a subscription renewal, not a new conversion";

function renewalDetail(signal: SubscriptionSignal): string {
  return `${RENEWAL_DETAIL_PREFIX} (${signal.source} ${JSON.stringify(signal.evidence.slice(0, 40))})`;
}

/**
 * The policy an order is decided under: a renewal's event is built even where non-web orders are
 * skipped (Shopify's renewal source is not `web`), because what happens to it is decided here, not
 * by the non-web rule.
 */
export function policyForSubscriptionOrder(policy: ShopPolicy, signal: SubscriptionSignal | null): ShopPolicy {
  return signal?.role === "renewal" && policy.nonWebOrders !== "send" ? { ...policy, nonWebOrders: "send" } : policy;
}

/** One extra event an order's subscription role adds next to its order_created row. */
export type SubscriptionCompanion =
  | { kind: "send"; eventType: string; eventName: string; eventId: string; event: CapiEvent }
  | { kind: "skip"; eventType: string; eventName: string; eventId: string; reason: SkipReason; detail: string };

export interface SubscriptionOrderDecision {
  /** The order_created row to record: a renewal's becomes a `subscription_renewal` skip. */
  orderCreated: OrderEventDecision;
  /** subscription_created (first order) or subscription_renewed (renewal, when the shop reports them). */
  companions: SubscriptionCompanion[];
}

/** Skips that say something about the order itself, whatever its subscription role: kept as they are. */
const ORDER_FACT_REASONS: ReadonlySet<SkipReason> = new Set<SkipReason>([
  "test_order",
  "malformed_payload",
  "disabled",
  "expired",
]);

function asRenewalSkip(decision: OrderEventDecision, signal: SubscriptionSignal): OrderEventDecision {
  return {
    kind: "skip",
    reason: "subscription_renewal",
    detail: renewalDetail(signal),
    orderId: decision.orderId,
    orderName: decision.orderName,
    dedupId: decision.dedupId,
    amountMinor: decision.amountMinor,
    currency: decision.currency,
    occurredAt: decision.occurredAt,
    requiresOptIn: decision.requiresOptIn,
    regionUnknown: decision.regionUnknown,
  };
}

/**
 * From the order's own decision (decideOrderCreated under policyForSubscriptionOrder) and what is
 * known of its subscription role, every row the order adds. A skipped order (test, consent, expired,
 * malformed...) passes its reason on to its companions: they are never sent when the order may not be.
 */
export async function decideSubscriptionOrder(
  decision: OrderEventDecision,
  signal: SubscriptionSignal | null,
  policy: ShopPolicy,
): Promise<SubscriptionOrderDecision> {
  if (signal === null || decision.dedupId === null) return { orderCreated: decision, companions: [] };
  const dedupId = decision.dedupId;

  if (signal.role === "first") {
    const eventId = await subscriptionCreatedEventId(dedupId);
    const base = { eventType: SUBSCRIPTION_CREATED_EVENT, eventName: SUBSCRIPTION_CREATED_EVENT, eventId };
    const companion: SubscriptionCompanion =
      decision.kind === "send"
        ? { ...base, kind: "send", event: subscriptionCreatedFrom(decision.event, eventId, signal.planId) }
        : {
            ...base,
            kind: "skip",
            reason: decision.reason,
            detail: `the subscription's first order: ${decision.detail}`,
          };
    return { orderCreated: decision, companions: [companion] };
  }

  const orderCreated: OrderEventDecision =
    decision.kind === "skip" && ORDER_FACT_REASONS.has(decision.reason) ? decision : asRenewalSkip(decision, signal);
  if (policy.subscriptionRenewals !== "send") return { orderCreated, companions: [] };
  const eventId = await subscriptionRenewedEventId(dedupId);
  const base = { eventType: "custom", eventName: SUBSCRIPTION_RENEWED_EVENT, eventId };
  const companion: SubscriptionCompanion =
    decision.kind === "send"
      ? { ...base, kind: "send", event: subscriptionRenewedFrom(decision.event, eventId) }
      : { ...base, kind: "skip", reason: decision.reason, detail: `the renewal order: ${decision.detail}` };
  return { orderCreated, companions: [companion] };
}

/**
 * At send time, an order_created row whose order turned out to be a renewal after it was stored
 * (the tag came later): it is skipped, unless it is already gone (then nothing can be taken back).
 */
export function renewalSkipAtSendTime(
  signal: SubscriptionSignal | null,
): { reason: SkipReason; detail: string } | null {
  return signal?.role === "renewal" ? { reason: "subscription_renewal", detail: renewalDetail(signal) } : null;
}

/**
 * subscription_created at send time follows its order: sent (rebuilt from the order_created event
 * OpenAI accepted, so it carries the same oppref and matching data) once that was delivered; waits
 * while the order's event is still open; skipped with the order's reason when the order was not sent,
 * or as `subscription_renewal` when the order turned out to be a renewal.
 */
export function decideSubscriptionCreatedAtSendTime(input: {
  eventId: string;
  order: { status: string; skipReason: string | null; payload: string | null } | null;
  signal: SubscriptionSignal | null;
}): { action: "send"; event: CapiEvent } | { action: "wait" } | { action: "skip"; reason: SkipReason; detail: string } {
  const renewal = renewalSkipAtSendTime(input.signal);
  if (renewal) return { action: "skip", ...renewal };
  const order = input.order;
  if (order === null || order.status === "pending" || order.status === "sending" || order.status === "held") {
    return { action: "wait" };
  }
  if (order.status === "delivered" && order.payload) {
    try {
      const orderEvent = JSON.parse(order.payload) as CapiEvent;
      return {
        action: "send",
        event: subscriptionCreatedFrom(orderEvent, input.eventId, input.signal?.planId ?? null),
      };
    } catch {
      return { action: "skip", reason: "malformed_payload", detail: "the order's stored event could not be read" };
    }
  }
  const reason: SkipReason =
    order.status === "skipped" && isSkipReason(order.skipReason) ? order.skipReason : "order_not_counted";
  return {
    action: "skip",
    reason,
    detail: `the subscription's first order was not sent (${order.skipReason ?? order.status})`,
  };
}
