/**
 * Reconciliation figures, built from row aggregates the database returns (app/models/
 * reconciliation.server.ts), never from guesses. Pure: no I/O, no clock — "today" comes in as input —
 * so every number is unit-tested without a database.
 *
 * Definitions (the page, the CSV link targets and `scripts/print-reconciliation.ts` all use these):
 *
 * - Day: the UTC calendar day on which the app RECORDED the event (`ConversionEvent.createdAt`), i.e.
 *   when Shopify's webhook reached us. A range is a list of whole UTC days, both ends included.
 * - Web order received: an `order_created` row (any status) EXCEPT
 *     · skipped as `pos_order` or `non_web_order` (in-store, draft, other channels),
 *     · a non-web order the merchant chose to send anyway (its stored CAPI event has an
 *       `action_source` other than "web"), and
 *     · a row skipped as `duplicate` (a repeat of an order already counted, not a new order),
 *     · a row skipped as `subscription_renewal` (a repeat charge of a subscription, not a new sale).
 *   These exclusions are counted separately (`excluded`), so nothing disappears from view.
 * - Outcome of an event (one bucket each, so the buckets always add up to the total):
 *     accepted = status `delivered` (OpenAI answered 2xx; nothing else counts as accepted),
 *     waiting  = `pending`, `sending` (or `held`): queued, being sent, or in the receipt grace period,
 *     failed   = `rejected` (OpenAI refused it as invalid; never retried),
 *     expired  = status `expired`, or `skipped` with reason `expired` (older than 7 days before sending),
 *     skipped  = every other `skipped` row, broken down by its recorded reason,
 *     other    = any status this build does not know (shown, so the sums still reconcile).
 * - Corrections: `custom` rows (refund/cancellation reports), same outcome buckets, all rows counted,
 *   except `subscription_renewed` ones, which are counted with the subscriptions.
 * - Subscriptions: renewals (order_created skipped as `subscription_renewal`, also in `excluded`),
 *   their `subscription_renewed` reports and the first orders' `subscription_created` events, by outcome.
 * - Measured pixel loss, over the same web orders, each joined with its pixel receipt by order id
 *   (whenever the receipt arrived): pixel sent = receipt `pixelStatus` "sent"; blocked = "blocked"
 *   (the pixel's own OpenAI request failed in the browser); not sent = "not_sent" or anything else
 *   (no consent, pixel turned off); no receipt = none ever arrived. Missed by the pixel = blocked +
 *   not sent + no receipt. Server only = delivered by the server AND not "sent" by the pixel: sales
 *   OpenAI counted only thanks to server events. A receipt is late when it arrived after the server
 *   had already delivered the event (`deliveredAt`), or after it skipped it for `no_consent_signal`.
 * - oppref coverage: of the web orders whose server event was accepted, how many carried an oppref,
 *   by the recorded `opprefSource` (receipt, landing_site, note_attributes).
 * - Theme embed estimate: server-only web orders (accepted from the server, no pixel receipt at all)
 *   whose recorded oppref source is `note_attributes` — the click reference reached us only through
 *   the theme app embed's `_oppref` cart attribute. It is an estimate of what the embed added: without
 *   it these sales would have reached OpenAI with no click reference (some might still have been
 *   matched by hashed customer data, which no figure here can tell).
 * - Revenue: the same web orders minus test orders, joined with their OrderLedger row, per currency:
 *   gross, refunded, cancelled, net; next to the amounts OpenAI accepted (order_created delivered) and
 *   the correction amounts OpenAI accepted (custom events delivered, recorded in the range).
 */
import { type DayRange, daysOf } from "./day-range";
import { formatMinorUnits } from "./money";
import { SKIP_REASONS, isSkipReason } from "./skip-reasons";
import { SUBSCRIPTION_CREATED_EVENT, SUBSCRIPTION_RENEWED_EVENT } from "./subscription-order";

// ─── outcomes ────────────────────────────────────────────────────────────────────────────────────

export type Outcome = "accepted" | "waiting" | "failed" | "expired" | "skipped" | "other";
export const OUTCOMES: readonly Outcome[] = ["accepted", "waiting", "failed", "expired", "skipped", "other"];

/** Statuses meaning "not sent yet but still going to be". */
export const WAITING_STATUSES = ["pending", "sending", "held"] as const;

export function outcomeOf(status: string, skipReason: string | null): Outcome {
  if (status === "delivered") return "accepted";
  if ((WAITING_STATUSES as readonly string[]).includes(status)) return "waiting";
  if (status === "rejected") return "failed";
  if (status === "expired" || (status === "skipped" && skipReason === "expired")) return "expired";
  if (status === "skipped") return "skipped";
  return "other";
}

export interface OutcomeCounts {
  /** Sum of the six buckets below. */
  total: number;
  accepted: number;
  waiting: number;
  failed: number;
  expired: number;
  skipped: number;
  other: number;
  /** The `skipped` bucket by recorded reason (a null reason is "unknown"). Sums to `skipped`. */
  skippedByReason: Record<string, number>;
}

function emptyOutcomeCounts(): OutcomeCounts {
  return { total: 0, accepted: 0, waiting: 0, failed: 0, expired: 0, skipped: 0, other: 0, skippedByReason: {} };
}

function addOutcome(counts: OutcomeCounts, status: string, skipReason: string | null, n: number): void {
  const outcome = outcomeOf(status, skipReason);
  counts.total += n;
  counts[outcome] += n;
  if (outcome === "skipped") {
    const reason = skipReason ?? "unknown";
    counts.skippedByReason[reason] = (counts.skippedByReason[reason] ?? 0) + n;
  }
}

// ─── event aggregates → order and correction figures ─────────────────────────────────────────────

/** One GROUP BY row over ConversionEvent for a shop and range. */
export interface EventAggregateRow {
  day: string;
  eventType: string;
  /** For `custom` rows: the custom event name (refund / cancellation); "" otherwise. */
  eventName: string;
  status: string;
  skipReason: string | null;
  /** The stored CAPI event's `action_source` is present and not "web". */
  nonWebSent: boolean;
  count: number;
}

/** order_created rows that are not web orders, counted so nothing disappears. */
interface OrderExclusions {
  /** Skipped as `pos_order`. */
  posOrders: number;
  /** Skipped as `non_web_order` (draft orders, apps, other channels). */
  nonWebOrders: number;
  /** Non-web orders the merchant chose to send (`action_source` not "web"), any status. */
  nonWebSent: number;
  /** Skipped as `duplicate`. */
  duplicates: number;
  /** Skipped as `subscription_renewal`: repeat charges of a subscription, never new conversions. */
  subscriptionRenewals: number;
}

export type OrderRowKind = "web" | keyof OrderExclusions;

/** Which side of the "web orders received" definition an order_created row falls on. */
export function orderRowKind(row: Pick<EventAggregateRow, "status" | "skipReason" | "nonWebSent">): OrderRowKind {
  if (row.status === "skipped" && row.skipReason === "pos_order") return "posOrders";
  if (row.status === "skipped" && row.skipReason === "non_web_order") return "nonWebOrders";
  if (row.status === "skipped" && row.skipReason === "duplicate") return "duplicates";
  if (row.status === "skipped" && row.skipReason === "subscription_renewal") return "subscriptionRenewals";
  if (row.nonWebSent) return "nonWebSent";
  return "web";
}

export interface DayFigures {
  day: string;
  orders: OutcomeCounts;
  corrections: OutcomeCounts;
}

export interface EventFigures {
  /** Web orders received (see the definition at the top) by outcome. */
  orders: OutcomeCounts;
  excluded: OrderExclusions;
  corrections: OutcomeCounts;
  /** Corrections per custom event name (e.g. order_refunded, order_cancelled). */
  correctionsByName: Record<string, OutcomeCounts>;
  /** One entry per day of the range, oldest first, zero-filled. */
  days: DayFigures[];
  /** Rows with an eventType this build does not know (neither order_created nor custom). */
  otherEvents: number;
  subscriptions: SubscriptionFigures;
}

/** Subscription orders, counted apart from new sales. */
export interface SubscriptionFigures {
  /** Renewal orders received (never sent as order_created); the same number as `excluded.subscriptionRenewals`. */
  renewals: number;
  /** Their custom `subscription_renewed` reports, by outcome (none unless the shop turned them on). */
  renewalsReported: OutcomeCounts;
  /** First orders' `subscription_created` events, by outcome. */
  created: OutcomeCounts;
}

export function buildEventFigures(rows: readonly EventAggregateRow[], range: DayRange): EventFigures {
  const orders = emptyOutcomeCounts();
  const corrections = emptyOutcomeCounts();
  const correctionsByName: Record<string, OutcomeCounts> = {};
  const excluded: OrderExclusions = {
    posOrders: 0,
    nonWebOrders: 0,
    nonWebSent: 0,
    duplicates: 0,
    subscriptionRenewals: 0,
  };
  const subscriptions: SubscriptionFigures = {
    renewals: 0,
    renewalsReported: emptyOutcomeCounts(),
    created: emptyOutcomeCounts(),
  };
  const byDay = new Map<string, DayFigures>(
    daysOf(range).map((day) => [day, { day, orders: emptyOutcomeCounts(), corrections: emptyOutcomeCounts() }]),
  );
  let otherEvents = 0;

  for (const row of rows) {
    const n = row.count;
    if (!(n > 0)) continue;
    const day = byDay.get(row.day);
    if (row.eventType === "order_created") {
      const kind = orderRowKind(row);
      if (kind !== "web") {
        excluded[kind] += n;
        if (kind === "subscriptionRenewals") subscriptions.renewals += n;
        continue;
      }
      addOutcome(orders, row.status, row.skipReason, n);
      if (day) addOutcome(day.orders, row.status, row.skipReason, n);
    } else if (row.eventType === "custom" && row.eventName === SUBSCRIPTION_RENEWED_EVENT) {
      addOutcome(subscriptions.renewalsReported, row.status, row.skipReason, n);
    } else if (row.eventType === SUBSCRIPTION_CREATED_EVENT) {
      addOutcome(subscriptions.created, row.status, row.skipReason, n);
    } else if (row.eventType === "custom") {
      addOutcome(corrections, row.status, row.skipReason, n);
      const name = row.eventName || "custom";
      addOutcome((correctionsByName[name] ??= emptyOutcomeCounts()), row.status, row.skipReason, n);
      if (day) addOutcome(day.corrections, row.status, row.skipReason, n);
    } else {
      otherEvents += n;
    }
  }
  return { orders, excluded, corrections, correctionsByName, days: [...byDay.values()], otherEvents, subscriptions };
}

// ─── measured pixel loss and oppref coverage ─────────────────────────────────────────────────────

/** One GROUP BY row over the range's WEB orders, each joined with its pixel receipt (if any). */
export interface PixelAggregateRow {
  /** The order's server event was accepted by OpenAI (status delivered). */
  delivered: boolean;
  /** The delivered event's oppref source; null when not delivered. */
  opprefSource: string | null;
  /** The delivered event carried an oppref. */
  hasOppref: boolean;
  /** The receipt's pixelStatus: sent | blocked | not_sent; null = no receipt at all. */
  pixelStatus: string | null;
  /** The receipt's consent: granted | denied | unknown; null = no receipt. */
  consent: string | null;
  /** The receipt arrived after the server had already sent or finally decided the order's event. */
  lateReceipt: boolean;
  count: number;
}

export interface PixelLossFigures {
  /** Web orders received in the range (same set as EventFigures.orders.total). */
  webOrders: number;
  /** Receipt says the pixel's own OpenAI request went out and came back. */
  pixelSent: number;
  /** Receipt says the pixel tried and its OpenAI request failed (ad blocker, network, browser). */
  pixelBlocked: number;
  /** Receipt says the pixel did not try (no marketing consent, or the pixel turned off). */
  pixelNotSent: number;
  /** No receipt ever arrived (pixel never ran: closed tab, blocked script, extension disconnected). */
  noReceipt: number;
  /** Receipts reporting that the buyer declined consent (any pixelStatus). */
  consentDenied: number;
  /** Receipts that arrived after the server had already sent or decided the order's event. */
  lateReceipts: number;
  /** Web orders the pixel did NOT report to OpenAI: blocked + not sent + no receipt. */
  missedByPixel: number;
  /** Web orders accepted by OpenAI from the server while the pixel did not report them. */
  serverOnly: number;
  /** Accepted from the server AND reported by the pixel (deduplicated by OpenAI to one conversion). */
  both: number;
  /** Reported by the pixel only: the server did not (yet) deliver it. */
  pixelOnly: number;
  /** Reported by neither (yet). */
  neither: number;
  /** missedByPixel / webOrders; null when there are no web orders. */
  pixelLossRate: number | null;
  /** serverOnly / webOrders: the share of all web orders that only the server got counted. */
  serverRecoveryRate: number | null;
  /** serverOnly / missedByPixel: how much of the pixel's loss the server made up. */
  recoveredShareOfMissed: number | null;
}

export type PixelReceiptClass = "sent" | "blocked" | "not_sent" | "none";

/** A receipt's class; an unknown pixelStatus counts as "not_sent" (the pixel did not report it). */
export function receiptClass(pixelStatus: string | null): PixelReceiptClass {
  if (pixelStatus === null) return "none";
  if (pixelStatus === "sent" || pixelStatus === "blocked") return pixelStatus;
  return "not_sent";
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

export function buildPixelLoss(rows: readonly PixelAggregateRow[]): PixelLossFigures {
  const f = {
    webOrders: 0,
    pixelSent: 0,
    pixelBlocked: 0,
    pixelNotSent: 0,
    noReceipt: 0,
    consentDenied: 0,
    lateReceipts: 0,
    serverOnly: 0,
    both: 0,
    pixelOnly: 0,
    neither: 0,
  };
  for (const row of rows) {
    const n = row.count;
    if (!(n > 0)) continue;
    f.webOrders += n;
    const cls = receiptClass(row.pixelStatus);
    if (cls === "sent") f.pixelSent += n;
    else if (cls === "blocked") f.pixelBlocked += n;
    else if (cls === "not_sent") f.pixelNotSent += n;
    else f.noReceipt += n;
    if (cls !== "none" && row.consent === "denied") f.consentDenied += n;
    if (cls !== "none" && row.lateReceipt) f.lateReceipts += n;
    const pixelReported = cls === "sent";
    if (row.delivered && pixelReported) f.both += n;
    else if (row.delivered) f.serverOnly += n;
    else if (pixelReported) f.pixelOnly += n;
    else f.neither += n;
  }
  const missedByPixel = f.pixelBlocked + f.pixelNotSent + f.noReceipt;
  return {
    ...f,
    missedByPixel,
    pixelLossRate: ratio(missedByPixel, f.webOrders),
    serverRecoveryRate: ratio(f.serverOnly, f.webOrders),
    recoveredShareOfMissed: ratio(f.serverOnly, missedByPixel),
  };
}

export const OPPREF_SOURCES = ["receipt", "landing_site", "note_attributes"] as const;
export type KnownOpprefSource = (typeof OPPREF_SOURCES)[number];

export interface OpprefCoverage {
  /** Web orders whose server event OpenAI accepted in the range. */
  delivered: number;
  /** Of those, events that carried an oppref. */
  withOppref: number;
  bySource: Record<KnownOpprefSource, number>;
  /** Carried an oppref but the recorded source is not one of the known ones. */
  otherSource: number;
  withoutOppref: number;
  /** withOppref / delivered; null when nothing was delivered. */
  coverageRate: number | null;
}

export function buildOpprefCoverage(rows: readonly PixelAggregateRow[]): OpprefCoverage {
  const bySource: Record<KnownOpprefSource, number> = { receipt: 0, landing_site: 0, note_attributes: 0 };
  let delivered = 0;
  let withOppref = 0;
  let otherSource = 0;
  for (const row of rows) {
    if (!row.delivered || !(row.count > 0)) continue;
    delivered += row.count;
    if (!row.hasOppref) continue;
    withOppref += row.count;
    if ((OPPREF_SOURCES as readonly string[]).includes(row.opprefSource ?? ""))
      bySource[row.opprefSource as KnownOpprefSource] += row.count;
    else otherSource += row.count;
  }
  return {
    delivered,
    withOppref,
    bySource,
    otherSource,
    withoutOppref: delivered - withOppref,
    coverageRate: ratio(withOppref, delivered),
  };
}

/** What the theme app embed's cart attribute added to the sales only the server got counted. */
export interface ThemeEmbedEstimate {
  /** Accepted from the server, no pixel receipt, oppref from the cart attribute (`note_attributes`). */
  attributed: number;
  /** Accepted from the server with no pixel receipt at all (the pool the estimate is drawn from). */
  serverOnlyWithoutReceipt: number;
  /** attributed / serverOnlyWithoutReceipt; null when there is no such order. */
  share: number | null;
}

export function buildThemeEmbedEstimate(rows: readonly PixelAggregateRow[]): ThemeEmbedEstimate {
  let attributed = 0;
  let serverOnlyWithoutReceipt = 0;
  for (const row of rows) {
    if (!row.delivered || !(row.count > 0) || receiptClass(row.pixelStatus) !== "none") continue;
    serverOnlyWithoutReceipt += row.count;
    if (row.hasOppref && row.opprefSource === "note_attributes") attributed += row.count;
  }
  return { attributed, serverOnlyWithoutReceipt, share: ratio(attributed, serverOnlyWithoutReceipt) };
}

// ─── revenue ─────────────────────────────────────────────────────────────────────────────────────

/**
 * One row per currency over the range's web orders (test orders excluded: their money is not real),
 * joined with the order's ledger row.
 */
export interface RevenueAggregateRow {
  currency: string | null;
  orders: number;
  /** Orders whose gross is unknown (no ledger row, or Shopify's total could not be read). */
  unknownAmount: number;
  grossMinor: number;
  refundedMinor: number;
  cancelledMinor: number;
  netMinor: number;
  cancelledOrders: number;
  /** Sum of the amounts OpenAI accepted in `order_created` events (value at the time of sending). */
  reportedMinor: number;
  /** Sum of the amounts OpenAI accepted in correction (custom) events recorded in the range. */
  correctionsReportedMinor: number;
}

export interface RevenueFigures extends RevenueAggregateRow {
  currency: string;
}

/** Merges rows per currency (null/unknown → "unknown"), largest gross first. */
export function buildRevenue(rows: readonly RevenueAggregateRow[]): RevenueFigures[] {
  const byCurrency = new Map<string, RevenueFigures>();
  for (const row of rows) {
    const currency = row.currency && row.currency.trim() !== "" ? row.currency.trim().toUpperCase() : "unknown";
    const into = byCurrency.get(currency) ?? {
      currency,
      orders: 0,
      unknownAmount: 0,
      grossMinor: 0,
      refundedMinor: 0,
      cancelledMinor: 0,
      netMinor: 0,
      cancelledOrders: 0,
      reportedMinor: 0,
      correctionsReportedMinor: 0,
    };
    into.orders += row.orders;
    into.unknownAmount += row.unknownAmount;
    into.grossMinor += row.grossMinor;
    into.refundedMinor += row.refundedMinor;
    into.cancelledMinor += row.cancelledMinor;
    into.netMinor += row.netMinor;
    into.cancelledOrders += row.cancelledOrders;
    into.reportedMinor += row.reportedMinor;
    into.correctionsReportedMinor += row.correctionsReportedMinor;
    byCurrency.set(currency, into);
  }
  return [...byCurrency.values()].sort((a, b) => b.grossMinor - a.grossMinor || a.currency.localeCompare(b.currency));
}

/** "129.99 USD"; tolerant of unknown currency codes (shown as raw minor units). */
export function formatMoney(currency: string, minor: number): string {
  try {
    return `${formatMinorUnits(currency, minor)} ${currency}`;
  } catch {
    return `${minor} (minor units) ${currency}`;
  }
}

// ─── the report ──────────────────────────────────────────────────────────────────────────────────

export interface ReconciliationReport {
  shop: string;
  range: DayRange;
  /** ISO instant the figures were read. */
  generatedAt: string;
  events: EventFigures;
  pixel: PixelLossFigures;
  oppref: OpprefCoverage;
  themeEmbed: ThemeEmbedEstimate;
  revenue: RevenueFigures[];
  /** Pixel receipts received in the range for orders Shopify's webhooks never told us about. */
  receiptsWithoutOrder: number;
}

export function buildReconciliationReport(input: {
  shop: string;
  range: DayRange;
  generatedAt: Date;
  events: readonly EventAggregateRow[];
  pixel: readonly PixelAggregateRow[];
  revenue: readonly RevenueAggregateRow[];
  receiptsWithoutOrder: number;
}): ReconciliationReport {
  return {
    shop: input.shop,
    range: input.range,
    generatedAt: input.generatedAt.toISOString(),
    events: buildEventFigures(input.events, input.range),
    pixel: buildPixelLoss(input.pixel),
    oppref: buildOpprefCoverage(input.pixel),
    themeEmbed: buildThemeEmbedEstimate(input.pixel),
    revenue: buildRevenue(input.revenue),
    receiptsWithoutOrder: input.receiptsWithoutOrder,
  };
}

// ─── an event's outcome in words (the event log and its CSV, built in app/models, use these) ─────

export function skipReasonText(reason: string): string {
  return isSkipReason(reason)
    ? SKIP_REASONS[reason]
    : reason === "unknown"
      ? "No reason was recorded."
      : `Recorded reason: ${reason}.`;
}

/** What OpenAI answered for one event, in words, for the event log and its CSV. */
export function describeOpenAiAnswer(row: {
  status: string;
  skipReason: string | null;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}): string {
  const http = row.lastStatus !== null ? `HTTP ${row.lastStatus}` : null;
  switch (outcomeOf(row.status, row.skipReason)) {
    case "accepted":
      return `Accepted${http ? ` (${http})` : ""}`;
    case "failed":
      return `Rejected${http ? ` (${http})` : ""}${row.lastError ? `: ${row.lastError}` : ""}`;
    case "waiting":
      if (row.attempts === 0 && !row.lastError) return "Not sent yet";
      return `Will retry${http ? ` (last answer ${http})` : ""}${row.lastError ? `: ${row.lastError}` : ""}`;
    case "expired":
      return `Not sent: ${SKIP_REASONS.expired}`;
    case "skipped":
      return `Not sent: ${skipReasonText(row.skipReason ?? "unknown")}`;
    default:
      return row.lastError ?? row.status;
  }
}
