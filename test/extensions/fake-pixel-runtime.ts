/**
 * A fake of Shopify's web-pixels runtime (strict sandbox), faithful to the parts our pixel touches:
 * - `analytics.subscribe(name, cb)` returns an unsubscribe function; `publish` delivers an event
 *   shaped like Shopify's standard events (id, clientId, name, seq, timestamp, type, context, data).
 *   Unlike the real bus it returns the subscribers' promises, so tests await completion instead of
 *   sleeping.
 * - `browser.cookie.get(name)` resolves to the value or "" when absent; `set(cookieString)` takes a
 *   full `name=value; attr…` string (Max-Age=0 deletes), like document.cookie.
 * - `init` = { context, data: { customer, cart, shop, purchasingCompany }, customerPrivacy }.
 * - `customerPrivacy.subscribe("visitorConsentCollected", cb)` with `{ customerPrivacy: {...} }`.
 * Payload shapes follow @shopify/web-pixels-extension's types (PixelEvents) and shopify.dev's
 * standard-events pages. Fixtures deliberately carry PII (email, phone, names) so tests can prove
 * none of it leaves the pixel.
 */
import type { PixelApi, PixelEvent } from "../../extensions/openai-pixel/src/pixel";

export interface Privacy {
  analyticsProcessingAllowed: boolean;
  marketingAllowed: boolean;
  preferencesProcessingAllowed: boolean;
  saleOfDataAllowed: boolean;
}

export function privacy(marketingAllowed: boolean, saleOfDataAllowed = true): Privacy {
  return {
    analyticsProcessingAllowed: true,
    marketingAllowed,
    preferencesProcessingAllowed: true,
    saleOfDataAllowed,
  };
}

interface FetchCall {
  url: string;
  init: RequestInit;
}

export interface FakeRuntimeOptions {
  settings?: Record<string, string>;
  /** undefined = the runtime gives no customerPrivacy at all. */
  marketingAllowed?: boolean;
  /** Shopify's saleOfDataAllowed at init (default true). */
  saleOfDataAllowed?: boolean;
  href?: string;
  shop?: string;
  /** Pre-existing cookies (a previous page of the same visit). */
  cookies?: Map<string, string>;
  /** Image-tag fetches reject (an ad blocker). */
  blockOpenAi?: boolean;
}

export const SHOP = "pixel-test-shop.myshopify.com";
export const PIXEL_ID = "pX7kq2Lm9RtYv3Nw8ZbC4d";
export const RECEIPT_URL = "https://app.example.test/pixel/receipt";

export function defaultSettings(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    pixelId: PIXEL_ID,
    receiptUrl: RECEIPT_URL,
    shopDomain: SHOP,
    funnelEvents: "page_viewed,contents_viewed,items_added,checkout_started",
    enabled: "true",
    ...overrides,
  };
}

export function createFakeRuntime(options: FakeRuntimeOptions = {}) {
  const subscribers = new Map<string, ((event: PixelEvent) => unknown)[]>();
  const consentSubscribers: ((event: { customerPrivacy: Privacy }) => unknown)[] = [];
  const cookies = options.cookies ?? new Map<string, string>();
  const cookieWrites: string[] = [];
  const fetchCalls: FetchCall[] = [];
  let seq = 0;

  const fetch = async (url: string, init: RequestInit = {}) => {
    fetchCalls.push({ url, init });
    if (options.blockOpenAi && url.includes("/v1/sdk/events")) throw new TypeError("Failed to fetch");
    return new Response(null, { status: 200 });
  };

  const href = options.href ?? "https://pixel-test-shop.myshopify.com/";
  const api: PixelApi & { _pixelInfo: unknown } = {
    settings: options.settings ?? defaultSettings(),
    analytics: {
      subscribe(name, callback) {
        const list = subscribers.get(name) ?? [];
        list.push(callback);
        subscribers.set(name, list);
        return () => {
          const index = list.indexOf(callback);
          if (index >= 0) list.splice(index, 1);
          return index >= 0;
        };
      },
    },
    browser: {
      cookie: {
        async get(name: string) {
          return cookies.get(name) ?? "";
        },
        async set(cookie: string) {
          cookieWrites.push(cookie);
          const [pair, ...attributes] = cookie.split(";").map((part) => part.trim());
          const eq = pair.indexOf("=");
          const name = pair.slice(0, eq);
          const value = pair.slice(eq + 1);
          if (attributes.some((attribute) => /^max-age=0$/i.test(attribute))) cookies.delete(name);
          else cookies.set(name, value);
          return cookie;
        },
      },
    },
    init: {
      context: contextFor(href),
      data: {
        customer: null,
        cart: null,
        shop: {
          countryCode: "US",
          myshopifyDomain: options.shop ?? SHOP,
          name: "Pixel Test Shop",
          paymentSettings: { currencyCode: "USD" },
          storefrontUrl: "https://pixel-test-shop.example",
        },
        purchasingCompany: null,
      } as PixelApi["init"]["data"],
      ...(options.marketingAllowed === undefined
        ? {}
        : { customerPrivacy: privacy(options.marketingAllowed, options.saleOfDataAllowed ?? true) }),
    },
    customerPrivacy: {
      subscribe(name, callback) {
        if (name === "visitorConsentCollected")
          consentSubscribers.push(callback as (event: { customerPrivacy: Privacy }) => unknown);
        return () => true;
      },
    },
    _pixelInfo: { id: "12345", type: "APP" },
  };

  return {
    api,
    fetch,
    fetchCalls,
    cookies,
    cookieWrites,
    subscribedEvents: () => [...subscribers.keys()],
    /** Delivers a standard event and waits for every subscriber to finish. */
    async publish(name: string, data: Record<string, unknown> = {}, pageHref = href) {
      const event = {
        id: `sh-${++seq}`,
        clientId: "client-id-123",
        name,
        seq,
        timestamp: new Date(Date.UTC(2026, 10, 25, 12, 0, seq)).toISOString(),
        type: "standard",
        context: contextFor(pageHref),
        data,
      };
      await Promise.all((subscribers.get(name) ?? []).map((callback) => callback(event as PixelEvent)));
    },
    async collectConsent(marketingAllowed: boolean, saleOfDataAllowed = true) {
      await Promise.all(
        consentSubscribers.map((callback) =>
          callback({ customerPrivacy: privacy(marketingAllowed, saleOfDataAllowed) }),
        ),
      );
    },
    imageTags: () => fetchCalls.filter((call) => call.url.includes("/v1/sdk/events")),
    receipts: () => fetchCalls.filter((call) => call.url === RECEIPT_URL),
  };
}

function contextFor(href: string) {
  const url = new URL(href);
  return {
    document: {
      characterSet: "UTF-8",
      location: {
        hash: url.hash,
        host: url.host,
        hostname: url.hostname,
        href: url.href,
        origin: url.origin,
        pathname: url.pathname,
        port: url.port,
        protocol: url.protocol,
        search: url.search,
      },
      referrer: "https://chatgpt.com/",
      title: "Pixel Test Shop",
    },
    navigator: { cookieEnabled: true, language: "en-US", languages: ["en-US"], userAgent: "Mozilla/5.0 (test)" },
    window: {
      innerHeight: 800,
      innerWidth: 1200,
      location: {},
      origin: url.origin,
      outerHeight: 800,
      outerWidth: 1200,
      pageXOffset: 0,
      pageYOffset: 0,
      screen: { height: 800, width: 1200 },
      screenX: 0,
      screenY: 0,
      scrollX: 0,
      scrollY: 0,
    },
  };
}

// ─── event payloads (data part), per the standard-events reference ─────────────────────────────

export function productVariant(
  options: { id?: string; productId?: string; amount?: number; currencyCode?: string } = {},
) {
  return {
    id: options.id ?? "44858553761923",
    image: { src: "https://cdn.shopify.com/s/files/snowboard.png" },
    price: { amount: options.amount ?? 629.95, currencyCode: options.currencyCode ?? "USD" },
    product: {
      id: options.productId ?? "8469201158275",
      title: "The Multi-managed Snowboard",
      type: "snowboard",
      untranslatedTitle: "The Multi-managed Snowboard",
      url: "/products/the-multi-managed-snowboard",
      vendor: "Snowboard Vendor",
    },
    sku: "SKU-SNOW-1",
    title: "Default Title",
    untranslatedTitle: "Default Title",
  };
}

export function productViewedData(options: Parameters<typeof productVariant>[0] = {}) {
  return { productVariant: productVariant(options) };
}

export function addedToCartData(quantity: number, variant = productVariant()) {
  return {
    cartLine: {
      cost: {
        totalAmount: {
          amount: Number((variant.price.amount * quantity).toFixed(2)),
          currencyCode: variant.price.currencyCode,
        },
      },
      merchandise: variant,
      quantity,
    },
  };
}

export interface CheckoutOptions {
  orderId?: string | null;
  token?: string | null;
  amount?: number;
  currencyCode?: string;
  lines?: { variant: ReturnType<typeof productVariant>; quantity: number }[];
}

export function checkoutData(options: CheckoutOptions = {}) {
  const currencyCode = options.currencyCode ?? "USD";
  const lines = options.lines ?? [{ variant: productVariant({ amount: 129.99, currencyCode }), quantity: 1 }];
  const address = {
    address1: "1 Infinite Loop",
    address2: null,
    city: "Cupertino",
    country: "United States",
    countryCode: "US",
    firstName: "Ada",
    lastName: "Lovelace",
    phone: "+14155552671",
    province: "California",
    provinceCode: "CA",
    zip: "95014",
  };
  return {
    checkout: {
      attributes: [],
      billingAddress: address,
      buyerAcceptsEmailMarketing: false,
      buyerAcceptsSmsMarketing: false,
      currencyCode,
      delivery: null,
      discountApplications: [],
      discountsAmount: { amount: 0, currencyCode },
      email: "ada.lovelace@example.com",
      lineItems: lines.map((line, index) => ({
        discountAllocations: [],
        finalLinePrice: { amount: line.variant.price.amount * line.quantity, currencyCode },
        id: `line-${index}`,
        properties: [],
        quantity: line.quantity,
        sellingPlanAllocation: null,
        title: line.variant.product.title,
        variant: line.variant,
      })),
      localization: {
        country: { isoCode: "US" },
        language: { isoCode: "en" },
        market: { handle: "us", id: "gid://shopify/Market/1" },
      },
      order:
        options.orderId === null
          ? null
          : {
              customer: { id: "gid://shopify/Customer/777", isFirstOrder: true },
              id: options.orderId ?? "gid://shopify/OrderIdentity/5678901234",
            },
      phone: "+14155552671",
      shippingAddress: address,
      shippingLine: { price: { amount: 0, currencyCode } },
      smsMarketingPhone: null,
      subtotalPrice: { amount: options.amount ?? 129.99, currencyCode },
      token: options.token === undefined ? "c1-4f2a9d7e8b6c5a4d3e2f1a0b9c8d7e6f" : options.token,
      totalPrice: { amount: options.amount ?? 129.99, currencyCode },
      totalTax: { amount: 0, currencyCode },
      transactions: [
        {
          amount: { amount: options.amount ?? 129.99, currencyCode },
          gateway: "bogus",
          paymentMethod: { name: "Bogus", type: "creditCard" },
        },
      ],
    },
  };
}

export const PII_FRAGMENTS = [
  "ada.lovelace",
  "example.com",
  "4155552671",
  "Ada",
  "Lovelace",
  "Cupertino",
  "95014",
  "Infinite",
  "Snowboard",
  "SKU-SNOW",
  "Customer/777",
];
