/**
 * From a Shopify REST order payload (orders/create or orders/paid) to either an `order_created`
 * Conversions API event or a recorded reason not to send one. Pure: the caller persists the decision
 * and the delivery worker finalizes it (receipt, consent, grace period) in ./finalize-order-event.ts.
 *
 * Never throws. A payload this code cannot read becomes `malformed_payload` with a detail naming the
 * field (never its value: payloads carry personal data).
 */
import { z } from "zod";
import type { ActionSource, CapiContentItem, CapiEvent } from "./capi-event";
import { cartSignalsOf } from "./cart-signals";
import { requiresOptInConsent } from "./consent";
import { dedupIdForOrder, type DedupId } from "./dedup-id";
import { buildCapiUser, type UserIdentifiers } from "./matching";
import { toMinorUnits } from "./money";
import { opprefFromNoteAttributes, opprefFromUrl, pickOppref, type OpprefSource } from "./oppref";
import { orderIdDigits } from "./order-id";
import type { ShopPolicy } from "./shop-policy";
import type { SkipReason } from "./skip-reasons";

/** OpenAI rejects events older than this (422 event_timestamp_too_old). */
export const MAX_EVENT_AGE_MS = 7 * 24 * 3600 * 1000;
/** ...and events further than this in the future. */
export const MAX_FUTURE_MS = 10 * 60 * 1000;
/** OpenAI documents no limit on `contents`; we cap it to keep one event small. */
export const MAX_CONTENT_ITEMS = 100;
/** The path sent as `source_url`: the thank-you page, with no order id or token in it. */
export const THANK_YOU_PATH = "/checkouts/thank-you";

export type OrderEventDecision =
  | {
      kind: "send";
      event: CapiEvent;
      orderId: string;
      orderName: string | null;
      dedupId: DedupId;
      amountMinor: number;
      currency: string;
      occurredAt: Date;
      opprefSource: OpprefSource;
      requiresOptIn: boolean;
      /** No billing or shipping country, and the shop set no country for such orders. */
      regionUnknown: boolean;
    }
  | {
      kind: "skip";
      reason: SkipReason;
      detail: string;
      orderId: string | null;
      orderName: string | null;
      dedupId: DedupId | null;
      amountMinor: number | null;
      currency: string | null;
      occurredAt: Date | null;
      requiresOptIn: boolean;
      regionUnknown: boolean;
    };

export interface OrderEventContext {
  /** `X-Shopify-Shop-Domain` of the verified webhook, e.g. "example.myshopify.com". */
  shopDomain: string;
  /** The storefront's public origin when known (custom domain), e.g. "https://shop.example.com". */
  storefrontOrigin?: string;
  policy: ShopPolicy;
  now: Date;
}

// ── payload schema ───────────────────────────────────────────────────────────────────────────────
// Only what decides send/skip is validated strictly. Everything else (personal data, line items,
// money sets) is read defensively field by field, so one odd optional field cannot lose a conversion.
const orderSchema = z.object({
  // Read by orderIdOf (number, digit string or gid), after `test` has been looked at.
  id: z.unknown(),
  admin_graphql_api_id: z.unknown(),
  name: z.string().nullish(),
  test: z.boolean().nullish(),
  source_name: z.string().nullish(),
  processed_at: z.string().nullish(),
  created_at: z.string().nullish(),
  total_price: z.union([z.string(), z.number()]).nullish(),
  currency: z.string().nullish(),
  presentment_currency: z.string().nullish(),
  total_price_set: z.unknown(),
  line_items: z.unknown(),
  landing_site: z.unknown(),
  note_attributes: z.unknown(),
  email: z.unknown(),
  phone: z.unknown(),
  customer: z.unknown(),
  billing_address: z.unknown(),
  shipping_address: z.unknown(),
  client_details: z.unknown(),
  browser_ip: z.unknown(),
});
type ShopifyOrder = z.infer<typeof orderSchema>;

const moneySchema = z.object({
  amount: z.union([z.string(), z.number()]),
  currency_code: z.string(),
});

type Record_ = Record<string, unknown>;

function asRecord(value: unknown): Record_ | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record_) : null;
}

function moneyOf(set: unknown, which: "presentment_money" | "shop_money"): z.infer<typeof moneySchema> | null {
  const parsed = moneySchema.safeParse(asRecord(set)?.[which]);
  return parsed.success ? parsed.data : null;
}

/** Names the first bad field and what was expected: never the value itself. */
function describeIssue(error: z.ZodError, payload: Record_): string {
  const issue = error.issues[0];
  const path = issue.path.length ? issue.path.join(".") : "(root)";
  const value = issue.path.length === 1 ? payload[String(issue.path[0])] : undefined;
  if (issue.path.length === 1 && (value === undefined || value === null)) return `${path} is missing`;
  if (issue.code === "invalid_type") return `${path} must be ${issue.expected}, got ${issue.received}`;
  return `${path} has an unexpected type (${typeof value})`;
}

// ── pieces ───────────────────────────────────────────────────────────────────────────────────────
/** ISO 8601 with an explicit offset: a zone-less time would depend on the server's time zone. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function parseTimestamp(value: string | null | undefined): number | null {
  if (typeof value !== "string" || !ISO_TIMESTAMP.test(value.trim())) return null;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? ms : null;
}

/** When the buyer placed the order: processed_at, else created_at. */
function orderTimestamp(order: ShopifyOrder): { ms: number } | { error: string } {
  const processed = parseTimestamp(order.processed_at);
  if (processed !== null) return { ms: processed };
  const created = parseTimestamp(order.created_at);
  if (created !== null) return { ms: created };
  if (order.processed_at == null && order.created_at == null)
    return { error: "processed_at and created_at are missing" };
  return { error: "processed_at/created_at is not an ISO 8601 timestamp with an offset" };
}

/**
 * The currency a plain REST amount (`total_price`, `line_items[].price`) is denominated in. Shopify's
 * REST docs define those fields in the SHOP currency (`currency`); `presentment_currency` is only a
 * fallback for payloads that lack `currency`. The `*_set.presentment_money` objects are preferred
 * whenever present: they are what the buyer saw and paid.
 */
function restAmountCurrency(order: ShopifyOrder): string | null {
  return order.currency ?? order.presentment_currency ?? null;
}

/** The order total the buyer paid: presentment money when present, else the shop-currency total. */
function orderTotal(order: ShopifyOrder): { minor: number; currency: string } | { error: string } {
  const presentment = moneyOf(order.total_price_set, "presentment_money");
  const shop = moneyOf(order.total_price_set, "shop_money");
  const currency = restAmountCurrency(order);
  const candidates: Array<[string, string | number, string]> = [];
  if (presentment)
    candidates.push(["total_price_set.presentment_money", presentment.amount, presentment.currency_code]);
  else if (shop) candidates.push(["total_price_set.shop_money", shop.amount, shop.currency_code]);
  else if (order.total_price != null && currency !== null)
    candidates.push(["total_price", order.total_price, currency]);
  if (candidates.length === 0) return { error: "total_price_set and total_price/currency are missing" };
  const [field, amount, code] = candidates[0];
  try {
    return { minor: toMinorUnits(code, amount), currency: code.trim().toUpperCase() };
  } catch {
    return { error: `${field} is not a valid amount in a known ISO 4217 currency` };
  }
}

function idString(value: unknown): string | null {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  return null;
}

/** Line items as OpenAI `contents`: unit prices in minor units; unreadable items are left out. */
function contentsOf(order: ShopifyOrder): CapiContentItem[] {
  if (!Array.isArray(order.line_items)) return [];
  const items: CapiContentItem[] = [];
  for (const raw of order.line_items) {
    if (items.length === MAX_CONTENT_ITEMS) break;
    const line = asRecord(raw);
    if (!line) continue;
    const id = idString(line.variant_id) ?? idString(line.product_id) ?? idString(line.id);
    const quantity = line.quantity;
    if (id === null || typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity < 1) continue;

    const item: CapiContentItem = { id, content_type: "product", quantity };
    if (typeof line.title === "string" && line.title.trim() !== "") item.name = line.title.trim();

    const unit = unitPrice(line, order);
    if (unit) {
      item.amount = unit.minor;
      item.currency = unit.currency;
    }
    const groupId = idString(line.product_id);
    if (groupId !== null) item.group_id = groupId;
    items.push(item);
  }
  return items;
}

function unitPrice(line: Record_, order: ShopifyOrder): { minor: number; currency: string } | null {
  const presentment = moneyOf(line.price_set, "presentment_money");
  const price = line.price;
  const currency = restAmountCurrency(order);
  const [amount, code] = presentment ? [presentment.amount, presentment.currency_code] : [price, currency];
  if ((typeof amount !== "string" && typeof amount !== "number") || typeof code !== "string") return null;
  try {
    return { minor: toMinorUnits(code, amount), currency: code.trim().toUpperCase() };
  } catch {
    return null;
  }
}

/** The action_source of a non-web order that the merchant chose to send anyway. */
function nonWebActionSource(sourceName: string): ActionSource {
  return sourceName === "pos" ? "physical_store" : "other";
}

/** `https://<storefront host or shop domain>/checkouts/thank-you`; null when neither is a host. */
function sourceUrlFor(ctx: OrderEventContext): string | null {
  const candidates = [ctx.storefrontOrigin, ctx.shopDomain ? `https://${ctx.shopDomain}` : undefined];
  for (const candidate of candidates) {
    if (typeof candidate !== "string" || candidate.trim() === "") continue;
    try {
      const url = new URL(candidate.trim());
      if ((url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "") {
        return `https://${url.host}${THANK_YOU_PATH}`;
      }
    } catch {
      // try the next candidate
    }
  }
  return null;
}

function stringField(record: Record_ | null, key: string): unknown {
  return record ? record[key] : undefined;
}

function countryCodes(order: ShopifyOrder): (string | null)[] {
  return [order.billing_address, order.shipping_address].map((address) => {
    const code = stringField(asRecord(address), "country_code");
    return typeof code === "string" ? code : null;
  });
}

/**
 * Everything the order knows about the buyer, in priority order (order, customer, billing, shipping).
 * `buyerBrowser`: only an online-store checkout's `client_details` describe the buyer's browser; on
 * draft, API-created and POS orders they are staff's or an integration's, so they are left out.
 */
function identifiersOf(order: ShopifyOrder, buyerBrowser: boolean): UserIdentifiers {
  const customer = asRecord(order.customer);
  const billing = asRecord(order.billing_address);
  const shipping = asRecord(order.shipping_address);
  const client = asRecord(order.client_details);
  const billingCountry = stringField(billing, "country_code");
  const shippingCountry = stringField(shipping, "country_code");
  const orderCountry =
    typeof billingCountry === "string" ? billingCountry : typeof shippingCountry === "string" ? shippingCountry : null;
  const hint = (value: unknown): string | null => (typeof value === "string" ? value : orderCountry);

  const customerId = stringField(customer, "id");
  return {
    emails: [order.email, stringField(customer, "email")],
    phones: [
      { value: order.phone, countryHint: orderCountry },
      { value: stringField(customer, "phone"), countryHint: orderCountry },
      { value: stringField(billing, "phone"), countryHint: hint(billingCountry) },
      { value: stringField(shipping, "phone"), countryHint: hint(shippingCountry) },
    ],
    firstNames: [
      stringField(customer, "first_name"),
      stringField(billing, "first_name"),
      stringField(shipping, "first_name"),
    ],
    lastNames: [
      stringField(customer, "last_name"),
      stringField(billing, "last_name"),
      stringField(shipping, "last_name"),
    ],
    externalIds: customerId == null ? [] : [typeof customerId === "number" ? String(customerId) : customerId],
    countries: [billingCountry, shippingCountry],
    // OpenAI documents full region names ("California"): Shopify's `province`, not `province_code`.
    regions: [stringField(billing, "province"), stringField(shipping, "province")],
    cities: [stringField(billing, "city"), stringField(shipping, "city")],
    postalCodes: [stringField(billing, "zip"), stringField(shipping, "zip")],
    ipAddress: buyerBrowser ? (stringField(client, "browser_ip") ?? order.browser_ip) : undefined,
    userAgent: buyerBrowser ? stringField(client, "user_agent") : undefined,
  };
}

function shorten(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// ── the decision ─────────────────────────────────────────────────────────────────────────────────
export async function decideOrderCreated(order: unknown, ctx: OrderEventContext): Promise<OrderEventDecision> {
  try {
    return await decide(order, ctx);
  } catch {
    // Defensive: nothing above is expected to throw, but a webhook must never crash on a payload.
    return skipWithoutOrder("malformed_payload", "the order payload could not be processed", true);
  }
}

function skipWithoutOrder(reason: SkipReason, detail: string, requiresOptIn: boolean): OrderEventDecision {
  return {
    kind: "skip",
    reason,
    detail,
    orderId: null,
    orderName: null,
    dedupId: null,
    amountMinor: null,
    currency: null,
    occurredAt: null,
    requiresOptIn,
    regionUnknown: false,
  };
}

const TEST_ORDER_DETAIL = "Shopify marked the order as a test order";

/**
 * The order id: `id` (number, digit string or gid) when present; an order without `id` is named by
 * the digits of its `admin_graphql_api_id`, the same 64-bit id as a string.
 */
function orderIdOf(root: Record_): string | null {
  if (root.id !== undefined && root.id !== null) return orderIdDigits(root.id);
  return orderIdDigits(root.admin_graphql_api_id);
}

/**
 * A test order whose other fields could not be read is still a test order (Shopify's sample order is
 * what developers and reviewers send first): `test` is decided before anything that can fail.
 */
async function testOrderWithoutDetails(root: Record_): Promise<OrderEventDecision> {
  const decision = skipWithoutOrder("test_order", TEST_ORDER_DETAIL, true);
  const orderId = orderIdOf(root);
  if (decision.kind === "skip" && orderId !== null) {
    decision.orderId = orderId;
    decision.dedupId = await dedupIdForOrder(orderId);
  }
  return decision;
}

async function decide(payload: unknown, ctx: OrderEventContext): Promise<OrderEventDecision> {
  const root = asRecord(payload);
  if (!root) return skipWithoutOrder("malformed_payload", "the order payload is not a JSON object", true);
  const isTest = root.test === true;
  const parsed = orderSchema.safeParse(payload);
  if (!parsed.success) {
    if (isTest) return testOrderWithoutDetails(root);
    return skipWithoutOrder("malformed_payload", describeIssue(parsed.error, root), true);
  }
  const order = parsed.data;

  const orderId = orderIdOf(root);
  if (orderId === null) {
    if (isTest) return testOrderWithoutDetails(root);
    const missing = (root.id === undefined || root.id === null) && root.admin_graphql_api_id == null;
    return skipWithoutOrder("malformed_payload", missing ? "id is missing" : "id is not a Shopify order id", true);
  }
  const dedupId = await dedupIdForOrder(orderId);
  const orderName = typeof order.name === "string" && order.name !== "" ? order.name : null;
  const knownCountries = countryCodes(order).filter((code) => code !== null && code.trim() !== "");
  // An order without any country (no address) is judged by the country the shop chose for such
  // orders; without that choice it stays "unknown", which consent treats like an opt-in region.
  const fallbackCountry = knownCountries.length === 0 ? ctx.policy.addresslessOrderCountry : null;
  const regionUnknown = knownCountries.length === 0 && fallbackCountry === null;
  const cart = cartSignalsOf(order.note_attributes);
  const buyerGranted = cart.choice?.marketing === "granted" && cart.choice.saleOfData !== "refused";
  // A buyer who granted marketing consent in the cart needs no region rule (a receipt can still deny).
  const requiresOptIn = buyerGranted
    ? false
    : requiresOptInConsent(fallbackCountry === null ? knownCountries : [fallbackCountry]);

  // Facts that make a skip record useful for reconciliation, when they are readable.
  const total = orderTotal(order);
  const time = orderTimestamp(order);
  const nowMs = ctx.now.getTime();
  // Clock skew: a processed_at slightly ahead of our clock is fine; one beyond what OpenAI accepts is
  // pinned to "now" (the webhook proves the order exists by now) instead of being rejected.
  const timestampMs = "ms" in time ? (time.ms > nowMs + MAX_FUTURE_MS ? nowMs : time.ms) : null;

  const skip = (reason: SkipReason, detail: string): OrderEventDecision => ({
    kind: "skip",
    reason,
    detail,
    orderId,
    orderName,
    dedupId,
    amountMinor: "minor" in total ? total.minor : null,
    currency: "minor" in total ? total.currency : null,
    occurredAt: timestampMs === null ? null : new Date(timestampMs),
    requiresOptIn,
    regionUnknown,
  });

  if (isTest) return skip("test_order", TEST_ORDER_DETAIL);

  const sourceName = (order.source_name ?? "").trim().toLowerCase();
  let actionSource: ActionSource = "web";
  if (sourceName !== "" && sourceName !== "web") {
    if (ctx.policy.nonWebOrders !== "send") {
      return sourceName === "pos"
        ? skip("pos_order", "source_name is pos")
        : skip("non_web_order", `source_name is ${JSON.stringify(shorten(sourceName))}`);
    }
    actionSource = nonWebActionSource(sourceName);
  }

  if (!ctx.policy.serverEventsEnabled) return skip("disabled", "server events are turned off");

  if ("error" in time) return skip("malformed_payload", time.error);
  const ts = timestampMs as number;
  if (nowMs - ts > MAX_EVENT_AGE_MS) return skip("expired", "the order was placed more than 7 days ago");

  if ("error" in total) return skip("malformed_payload", total.error);

  // The buyer's own choice, written into the cart by the theme app embed, outranks every shop policy.
  if (cart.choice?.saleOfData === "refused") {
    return skip("sale_of_data_refused", `the buyer opted out of the sale or sharing of data (${cart.choice.source})`);
  }
  if (cart.choice?.marketing === "denied") {
    return skip("consent_denied", `the buyer declined marketing consent (${cart.choice.source})`);
  }

  const event: CapiEvent = {
    id: dedupId,
    type: "order_created",
    timestamp_ms: ts,
    action_source: actionSource,
    data: { type: "contents", amount: total.minor, currency: total.currency },
  };
  const contents = contentsOf(order);
  if (contents.length) event.data.contents = contents;

  if (actionSource === "web") {
    const sourceUrl = sourceUrlFor(ctx);
    if (sourceUrl !== null) event.source_url = sourceUrl;
  }

  const fromLanding = typeof order.landing_site === "string" ? opprefFromUrl(order.landing_site) : null;
  const fromNotes = cart.oppref ?? opprefFromNoteAttributes(order.note_attributes);
  const best = pickOppref([
    { source: "landing_site", value: fromLanding, atMs: null },
    { source: "note_attributes", value: fromNotes, atMs: cart.oppref !== null ? cart.opprefAtMs : null },
  ]);
  const opprefSource: OpprefSource = best.source;
  if (best.value !== null) event.oppref = best.value;

  const user = await buildCapiUser(identifiersOf(order, sourceName === "web"), ctx.policy.enhancedMatching);
  if (user) event.user = user;

  return {
    kind: "send",
    event,
    orderId,
    orderName,
    dedupId,
    amountMinor: total.minor,
    currency: total.currency,
    occurredAt: new Date(ts),
    opprefSource,
    requiresOptIn,
    regionUnknown,
  };
}
