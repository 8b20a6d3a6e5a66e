/**
 * Alert rules for the banner on every admin page. Pure: the inputs (app/models/alerts.server.ts) are
 * counts and instants read from the database, `now` included, so each threshold is tested at its edge.
 *
 * Every rule names what it looked at in its message, so a merchant can check it in the event log.
 */
import { outcomeOf, type EventAggregateRow, orderRowKind } from "./reconciliation";

// ─── thresholds ──────────────────────────────────────────────────────────────────────────────────

/** Delivery is "failing" once events have been retried without any success for MORE than this. */
export const DELIVERY_FAILING_AFTER_MINUTES = 30;

/** The accepted/orders ratio looks at web orders recorded in this many hours... */
export const ACCEPTED_RATIO_WINDOW_HOURS = 6;
/**
 * ...ending this many minutes ago (plus the shop's oppref grace period): newer orders are normally
 * still on their way (grace period, first attempt, a retry or two) and would make the ratio look bad.
 */
export const ACCEPTED_RATIO_SETTLE_MINUTES = 30;
/** Alert when accepted / deliverable orders is BELOW this. */
export const ACCEPTED_RATIO_THRESHOLD = 0.8;
/** ...and only with at least this many deliverable orders in the window (a few orders say nothing). */
export const ACCEPTED_RATIO_MIN_ORDERS = 10;

/** Pixel receipts "stopped" when none arrived in this many hours... */
export const RECEIPTS_QUIET_HOURS = 3;
/** ...after at least one arrived in the 24 hours before that quiet window... */
export const RECEIPTS_BASELINE_HOURS = 24;
/** ...while at least this many web orders were recorded during the quiet window. */
export const RECEIPTS_QUIET_MIN_ORDERS = 5;

/** Warn about queued events whose 7-day window closes within this many hours. */
export const EXPIRY_WARNING_HOURS = 24;

/**
 * Skips that are somebody's choice, not a delivery problem: they are left out of the ratio's
 * denominator. Everything else that did not reach OpenAI (waiting too long, rejected, expired,
 * malformed, not configured) counts against the ratio.
 */
const CHOSEN_SKIP_REASONS: readonly string[] = [
  "test_order",
  "consent_denied",
  "no_consent_signal",
  "region_unknown",
  "sale_of_data_refused",
  "order_not_seen",
  "disabled",
  "cancelled_before_send",
  "zero_amount",
  "duplicate",
  "corrections_disabled",
  "order_not_counted",
  "already_reversed",
  "included_in_order",
  "uninstalled",
  "pos_order",
  "non_web_order",
];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

// ─── windows the model must query ────────────────────────────────────────────────────────────────

export interface AlertWindows {
  ratio: { start: Date; end: Date };
  receiptsBaseline: { start: Date; end: Date };
  receiptsQuiet: { start: Date; end: Date };
  /** Open events expiring at or before this instant are "about to expire". */
  expiryHorizon: Date;
}

/** The half-open [start, end) windows each rule looks at. `graceSeconds`: the shop's oppref grace. */
export function alertWindows(now: Date, graceSeconds = 0): AlertWindows {
  const t = now.getTime();
  const ratioEnd = t - ACCEPTED_RATIO_SETTLE_MINUTES * MINUTE_MS - Math.max(0, graceSeconds) * 1000;
  const quietStart = t - RECEIPTS_QUIET_HOURS * HOUR_MS;
  return {
    ratio: { start: new Date(ratioEnd - ACCEPTED_RATIO_WINDOW_HOURS * HOUR_MS), end: new Date(ratioEnd) },
    receiptsBaseline: { start: new Date(quietStart - RECEIPTS_BASELINE_HOURS * HOUR_MS), end: new Date(quietStart) },
    receiptsQuiet: { start: new Date(quietStart), end: new Date(t) },
    expiryHorizon: new Date(t + EXPIRY_WARNING_HOURS * HOUR_MS),
  };
}

// ─── inputs ──────────────────────────────────────────────────────────────────────────────────────

export interface AlertInputs {
  now: Date;
  credentials: { status: string; message: string | null; checkedAt: Date | null };
  /** The oldest open (pending/sending) event with at least one failed attempt, if any. */
  oldestFailing: { createdAt: Date; lastStatus: number | null; lastError: string | null } | null;
  /** How many open events have at least one failed attempt. */
  failingCount: number;
  /** The shop's last successful delivery (ShopSettings.lastDeliveredAt). */
  lastDeliveredAt: Date | null;
  /** Web-order outcomes in the ratio window. */
  ratio: { deliverable: number; accepted: number };
  receipts: { baseline: number; quiet: number; webOrdersQuiet: number };
  expiring: { count: number; earliest: Date | null };
}

/** The ratio's numbers from ConversionEvent aggregates of the ratio window (order_created rows only). */
export function ratioFromAggregates(rows: readonly EventAggregateRow[]): { deliverable: number; accepted: number } {
  let deliverable = 0;
  let accepted = 0;
  for (const row of rows) {
    if (row.eventType !== "order_created" || orderRowKind(row) !== "web" || !(row.count > 0)) continue;
    if (row.status === "skipped" && row.skipReason !== null && CHOSEN_SKIP_REASONS.includes(row.skipReason)) continue;
    deliverable += row.count;
    if (outcomeOf(row.status, row.skipReason) === "accepted") accepted += row.count;
  }
  return { deliverable, accepted };
}

/** Web orders (any outcome) in aggregates: the "orders kept coming" side of the receipts rule. */
export function webOrdersFromAggregates(rows: readonly EventAggregateRow[]): number {
  return rows.reduce(
    (sum, row) =>
      row.eventType === "order_created" && orderRowKind(row) === "web" && row.count > 0 ? sum + row.count : sum,
    0,
  );
}

// ─── rules ───────────────────────────────────────────────────────────────────────────────────────

type AlertId =
  "credentials_rejected" | "delivery_failing" | "low_accepted_ratio" | "receipts_stopped" | "events_expiring";

export interface Alert {
  id: AlertId;
  tone: "critical" | "warning";
  title: string;
  message: string;
  action?: { content: string; url: string };
}

function credentialsRejectedAlert(i: AlertInputs): Alert | null {
  if (i.credentials.status !== "rejected") return null;
  return {
    id: "credentials_rejected",
    tone: "critical",
    title: "OpenAI rejected your Conversions API key",
    message: `${i.credentials.message ?? "OpenAI refused the credentials."} Sales are kept and sent once you save a working Pixel ID and key (events older than 7 days can no longer be sent).`,
    action: { content: "Update credentials", url: "/app" },
  };
}

/** Minutes delivery has been failing: since the oldest failing event, or since the last success if later. */
export function failingForMinutes(i: Pick<AlertInputs, "now" | "oldestFailing" | "lastDeliveredAt">): number | null {
  if (!i.oldestFailing) return null;
  const since = Math.max(i.oldestFailing.createdAt.getTime(), i.lastDeliveredAt?.getTime() ?? -Infinity);
  return (i.now.getTime() - since) / MINUTE_MS;
}

function deliveryFailingAlert(i: AlertInputs): Alert | null {
  const minutes = failingForMinutes(i);
  if (minutes === null || !(minutes > DELIVERY_FAILING_AFTER_MINUTES)) return null;
  const last = i.oldestFailing!;
  const answer = last.lastStatus !== null ? `HTTP ${last.lastStatus}` : "no answer (network)";
  return {
    id: "delivery_failing",
    tone: "critical",
    title: `Delivery to OpenAI has been failing for ${formatDuration(minutes)}`,
    message: `${i.failingCount} ${plural(i.failingCount, "event is", "events are")} being retried; OpenAI's last answer: ${answer}${last.lastError ? ` (${last.lastError})` : ""}. Retries continue automatically for up to 7 days.`,
    action: { content: "See waiting events", url: "/app/events?status=waiting" },
  };
}

function acceptedRatioAlert(i: AlertInputs): Alert | null {
  const { deliverable, accepted } = i.ratio;
  if (deliverable < ACCEPTED_RATIO_MIN_ORDERS) return null;
  if (!(accepted / deliverable < ACCEPTED_RATIO_THRESHOLD)) return null;
  return {
    id: "low_accepted_ratio",
    tone: "warning",
    title: `Only ${accepted} of ${deliverable} recent web orders were accepted by OpenAI`,
    message: `In the ${ACCEPTED_RATIO_WINDOW_HOURS} hours up to ${ACCEPTED_RATIO_SETTLE_MINUTES} minutes ago, fewer than ${Math.round(ACCEPTED_RATIO_THRESHOLD * 100)}% of the web orders that could be sent were accepted (test orders and buyers' consent choices are not counted).`,
    action: { content: "Open reconciliation", url: "/app/reconciliation?days=1" },
  };
}

function receiptsStoppedAlert(i: AlertInputs): Alert | null {
  const r = i.receipts;
  if (!(r.baseline > 0 && r.quiet === 0 && r.webOrdersQuiet >= RECEIPTS_QUIET_MIN_ORDERS)) return null;
  return {
    id: "receipts_stopped",
    tone: "warning",
    title: "The web pixel has gone quiet",
    message: `${r.webOrdersQuiet} web orders arrived in the last ${RECEIPTS_QUIET_HOURS} hours but the pixel reported none of them (it reported ${r.baseline} in the ${RECEIPTS_BASELINE_HOURS} hours before). The pixel extension may be disconnected or blocked: server events still count these sales, with fewer ad clicks attributed.`,
    action: { content: "Check the pixel", url: "/app" },
  };
}

function eventsExpiringAlert(i: AlertInputs): Alert | null {
  if (i.expiring.count <= 0) return null;
  const minutes = i.expiring.earliest ? (i.expiring.earliest.getTime() - i.now.getTime()) / MINUTE_MS : null;
  const when =
    minutes === null
      ? ""
      : minutes <= 0
        ? "; the oldest is already past it and can no longer be sent"
        : `; the first one expires in ${formatDuration(minutes)}`;
  return {
    id: "events_expiring",
    tone: "warning",
    title: `${i.expiring.count} unsent ${plural(i.expiring.count, "event expires", "events expire")} within ${EXPIRY_WARNING_HOURS} hours`,
    message: `OpenAI only accepts events up to 7 days old${when}. Fix what blocks delivery (see the other alerts) before then.`,
    action: { content: "See waiting events", url: "/app/events?status=waiting" },
  };
}

/** All alerts that apply, most serious first. */
export function evaluateAlerts(inputs: AlertInputs): Alert[] {
  return [credentialsRejectedAlert, deliveryFailingAlert, acceptedRatioAlert, receiptsStoppedAlert, eventsExpiringAlert]
    .map((rule) => rule(inputs))
    .filter((alert): alert is Alert => alert !== null);
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** "45 minutes", "3 hours", "2 days". */
export function formatDuration(minutes: number): string {
  const m = Math.floor(minutes);
  if (m < 120) return `${m} ${plural(m, "minute", "minutes")}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} hours`;
  return `${Math.floor(h / 24)} days`;
}
