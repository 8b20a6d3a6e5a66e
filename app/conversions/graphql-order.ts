/**
 * An order read with the Admin GraphQL API (the "send the last 7 days" backfill) turned into the
 * body Shopify's orders/create webhook carries for the same order, so both go through the ONE
 * decision path (./order-event.ts) and give the same event: same dedup id, amount and user data.
 *
 * Pure: the query text and the mapping, no I/O. The webhook body holds exactly the fields the app
 * subscribes to (app/webhooks/subscribed-fields.ts); this mapping fills each from its GraphQL
 * counterpart:
 *   id / admin_graphql_api_id  ← id (a gid; the digits are kept as an exact decimal string)
 *   name, email, phone, test   ← the same names
 *   created_at, processed_at   ← createdAt, processedAt
 *   cancelled_at, cancel_reason← cancelledAt, cancelReason (CUSTOMER → "customer")
 *   currency                   ← currencyCode (the shop's currency)
 *   presentment_currency       ← presentmentCurrencyCode
 *   total_price, total_price_set ← totalPriceSet (shopMoney / presentmentMoney)
 *   source_name, checkout_token← sourceName, checkoutToken
 *   tags                       ← tags (a list; joined as REST's one "a, b" string: subscription apps tag orders)
 *   landing_site               ← customerJourneySummary.firstVisit.landingPage (path + query, as REST has it)
 *   note_attributes            ← customAttributes ({key, value} → {name, value})
 *   browser_ip, client_details ← clientIp. GraphQL exposes no user agent: backfilled events carry
 *                                none (the parity test pins this one difference).
 *   customer                   ← customer (id digits, defaultEmailAddress, defaultPhoneNumber, names)
 *   billing_address, shipping_address ← the same addresses (countryCodeV2 → country_code)
 *   line_items                 ← lineItems (variant/product ids as digits, originalUnitPriceSet → price)
 */

/** The Order fields one backfilled order needs; the same selection serves pages and the bulk query. */
const ADDRESS_FIELDS = "firstName lastName city province provinceCode countryCodeV2 zip phone";
const MONEY_SET = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }";
export const ORDER_FIELDS_SELECTION = `
  id name createdAt processedAt test sourceName tags email phone checkoutToken
  cancelledAt cancelReason displayFinancialStatus
  currencyCode presentmentCurrencyCode clientIp
  totalPriceSet { ${MONEY_SET} }
  customAttributes { key value }
  customerJourneySummary { firstVisit { landingPage } }
  customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
  billingAddress { ${ADDRESS_FIELDS} }
  shippingAddress { ${ADDRESS_FIELDS} }`;
const LINE_ITEM_FIELDS = `id title sku quantity variant { id } product { id } originalUnitPriceSet { ${MONEY_SET} }`;

/** Orders in the shop's history from `since` on, in creation order: the filter both queries use. */
export function ordersSearchQuery(since: Date): string {
  return `created_at:>='${since.toISOString()}'`;
}

/** One page of the orders connection (cursor pagination; `first` ≤ 250). */
export const ORDERS_PAGE_QUERY = `#graphql
query BackfillOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes {
      ${ORDER_FIELDS_SELECTION}
      lineItems(first: 100) { nodes { ${LINE_ITEM_FIELDS} } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** How many orders the window holds: decides pages or a bulk operation, and is the progress total. */
export const ORDERS_COUNT_QUERY = `#graphql
query BackfillOrdersCount($query: String!) {
  ordersCount(query: $query, limit: null) { count precision }
}`;

/**
 * The bulk query: connections as edges/node (what bulk operations require), no `first`. Shopify
 * writes each order as one JSONL line and each line item as a line of its own with `__parentId`.
 */
export function bulkOrdersQuery(since: Date): string {
  return `{
  orders(query: ${JSON.stringify(ordersSearchQuery(since))}, sortKey: CREATED_AT) {
    edges { node {
      ${ORDER_FIELDS_SELECTION}
      lineItems { edges { node { ${LINE_ITEM_FIELDS} } } }
    } }
  }
}`;
}

export const BULK_RUN_MUTATION = `#graphql
mutation BackfillBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const BULK_STATUS_QUERY = `#graphql
query BackfillBulkStatus($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount rootObjectCount url partialDataUrl }
  }
}`;

// ── the GraphQL shapes read (every field optional: a field Shopify leaves out is simply absent) ──
interface GqlMoney {
  amount?: string | null;
  currencyCode?: string | null;
}
interface GqlMoneySet {
  shopMoney?: GqlMoney | null;
  presentmentMoney?: GqlMoney | null;
}
interface GqlAddress {
  firstName?: string | null;
  lastName?: string | null;
  city?: string | null;
  province?: string | null;
  provinceCode?: string | null;
  countryCodeV2?: string | null;
  zip?: string | null;
  phone?: string | null;
}
export interface GqlLineItem {
  id?: string | null;
  title?: string | null;
  sku?: string | null;
  quantity?: number | null;
  variant?: { id?: string | null } | null;
  product?: { id?: string | null } | null;
  originalUnitPriceSet?: GqlMoneySet | null;
}
export interface GqlOrder {
  id?: string | null;
  name?: string | null;
  createdAt?: string | null;
  processedAt?: string | null;
  test?: boolean | null;
  sourceName?: string | null;
  tags?: readonly string[] | null;
  email?: string | null;
  phone?: string | null;
  checkoutToken?: string | null;
  cancelledAt?: string | null;
  cancelReason?: string | null;
  displayFinancialStatus?: string | null;
  currencyCode?: string | null;
  presentmentCurrencyCode?: string | null;
  clientIp?: string | null;
  totalPriceSet?: GqlMoneySet | null;
  customAttributes?: { key?: string | null; value?: string | null }[] | null;
  customerJourneySummary?: { firstVisit?: { landingPage?: string | null } | null } | null;
  customer?: {
    id?: string | null;
    firstName?: string | null;
    lastName?: string | null;
    defaultEmailAddress?: { emailAddress?: string | null } | null;
    defaultPhoneNumber?: { phoneNumber?: string | null } | null;
  } | null;
  billingAddress?: GqlAddress | null;
  shippingAddress?: GqlAddress | null;
  /** pages: `{ nodes }`; bulk: the line items come as separate lines (see ./bulk-jsonl.ts) */
  lineItems?: { nodes?: GqlLineItem[] | null } | null;
}

/** The trailing digits of a gid ("gid://shopify/Order/820982911946154508" → "820982911946154508"), exact. */
export function gidDigits(gid: unknown): string | null {
  if (typeof gid !== "string") return null;
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/([1-9][0-9]{0,19})(?:\?.*)?$/.exec(gid.trim());
  return match ? match[1] : null;
}

function moneySet(set: GqlMoneySet | null | undefined) {
  if (!set) return null;
  const money = (m: GqlMoney | null | undefined) =>
    m && typeof m.amount === "string" && typeof m.currencyCode === "string"
      ? { amount: m.amount, currency_code: m.currencyCode }
      : null;
  const shop = money(set.shopMoney);
  const presentment = money(set.presentmentMoney);
  if (!shop && !presentment) return null;
  return { shop_money: shop, presentment_money: presentment };
}

function address(a: GqlAddress | null | undefined) {
  if (!a) return null;
  return {
    first_name: a.firstName ?? null,
    last_name: a.lastName ?? null,
    city: a.city ?? null,
    province: a.province ?? null,
    province_code: a.provinceCode ?? null,
    country_code: a.countryCodeV2 ?? null,
    zip: a.zip ?? null,
    phone: a.phone ?? null,
  };
}

/** REST's `landing_site` is the landing page's path and query; GraphQL gives the whole URL. */
function landingSite(landingPage: string | null | undefined): string | null {
  if (typeof landingPage !== "string" || landingPage === "") return null;
  try {
    const url = new URL(landingPage);
    return `${url.pathname}${url.search}`;
  } catch {
    return landingPage; // already a path
  }
}

function lineItem(line: GqlLineItem) {
  const price = moneySet(line.originalUnitPriceSet);
  return {
    id: gidDigits(line.id),
    product_id: gidDigits(line.product?.id),
    variant_id: gidDigits(line.variant?.id),
    sku: line.sku ?? null,
    title: line.title ?? null,
    quantity: line.quantity ?? null,
    price: price?.shop_money?.amount ?? null,
    price_set: price,
  };
}

/** Financial statuses that Shopify's orders/paid webhook has been sent for. */
const PAID_STATUSES = new Set(["PAID", "PARTIALLY_REFUNDED", "REFUNDED"]);

export interface BackfillOrder {
  /** The orders/create-shaped body (only the subscribed fields). */
  body: Record<string, unknown>;
  /** The exact order id (digits), or null when the node has no readable id. */
  orderId: string | null;
  /** Shopify has sent (or would have sent) orders/paid for it. */
  paid: boolean;
}

/** The webhook-shaped body of one GraphQL order, plus what the backfill needs to route it. */
export function webhookBodyFromGraphqlOrder(order: GqlOrder, lineItems?: readonly GqlLineItem[]): BackfillOrder {
  const orderId = gidDigits(order.id);
  const total = moneySet(order.totalPriceSet);
  const customer = order.customer
    ? {
        id: gidDigits(order.customer.id),
        email: order.customer.defaultEmailAddress?.emailAddress ?? null,
        phone: order.customer.defaultPhoneNumber?.phoneNumber ?? null,
        first_name: order.customer.firstName ?? null,
        last_name: order.customer.lastName ?? null,
      }
    : null;
  const lines = lineItems ?? order.lineItems?.nodes ?? [];
  const body: Record<string, unknown> = {
    id: orderId,
    admin_graphql_api_id: typeof order.id === "string" ? order.id : null,
    name: order.name ?? null,
    created_at: order.createdAt ?? null,
    processed_at: order.processedAt ?? null,
    test: order.test ?? false,
    source_name: order.sourceName ?? null,
    tags: (order.tags ?? []).filter((t) => typeof t === "string").join(", "),
    email: order.email ?? null,
    phone: order.phone ?? null,
    checkout_token: order.checkoutToken ?? null,
    cancelled_at: order.cancelledAt ?? null,
    cancel_reason: typeof order.cancelReason === "string" ? order.cancelReason.toLowerCase() : null,
    currency: order.currencyCode ?? null,
    presentment_currency: order.presentmentCurrencyCode ?? null,
    total_price: total?.shop_money?.amount ?? null,
    total_price_set: total,
    landing_site: landingSite(order.customerJourneySummary?.firstVisit?.landingPage),
    note_attributes: (order.customAttributes ?? [])
      .filter((a) => typeof a?.key === "string")
      .map((a) => ({ name: a.key, value: a.value ?? "" })),
    browser_ip: order.clientIp ?? null,
    client_details: order.clientIp ? { browser_ip: order.clientIp } : null,
    customer,
    billing_address: address(order.billingAddress),
    shipping_address: address(order.shippingAddress),
    line_items: lines.map(lineItem),
  };
  const status = typeof order.displayFinancialStatus === "string" ? order.displayFinancialStatus.toUpperCase() : "";
  return { body, orderId, paid: PAID_STATUSES.has(status) };
}
