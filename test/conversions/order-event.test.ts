import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CapiEvent } from "../../app/conversions/capi-event";
import { dedupIdForOrder, type DedupId } from "../../app/conversions/dedup-id";
import {
  MAX_CONTENT_ITEMS,
  MAX_EVENT_AGE_MS,
  MAX_FUTURE_MS,
  decideOrderCreated,
  type OrderEventDecision,
} from "../../app/conversions/order-event";
import { DEFAULT_SHOP_POLICY, type ShopPolicy } from "../../app/conversions/shop-policy";
import { FIXTURE_ORDER, makeOrder } from "../fixtures/orders";

const h = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const PROCESSED_MS = Date.parse("2026-11-20T15:15:30Z"); // = "2026-11-20T10:15:30-05:00"
const NOW = new Date(PROCESSED_MS + 60 * 60 * 1000);
const SHOP = "example-shop.myshopify.com";
const DEDUP_ID = "o1_bPRRbUC0682e86LVd6jEmw" as DedupId; // golden vector of order 5912345678901

function ctx(overrides: { policy?: Partial<ShopPolicy>; now?: Date; storefrontOrigin?: string } = {}) {
  return {
    shopDomain: SHOP,
    storefrontOrigin: overrides.storefrontOrigin,
    policy: { ...DEFAULT_SHOP_POLICY, ...overrides.policy },
    now: overrides.now ?? NOW,
  };
}

async function send(order: unknown, context = ctx()) {
  const decision = await decideOrderCreated(order, context);
  if (decision.kind !== "send") throw new Error(`expected send, got ${decision.reason}: ${decision.detail}`);
  return decision;
}

async function skip(order: unknown, context = ctx()) {
  const decision = await decideOrderCreated(order, context);
  if (decision.kind !== "skip") throw new Error("expected skip, got send");
  return decision;
}

const EXPECTED_EVENT: CapiEvent = {
  id: DEDUP_ID,
  type: "order_created",
  timestamp_ms: PROCESSED_MS,
  action_source: "web",
  source_url: "https://example-shop.myshopify.com/checkouts/thank-you",
  oppref: "oa_test_click_123",
  user: {
    emails_sha256: [h("jane.doe@example.com")],
    phone_numbers_sha256: [h("14155552671")],
    external_ids_sha256: [h("7012345678901")],
    first_names_sha256: [h("jane")],
    last_names_sha256: [h("doe")],
    countries: ["US"],
    regions: ["California"],
    cities: ["San Francisco"],
    postal_codes: ["94103"],
    ip_address: "1.1.1.1",
    user_agent:
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  },
  data: {
    type: "contents",
    amount: 12999,
    currency: "USD",
    contents: [
      {
        id: "45012345678901",
        name: "Trail Runner Shoe",
        content_type: "product",
        quantity: 1,
        amount: 8999,
        currency: "USD",
        group_id: "8012345678901",
      },
      {
        id: "45012345678902",
        name: "Merino Socks",
        content_type: "product",
        quantity: 2,
        amount: 1500,
        currency: "USD",
        group_id: "8012345678902",
      },
    ],
  },
};

describe("decideOrderCreated: the fixture web order", () => {
  it("builds the exact order_created event and decision", async () => {
    const decision = await decideOrderCreated(makeOrder(), ctx());
    expect(decision).toEqual({
      kind: "send",
      event: EXPECTED_EVENT,
      orderId: "5912345678901",
      orderName: "#1001",
      dedupId: DEDUP_ID,
      amountMinor: 12999,
      currency: "USD",
      occurredAt: new Date(PROCESSED_MS),
      opprefSource: "landing_site",
      requiresOptIn: false,
      regionUnknown: false,
    } satisfies OrderEventDecision);
    expect(FIXTURE_ORDER.totalMinor).toBe(12999);
  });

  it("has no undefined keys (the JSON is exactly the event)", async () => {
    const { event } = await send(makeOrder());
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
    expect(Object.keys(event).sort()).toEqual(
      ["id", "type", "timestamp_ms", "action_source", "source_url", "oppref", "user", "data"].sort(),
    );
  });

  it("never carries raw email, phone, name, address line or tokens", async () => {
    const json = JSON.stringify(await decideOrderCreated(makeOrder(), ctx()));
    for (const raw of [
      "Jane",
      "jane",
      'Doe"',
      "example.com",
      "4155552671",
      "555-2671",
      "Market Street",
      "7012345678901",
      "4f1e2d3c4b5a69788796a5b4c3d2e1f0", // checkout token
      "b1946ac92492d2347c6235b4d2611184", // order token
      "authenticate?key",
    ]) {
      expect(json, raw).not.toContain(raw);
    }
  });

  it("accepts the order id as a string or a gid", async () => {
    expect((await send(makeOrder({ id: "5912345678901" }))).event.id).toBe(DEDUP_ID);
    expect((await send(makeOrder({ id: "gid://shopify/Order/5912345678901" }))).dedupId).toBe(DEDUP_ID);
  });

  it("uses the storefront origin's host, never its path or query, for source_url", async () => {
    const { event } = await send(makeOrder(), ctx({ storefrontOrigin: "https://shop.example.com/some/path?x=1#y" }));
    expect(event.source_url).toBe("https://shop.example.com/checkouts/thank-you");
    const fallback = await send(makeOrder(), ctx({ storefrontOrigin: "not a url" }));
    expect(fallback.event.source_url).toBe("https://example-shop.myshopify.com/checkouts/thank-you");
  });

  it("omits user when no matching field is enabled", async () => {
    const { event } = await send(makeOrder(), ctx({ policy: { enhancedMatching: [] } }));
    expect(event.user).toBeUndefined();
    expect("user" in event).toBe(false);
  });

  it("respects the enabled matching fields", async () => {
    const { event } = await send(makeOrder(), ctx({ policy: { enhancedMatching: ["email", "client"] } }));
    expect(Object.keys(event.user ?? {}).sort()).toEqual(["emails_sha256", "ip_address", "user_agent"]);
  });
});

describe("decideOrderCreated: skip rules", () => {
  it("skips test orders, keeping the facts for reconciliation", async () => {
    expect(await decideOrderCreated(makeOrder({ test: true }), ctx())).toEqual({
      kind: "skip",
      reason: "test_order",
      detail: "Shopify marked the order as a test order",
      orderId: "5912345678901",
      orderName: "#1001",
      dedupId: DEDUP_ID,
      amountMinor: 12999,
      currency: "USD",
      occurredAt: new Date(PROCESSED_MS),
      requiresOptIn: false,
      regionUnknown: false,
    });
  });

  it("decides `test` before anything that can fail: an unreadable test order is still a test order", async () => {
    const broken = await skip(makeOrder({ test: true, id: "not an id", admin_graphql_api_id: undefined }));
    expect(broken).toMatchObject({ reason: "test_order", orderId: null });
    const badTotal = await skip(makeOrder({ test: true, source_name: 5 }));
    expect(badTotal).toMatchObject({ reason: "test_order", orderId: "5912345678901", dedupId: DEDUP_ID });
  });

  it("a 64-bit id given as its exact decimal text (lossless parse) is the order id, and so is a gid", async () => {
    const big = await skip(makeOrder({ test: true, id: "820982911946154508" }));
    expect(big.orderId).toBe("820982911946154508");
    expect(big.dedupId).toBe(await dedupIdForOrder("820982911946154508"));
    const gidOnly = await send(
      makeOrder({ id: undefined, admin_graphql_api_id: "gid://shopify/Order/820982911946154508" }),
    );
    expect(gidOnly.orderId).toBe("820982911946154508");
  });

  it("skips POS orders by default and sends them as physical_store when enabled", async () => {
    expect((await skip(makeOrder({ source_name: "pos" }))).reason).toBe("pos_order");
    const { event } = await send(makeOrder({ source_name: "pos" }), ctx({ policy: { nonWebOrders: "send" } }));
    expect(event.action_source).toBe("physical_store");
    expect(event.source_url).toBeUndefined();
  });

  it.each(["shopify_draft_order", "iphone", "android", "1830279", "some_channel"])(
    "skips non-web source %j by default and sends it as 'other' when enabled",
    async (sourceName) => {
      const skipped = await skip(makeOrder({ source_name: sourceName }));
      expect(skipped.reason).toBe("non_web_order");
      expect(skipped.detail).toContain(sourceName);
      const { event } = await send(makeOrder({ source_name: sourceName }), ctx({ policy: { nonWebOrders: "send" } }));
      expect(event.action_source).toBe("other");
      expect(event.source_url).toBeUndefined();
    },
  );

  it.each([undefined, null, "", "web", "WEB"])("treats source_name %j as web", async (sourceName) => {
    const { event } = await send(makeOrder({ source_name: sourceName }));
    expect(event.action_source).toBe("web");
  });

  it("test beats POS beats disabled", async () => {
    const disabled = ctx({ policy: { serverEventsEnabled: false } });
    expect((await skip(makeOrder({ test: true, source_name: "pos" }), disabled)).reason).toBe("test_order");
    expect((await skip(makeOrder({ source_name: "pos" }), disabled)).reason).toBe("pos_order");
    expect((await skip(makeOrder(), disabled)).reason).toBe("disabled");
  });

  it("skips orders older than 7 days at `now`", async () => {
    const edge = new Date(PROCESSED_MS + MAX_EVENT_AGE_MS);
    expect((await send(makeOrder(), ctx({ now: edge }))).event.timestamp_ms).toBe(PROCESSED_MS);
    const late = await skip(makeOrder(), ctx({ now: new Date(PROCESSED_MS + MAX_EVENT_AGE_MS + 1) }));
    expect(late.reason).toBe("expired");
    expect(late.amountMinor).toBe(12999);
  });

  it("falls back to created_at when processed_at is missing or unreadable", async () => {
    const created = "2026-11-20T15:20:00Z";
    expect((await send(makeOrder({ processed_at: undefined, created_at: created }))).event.timestamp_ms).toBe(
      Date.parse(created),
    );
    expect((await send(makeOrder({ processed_at: "garbage", created_at: created }))).event.timestamp_ms).toBe(
      Date.parse(created),
    );
  });

  it("keeps a slightly-future timestamp and pins a far-future one to now", async () => {
    const soon = new Date(NOW.getTime() + MAX_FUTURE_MS).toISOString();
    expect((await send(makeOrder({ processed_at: soon }))).event.timestamp_ms).toBe(NOW.getTime() + MAX_FUTURE_MS);
    const far = new Date(NOW.getTime() + MAX_FUTURE_MS + 1).toISOString();
    const decision = await send(makeOrder({ processed_at: far }));
    expect(decision.event.timestamp_ms).toBe(NOW.getTime());
    expect(decision.occurredAt).toEqual(NOW);
  });
});

describe("decideOrderCreated: money", () => {
  it("uses the presentment total (what the buyer paid)", async () => {
    const order = makeOrder({
      presentment_currency: "EUR",
      total_price_set: { presentment_money: { amount: "119.50", currency_code: "EUR" } },
      line_items: [
        {
          id: 1,
          variant_id: 11,
          product_id: 10,
          title: "Thing",
          quantity: 1,
          price: "129.99",
          price_set: {
            shop_money: { amount: "129.99", currency_code: "USD" },
            presentment_money: { amount: "119.50", currency_code: "EUR" },
          },
        },
      ],
    });
    const decision = await send(order);
    expect(decision.event.data).toEqual({
      type: "contents",
      amount: 11950,
      currency: "EUR",
      contents: [
        {
          id: "11",
          name: "Thing",
          content_type: "product",
          quantity: 1,
          amount: 11950,
          currency: "EUR",
          group_id: "10",
        },
      ],
    });
    expect([decision.amountMinor, decision.currency]).toEqual([11950, "EUR"]);
  });

  it("falls back to total_price in the shop currency when there is no total_price_set", async () => {
    const order = makeOrder({
      total_price_set: undefined,
      total_price: "129.99",
      currency: "USD",
      presentment_currency: "CAD",
    });
    const decision = await send(order);
    expect([decision.event.data.amount, decision.event.data.currency]).toEqual([12999, "USD"]);
  });

  it("handles zero- and three-decimal currencies", async () => {
    const jpy = await send(
      makeOrder({
        currency: "JPY",
        total_price_set: { presentment_money: { amount: "8900", currency_code: "JPY" } },
        line_items: [],
      }),
    );
    expect(jpy.event.data).toEqual({ type: "contents", amount: 8900, currency: "JPY" });
    const kwd = await send(
      makeOrder({ total_price_set: { presentment_money: { amount: "12.345", currency_code: "kwd" } }, line_items: [] }),
    );
    expect(kwd.event.data).toEqual({ type: "contents", amount: 12345, currency: "KWD" });
  });

  it("sends a zero-total order with amount 0 (a real, free conversion)", async () => {
    const decision = await send(
      makeOrder({ total_price_set: { presentment_money: { amount: "0.00", currency_code: "USD" } } }),
    );
    expect(decision.event.data.amount).toBe(0);
  });

  it.each([
    [
      { total_price_set: { presentment_money: { amount: "19.999", currency_code: "USD" } } },
      "total_price_set.presentment_money",
    ],
    [
      { total_price_set: { presentment_money: { amount: "-1.00", currency_code: "USD" } } },
      "total_price_set.presentment_money",
    ],
    [
      { total_price_set: { presentment_money: { amount: "1.00", currency_code: "ZZZ" } } },
      "total_price_set.presentment_money",
    ],
    [{ total_price_set: undefined, total_price: "abc" }, "total_price"],
    [{ total_price_set: undefined, total_price: undefined }, "total_price"],
    [{ total_price_set: undefined, currency: undefined, presentment_currency: undefined }, "total_price"],
  ])("an unreadable total is malformed_payload naming the field (%#)", async (overrides, field) => {
    const decision = await skip(makeOrder(overrides));
    expect(decision.reason).toBe("malformed_payload");
    expect(decision.detail).toContain(field);
    expect(decision.amountMinor).toBeNull();
    expect(decision.orderId).toBe("5912345678901");
  });
});

describe("decideOrderCreated: contents", () => {
  it("falls back from variant to product to line item id, and leaves out unreadable items", async () => {
    const order = makeOrder({
      line_items: [
        { id: 1, variant_id: null, product_id: 20, title: "No variant", quantity: 1, price: "1.00" },
        { id: 2, variant_id: null, product_id: null, title: "Custom item", quantity: 3, price: "2.50" },
        { id: 3, variant_id: 33, product_id: 30, title: "Bad price", quantity: 1, price: "abc" },
        { id: 4, variant_id: 44, product_id: 40, title: "Zero quantity", quantity: 0, price: "1.00" },
        { id: 5, variant_id: 55, product_id: 50, title: "Fractional quantity", quantity: 1.5, price: "1.00" },
        { variant_id: null, product_id: null, title: "No id at all", quantity: 1, price: "1.00" },
        "not an object",
        {
          id: 6,
          variant_id: 66,
          product_id: 60,
          title: "  ",
          quantity: 1,
          price_set: { presentment_money: { amount: "3.00", currency_code: "USD" } },
        },
      ],
    });
    const { event } = await send(order);
    expect(event.data.contents).toEqual([
      {
        id: "20",
        name: "No variant",
        content_type: "product",
        quantity: 1,
        amount: 100,
        currency: "USD",
        group_id: "20",
      },
      { id: "2", name: "Custom item", content_type: "product", quantity: 3, amount: 250, currency: "USD" },
      { id: "33", name: "Bad price", content_type: "product", quantity: 1, group_id: "30" },
      { id: "66", content_type: "product", quantity: 1, amount: 300, currency: "USD", group_id: "60" },
    ]);
  });

  it(`keeps at most ${MAX_CONTENT_ITEMS} items`, async () => {
    const lineItems = Array.from({ length: 150 }, (_, i) => ({
      id: i + 1,
      variant_id: 1000 + i,
      product_id: 5,
      title: `Item ${i}`,
      quantity: 1,
      price: "1.00",
    }));
    const { event } = await send(makeOrder({ line_items: lineItems }));
    expect(event.data.contents).toHaveLength(100);
    expect(event.data.contents?.[99].id).toBe("1099");
  });

  it("omits contents when there are no line items", async () => {
    for (const lineItems of [[], undefined, null, "nope"]) {
      const { event } = await send(makeOrder({ line_items: lineItems }));
      expect("contents" in event.data).toBe(false);
    }
  });
});

describe("decideOrderCreated: oppref", () => {
  it("reads note_attributes when landing_site has none", async () => {
    const decision = await send(
      makeOrder({ landing_site: "/products/x", note_attributes: [{ name: "__oppref", value: "from_notes" }] }),
    );
    expect([decision.event.oppref, decision.opprefSource]).toEqual(["from_notes", "note_attributes"]);
  });

  it("prefers landing_site over note_attributes", async () => {
    const decision = await send(makeOrder({ note_attributes: [{ name: "oppref", value: "from_notes" }] }));
    expect([decision.event.oppref, decision.opprefSource]).toEqual(["oa_test_click_123", "landing_site"]);
  });

  it("omits oppref (never an empty string) when there is none", async () => {
    for (const landingSite of [null, undefined, "/", "/p?oppref=", 42]) {
      const decision = await send(makeOrder({ landing_site: landingSite }));
      expect("oppref" in decision.event).toBe(false);
      expect(decision.opprefSource).toBe("none");
    }
  });
});

describe("decideOrderCreated: matching data", () => {
  it("uses the address country as the phone's default country", async () => {
    const order = makeOrder({
      phone: "030 123456",
      billing_address: { country_code: "DE", phone: null, province_code: "BE", city: "Berlin", zip: "10115" },
      shipping_address: undefined,
    });
    const { event, requiresOptIn } = await send(order, ctx({ policy: { consentPolicy: "send" } }));
    expect(event.user?.phone_numbers_sha256).toEqual([h("4930123456")]);
    expect(event.user?.countries).toEqual(["DE"]);
    expect(requiresOptIn).toBe(true);
  });

  it("never sends an unspecified or private IP (Shopify's documentation order has 0.0.0.0)", async () => {
    for (const ip of ["0.0.0.0", "127.0.0.1", "10.0.0.7", "192.168.0.2", "fe80::1", "::1"]) {
      const { event } = await send(makeOrder({ client_details: { browser_ip: ip, user_agent: "UA" }, browser_ip: ip }));
      expect(event.user?.ip_address).toBeUndefined();
      expect(event.user?.user_agent).toBe("UA");
    }
  });

  it.each(["shopify_draft_order", "pos", "755357713", ""])(
    "sends no IP or user agent for a %j order: they are staff's or an integration's, not the buyer's",
    async (sourceName) => {
      const order = makeOrder({ source_name: sourceName });
      const { event } = await send(order, ctx({ policy: { nonWebOrders: "send" } }));
      expect(event.user?.ip_address).toBeUndefined();
      expect(event.user?.user_agent).toBeUndefined();
      expect(event.user?.emails_sha256).toHaveLength(1);
    },
  );

  it("sends full region names (Shopify's province), as OpenAI documents", async () => {
    const { event } = await send(makeOrder());
    expect(event.user?.regions).toEqual(["California"]);
  });

  it("falls back to the top-level browser_ip", async () => {
    const { event } = await send(makeOrder({ client_details: null, browser_ip: "9.9.9.9" }));
    expect(event.user?.ip_address).toBe("9.9.9.9");
    expect(event.user?.user_agent).toBeUndefined();
  });

  it("tolerates missing or odd personal-data fields", async () => {
    const order = makeOrder({
      customer: null,
      billing_address: null,
      shipping_address: "x",
      email: 42,
      phone: {},
      client_details: [],
      browser_ip: null,
    });
    const decision = await send(order);
    expect(decision.event.user).toBeUndefined();
    expect(decision.requiresOptIn).toBe(true); // no country known at all
  });

  it("requires opt-in when either address is in the EEA/UK/CH", async () => {
    expect((await send(makeOrder({ shipping_address: { country_code: "FR" } }))).requiresOptIn).toBe(true);
    expect((await send(makeOrder())).requiresOptIn).toBe(false);
  });
});

describe("decideOrderCreated: malformed payloads never throw", () => {
  it.each<[string, unknown, string]>([
    ["null", null, "not a JSON object"],
    ["a string", "order", "not a JSON object"],
    ["an array", [], "not a JSON object"],
    ["no id", makeOrder({ id: undefined, admin_graphql_api_id: undefined }), "id is missing"],
    ["null id", makeOrder({ id: null, admin_graphql_api_id: null }), "id is missing"],
    ["id not an order id", makeOrder({ id: "abc" }), "id is not a Shopify order id"],
    ["zero id", makeOrder({ id: 0 }), "id is not a Shopify order id"],
    ["test not boolean", makeOrder({ test: "yes" }), "test must be boolean, got string"],
    ["source_name not a string", makeOrder({ source_name: 5 }), "source_name must be string, got number"],
    [
      "no timestamps",
      makeOrder({ processed_at: undefined, created_at: undefined }),
      "processed_at and created_at are missing",
    ],
    [
      "zone-less timestamp",
      makeOrder({ processed_at: "2026-11-20 10:15:30", created_at: undefined }),
      "not an ISO 8601 timestamp",
    ],
  ])("%s → malformed_payload", async (_label, payload, detail) => {
    const decision = await skip(payload);
    expect(decision.reason).toBe("malformed_payload");
    expect(decision.detail).toContain(detail);
  });

  it("names the field but never echoes its value", async () => {
    const leaks = [
      makeOrder({ id: "jane.doe@example.com" }),
      makeOrder({ test: "jane.doe@example.com" }),
      makeOrder({ source_name: { email: "jane.doe@example.com" } }),
      makeOrder({ total_price_set: { presentment_money: { amount: "jane.doe@example.com", currency_code: "USD" } } }),
      makeOrder({ processed_at: "jane.doe@example.com", created_at: undefined }),
    ];
    for (const payload of leaks) {
      const decision = await skip(payload);
      expect(decision.reason).toBe("malformed_payload");
      expect(JSON.stringify(decision)).not.toContain("jane.doe");
    }
  });

  it("ignores unknown keys", async () => {
    expect((await send(makeOrder({ some_future_field: { nested: true } }))).event.id).toBe(DEDUP_ID);
  });

  it("never rejects, whatever it is given", async () => {
    const weird: unknown[] = [
      undefined,
      0,
      true,
      Symbol("x"),
      () => 1,
      new Date(),
      { id: {} },
      { id: 1, line_items: [null] },
    ];
    for (const payload of weird) {
      const decision = await decideOrderCreated(payload, ctx());
      expect(["send", "skip"]).toContain(decision.kind);
    }
  });
});

describe("decideOrderCreated: orders without an address", () => {
  const addressless = () => makeOrder({ billing_address: null, shipping_address: null });

  it("marks the region unknown (treated like an opt-in region) by default", async () => {
    const decision = await send(addressless());
    expect(decision).toMatchObject({ requiresOptIn: true, regionUnknown: true });
  });

  it("judges them by the shop's own country when the shop chose one", async () => {
    const hongKong = await send(addressless(), ctx({ policy: { addresslessOrderCountry: "HK" } }));
    expect(hongKong).toMatchObject({ requiresOptIn: false, regionUnknown: false });
    const germany = await send(addressless(), ctx({ policy: { addresslessOrderCountry: "DE" } }));
    expect(germany).toMatchObject({ requiresOptIn: true, regionUnknown: false });
  });

  it("an order with an address ignores that setting", async () => {
    const decision = await send(makeOrder(), ctx({ policy: { addresslessOrderCountry: "DE" } }));
    expect(decision).toMatchObject({ requiresOptIn: false, regionUnknown: false });
  });
});

describe("decideOrderCreated: the buyer's choice from the cart (theme app embed)", () => {
  const withCart = (attrs: { name: string; value: string }[]) => makeOrder({ note_attributes: attrs });

  it("a refusal of sale/sharing of data is skipped with its own reason", async () => {
    const decision = await skip(
      withCart([
        { name: "_oppref_consent", value: "marketing=granted&sale_of_data=refused&source=gpc&at=1764650000000" },
      ]),
    );
    expect(decision).toMatchObject({ reason: "sale_of_data_refused", amountMinor: 12999 });
    expect(decision.detail).toContain("gpc");
  });

  it("a marketing denial is consent_denied", async () => {
    const decision = await skip(withCart([{ name: "_oppref_consent", value: "marketing=denied&source=privacy_api" }]));
    expect(decision.reason).toBe("consent_denied");
  });

  it("a grant lifts the region rule for an EEA buyer; unknown values are no signal", async () => {
    const eea = { country_code: "DE", province: "Berlin", city: "Berlin", zip: "10115" };
    const granted = await send(
      makeOrder({
        billing_address: eea,
        shipping_address: eea,
        note_attributes: [{ name: "_oppref_consent", value: "marketing=granted&sale_of_data=allowed" }],
      }),
    );
    expect(granted.requiresOptIn).toBe(false);
    const garbage = await send(
      makeOrder({
        billing_address: eea,
        shipping_address: eea,
        note_attributes: [{ name: "_oppref_consent", value: "marketing=yes please" }],
      }),
    );
    expect(garbage.requiresOptIn).toBe(true);
  });

  it("reads _oppref, validated like every source; landing_site still wins without click times", async () => {
    const fromCart = await send(
      makeOrder({ landing_site: "/", note_attributes: [{ name: "_oppref", value: "oa_cart_1" }] }),
    );
    expect(fromCart).toMatchObject({ opprefSource: "note_attributes" });
    expect(fromCart.event.oppref).toBe("oa_cart_1");
    const both = await send(makeOrder({ note_attributes: [{ name: "_oppref", value: "oa_cart_1" }] }));
    expect(both.event.oppref).toBe("oa_test_click_123");
    const control = await send(
      makeOrder({ landing_site: "/?oppref=bad%0Aclick", note_attributes: [{ name: "_oppref", value: "x\u0000y" }] }),
    );
    expect(control.event.oppref).toBeUndefined();
    expect(control.opprefSource).toBe("none");
  });
});
