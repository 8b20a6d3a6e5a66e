/**
 * orders/updated and orders/edited bodies as Shopify sends them to this app's subscriptions
 * (include_fields from app/webhooks/subscribed-fields.ts), for the demo and the integration tests.
 * Shapes follow Shopify's published examples (test/fixtures/shopify/SOURCES.md).
 */
import { makeShopifyRefund } from "./order-factory";

/**
 * orders/updated: the order now. `currentTotal` is Shopify's `current_total_price` (edits, returns
 * and refunds applied); `refunds` are the order's refunds so far (same shape as refunds/create).
 */
export function makeOrderUpdated(spec: {
  id: number;
  currentTotal: string;
  updatedAt: Date;
  currency?: string;
  createdAt?: Date;
  refunds?: { id: number; amount: string; at?: Date }[];
}): Record<string, unknown> {
  const currency = spec.currency ?? "USD";
  const money = { amount: spec.currentTotal, currency_code: currency };
  return {
    id: spec.id,
    admin_graphql_api_id: `gid://shopify/Order/${spec.id}`,
    created_at: (spec.createdAt ?? spec.updatedAt).toISOString(),
    updated_at: spec.updatedAt.toISOString(),
    currency,
    presentment_currency: currency,
    current_total_price: spec.currentTotal,
    current_total_price_set: { shop_money: money, presentment_money: money },
    refunds: (spec.refunds ?? []).map((r) =>
      makeShopifyRefund({ id: r.id, orderId: spec.id, amount: r.amount, currency, at: r.at }),
    ),
  };
}

/** orders/edited: the edit's id and time and its line-item diff (no money). */
export function makeOrderEdited(spec: {
  id: number;
  orderId: number;
  committedAt: Date;
  addedLineItemIds?: number[];
  removedLineItemIds?: number[];
}): Record<string, unknown> {
  const at = spec.committedAt.toISOString();
  return {
    order_edit: {
      id: spec.id,
      app_id: null,
      created_at: at,
      committed_at: at,
      notify_customer: false,
      order_id: spec.orderId,
      staff_note: "",
      user_id: null,
      line_items: {
        additions: (spec.addedLineItemIds ?? []).map((id) => ({ id, delta: 1 })),
        removals: (spec.removedLineItemIds ?? []).map((id) => ({ id, delta: 1 })),
      },
      discounts: { line_item: { additions: [], removals: [] } },
      shipping_lines: { additions: [], removals: [] },
    },
  };
}
