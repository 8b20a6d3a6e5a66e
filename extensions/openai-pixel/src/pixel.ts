/**
 * The OpenAI (ChatGPT Ads) web pixel, as a plain function of the web-pixels runtime so tests can run it
 * against a fake runtime. ./index.ts only hands the real runtime to it.
 *
 * What it does:
 * - oppref capture: an `oppref` in the page URL goes to the first-party `__oppref` cookie (30 days);
 *   a newer value replaces an older one.
 * - funnel events → OpenAI's image tag (one GET each, no user data): page_viewed, contents_viewed,
 *   items_added, checkout_started — only those the merchant listed in the `funnelEvents` setting —
 *   and order_created on checkout_completed whenever the pixel is enabled. order_created's `event_id`
 *   is THE dedup id (app/conversions/dedup-id.ts), the very function the server uses, so OpenAI
 *   counts the purchase once whichever of the two arrives first.
 * - consent: nothing goes to OpenAI and no cookie is written unless marketing consent is given and
 *   the sale/sharing of data is not refused (`saleOfDataAllowed`); both are re-read on every
 *   `visitorConsentCollected`. Nothing is replayed after a late grant. The receipt reports both, and
 *   OpenAI's `__obref` browser id (read, never written) only with consent.
 * - receipt: on checkout_completed, a small text/plain POST to the app (`receiptUrl`) saying which
 *   order it saw, the consent state, the oppref (only with consent) and whether its own OpenAI
 *   request went out. Never amounts, never email/phone/name.
 *
 * Only pure modules are imported (relative paths, so any bundler resolves them): the order id and
 * dedup id, the minor-units arithmetic, oppref parsing and the image tag builder, each the very code the
 * server runs. The bundle's gzip budget (scripts/build-pixel.ts) is why it imports the small
 * exception-free variants (orderIdDigits, exactMinorUnits, buildContentsImageTagUrl).
 */
import { base64Url, dedupIdForNormalizedOrder } from "../../../app/conversions/dedup-id";
import { exactMinorUnits, minorUnitExponent } from "../../../app/conversions/minor-units";
import { opprefFromUrl, validOppref } from "../../../app/conversions/oppref";
import { orderIdDigits } from "../../../app/conversions/order-id";
import {
  buildContentsImageTagUrl,
  type ContentsEvent,
  type ImageTagContent,
  type ImageTagInput,
} from "../../../app/openai/image-tag";

// ─── the subset of the web-pixels runtime this pixel uses ────────────────────────────────────────

interface PixelMoney {
  amount?: number | string | null;
  currencyCode?: string | null;
}

interface PixelVariant {
  id?: string | null;
  price?: PixelMoney | null;
  product?: { id?: string | null } | null;
}

interface PixelLocation {
  href?: string;
  search?: string;
}

export interface PixelEvent {
  name?: string;
  context?: { document?: { location?: PixelLocation } };
  data?: {
    productVariant?: PixelVariant | null;
    cartLine?: {
      merchandise?: PixelVariant | null;
      quantity?: number;
      cost?: { totalAmount?: PixelMoney | null };
    } | null;
    checkout?: PixelCheckout | null;
  };
}

interface PixelCheckout {
  order?: { id?: string | number | null } | null;
  token?: string | null;
  totalPrice?: PixelMoney | null;
  currencyCode?: string | null;
  lineItems?: { quantity?: number; variant?: PixelVariant | null }[] | null;
}

interface PixelPrivacy {
  marketingAllowed?: boolean;
  /** false when the visitor opted out of the sale or sharing of their data (CCPA-style opt-out, GPC). */
  saleOfDataAllowed?: boolean;
}

export interface PixelApi {
  analytics: { subscribe(name: string, callback: (event: PixelEvent) => unknown): unknown };
  browser: {
    cookie: {
      get(name: string): Promise<string | null | undefined>;
      set(cookie: string): Promise<unknown>;
    };
  };
  init: {
    context?: { document?: { location?: PixelLocation } };
    customerPrivacy?: PixelPrivacy;
    data?: { shop?: { myshopifyDomain?: string } | null };
  };
  customerPrivacy?: {
    subscribe(
      name: "visitorConsentCollected",
      callback: (event: { customerPrivacy?: PixelPrivacy }) => unknown,
    ): unknown;
  };
  settings: Record<string, unknown>;
}

export interface PixelDeps {
  fetch?: (url: string, init: RequestInit) => Promise<unknown>;
  /** Fills the array with random bytes (default: crypto.getRandomValues). */
  random?: (bytes: Uint8Array) => Uint8Array;
}

/** What the pixel tells the app on checkout_completed (POST text/plain to `settings.receiptUrl`). */
export interface PixelReceiptBody {
  v: 1;
  /** The shop's myshopify domain. */
  shop: string;
  /** Normalized order id: digits only. */
  orderId: string;
  checkoutToken: string | null;
  /** Only with consent (marketing granted, sale of data not refused); otherwise null. */
  oppref: string | null;
  /** "unknown" only if the runtime gave no consent state at all. */
  consent: "granted" | "denied" | "unknown";
  /** Shopify's saleOfDataAllowed: "refused" makes the server skip the order (sale_of_data_refused). */
  saleOfData: "allowed" | "refused" | "unknown";
  /** OpenAI's `__obref` cookie, raw, when OpenAI's SDK set one on this storefront; only with consent. */
  obref: string | null;
  /** Its own OpenAI request: resolved (sent), rejected (blocked) or not attempted (not_sent). */
  pixel: "sent" | "blocked" | "not_sent";
}

export const OPPREF_COOKIE = "__oppref";
/** Set by OpenAI's own pixel SDK (this pixel never sets it): read only, when a merchant also runs the SDK. */
export const OBREF_COOKIE = "__obref";
const COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;
/** The funnel events a merchant can switch on (the `funnelEvents` setting, comma-separated). */
type FunnelEvent = "page_viewed" | "contents_viewed" | "items_added" | "checkout_started";

type SendOutcome = PixelReceiptBody["pixel"];
/** What an image tag says about an event; the builder adds pid, event, data[type] and oppref. */
type TagData = Pick<ImageTagInput, "eventId" | "amount" | "currency" | "contents">;
type Money = { amount: number; currency: string };

export function createOpenAiPixel(api: PixelApi, deps: PixelDeps = {}): void {
  const doFetch = deps.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const random = deps.random ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  const settings = api.settings ?? {};
  const pixelId = text(settings.pixelId);
  const receiptUrl = text(settings.receiptUrl);
  const shop = text(settings.shopDomain) ?? text(api.init?.data?.shop?.myshopifyDomain);
  const enabled = settings.enabled === "true" && pixelId !== null;
  const funnel = String(settings.funnelEvents ?? "")
    .split(",")
    .map((name) => name.trim());

  const initialPrivacy = api.init?.customerPrivacy;
  let consentKnown = typeof initialPrivacy?.marketingAllowed === "boolean";
  /**
   * May this pixel talk to OpenAI? Marketing consent AND no refusal of the sale/sharing of data: a
   * conversion with a click id sent to an ad platform is "sharing" under CCPA-style laws.
   */
  let marketingGranted = initialPrivacy?.marketingAllowed === true;
  let marketing = permits(initialPrivacy);
  let saleKnown = typeof initialPrivacy?.saleOfDataAllowed === "boolean";
  let saleRefused = initialPrivacy?.saleOfDataAllowed === false;
  /** oppref of the current page's URL, kept (not stored) even without consent: see onConsent. */
  let pageOppref: string | null = null;
  /** The oppref this pixel stored in the cookie (always pageOppref's value); null once cleared. */
  let storedOppref: string | null = null;
  const ordersSeen: string[] = [];

  // encodeURIComponent leaves ordinary click references ([A-Za-z0-9._~-]) byte-identical and keeps
  // any other value a legal cookie that decodes back to exactly what the URL carried.
  const setCookie = (value: string, maxAge: number) =>
    api.browser.cookie.set(
      `${OPPREF_COOKIE}=${encodeURIComponent(value)}; Max-Age=${maxAge}; Path=/; SameSite=Lax; Secure`,
    );

  async function rememberOppref(value: string): Promise<void> {
    if (!marketing || value === storedOppref) return;
    storedOppref = value;
    // A failed write only loses the cookie for later pages; this page still knows the value.
    await safely(() => setCookie(value, COOKIE_MAX_AGE_SECONDS));
  }

  async function seePage(location: PixelLocation | undefined): Promise<void> {
    const found = opprefFromUrl(location?.href) ?? opprefFromUrl(location?.search);
    if (found === null) return;
    pageOppref = found;
    await rememberOppref(found);
  }

  /**
   * URL of the current page first (newest click), then the cookie: only pageOppref is ever stored,
   * so it covers what this pixel wrote. Only ever called with consent.
   */
  async function currentOppref(): Promise<string | null> {
    if (pageOppref !== null) return pageOppref;
    const raw = await api.browser.cookie.get(OPPREF_COOKIE);
    if (!raw) return null;
    try {
      return validOppref(decodeURIComponent(raw));
    } catch {
      return validOppref(raw);
    }
  }

  /**
   * One image tag GET. "sent" = the request went out and an answer came back (opaque under no-cors:
   * its status is unknowable, so "sent" is not "accepted"); "blocked" = the browser refused or failed
   * it (ad blockers, network); "not_sent" = not attempted.
   */
  async function fire(event: ContentsEvent, data: TagData): Promise<SendOutcome> {
    if (!enabled || !marketing) return "not_sent";
    let url: string;
    try {
      url = buildContentsImageTagUrl({ ...data, pixelId: pixelId as string, event, oppref: await currentOppref() });
    } catch {
      return "not_sent"; // input OpenAI would reject: better no request than a rejected one
    }
    try {
      // no-cors: an image-tag GET needs no readable answer and no preflight (and, cross-origin, sends
      // no cookies); keepalive lets it finish when the buyer navigates away. No custom headers.
      await doFetch(url, { mode: "no-cors", keepalive: true });
      return "sent";
    } catch {
      return "blocked";
    }
  }

  /** A funnel event the merchant switched on, with a random opaque id (128 bits: it has no natural key). */
  function funnelEvent(event: FunnelEvent, total?: PixelMoney | null, items?: ImageTagContent[]) {
    if (funnel.includes(event))
      return fire(event, { ...money(total), contents: items, eventId: base64Url(random(new Uint8Array(16))) });
  }

  /** `__obref` exactly as OpenAI's SDK wrote it; only ever called with consent. */
  async function currentObref(): Promise<string | null> {
    try {
      const raw: unknown = await api.browser.cookie.get(OBREF_COOKIE);
      return typeof raw === "string" && raw.trim() !== "" && raw.length <= 512 ? raw : null;
    } catch {
      return null; // a cookie the runtime cannot read is no browser id
    }
  }

  async function onCheckoutCompleted(checkout: PixelCheckout | null | undefined): Promise<void> {
    const orderId = orderIdDigits(checkout?.order?.id);
    // No order id: nothing to deduplicate against, and nothing the server could match.
    if (orderId === null || ordersSeen.includes(orderId)) return;
    ordersSeen.push(orderId);

    // One consent reading for the whole purchase, so the receipt describes what this handler did.
    const granted = marketing;
    const total = money(checkout?.totalPrice);
    // First event wins at OpenAI: an order_created without its amount would be kept and the server's
    // full event dropped. When the amount cannot be read exactly, leave the order to the server.
    const pixel: SendOutcome =
      granted && total
        ? await fire("order_created", {
            ...total,
            eventId: await dedupIdForNormalizedOrder(orderId),
            contents: contentsOf(checkout?.lineItems),
          })
        : "not_sent";
    if (receiptUrl === null || shop === null) return;
    const receipt: PixelReceiptBody = {
      v: 1,
      shop,
      orderId,
      checkoutToken: text(checkout?.token),
      oppref: granted ? await currentOppref() : null,
      // Marketing as the buyer set it; the sale-of-data choice travels beside it.
      consent: marketingGranted ? "granted" : consentKnown ? "denied" : "unknown",
      saleOfData: saleRefused ? "refused" : saleKnown ? "allowed" : "unknown",
      obref: granted ? await currentObref() : null,
      pixel,
    };
    // text/plain + POST + no custom headers = a CORS "simple request": no preflight round trip.
    await doFetch(receiptUrl, {
      method: "POST",
      body: JSON.stringify(receipt),
      headers: { "Content-Type": "text/plain" },
      keepalive: true,
    });
  }

  function onConsent(privacy: PixelPrivacy | undefined): Promise<unknown> | void {
    const wasGranted = marketing;
    consentKnown ||= typeof privacy?.marketingAllowed === "boolean";
    saleKnown ||= typeof privacy?.saleOfDataAllowed === "boolean";
    saleRefused = privacy?.saleOfDataAllowed === false;
    marketingGranted = privacy?.marketingAllowed === true;
    marketing = permits(privacy);
    if (marketing && !wasGranted && pageOppref !== null) {
      // The buyer landed from an ad and accepted the banner on that same page: the click reference is
      // still this page's URL, so storing it now is a decision taken WITH consent (no event is replayed).
      return rememberOppref(pageOppref);
    }
    if (!marketing && wasGranted && storedOppref !== null) {
      storedOppref = null;
      // Consent withdrawn: forget the click reference we stored.
      return setCookie("", 0);
    }
  }

  const on = (
    name: string,
    handler: (data: NonNullable<PixelEvent["data"]>, event: PixelEvent) => Promise<unknown> | void,
  ) =>
    // Never let a failure escape into the runtime; the returned promise lets tests await completion.
    api.analytics.subscribe(name, (event) => safely(() => handler(event?.data ?? {}, event ?? {})));

  on("page_viewed", async (_data, event) => {
    await seePage(event.context?.document?.location);
    await funnelEvent("page_viewed");
  });
  on("product_viewed", ({ productVariant: variant }) =>
    funnelEvent("contents_viewed", variant?.price, contentsOf([{ variant, quantity: 1 }])),
  );
  on("product_added_to_cart", ({ cartLine: line }) =>
    funnelEvent(
      "items_added",
      line?.cost?.totalAmount,
      contentsOf([{ variant: line?.merchandise, quantity: line?.quantity }]),
    ),
  );
  on("checkout_started", ({ checkout }) =>
    funnelEvent("checkout_started", checkout?.totalPrice, contentsOf(checkout?.lineItems)),
  );
  on("checkout_completed", ({ checkout }) => onCheckoutCompleted(checkout));
  api.customerPrivacy?.subscribe("visitorConsentCollected", (event) => safely(() => onConsent(event?.customerPrivacy)));

  void safely(() => seePage(api.init?.context?.document?.location));
}

// ─── helpers ──────────────────────────────────────────────────────────────────────────────────────

/** Marketing consent given and the sale/sharing of data not refused. */
function permits(privacy: PixelPrivacy | undefined): boolean {
  return privacy?.marketingAllowed === true && privacy.saleOfDataAllowed !== false;
}

async function safely(work: () => Promise<unknown> | unknown): Promise<void> {
  try {
    await work();
  } catch {
    // A pixel must never break the storefront; the server-side event is the safety net.
  }
}

/** A non-blank string setting, trimmed; otherwise null. */
function text(value: unknown): string | null {
  return (typeof value === "string" && value.trim()) || null;
}

/**
 * Exact minor units of a web-pixel MoneyV2 (a JS number), or null when it cannot be read exactly.
 * The code is checked for shape only: the list of codes that exist stays on the server (money.ts),
 * and every code in it gets the same minor units here (test/extensions/pixel-money.test.ts).
 */
function money(value: PixelMoney | null | undefined): Money | null {
  const currency = String(value?.currencyCode ?? "")
    .trim()
    .toUpperCase();
  const amount = /^[A-Z]{3}$/.test(currency) ? exactMinorUnits(value?.amount, minorUnitExponent(currency)) : null;
  return typeof amount === "number" ? { amount, currency } : null;
}

/** Shopify ids arrive as digits or as gids; OpenAI gets the digits, like the server's variant_id. */
function shopifyId(id: unknown): string | null {
  if (typeof id !== "string" && typeof id !== "number") return null;
  const raw = String(id);
  return /^gid:\/\/shopify\/\w+\/(\d+)/.exec(raw)?.[1] ?? (raw || null);
}

/** Image tag items of a checkout's lines (or of one variant): those with an id and a positive quantity. */
function contentsOf(lines: PixelCheckout["lineItems"]): ImageTagContent[] {
  const items: ImageTagContent[] = [];
  for (const line of lines ?? []) {
    const variant = line?.variant;
    const id = shopifyId(variant?.id) ?? shopifyId(variant?.product?.id);
    const quantity = line?.quantity as number;
    if (id !== null && Number.isSafeInteger(quantity) && quantity >= 1) {
      items.push({ id, quantity, content_type: "product", ...money(variant?.price) });
    }
  }
  return items;
}
