/**
 * Refunds and cancellations. OpenAI has no refund, cancel or retraction event and no negative
 * amounts; re-sending `order_created` changes nothing (the first event wins). So a correction is
 * reported as a `custom` event (reporting only, never an optimization goal) that names the original
 * order by its dedup id and carries the reversed amount, while the app's own ledger (./ledger.ts)
 * keeps net revenue.
 */
import { isValidCustomEventName, type CapiEvent } from "./capi-event";
import { derivedEventId, type DedupId } from "./dedup-id";
import { normalizeCurrencyCode, toMinorUnits } from "./money";
import { normalizeOrderId } from "./order-id";

export type RefundFacts = {
  orderId: string;
  refundId: string;
  amountMinor: number;
  currency: string;
  occurredAt: Date;
};

type Record_ = Record<string, unknown>;

function asRecord(value: unknown): Record_ | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record_) : null;
}

/**
 * Shopify's REST ids are positive integers (as numbers, or digit strings). Anything else — control
 * characters, text, gids of other resources — is not an id this app will key a ledger entry on.
 */
function idString(value: unknown): string | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === "string") {
    const text = value.trim();
    if (/^[1-9][0-9]{0,19}$/.test(text)) return text;
    const gid = /^gid:\/\/shopify\/[A-Za-z]+\/([1-9][0-9]{0,19})$/.exec(text);
    if (gid) return gid[1];
  }
  return null;
}

/** ISO 8601 with an explicit offset (a zone-less time would depend on the server's time zone). */
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

/**
 * Shopify `refunds/create`: the refunded money is the sum of `transactions[]` with kind "refund" and
 * status "success" (the money that actually went back; refund_line_items alone may be a restock with
 * no money moved). All of them must share one currency. No successful refund transaction → amount 0
 * (ok: the caller decides, typically `zero_amount`); the currency then comes from the refund line
 * items' presentment money when present, else "".
 *
 * Details name fields, never their values.
 */
export function parseRefund(payload: unknown): { ok: true; refund: RefundFacts } | { ok: false; detail: string } {
  const refund = asRecord(payload);
  if (!refund) return { ok: false, detail: "the refund payload is not a JSON object" };

  const refundId = idString(refund.id);
  if (refundId === null) return { ok: false, detail: "id is missing or invalid" };
  const orderId = orderIdOf(refund.order_id);
  if (orderId === null) return { ok: false, detail: "order_id is missing or not a Shopify order id" };
  const occurredAt = parseTimestamp(refund.processed_at) ?? parseTimestamp(refund.created_at);
  if (occurredAt === null)
    return { ok: false, detail: "processed_at/created_at is missing or not an ISO 8601 timestamp" };

  const transactions = refund.transactions ?? [];
  if (!Array.isArray(transactions)) return { ok: false, detail: "transactions is not a list" };

  let total = 0;
  let currency: string | null = null;
  for (let i = 0; i < transactions.length; i++) {
    const tx = asRecord(transactions[i]);
    if (!tx || tx.kind !== "refund" || tx.status !== "success") continue;
    const code = normalizeCurrencyCode(tx.currency);
    if (code === null) return { ok: false, detail: `transactions[${i}].currency is missing or unknown` };
    if (currency !== null && code !== currency) {
      return { ok: false, detail: "refund transactions use more than one currency" };
    }
    currency = code;
    if (typeof tx.amount !== "string" && typeof tx.amount !== "number") {
      return { ok: false, detail: `transactions[${i}].amount is missing` };
    }
    let minor: number;
    try {
      minor = toMinorUnits(code, tx.amount);
    } catch {
      return { ok: false, detail: `transactions[${i}].amount is not a valid non-negative amount` };
    }
    total += minor;
    if (!Number.isSafeInteger(total)) return { ok: false, detail: "refund total is too large" };
  }

  return {
    ok: true,
    refund: { orderId, refundId, amountMinor: total, currency: currency ?? lineItemCurrency(refund) ?? "", occurredAt },
  };
}

function lineItemCurrency(refund: Record_): string | null {
  if (!Array.isArray(refund.refund_line_items)) return null;
  for (const raw of refund.refund_line_items) {
    const presentment = asRecord(asRecord(asRecord(raw)?.subtotal_set)?.presentment_money);
    const code = normalizeCurrencyCode(presentment?.currency_code);
    if (code !== null) return code;
  }
  return null;
}

/** Shopify `orders/cancelled`: the order id, when it was cancelled and Shopify's reason code. */
export function parseCancellation(
  order: unknown,
): { ok: true; orderId: string; cancelledAt: Date; reason: string | null } | { ok: false; detail: string } {
  const record = asRecord(order);
  if (!record) return { ok: false, detail: "the order payload is not a JSON object" };
  const orderId = orderIdOf(record.id);
  if (orderId === null) return { ok: false, detail: "id is missing or not a Shopify order id" };
  const cancelledAt = parseTimestamp(record.cancelled_at);
  if (cancelledAt === null) return { ok: false, detail: "cancelled_at is missing or not an ISO 8601 timestamp" };
  const reason =
    typeof record.cancel_reason === "string" && record.cancel_reason.trim() !== "" ? record.cancel_reason.trim() : null;
  return { ok: true, orderId, cancelledAt, reason };
}

/** Origin + path only, as OpenAI asks for `source_url`. */
function sanitizeSourceUrl(sourceUrl: string): string {
  let url: URL;
  try {
    url = new URL(sourceUrl);
  } catch {
    throw new Error("sourceUrl must be an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("sourceUrl must be http(s)");
  return `${url.origin}${url.pathname}`;
}

/**
 * The custom correction event. Its id is derived from the order's dedup id, the kind and the key (refund
 * id, "cancel", or a value change's cause), so a webhook redelivery or a retry reuses it and OpenAI counts it once.
 * Throws on programming errors (invalid event name, non-positive amount, unknown currency, bad date):
 * callers check `isValidCustomEventName` and skip zero amounts before calling.
 */
export async function buildCorrectionEvent(input: {
  /** "value": a change of the order's value after checkout (app/conversions/order-value-change.ts) */
  kind: "refund" | "cancel" | "value";
  orderDedupId: DedupId;
  key: string;
  eventName: string;
  amountMinor: number;
  currency: string;
  occurredAt: Date;
  sourceUrl: string;
}): Promise<CapiEvent> {
  if (!isValidCustomEventName(input.eventName)) {
    throw new Error("eventName is not a valid custom event name (lowercase a-z, 0-9, _ and -, not a standard event)");
  }
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) {
    throw new Error("amountMinor must be a positive integer");
  }
  const currency = normalizeCurrencyCode(input.currency);
  if (currency === null) throw new Error("currency is not a known ISO 4217 code");
  const timestampMs = input.occurredAt.getTime();
  if (!Number.isFinite(timestampMs)) throw new Error("occurredAt is not a valid date");
  if (input.key === "") throw new Error("key must not be empty");

  return {
    id: await derivedEventId(input.orderDedupId, input.kind, input.key),
    type: "custom",
    custom_event_name: input.eventName,
    timestamp_ms: timestampMs,
    action_source: "web",
    source_url: sanitizeSourceUrl(input.sourceUrl),
    data: {
      type: "custom",
      order_ref: input.orderDedupId,
      amount: input.amountMinor,
      currency,
    },
  };
}
