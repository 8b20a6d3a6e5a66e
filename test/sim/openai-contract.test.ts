import { describe, expect, it } from "vitest";
import {
  dedupKey,
  MAX_EVENT_AGE_MS,
  MAX_FUTURE_SKEW_MS,
  validateEvent,
  validateImageTagQuery,
} from "../../sim/openai-contract";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const HASH = "a".repeat(64);

/** A complete, valid order_created event; each case changes one thing. */
function order(): Record<string, any> {
  return {
    id: "o1_abc",
    type: "order_created",
    timestamp_ms: NOW - 60_000,
    action_source: "web",
    source_url: "https://shop.example/checkouts/thank-you",
    oppref: "opp_123",
    opt_out: false,
    user: {
      emails_sha256: [HASH],
      phone_numbers_sha256: [HASH],
      external_ids_sha256: [HASH],
      first_names_sha256: [HASH],
      last_names_sha256: [HASH],
      countries: ["US"],
      regions: ["CA"],
      cities: ["San Francisco"],
      postal_codes: ["94103"],
      obref: "ob_1",
      ip_address: "203.0.113.9",
      user_agent: "Mozilla/5.0",
    },
    data: {
      type: "contents",
      amount: 12999,
      currency: "USD",
      contents: [
        {
          id: "sku-1",
          name: "Tee",
          content_type: "product",
          quantity: 2,
          amount: 4999,
          currency: "USD",
          group_id: "p-1",
          variant_dict: { size: "M" },
        },
        { id: "sku-2", content_type: "product", quantity: 1, amount: 3001 },
      ],
    },
  };
}

type Case = [name: string, mutate: (e: Record<string, any>) => void, expected: { param: string; code: string }[]];

const valid: [string, (e: Record<string, any>) => void][] = [
  ["the full order", () => {}],
  [
    "minimal offline event",
    (e) => {
      delete e.source_url;
      delete e.oppref;
      delete e.opt_out;
      delete e.user;
      e.action_source = "offline";
      e.data = { type: "contents" };
    },
  ],
  [
    "custom event with extra data keys",
    (e) => {
      e.type = "custom";
      e.custom_event_name = "order_refunded";
      e.data = { type: "custom", amount: 500, currency: "EUR", original_id: "o1_x", reason: "damaged" };
    },
  ],
  [
    "lead_created with customer_action",
    (e) => {
      e.type = "lead_created";
      e.data = { type: "customer_action" };
    },
  ],
  [
    "trial_started with plan_enrollment",
    (e) => {
      e.type = "trial_started";
      e.data = { type: "plan_enrollment", plan_id: "pro" };
    },
  ],
  [
    "amount zero",
    (e) => {
      e.data.amount = 0;
    },
  ],
  [
    "exactly 7 days old",
    (e) => {
      e.timestamp_ms = NOW - MAX_EVENT_AGE_MS;
    },
  ],
  [
    "exactly 10 minutes ahead",
    (e) => {
      e.timestamp_ms = NOW + MAX_FUTURE_SKEW_MS;
    },
  ],
  [
    "one-character custom name",
    (e) => {
      e.type = "custom";
      e.custom_event_name = "x";
      e.data = { type: "custom" };
    },
  ],
  [
    "64-character custom name",
    (e) => {
      e.type = "custom";
      e.custom_event_name = "a".repeat(64);
      e.data = { type: "custom" };
    },
  ],
  [
    "255-character id",
    (e) => {
      e.id = "i".repeat(255);
    },
  ],
  [
    "IPv6 address",
    (e) => {
      e.user.ip_address = "2001:db8::1";
    },
  ],
  [
    "source_url on a non-web event",
    (e) => {
      e.action_source = "email";
    },
  ],
  [
    "item without amount or quantity",
    (e) => {
      e.data.contents = [{ id: "sku-1" }];
    },
  ],
];

const invalid: Case[] = [
  [
    "missing id",
    (e) => {
      delete e.id;
    },
    [{ param: "id", code: "missing_field" }],
  ],
  [
    "empty id",
    (e) => {
      e.id = "";
    },
    [{ param: "id", code: "invalid_value" }],
  ],
  [
    "numeric id",
    (e) => {
      e.id = 123;
    },
    [{ param: "id", code: "invalid_type" }],
  ],
  [
    "256-character id",
    (e) => {
      e.id = "i".repeat(256);
    },
    [{ param: "id", code: "invalid_value" }],
  ],
  [
    "missing type",
    (e) => {
      delete e.type;
    },
    [{ param: "type", code: "missing_field" }],
  ],
  [
    "unknown type",
    (e) => {
      e.type = "purchase";
    },
    [{ param: "type", code: "invalid_value" }],
  ],
  [
    "custom without name",
    (e) => {
      e.type = "custom";
      e.data = { type: "custom" };
    },
    [{ param: "custom_event_name", code: "missing_field" }],
  ],
  [
    "custom name with upper case",
    (e) => {
      e.type = "custom";
      e.custom_event_name = "Order_Refunded";
      e.data = { type: "custom" };
    },
    [{ param: "custom_event_name", code: "invalid_value" }],
  ],
  [
    "custom name ending in underscore",
    (e) => {
      e.type = "custom";
      e.custom_event_name = "refund_";
      e.data = { type: "custom" };
    },
    [{ param: "custom_event_name", code: "invalid_value" }],
  ],
  [
    "65-character custom name",
    (e) => {
      e.type = "custom";
      e.custom_event_name = "a".repeat(65);
      e.data = { type: "custom" };
    },
    [{ param: "custom_event_name", code: "invalid_value" }],
  ],
  [
    "custom name that is a standard name",
    (e) => {
      e.type = "custom";
      e.custom_event_name = "order_created";
      e.data = { type: "custom" };
    },
    [{ param: "custom_event_name", code: "invalid_value" }],
  ],
  [
    "custom name on a standard event",
    (e) => {
      e.custom_event_name = "order_refunded";
    },
    [{ param: "custom_event_name", code: "field_not_allowed" }],
  ],
  [
    "custom name inside data is not enough",
    (e) => {
      e.type = "custom";
      e.data = { type: "custom", custom_event_name: "refund" };
    },
    [{ param: "custom_event_name", code: "missing_field" }],
  ],
  [
    "missing timestamp",
    (e) => {
      delete e.timestamp_ms;
    },
    [{ param: "timestamp_ms", code: "missing_field" }],
  ],
  [
    "timestamp in seconds as a string",
    (e) => {
      e.timestamp_ms = "1764072000";
    },
    [{ param: "timestamp_ms", code: "invalid_type" }],
  ],
  [
    "fractional timestamp",
    (e) => {
      e.timestamp_ms = NOW - 0.5;
    },
    [{ param: "timestamp_ms", code: "invalid_value" }],
  ],
  [
    "one ms older than 7 days",
    (e) => {
      e.timestamp_ms = NOW - MAX_EVENT_AGE_MS - 1;
    },
    [{ param: "timestamp_ms", code: "event_timestamp_too_old" }],
  ],
  [
    "one ms beyond 10 minutes ahead",
    (e) => {
      e.timestamp_ms = NOW + MAX_FUTURE_SKEW_MS + 1;
    },
    [{ param: "timestamp_ms", code: "event_timestamp_in_future" }],
  ],
  [
    "missing action_source",
    (e) => {
      delete e.action_source;
    },
    [{ param: "action_source", code: "missing_field" }],
  ],
  [
    "unknown action_source",
    (e) => {
      e.action_source = "website";
    },
    [{ param: "action_source", code: "invalid_value" }],
  ],
  [
    "source_url missing for web",
    (e) => {
      delete e.source_url;
    },
    [{ param: "source_url", code: "missing_field" }],
  ],
  [
    "relative source_url",
    (e) => {
      e.source_url = "/checkouts/thank-you";
    },
    [{ param: "source_url", code: "invalid_value" }],
  ],
  [
    "non-http source_url",
    (e) => {
      e.source_url = "ftp://shop.example/x";
    },
    [{ param: "source_url", code: "invalid_value" }],
  ],
  [
    "empty oppref",
    (e) => {
      e.oppref = "";
    },
    [{ param: "oppref", code: "invalid_value" }],
  ],
  [
    "null oppref",
    (e) => {
      e.oppref = null;
    },
    [{ param: "oppref", code: "invalid_type" }],
  ],
  [
    "opt_out as a string",
    (e) => {
      e.opt_out = "true";
    },
    [{ param: "opt_out", code: "invalid_type" }],
  ],
  [
    "unknown top-level key",
    (e) => {
      e.event_id = "o1_abc";
    },
    [{ param: "event_id", code: "unknown_field" }],
  ],
  [
    "missing data",
    (e) => {
      delete e.data;
    },
    [{ param: "data", code: "missing_field" }],
  ],
  [
    "data without type",
    (e) => {
      delete e.data.type;
    },
    [{ param: "data.type", code: "missing_field" }],
  ],
  [
    "wrong data.type for order_created",
    (e) => {
      e.data.type = "customer_action";
    },
    [{ param: "data.type", code: "data_type_mismatch" }],
  ],
  [
    "custom data on a standard event",
    (e) => {
      e.type = "lead_created";
      e.data = { type: "custom" };
    },
    [{ param: "data.type", code: "data_type_mismatch" }],
  ],
  [
    "unknown data.type",
    (e) => {
      e.data.type = "purchase";
    },
    [{ param: "data.type", code: "invalid_value" }],
  ],
  [
    "extra data key on a standard event",
    (e) => {
      e.data.order_id = "1001";
    },
    [{ param: "data.order_id", code: "unknown_field" }],
  ],
  [
    "non-integer amount",
    (e) => {
      e.data.amount = 129.99;
    },
    [{ param: "data.amount", code: "invalid_value" }],
  ],
  [
    "amount as a string",
    (e) => {
      e.data.amount = "12999";
    },
    [{ param: "data.amount", code: "invalid_type" }],
  ],
  [
    "negative amount",
    (e) => {
      e.data.amount = -500;
    },
    [{ param: "data.amount", code: "invalid_value" }],
  ],
  [
    "amount without currency",
    (e) => {
      delete e.data.currency;
    },
    [{ param: "data.currency", code: "missing_field" }],
  ],
  [
    "lower-case currency",
    (e) => {
      e.data.currency = "usd";
    },
    [{ param: "data.currency", code: "invalid_value" }],
  ],
  [
    "contents not an array",
    (e) => {
      e.data.contents = { id: "sku-1" };
    },
    [{ param: "data.contents", code: "invalid_type" }],
  ],
  [
    "unknown item key",
    (e) => {
      e.data.contents[0].price = 4999;
    },
    [{ param: "data.contents[0].price", code: "unknown_field" }],
  ],
  [
    "item without id",
    (e) => {
      delete e.data.contents[1].id;
    },
    [{ param: "data.contents[1].id", code: "missing_field" }],
  ],
  [
    "item quantity zero",
    (e) => {
      e.data.contents[0].quantity = 0;
    },
    [{ param: "data.contents[0].quantity", code: "invalid_value" }],
  ],
  [
    "fractional item quantity",
    (e) => {
      e.data.contents[0].quantity = 1.5;
    },
    [{ param: "data.contents[0].quantity", code: "invalid_value" }],
  ],
  [
    "non-integer item amount",
    (e) => {
      e.data.contents[0].amount = 49.99;
    },
    [{ param: "data.contents[0].amount", code: "invalid_value" }],
  ],
  [
    "negative item amount",
    (e) => {
      e.data.contents[1].amount = -1;
    },
    [{ param: "data.contents[1].amount", code: "invalid_value" }],
  ],
  [
    "item content_type other than product",
    (e) => {
      e.data.contents[0].content_type = "service";
    },
    [{ param: "data.contents[0].content_type", code: "invalid_value" }],
  ],
  [
    "upper-case hash",
    (e) => {
      e.user.emails_sha256 = [HASH.toUpperCase()];
    },
    [{ param: "user.emails_sha256[0]", code: "invalid_value" }],
  ],
  [
    "raw email in a hash list",
    (e) => {
      e.user.emails_sha256 = [HASH, "jane@example.com"];
    },
    [{ param: "user.emails_sha256[1]", code: "invalid_value" }],
  ],
  [
    "63-character hash",
    (e) => {
      e.user.last_names_sha256 = ["a".repeat(63)];
    },
    [{ param: "user.last_names_sha256[0]", code: "invalid_value" }],
  ],
  [
    "hash list given as a string",
    (e) => {
      e.user.phone_numbers_sha256 = HASH;
    },
    [{ param: "user.phone_numbers_sha256", code: "invalid_type" }],
  ],
  [
    "singular legacy user key",
    (e) => {
      e.user.email_sha256 = HASH;
    },
    [{ param: "user.email_sha256", code: "unknown_field" }],
  ],
  [
    "country name instead of alpha-2",
    (e) => {
      e.user.countries = ["United States"];
    },
    [{ param: "user.countries[0]", code: "invalid_value" }],
  ],
  [
    "ip_address that is not an IP",
    (e) => {
      e.user.ip_address = "localhost";
    },
    [{ param: "user.ip_address", code: "invalid_value" }],
  ],
  [
    "user as an array",
    (e) => {
      e.user = [HASH];
    },
    [{ param: "user", code: "invalid_type" }],
  ],
  [
    "several problems at once",
    (e) => {
      delete e.id;
      e.data.amount = -1;
      e.user.zip = "1";
    },
    [
      { param: "id", code: "missing_field" },
      { param: "user.zip", code: "unknown_field" },
      { param: "data.amount", code: "invalid_value" },
    ],
  ],
];

describe("validateEvent", () => {
  it.each(valid)("accepts %s", (_name, mutate) => {
    const event = order();
    mutate(event);
    expect(validateEvent(event, NOW)).toEqual([]);
  });

  it.each(invalid)("rejects %s", (_name, mutate, expected) => {
    const event = order();
    mutate(event);
    const errors = validateEvent(event, NOW);
    expect(errors.map(({ param, code }) => ({ param, code }))).toEqual(expected);
    for (const error of errors) expect(error.message.length).toBeGreaterThan(0);
  });

  it("rejects a non-object event as a whole", () => {
    expect(validateEvent(null, NOW)).toEqual([{ param: "", code: "invalid_type", message: expect.any(String) }]);
    expect(validateEvent([order()], NOW)[0].code).toBe("invalid_type");
  });
});

describe("dedupKey", () => {
  it("keys by pixel, type or custom name, and id", () => {
    const base = { id: "e1", type: "order_created" };
    expect(dedupKey("p1", base)).toBe(dedupKey("p1", { ...base }));
    expect(dedupKey("p1", base)).not.toBe(dedupKey("p2", base));
    expect(dedupKey("p1", base)).not.toBe(dedupKey("p1", { ...base, type: "checkout_started" }));
    const refund = { id: "e1", type: "custom", custom_event_name: "order_refunded" };
    expect(dedupKey("p1", refund)).not.toBe(dedupKey("p1", { ...refund, custom_event_name: "order_cancelled" }));
  });
});

describe("validateImageTagQuery", () => {
  const query = (text: string) => new URLSearchParams(text);
  const codes = (text: string) => validateImageTagQuery(query(text)).errors.map(({ param, code }) => ({ param, code }));

  it("reads a full order tag", () => {
    const contents = encodeURIComponent(
      JSON.stringify([{ id: "sku-1", content_type: "product", quantity: 1, amount: 999 }]),
    );
    const result = validateImageTagQuery(
      query(
        `pid=P1&event=order_created&data%5Btype%5D=contents&event_id=o1_x&oppref=opp&data%5Bamount%5D=999&data%5Bcurrency%5D=USD&data%5Bcontents%5D=${contents}`,
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.tag).toEqual({
      pixelId: "P1",
      eventId: "o1_x",
      event: {
        type: "order_created",
        oppref: "opp",
        data: {
          type: "contents",
          amount: 999,
          currency: "USD",
          contents: [{ id: "sku-1", content_type: "product", quantity: 1, amount: 999 }],
        },
      },
    });
  });

  it("accepts a custom tag without event_id", () => {
    const result = validateImageTagQuery(query("pid=P1&event=custom&custom_event_name=quiz_done&data[type]=custom"));
    expect(result.errors).toEqual([]);
    expect(result.tag?.eventId).toBeNull();
  });

  it.each([
    ["missing pid", "event=page_viewed&data[type]=contents", [{ param: "pid", code: "missing_field" }]],
    ["missing event", "pid=P1&data[type]=contents", [{ param: "event", code: "missing_field" }]],
    ["missing data[type]", "pid=P1&event=page_viewed", [{ param: "data[type]", code: "missing_field" }]],
    [
      "unknown parameter",
      "pid=P1&event=page_viewed&data[type]=contents&email=a%40b.c",
      [{ param: "email", code: "unknown_parameter" }],
    ],
    [
      "repeated parameter",
      "pid=P1&event=page_viewed&data[type]=contents&oppref=a&oppref=b",
      [{ param: "oppref", code: "duplicate_parameter" }],
    ],
    ["unknown event", "pid=P1&event=purchase&data[type]=contents", [{ param: "event", code: "invalid_value" }]],
    [
      "wrong data type",
      "pid=P1&event=order_created&data[type]=custom",
      [{ param: "data[type]", code: "data_type_mismatch" }],
    ],
    [
      "negative amount",
      "pid=P1&event=order_created&data[type]=contents&data[amount]=-5&data[currency]=USD",
      [{ param: "data[amount]", code: "invalid_value" }],
    ],
    [
      "decimal amount",
      "pid=P1&event=order_created&data[type]=contents&data[amount]=12.99&data[currency]=USD",
      [{ param: "data[amount]", code: "invalid_value" }],
    ],
    [
      "amount without currency",
      "pid=P1&event=order_created&data[type]=contents&data[amount]=100",
      [{ param: "data[currency]", code: "missing_field" }],
    ],
    [
      "contents that are not JSON",
      "pid=P1&event=order_created&data[type]=contents&data[contents]=sku-1",
      [{ param: "data[contents]", code: "invalid_value" }],
    ],
    [
      "bad item in contents",
      `pid=P1&event=order_created&data[type]=contents&data[contents]=${encodeURIComponent('[{"id":"a","quantity":0}]')}`,
      [{ param: "data[contents][0].quantity", code: "invalid_value" }],
    ],
    [
      "custom without name",
      "pid=P1&event=custom&data[type]=custom",
      [{ param: "custom_event_name", code: "missing_field" }],
    ],
    [
      "empty event_id",
      "pid=P1&event=page_viewed&data[type]=contents&event_id=",
      [{ param: "event_id", code: "invalid_value" }],
    ],
    [
      "empty oppref",
      "pid=P1&event=page_viewed&data[type]=contents&oppref=",
      [{ param: "oppref", code: "invalid_value" }],
    ],
  ])("rejects %s", (_name, text, expected) => {
    expect(codes(text)).toEqual(expected);
    expect(validateImageTagQuery(query(text)).tag).toBeNull();
  });
});
