import { describe, expect, it } from "vitest";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { IMAGE_TAG_BASE } from "~/openai/image-tag";
import { validateImageTagQuery } from "../../sim/openai-contract";
import {
  createOpenAiPixel,
  OBREF_COOKIE,
  OPPREF_COOKIE,
  type PixelReceiptBody,
} from "../../extensions/openai-pixel/src/pixel";
import {
  addedToCartData,
  checkoutData,
  createFakeRuntime,
  defaultSettings,
  PII_FRAGMENTS,
  PIXEL_ID,
  productVariant,
  productViewedData,
  RECEIPT_URL,
  SHOP,
  type FakeRuntimeOptions,
} from "./fake-pixel-runtime";

const DOCUMENTED_PARAMS = new Set([
  "pid",
  "event",
  "data[type]",
  "event_id",
  "oppref",
  "custom_event_name",
  "data[amount]",
  "data[currency]",
  "data[plan_id]",
  "data[contents]",
]);
const COOKIE_ATTRIBUTES = "Max-Age=2592000; Path=/; SameSite=Lax; Secure";

/** Deterministic "random" bytes: 0,1,2,… continuing across calls. */
function counterRandom() {
  let next = 0;
  return (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = next++ & 0xff;
    return bytes;
  };
}

function start(options: FakeRuntimeOptions = {}) {
  const runtime = createFakeRuntime({ marketingAllowed: true, ...options });
  createOpenAiPixel(runtime.api, { fetch: runtime.fetch, random: counterRandom() });
  return runtime;
}

/** Parses an image tag URL and checks it the way OpenAI would, plus our own no-PII rules. */
function tag(url: string): Record<string, unknown> {
  const parsed = new URL(url);
  expect(`${parsed.origin}${parsed.pathname}`).toBe(IMAGE_TAG_BASE);
  const names = [...parsed.searchParams.keys()];
  expect(new Set(names).size, `duplicate parameter in ${url}`).toBe(names.length);
  for (const name of names) {
    expect(DOCUMENTED_PARAMS.has(name), `undocumented parameter ${name}`).toBe(true);
    expect(parsed.searchParams.get(name), `empty ${name}`).not.toBe("");
  }
  // The contract stand-in's validator (same rules as the CAPI: event/data type pairing, oppref, amount…).
  expect(validateImageTagQuery(parsed.searchParams).errors).toEqual([]);
  const withoutId = new URLSearchParams(parsed.searchParams);
  withoutId.delete("event_id");
  const decoded = decodeURIComponent(withoutId.toString());
  for (const fragment of PII_FRAGMENTS) expect(decoded, `PII "${fragment}" in ${url}`).not.toContain(fragment);
  const params = Object.fromEntries(parsed.searchParams);
  return { ...params, contents: params["data[contents]"] ? JSON.parse(params["data[contents]"]) : undefined };
}

function receiptOf(runtime: ReturnType<typeof createFakeRuntime>): PixelReceiptBody {
  const receipts = runtime.receipts();
  expect(receipts).toHaveLength(1);
  return JSON.parse(String(receipts[0].init.body));
}

describe("oppref capture", () => {
  it("writes an oppref from the landing URL to the __oppref cookie, unchanged, with the right attributes", async () => {
    const runtime = start({ href: "https://shop.example/products/x?utm_source=chatgpt&oppref=op_AbC-123.x_Y" });
    await runtime.publish(
      "page_viewed",
      {},
      "https://shop.example/products/x?utm_source=chatgpt&oppref=op_AbC-123.x_Y",
    );

    expect(runtime.cookieWrites).toEqual([`__oppref=op_AbC-123.x_Y; ${COOKIE_ATTRIBUTES}`]);
    expect(runtime.cookies.get(OPPREF_COOKIE)).toBe("op_AbC-123.x_Y");
    const [view] = runtime.imageTags();
    expect(tag(view.url)).toMatchObject({
      event: "page_viewed",
      "data[type]": "contents",
      pid: PIXEL_ID,
      oppref: "op_AbC-123.x_Y",
    });
  });

  it("reuses the cookie on later pages of the visit (no oppref in their URLs)", async () => {
    const cookies = new Map([[OPPREF_COOKIE, "op_from_cookie"]]);
    const runtime = start({ cookies, href: "https://shop.example/products/x" });
    await runtime.publish("page_viewed", {}, "https://shop.example/products/x");
    await runtime.publish("product_viewed", productViewedData(), "https://shop.example/products/x");
    await runtime.publish("product_added_to_cart", addedToCartData(2), "https://shop.example/products/x");
    await runtime.publish("checkout_started", checkoutData(), "https://shop.example/checkouts/cn/abc");
    await runtime.publish("checkout_completed", checkoutData(), "https://shop.example/checkouts/cn/abc/thank-you");

    expect(runtime.cookieWrites).toEqual([]);
    const tags = runtime.imageTags().map((call) => tag(call.url));
    expect(tags.map((t) => t.event)).toEqual([
      "page_viewed",
      "contents_viewed",
      "items_added",
      "checkout_started",
      "order_created",
    ]);
    for (const t of tags) expect(t.oppref).toBe("op_from_cookie");
    expect(receiptOf(runtime).oppref).toBe("op_from_cookie");
  });

  it("a newer oppref in the URL replaces the cookie and wins over it", async () => {
    const cookies = new Map([[OPPREF_COOKIE, "op_old"]]);
    const runtime = start({ cookies, href: "https://shop.example/?oppref=op_new" });
    await runtime.publish("page_viewed", {}, "https://shop.example/?oppref=op_new");
    await runtime.publish("product_viewed", productViewedData());

    expect(runtime.cookies.get(OPPREF_COOKIE)).toBe("op_new");
    expect(runtime.cookieWrites).toEqual([`__oppref=op_new; ${COOKIE_ATTRIBUTES}`]);
    expect(runtime.imageTags().map((call) => tag(call.url).oppref)).toEqual(["op_new", "op_new"]);
  });

  it("keeps values with cookie-unsafe characters exact (encoded in the cookie, decoded on read)", async () => {
    const raw = "a b;c=d%e";
    const href = `https://shop.example/?oppref=${encodeURIComponent(raw)}`;
    const first = start({ href });
    await first.publish("page_viewed", {}, href);
    expect(first.cookies.get(OPPREF_COOKIE)).toBe(encodeURIComponent(raw));
    expect(tag(first.imageTags()[0].url).oppref).toBe(raw);

    const next = start({ cookies: first.cookies, href: "https://shop.example/cart" });
    await next.publish("product_viewed", productViewedData());
    expect(tag(next.imageTags()[0].url).oppref).toBe(raw);
  });

  it("sends no oppref when there is none anywhere", async () => {
    const runtime = start({ href: "https://shop.example/" });
    await runtime.publish("page_viewed", {});
    expect(tag(runtime.imageTags()[0].url)).not.toHaveProperty("oppref");
    expect(runtime.cookieWrites).toEqual([]);
  });
});

describe("consent", () => {
  it("denied at init: no OpenAI request and no cookie write for any event; the receipt says denied, without oppref", async () => {
    const href = "https://shop.example/?oppref=op_secret";
    const runtime = start({ marketingAllowed: false, href, cookies: new Map([[OPPREF_COOKIE, "op_cookie"]]) });
    await runtime.publish("page_viewed", {}, href);
    await runtime.publish("product_viewed", productViewedData());
    await runtime.publish("product_added_to_cart", addedToCartData(1));
    await runtime.publish("checkout_started", checkoutData());
    await runtime.publish("checkout_completed", checkoutData({ orderId: "5912345678901" }));

    expect(runtime.imageTags()).toEqual([]);
    expect(runtime.cookieWrites).toEqual([]);
    expect(runtime.cookies.get(OPPREF_COOKIE)).toBe("op_cookie");
    const receipt = receiptOf(runtime);
    expect(receipt).toEqual({
      v: 1,
      shop: SHOP,
      orderId: "5912345678901",
      checkoutToken: "c1-4f2a9d7e8b6c5a4d3e2f1a0b9c8d7e6f",
      oppref: null,
      consent: "denied",
      saleOfData: "allowed",
      obref: null,
      pixel: "not_sent",
    });
    expect(runtime.receipts()[0].init.body).not.toContain("op_");
  });

  it("granted later: fires from then on, never replays earlier events, and stores the landing oppref only after the grant", async () => {
    const href = "https://shop.example/?oppref=op_landing";
    const runtime = start({ marketingAllowed: false, href });
    await runtime.publish("page_viewed", {}, href);
    await runtime.publish("product_viewed", productViewedData(), href);
    expect(runtime.fetchCalls).toEqual([]);
    expect(runtime.cookieWrites).toEqual([]);

    await runtime.collectConsent(true);
    // The buyer is still on the landing page: its click reference is stored now, with consent.
    expect(runtime.cookieWrites).toEqual([`__oppref=op_landing; ${COOKIE_ATTRIBUTES}`]);
    expect(runtime.imageTags()).toEqual([]); // nothing replayed

    await runtime.publish("product_added_to_cart", addedToCartData(1), href);
    await runtime.publish("checkout_completed", checkoutData());
    expect(runtime.imageTags().map((call) => tag(call.url).event)).toEqual(["items_added", "order_created"]);
    expect(receiptOf(runtime)).toMatchObject({ consent: "granted", oppref: "op_landing", pixel: "sent" });
  });

  it("withdrawn later: stops firing, clears the cookie, and the receipt says denied", async () => {
    const href = "https://shop.example/?oppref=op_1";
    const runtime = start({ href });
    await runtime.publish("page_viewed", {}, href);
    expect(runtime.imageTags()).toHaveLength(1);

    await runtime.collectConsent(false);
    expect(runtime.cookies.has(OPPREF_COOKIE)).toBe(false);
    expect(runtime.cookieWrites.at(-1)).toBe("__oppref=; Max-Age=0; Path=/; SameSite=Lax; Secure");

    await runtime.publish("product_viewed", productViewedData());
    await runtime.publish("checkout_completed", checkoutData());
    expect(runtime.imageTags()).toHaveLength(1);
    expect(receiptOf(runtime)).toMatchObject({ consent: "denied", oppref: null, pixel: "not_sent" });
  });

  it("a runtime without customerPrivacy is treated as no consent, and reported as unknown", async () => {
    const runtime = start({ marketingAllowed: undefined });
    await runtime.publish("page_viewed", {});
    await runtime.publish("checkout_completed", checkoutData());
    expect(runtime.imageTags()).toEqual([]);
    expect(receiptOf(runtime)).toMatchObject({ consent: "unknown", pixel: "not_sent", oppref: null });
  });
});

describe("settings", () => {
  it("fires only the funnel events the merchant listed; order_created always fires when enabled", async () => {
    const runtime = start({ settings: defaultSettings({ funnelEvents: " items_added , bogus" }) });
    await runtime.publish("page_viewed", {});
    await runtime.publish("product_viewed", productViewedData());
    await runtime.publish("product_added_to_cart", addedToCartData(1));
    await runtime.publish("checkout_started", checkoutData());
    await runtime.publish("checkout_completed", checkoutData());
    expect(runtime.imageTags().map((call) => tag(call.url).event)).toEqual(["items_added", "order_created"]);
  });

  it.each(["false", "", "TRUE", "1"])(
    "enabled=%j: nothing goes to OpenAI, the receipt still reaches the app",
    async (enabled) => {
      const href = "https://shop.example/?oppref=op_x";
      const runtime = start({ settings: defaultSettings({ enabled }), href });
      await runtime.publish("page_viewed", {}, href);
      await runtime.publish("checkout_completed", checkoutData());
      expect(runtime.imageTags()).toEqual([]);
      expect(receiptOf(runtime)).toMatchObject({ pixel: "not_sent", consent: "granted", oppref: "op_x" });
    },
  );

  it("without a pixel id nothing fires; without a receipt URL no receipt is sent", async () => {
    const runtime = start({ settings: defaultSettings({ pixelId: "", receiptUrl: "" }) });
    await runtime.publish("page_viewed", {});
    await runtime.publish("checkout_completed", checkoutData());
    expect(runtime.fetchCalls).toEqual([]);
  });
});

describe("image tags", () => {
  it("page_viewed, contents_viewed, items_added, checkout_started carry exactly the documented parameters", async () => {
    const runtime = start();
    const variant = productVariant({ id: "gid://shopify/ProductVariant/111", amount: 19.9, currencyCode: "EUR" });
    await runtime.publish("page_viewed", {});
    await runtime.publish("product_viewed", { productVariant: variant });
    await runtime.publish("product_added_to_cart", addedToCartData(3, variant));
    await runtime.publish(
      "checkout_started",
      checkoutData({ amount: 59.7, currencyCode: "EUR", lines: [{ variant, quantity: 3 }] }),
    );
    const [page, viewed, added, started] = runtime.imageTags().map((call) => tag(call.url));

    expect(
      Object.keys(page)
        .filter((k) => k !== "contents")
        .sort(),
    ).toEqual(["data[type]", "event", "event_id", "pid"]);
    expect(viewed).toMatchObject({ event: "contents_viewed", "data[amount]": "1990", "data[currency]": "EUR" });
    expect(viewed.contents).toEqual([
      { id: "111", quantity: 1, content_type: "product", amount: 1990, currency: "EUR" },
    ]);
    expect(added).toMatchObject({ event: "items_added", "data[amount]": "5970", "data[currency]": "EUR" });
    expect(added.contents).toEqual([
      { id: "111", quantity: 3, content_type: "product", amount: 1990, currency: "EUR" },
    ]);
    expect(started).toMatchObject({ event: "checkout_started", "data[amount]": "5970", "data[currency]": "EUR" });
    expect(started.contents).toEqual([
      { id: "111", quantity: 3, content_type: "product", amount: 1990, currency: "EUR" },
    ]);
  });

  it("non-order events get distinct random opaque ids (base64url of 16 random bytes)", async () => {
    const runtime = start();
    await runtime.publish("page_viewed", {});
    await runtime.publish("page_viewed", {});
    const ids = runtime.imageTags().map((call) => tag(call.url).event_id);
    const expected = (from: number) =>
      Buffer.from(Array.from({ length: 16 }, (_, i) => from + i)).toString("base64url");
    expect(ids).toEqual([expected(0), expected(16)]);
  });

  it("uses no-cors + keepalive GETs without custom headers", async () => {
    const runtime = start();
    await runtime.publish("page_viewed", {});
    const [call] = runtime.imageTags();
    expect(call.init).toEqual({ mode: "no-cors", keepalive: true });
  });
});

describe("order_created on checkout_completed", () => {
  it.each([
    ["numeric string", "5912345678901", "5912345678901"],
    ["Order gid", "gid://shopify/Order/5912345678901", "5912345678901"],
    ["OrderIdentity gid", "gid://shopify/OrderIdentity/123", "123"],
  ])("event_id is the server's dedup id (%s) and the raw order id never appears", async (_label, orderId, digits) => {
    const runtime = start();
    await runtime.publish("checkout_completed", checkoutData({ orderId }));
    const [call] = runtime.imageTags();
    const t = tag(call.url);
    expect(t.event).toBe("order_created");
    expect(t.event_id).toBe(await dedupIdForOrder(orderId));
    expect(t.event_id).toBe(await dedupIdForOrder(Number(digits)));
    expect(call.url).not.toContain(digits);
    expect(call.url).not.toContain("gid");
    expect(receiptOf(runtime).orderId).toBe(digits);
  });

  it.each([
    ["USD", 129.99, "12999"],
    ["KWD", 12.345, "12345"],
    ["JPY", 8900, "8900"],
    ["usd", 1.15, "115"], // 1.15 * 100 === 114.99999999999999 in floating point
  ])("amount is exact minor units of checkout.totalPrice (%s %s → %s)", async (currencyCode, amount, minor) => {
    const runtime = start();
    const variant = productVariant({ amount, currencyCode });
    await runtime.publish(
      "checkout_completed",
      checkoutData({ amount, currencyCode, lines: [{ variant, quantity: 1 }] }),
    );
    const t = tag(runtime.imageTags()[0].url);
    expect(t["data[amount]"]).toBe(minor);
    expect(t["data[currency]"]).toBe(currencyCode.toUpperCase());
    expect(t.contents).toEqual([
      {
        id: "44858553761923",
        quantity: 1,
        content_type: "product",
        amount: Number(minor),
        currency: currencyCode.toUpperCase(),
      },
    ]);
  });

  it("an amount that cannot be converted exactly leaves the order to the server (no pixel event, receipt not_sent)", async () => {
    const runtime = start();
    await runtime.publish("checkout_completed", checkoutData({ amount: 19.999, currencyCode: "USD" }));
    expect(runtime.imageTags()).toEqual([]);
    expect(receiptOf(runtime).pixel).toBe("not_sent");
  });

  it("posts the receipt as a simple CORS request: text/plain JSON, keepalive, nothing personal", async () => {
    const href = "https://shop.example/?oppref=op_R";
    const runtime = start({ href });
    await runtime.publish("page_viewed", {}, href);
    await runtime.publish(
      "checkout_completed",
      checkoutData({ orderId: "gid://shopify/OrderIdentity/5678901234", token: "tok_ABC123" }),
    );

    const [call] = runtime.receipts();
    expect(call.url).toBe(RECEIPT_URL);
    expect(call.init.method).toBe("POST");
    expect(call.init.headers).toEqual({ "Content-Type": "text/plain" });
    expect(call.init.keepalive).toBe(true);
    expect(Object.keys(call.init).sort()).toEqual(["body", "headers", "keepalive", "method"]);
    const body = String(call.init.body);
    expect(JSON.parse(body)).toEqual({
      v: 1,
      shop: SHOP,
      orderId: "5678901234",
      checkoutToken: "tok_ABC123",
      oppref: "op_R",
      consent: "granted",
      saleOfData: "allowed",
      obref: null,
      pixel: "sent",
    });
    for (const fragment of PII_FRAGMENTS) expect(body).not.toContain(fragment);
    expect(body).not.toMatch(/amount|price|129/i);
    // The receipt goes out after the OpenAI request settled (its outcome is in it).
    expect(runtime.fetchCalls.map((c) => (c.url === RECEIPT_URL ? "receipt" : "tag"))).toEqual([
      "tag",
      "tag",
      "receipt",
    ]);
  });

  it("an ad-blocked OpenAI request is reported as blocked", async () => {
    const runtime = start({ blockOpenAi: true });
    await runtime.publish("page_viewed", {}); // rejected too: must not break anything
    await runtime.publish("checkout_completed", checkoutData());
    expect(runtime.imageTags()).toHaveLength(2);
    expect(receiptOf(runtime)).toMatchObject({ pixel: "blocked", consent: "granted" });
  });

  it("handles each order once, and ignores a checkout without an order id", async () => {
    const runtime = start();
    await runtime.publish("checkout_completed", checkoutData({ orderId: null }));
    expect(runtime.fetchCalls).toEqual([]);
    await runtime.publish("checkout_completed", checkoutData());
    await runtime.publish("checkout_completed", checkoutData());
    expect(runtime.imageTags()).toHaveLength(1);
    expect(runtime.receipts()).toHaveLength(1);
  });

  it("falls back to the runtime's shop domain when the setting is missing, and sends a null token when there is none", async () => {
    const runtime = start({ settings: defaultSettings({ shopDomain: "" }), shop: "fallback-shop.myshopify.com" });
    await runtime.publish("checkout_completed", checkoutData({ token: null }));
    expect(receiptOf(runtime)).toMatchObject({ shop: "fallback-shop.myshopify.com", checkoutToken: null });
  });

  it("a failing cookie store or receipt endpoint never throws into the runtime", async () => {
    const runtime = createFakeRuntime({ marketingAllowed: true, href: "https://shop.example/?oppref=op_z" });
    runtime.api.browser.cookie.set = async () => {
      throw new Error("cookie jar unavailable");
    };
    createOpenAiPixel(runtime.api, {
      random: counterRandom(),
      fetch: async (url, init) => {
        runtime.fetchCalls.push({ url, init });
        if (url === RECEIPT_URL) throw new TypeError("Failed to fetch");
        return new Response(null);
      },
    });
    await expect(runtime.publish("page_viewed", {}, "https://shop.example/?oppref=op_z")).resolves.toBeUndefined();
    await expect(runtime.publish("checkout_completed", checkoutData())).resolves.toBeUndefined();
    expect(runtime.receipts()).toHaveLength(1);
  });
});

it("subscribes only to the events it uses", () => {
  const runtime = start();
  expect(runtime.subscribedEvents().sort()).toEqual(
    ["checkout_completed", "checkout_started", "page_viewed", "product_added_to_cart", "product_viewed"].sort(),
  );
});

describe("sale of data and OpenAI's browser id", () => {
  it("a refusal of the sale of data stops every OpenAI request and cookie, and the receipt says refused", async () => {
    const href = "https://shop.example/?oppref=op_secret";
    const runtime = start({ marketingAllowed: true, saleOfDataAllowed: false, href });
    runtime.cookies.set(OBREF_COOKIE, "ob.1.secret");
    await runtime.publish("page_viewed", {}, href);
    await runtime.publish("checkout_completed", checkoutData({ orderId: "5912345678901" }));
    expect(runtime.imageTags()).toEqual([]);
    expect(runtime.cookieWrites).toEqual([]);
    expect(receiptOf(runtime)).toMatchObject({
      consent: "granted",
      saleOfData: "refused",
      oppref: null,
      obref: null,
      pixel: "not_sent",
    });
  });

  it("a refusal collected later stops the pixel from then on", async () => {
    const runtime = start({ marketingAllowed: true });
    await runtime.publish("page_viewed", {});
    expect(runtime.imageTags()).toHaveLength(1);
    await runtime.collectConsent(true, false);
    await runtime.publish("checkout_completed", checkoutData({ orderId: "5912345678901" }));
    expect(runtime.imageTags()).toHaveLength(1);
    expect(receiptOf(runtime)).toMatchObject({ saleOfData: "refused", pixel: "not_sent" });
  });

  it("sends __obref raw in the receipt when OpenAI's SDK set one, and only with consent", async () => {
    const present = start({ marketingAllowed: true });
    present.cookies.set(OBREF_COOKIE, "ob.1.AbC_raw");
    await present.publish("checkout_completed", checkoutData({ orderId: "5912345678901" }));
    expect(receiptOf(present)).toMatchObject({ obref: "ob.1.AbC_raw", saleOfData: "allowed", consent: "granted" });
    expect(present.cookieWrites.some((write) => write.startsWith(OBREF_COOKIE))).toBe(false);

    const absent = start({ marketingAllowed: true });
    await absent.publish("checkout_completed", checkoutData({ orderId: "5912345678902" }));
    expect(receiptOf(absent).obref).toBeNull();

    const revoked = start({ marketingAllowed: true });
    revoked.cookies.set(OBREF_COOKIE, "ob.1.AbC_raw");
    await revoked.collectConsent(false);
    await revoked.publish("checkout_completed", checkoutData({ orderId: "5912345678903" }));
    expect(receiptOf(revoked)).toMatchObject({ obref: null, consent: "denied" });
  });
});
