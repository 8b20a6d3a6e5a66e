/**
 * Realistic Shopify REST order payloads (orders/create shape) and refunds, for the demo, the
 * benchmark and integration tests. Every buyer is fictional.
 */
export interface OrderSpec {
  id: number;
  currency?: string; // presentment currency
  total?: string; // decimal string, as Shopify sends it
  test?: boolean;
  sourceName?: string;
  landingSite?: string | null;
  country?: string;
  processedAt?: Date;
  email?: string | null;
  phone?: string | null;
  name?: string;
  cancelledAt?: Date | null;
}

export function makeShopifyOrder(spec: OrderSpec): Record<string, unknown> {
  const currency = spec.currency ?? "USD";
  const total = spec.total ?? "129.99";
  const at = (spec.processedAt ?? new Date()).toISOString();
  const country = spec.country ?? "US";
  const email = spec.email === undefined ? `buyer${spec.id}@example.com` : spec.email;
  const money = (amount: string) => ({
    shop_money: { amount, currency_code: currency },
    presentment_money: { amount, currency_code: currency },
  });
  return {
    id: spec.id,
    admin_graphql_api_id: `gid://shopify/Order/${spec.id}`,
    name: spec.name ?? `#${1000 + (spec.id % 100000)}`,
    created_at: at,
    processed_at: at,
    updated_at: at,
    currency,
    presentment_currency: currency,
    total_price: total,
    current_total_price: total,
    total_price_set: money(total),
    current_total_price_set: money(total),
    financial_status: "paid",
    test: spec.test ?? false,
    source_name: spec.sourceName ?? "web",
    email,
    phone: spec.phone === undefined ? "+1 (415) 555-2671" : spec.phone,
    landing_site: spec.landingSite === undefined ? "/" : spec.landingSite,
    referring_site: "https://chatgpt.com/",
    note_attributes: [],
    cancelled_at: spec.cancelledAt ? spec.cancelledAt.toISOString() : null,
    cancel_reason: spec.cancelledAt ? "customer" : null,
    token: `tok${spec.id}`,
    checkout_token: `chk${spec.id}`,
    browser_ip: "203.0.113.10",
    client_details: {
      browser_ip: "203.0.113.10",
      user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15",
    },
    customer: { id: 7000000000000 + spec.id, email, phone: null, first_name: "Jane", last_name: "O'Connor" },
    billing_address: {
      first_name: "Jane",
      last_name: "O'Connor",
      city: "San Francisco",
      province_code: "CA",
      country_code: country,
      zip: "94103",
      phone: null,
    },
    shipping_address: {
      first_name: "Jane",
      last_name: "O'Connor",
      city: "San Francisco",
      province_code: "CA",
      country_code: country,
      zip: "94103",
      phone: null,
    },
    line_items: [
      {
        id: spec.id * 10 + 1,
        product_id: 632910392,
        variant_id: 808950810,
        sku: "TEE-1",
        title: "Organic cotton tee",
        quantity: 1,
        price: total,
        price_set: money(total),
      },
    ],
  };
}

export function makeShopifyRefund(spec: {
  id: number;
  orderId: number;
  amount: string;
  currency?: string;
  at?: Date;
}): Record<string, unknown> {
  const at = (spec.at ?? new Date()).toISOString();
  return {
    id: spec.id,
    order_id: spec.orderId,
    created_at: at,
    processed_at: at,
    note: null,
    refund_line_items: [],
    order_adjustments: [],
    transactions: [
      {
        id: spec.id * 10,
        kind: "refund",
        status: "success",
        amount: spec.amount,
        currency: spec.currency ?? "USD",
        gateway: "bogus",
      },
    ],
  };
}
