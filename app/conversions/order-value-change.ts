/**
 * Changes of an order's value after checkout: order edits, post-purchase upsells (Shopify records an
 * accepted offer as an order edit), and returns and exchanges (Shopify updates the existing order).
 *
 * Two webhooks tell the app about them, in either order and more than once:
 *  - `orders/edited` names the edit (`order_edit.id`, when it was committed) but carries a line-item
 *    diff, not money;
 *  - `orders/updated` carries the order's `current_total_price`, which reflects edits, returns and
 *    refunds (Shopify's REST Order reference); `total_price` never changes.
 *
 * The value SOLD (what the ledger's gross means: before refunds) is therefore the current total plus
 * the money of the refunds the same payload lists. Refunds stay the refunds/create webhook's job
 * (one ledger entry per refund id), so a refund that both topics reflect is subtracted once: adding
 * back the refunds the payload lists makes the sold value blind to them, whichever topic came first.
 *
 * Whatever the sold value is now, minus what checkout and the value changes already recorded account
 * for, is one new value change; it is attributed to the latest edit the app knows of that no earlier
 * change took (its id names that edit), else to the update itself (its `updated_at`). Both are in the
 * payloads, so a redelivery finds the same key and changes nothing.
 */
import { isValidCustomEventName } from "./capi-event";
import { parseRefund } from "./correction-event";
import { normalizeCurrencyCode, toMinorUnits } from "./money";
import { normalizeOrderId } from "./order-id";

type Record_ = Record<string, unknown>;

function asRecord(value: unknown): Record_ | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record_) : null;
}

/** A Shopify REST id: a positive integer as a number or as digits (big ids arrive as text). */
function idString(value: unknown): string | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === "string" && /^[1-9][0-9]{0,19}$/.test(value.trim())) return value.trim();
  return null;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function parseTimestamp(value: unknown): Date | null {
  if (typeof value !== "string" || !ISO_TIMESTAMP.test(value.trim())) return null;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? new Date(ms) : null;
}

function orderIdOf(value: unknown): string | null {
  try {
    return normalizeOrderId(value);
  } catch {
    return null;
  }
}

export interface OrderEditFacts {
  orderId: string;
  editId: string;
  /** committed_at, else created_at */
  editedAt: Date;
}

/** `orders/edited`: `{ order_edit: { id, order_id, created_at, committed_at, line_items: {...} } }`. */
export function parseOrderEdit(payload: unknown): { ok: true; edit: OrderEditFacts } | { ok: false; detail: string } {
  const edit = asRecord(asRecord(payload)?.order_edit);
  if (!edit) return { ok: false, detail: "order_edit is missing or not an object" };
  const editId = idString(edit.id);
  if (editId === null) return { ok: false, detail: "order_edit.id is missing or invalid" };
  const orderId = orderIdOf(edit.order_id);
  if (orderId === null) return { ok: false, detail: "order_edit.order_id is missing or not a Shopify order id" };
  const editedAt = parseTimestamp(edit.committed_at) ?? parseTimestamp(edit.created_at);
  if (editedAt === null) {
    return { ok: false, detail: "order_edit.committed_at/created_at is missing or not an ISO 8601 timestamp" };
  }
  return { ok: true, edit: { orderId, editId, editedAt } };
}

export interface OrderValueFacts {
  orderId: string;
  /** current total + the money of the refunds the payload lists: the value sold, before refunds */
  soldValueMinor: number;
  currency: string;
  /** updated_at: orders/updated of the same order arrive in any order; the latest one wins */
  observedAt: Date;
  /** created_at of the order (an update of an order the app never saw is only kept when recent) */
  orderCreatedAt: Date | null;
}

/**
 * `orders/updated`. Money in the buyer's (presentment) currency, like the order's gross
 * (`current_total_price_set.presentment_money`), else the shop-currency `current_total_price`.
 */
export function parseOrderValue(
  payload: unknown,
): { ok: true; value: OrderValueFacts } | { ok: false; detail: string } {
  const order = asRecord(payload);
  if (!order) return { ok: false, detail: "the order payload is not a JSON object" };
  const orderId = orderIdOf(order.id ?? order.admin_graphql_api_id);
  if (orderId === null) return { ok: false, detail: "id is missing or not a Shopify order id" };
  const observedAt = parseTimestamp(order.updated_at);
  if (observedAt === null) return { ok: false, detail: "updated_at is missing or not an ISO 8601 timestamp" };

  const set = asRecord(order.current_total_price_set);
  const presentment = asRecord(set?.presentment_money);
  const [field, amount, code] = presentment
    ? ["current_total_price_set.presentment_money", presentment.amount, presentment.currency_code]
    : ["current_total_price", order.current_total_price, order.currency ?? order.presentment_currency];
  const currency = normalizeCurrencyCode(code);
  if (currency === null || (typeof amount !== "string" && typeof amount !== "number")) {
    return { ok: false, detail: `${field} is missing or not an amount in a known ISO 4217 currency` };
  }
  let current: number;
  try {
    current = toMinorUnits(currency, amount);
  } catch {
    return { ok: false, detail: `${field} is not a valid non-negative amount` };
  }

  const refunds = order.refunds ?? [];
  if (!Array.isArray(refunds)) return { ok: false, detail: "refunds is not a list" };
  let refunded = 0;
  for (let i = 0; i < refunds.length; i++) {
    const parsed = parseRefund(refunds[i]);
    if (!parsed.ok) return { ok: false, detail: `refunds[${i}]: ${parsed.detail}` };
    if (parsed.refund.amountMinor === 0) continue;
    if (parsed.refund.currency !== currency) {
      return { ok: false, detail: `refunds[${i}] is in another currency than the order's current total` };
    }
    refunded += parsed.refund.amountMinor;
  }
  const soldValueMinor = current + refunded;
  if (!Number.isSafeInteger(soldValueMinor)) return { ok: false, detail: "the order's value is too large" };
  return {
    ok: true,
    value: { orderId, soldValueMinor, currency, observedAt, orderCreatedAt: parseTimestamp(order.created_at) },
  };
}

/** One recorded change of the order's value: + added, - removed. */
export interface RecordedValueChange {
  /** `edit-<order edit id>` or `update-<updated_at ms>` */
  cause: string;
  deltaMinor: number;
}

export interface ValueChangePlan {
  cause: string;
  deltaMinor: number;
  /** when the change happened: the edit's commit time, else the update's */
  occurredAt: Date;
}

export function editCause(editId: string): string {
  return `edit-${editId}`;
}

function updateCause(at: Date): string {
  return `update-${at.getTime()}`;
}

/**
 * The value change the latest observation implies, or null when checkout and the recorded changes
 * already account for it (including when the original gross or the observation is not known yet).
 */
export function planValueChange(input: {
  originalGrossMinor: number | null;
  observed: { soldValueMinor: number; at: Date } | null;
  recorded: readonly RecordedValueChange[];
  edits: readonly { editId: string; editedAt: Date }[];
}): ValueChangePlan | null {
  const { originalGrossMinor, observed } = input;
  if (originalGrossMinor === null || observed === null) return null;
  const accounted = input.recorded.reduce((sum, change) => sum + change.deltaMinor, originalGrossMinor);
  const deltaMinor = observed.soldValueMinor - accounted;
  if (deltaMinor === 0 || !Number.isSafeInteger(deltaMinor)) return null;

  const taken = new Set(input.recorded.map((change) => change.cause));
  // The observation reflects the edits committed up to its own time; the latest untaken one names the change.
  const edit = [...input.edits]
    .filter((e) => e.editedAt.getTime() <= observed.at.getTime() && !taken.has(editCause(e.editId)))
    .sort((a, b) => b.editedAt.getTime() - a.editedAt.getTime())[0];
  if (edit) return { cause: editCause(edit.editId), deltaMinor, occurredAt: edit.editedAt };
  const cause = updateCause(observed.at);
  // The same update already recorded a change: what is left is not this update's doing.
  if (taken.has(cause)) return null;
  return { cause, deltaMinor, occurredAt: observed.at };
}

/**
 * The custom event name a value change goes under: added value under the shop's value-added name,
 * removed value "like a refund" under its refund name. A stored name that fails OpenAI's rule falls
 * back to the default rather than losing the change.
 */
export function valueChangeEventName(
  deltaMinor: number,
  names: { valueAddedEventName: string; refundEventName: string },
  defaults: { valueAddedEventName: string; refundEventName: string },
): string {
  const key = deltaMinor > 0 ? "valueAddedEventName" : "refundEventName";
  return isValidCustomEventName(names[key]) ? names[key] : defaults[key];
}
