/**
 * The payload fields Shopify sends for each order and refund topic: `include_fields` of the topic's
 * subscription in shopify.app.toml. Shopify then leaves every other field out of the webhook body, so
 * the app receives only the buyer data it reads (data minimisation) and bodies stay small.
 *
 * This list is the ONE place that says which fields the code reads; test/webhooks/subscribed-fields.test.ts
 * checks that shopify.app.toml subscribes exactly these, that the ingest functions read no top-level
 * field outside them (a recording proxy on the payload), and that the decisions made on a payload
 * reduced to these fields equal those made on the full fixture payloads. Reading a new field means
 * adding it here and to the toml, then `npm run deploy`: until the subscription is deployed Shopify
 * does not send it.
 *
 * Top-level names bring the whole object or array (`customer`, `line_items`). Shopify also accepts
 * nested names with a period (`line_items.price`); the app asks for whole objects because it reads
 * several fields of each and the tests check reads per top-level field.
 */

/**
 * orders/create and orders/paid: app/conversions/order-event.ts decides, app/webhooks/orders.server.ts stores;
 * `tags` and `source_name` also tell subscription first orders and renewals (app/conversions/subscription-order.ts).
 */
const ORDER_FIELDS = [
  "admin_graphql_api_id",
  "billing_address",
  "browser_ip",
  "cancel_reason",
  "cancelled_at",
  "checkout_token",
  "client_details",
  "created_at",
  "currency",
  "customer",
  "email",
  "id",
  "landing_site",
  "line_items",
  "name",
  "note_attributes",
  "phone",
  "presentment_currency",
  "processed_at",
  "shipping_address",
  "source_name",
  "tags",
  "test",
  "total_price",
  "total_price_set",
] as const;

/** orders/cancelled: parseCancellation in app/conversions/correction-event.ts. */
const CANCELLED_ORDER_FIELDS = ["cancel_reason", "cancelled_at", "id"] as const;

/** refunds/create: parseRefund in app/conversions/correction-event.ts (line items: the currency of a refund without money). */
const REFUND_FIELDS = ["created_at", "id", "order_id", "processed_at", "refund_line_items", "transactions"] as const;

/**
 * orders/updated: parseOrderValue in app/conversions/order-value-change.ts. It fires for every change
 * of every order (fulfilment, tags, notes...), so it asks for the money and nothing of the buyer;
 * `refunds` lets the value sold be told apart from money refunded (refunds/create reports that).
 */
const UPDATED_ORDER_FIELDS = [
  "admin_graphql_api_id",
  "created_at",
  "currency",
  "current_total_price",
  "current_total_price_set",
  "id",
  "presentment_currency",
  "refunds",
  "updated_at",
] as const;

/** orders/edited: parseOrderEdit in app/conversions/order-value-change.ts (the body is one object). */
const ORDER_EDIT_FIELDS = ["order_edit"] as const;

export const SUBSCRIBED_FIELDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  "orders/create": ORDER_FIELDS,
  "orders/paid": ORDER_FIELDS,
  "orders/cancelled": CANCELLED_ORDER_FIELDS,
  "refunds/create": REFUND_FIELDS,
  "orders/updated": UPDATED_ORDER_FIELDS,
  "orders/edited": ORDER_EDIT_FIELDS,
});
