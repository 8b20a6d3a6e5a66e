import { describe, expect, it } from "vitest";
import { STANDARD_EVENT_DATA_TYPE } from "~/conversions/capi-event";
import {
  buildContentsImageTagUrl,
  buildImageTagUrl,
  IMAGE_TAG_BASE,
  ImageTagError,
  MAX_IMAGE_TAG_CONTENTS,
  type ContentsEvent,
  type ImageTagInput,
} from "~/openai/image-tag";
import { validateImageTagQuery } from "../../sim/openai-contract";

const base: ImageTagInput = { pixelId: "pX7kq2Lm9RtYv3Nw8ZbC4d", event: "page_viewed", dataType: "contents" };

function params(url: string): [string, string][] {
  return [...new URL(url).searchParams.entries()];
}

describe("buildImageTagUrl", () => {
  it("builds the minimal documented URL against OpenAI's endpoint", () => {
    const url = buildImageTagUrl(base);
    expect(IMAGE_TAG_BASE).toBe("https://bzr.openai.com/v1/sdk/events");
    expect(url).toBe(
      "https://bzr.openai.com/v1/sdk/events?pid=pX7kq2Lm9RtYv3Nw8ZbC4d&event=page_viewed&data[type]=contents",
    );
    expect(validateImageTagQuery(new URL(url).searchParams).errors).toEqual([]);
  });

  it("emits every optional parameter once, in a fixed order, URL-encoded", () => {
    const url = buildImageTagUrl({
      ...base,
      event: "order_created",
      eventId: "o1_ohmO4bFNY3L5fPEYdzKy-g",
      oppref: "a b&c=d/é",
      amount: 12999,
      currency: "USD",
      contents: [{ id: "44858553761923", quantity: 2, amount: 6500, currency: "USD" }],
    });
    expect(params(url)).toEqual([
      ["pid", "pX7kq2Lm9RtYv3Nw8ZbC4d"],
      ["event", "order_created"],
      ["data[type]", "contents"],
      ["event_id", "o1_ohmO4bFNY3L5fPEYdzKy-g"],
      ["oppref", "a b&c=d/é"],
      ["data[amount]", "12999"],
      ["data[currency]", "USD"],
      [
        "data[contents]",
        '[{"id":"44858553761923","quantity":2,"content_type":"product","amount":6500,"currency":"USD"}]',
      ],
    ]);
    // Raw text: brackets literal in names, values percent-encoded (no "+" for spaces, no raw "&").
    expect(url).toContain("&oppref=a%20b%26c%3Dd%2F%C3%A9&");
    expect(validateImageTagQuery(new URL(url).searchParams).errors).toEqual([]);
  });

  it("supports custom events and plan ids as documented", () => {
    const url = buildImageTagUrl({ ...base, event: "custom", dataType: "custom", customEventName: "wishlist_added" });
    expect(params(url)).toContainEqual(["custom_event_name", "wishlist_added"]);
    const plan = buildImageTagUrl({
      ...base,
      event: "subscription_created",
      dataType: "plan_enrollment",
      planId: "gold",
    });
    expect(params(plan)).toContainEqual(["data[plan_id]", "gold"]);
    for (const u of [url, plan]) expect(validateImageTagQuery(new URL(u).searchParams).errors).toEqual([]);
  });

  it("never emits empty values", () => {
    const url = buildImageTagUrl({ ...base, eventId: "", oppref: "", planId: "", contents: [] });
    expect(params(url).map(([k]) => k)).toEqual(["pid", "event", "data[type]"]);
    expect(buildImageTagUrl({ ...base, oppref: null })).not.toContain("oppref");
  });

  it("keeps only documented item keys and never a product name, and caps the item count", () => {
    const item = { id: "1", quantity: 1, name: "Secret Product Name", email: "x@example.com", group_id: "9" } as never;
    const url = buildImageTagUrl({ ...base, contents: [item] });
    const contents = JSON.parse(new URL(url).searchParams.get("data[contents]")!);
    expect(contents).toEqual([{ id: "1", quantity: 1, content_type: "product" }]);

    const many = Array.from({ length: 150 }, (_, i) => ({
      id: String(40000000000000 + i),
      quantity: 1,
      amount: 99999,
      currency: "USD",
    }));
    const long = buildImageTagUrl({ ...base, contents: many });
    expect(JSON.parse(new URL(long).searchParams.get("data[contents]")!)).toHaveLength(MAX_IMAGE_TAG_CONTENTS);
    expect(long.length).toBeLessThan(8192);
  });

  it("uses an alternative base only when given (tests point it at a loopback stand-in)", () => {
    expect(buildImageTagUrl({ ...base, base: "http://127.0.0.1:9999/v1/sdk/events" })).toMatch(
      /^http:\/\/127\.0\.0\.1:9999\/v1\/sdk\/events\?pid=/,
    );
  });

  it.each<[string, Partial<ImageTagInput>]>([
    ["unknown event", { event: "purchase" }],
    ["wrong data type", { event: "order_created", dataType: "customer_action" }],
    ["custom without name", { event: "custom", dataType: "custom" }],
    ["custom with a standard name", { event: "custom", dataType: "custom", customEventName: "order_created" }],
    ["custom with a bad name", { event: "custom", dataType: "custom", customEventName: "Bad Name" }],
    ["missing pixel id", { pixelId: " " }],
    ["fractional amount", { amount: 129.99, currency: "USD" }],
    ["negative amount", { amount: -1, currency: "USD" }],
    ["amount without currency", { amount: 100 }],
    ["lower-case currency", { amount: 100, currency: "usd" }],
    ["item without id", { contents: [{ id: "", quantity: 1 }] }],
    ["item with zero quantity", { contents: [{ id: "1", quantity: 0 }] }],
    ["item amount without currency", { contents: [{ id: "1", quantity: 1, amount: 5 }] }],
  ])("rejects %s", (_label, patch) => {
    expect(() => buildImageTagUrl({ ...base, ...patch })).toThrow(ImageTagError);
  });
});

describe("buildContentsImageTagUrl (the web pixel's builder)", () => {
  // A Record over the union: the compiler rejects a missing or an extra name.
  const CONTENTS_EVENTS: Record<ContentsEvent, true> = {
    page_viewed: true,
    contents_viewed: true,
    items_added: true,
    checkout_started: true,
    order_created: true,
  };
  const events = Object.keys(CONTENTS_EVENTS) as ContentsEvent[];

  it("accepts exactly the standard events whose data type is contents", () => {
    const contentsTyped = Object.keys(STANDARD_EVENT_DATA_TYPE).filter(
      (event) => STANDARD_EVENT_DATA_TYPE[event] === "contents",
    );
    expect([...events].sort()).toEqual(contentsTyped.sort());
  });

  it.each(events)("builds the same URL as buildImageTagUrl for %s", (event) => {
    const inputs: Omit<ImageTagInput, "event" | "dataType">[] = [
      { pixelId: base.pixelId },
      {
        pixelId: base.pixelId,
        eventId: "o1_ohmO4bFNY3L5fPEYdzKy-g",
        oppref: "a b&c=d/é",
        amount: 12999,
        currency: "USD",
      },
      { pixelId: base.pixelId, eventId: "", oppref: null, contents: [] },
      {
        pixelId: base.pixelId,
        amount: 0,
        currency: "JPY",
        contents: [
          { id: "1", quantity: 2, amount: 6500, currency: "JPY", content_type: "product" },
          { id: "2", quantity: 1 },
          { id: "3", quantity: 1, currency: "JPY" } as never, // a currency without its amount is dropped
          { id: "4", quantity: 1, name: "Secret Product Name" } as never,
        ],
      },
      { pixelId: base.pixelId, contents: Array.from({ length: 30 }, (_, i) => ({ id: String(i + 1), quantity: 1 })) },
      { pixelId: base.pixelId, base: "http://127.0.0.1:9999/v1/sdk/events?x=1" },
    ];
    for (const input of inputs) {
      const url = buildContentsImageTagUrl({ ...input, event });
      expect(url).toBe(buildImageTagUrl({ ...input, event, dataType: "contents" }));
      if (url.startsWith(`${IMAGE_TAG_BASE}?`))
        expect(validateImageTagQuery(new URL(url).searchParams).errors).toEqual([]);
    }
  });

  it("never lets an item's currency travel without its amount (either builder)", () => {
    const item = { id: "3", quantity: 1, currency: "USD" } as never;
    for (const url of [
      buildImageTagUrl({ ...base, contents: [item] }),
      buildContentsImageTagUrl({ ...base, event: "page_viewed", contents: [item] }),
    ]) {
      expect(JSON.parse(new URL(url).searchParams.get("data[contents]")!)).toEqual([
        { id: "3", quantity: 1, content_type: "product" },
      ]);
    }
  });
});
