/**
 * The theme app embed's script (blocks/oppref-embed.liquid loads the bundle, assets/oppref-embed.js,
 * with `defer` on every storefront page). It carries OpenAI's click reference and the buyer's privacy
 * choice to the order through cart attributes, which reach the order as `note_attributes` — so they
 * survive ad blockers that stop the web pixel's sandbox and OpenAI's image tag.
 *
 * - `oppref` in the page URL → the first-party `__oppref` cookie (raw value, 30 days, Lax, Secure: the
 *   web pixel's very rules, so either one reads what the other wrote) and the click time in
 *   `__oppref_at` (Unix ms). A different value replaces the older one; the same value keeps its time.
 * - The cart gets `_oppref`, `_oppref_at` and `_oppref_consent` through `POST {routes.root}cart/update.js`
 *   when the cart has items (Liquid renders its state into the script tag) or right after an item is
 *   added (an observed `/cart/add` request). Only when something differs from what the cart holds.
 * - Without a consent that allows it (consent.ts) no cookie is written and `_oppref`/`_oppref_at` are
 *   cleared; a withdrawn consent deletes the cookies too.
 * - Nothing is requested on a page without an oppref (URL or cookie) and without a cart: not even the
 *   Customer Privacy API script.
 */
import { validOppref } from "../../../app/conversions/oppref";
import {
  clickRefAllowed,
  decodeCookie,
  consentAttribute,
  decideConsent,
  parseTrackingConsentCookie,
  readPrivacyApi,
  sameConsent,
  type CustomerPrivacyApi,
  type StorefrontConsent,
} from "./consent";

const OPPREF_COOKIE = "__oppref";
const OPPREF_AT_COOKIE = "__oppref_at";
const CONSENT_COOKIE = "_tracking_consent";
const COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;
/** How long to wait for `Shopify.loadFeatures` before deciding without the Customer Privacy API. */
const PRIVACY_API_TIMEOUT_MS = 2500;

/** What Liquid rendered into the script tag's data attributes (blocks/oppref-embed.liquid). */
export interface EmbedData {
  cartItems?: string;
  cartOppref?: string;
  cartOpprefAt?: string;
  cartConsent?: string;
  country?: string;
}

interface ShopifyGlobal {
  routes?: { root?: string };
  country?: string;
  customerPrivacy?: CustomerPrivacyApi;
  loadFeatures?: (features: { name: string; version: string }[], callback: (error?: unknown) => void) => void;
}

/** The cart attributes this embed owns (names starting with "_" are hidden from the buyer in checkout). */
interface CartAttributes {
  _oppref: string;
  _oppref_at: string;
  _oppref_consent: string;
}
type AttributeName = keyof CartAttributes;

export function startOpprefEmbed(win: Window & { Shopify?: ShopifyGlobal }, data: EmbedData): void {
  const doc = win.document;
  const now = () => Date.now();
  const shopify = () => win.Shopify ?? {};
  const root = shopify().routes?.root || "/";
  const country = data.country || shopify().country || "";

  let cartHasItems = Number(data.cartItems) > 0;
  /** What the cart holds now, as far as this page knows (Liquid, then update.js answers). */
  let cart: CartAttributes = {
    _oppref: data.cartOppref ?? "",
    _oppref_at: data.cartOpprefAt ?? "",
    _oppref_consent: data.cartConsent ?? "",
  };
  // What opprefFromUrl (app/conversions/oppref.ts) reads from an absolute URL, without its path handling.
  const pageOppref = validOppref(new URL(win.location.href).searchParams.get("oppref"));
  /** 0: Customer Privacy API not asked yet, 1: asked (waiting), 2: settled (answered, failed or timed out). */
  let api = 0;
  let writing: Promise<unknown> = Promise.resolve();

  const readCookie = (name: string): string | null => {
    for (const part of doc.cookie ? doc.cookie.split("; ") : []) {
      const at = part.indexOf("=");
      if (part.slice(0, at) === name) return part.slice(at + 1);
    }
    return null;
  };
  const setCookie = (name: string, value: string, maxAge: number) => {
    // encodeURIComponent leaves ordinary click references byte-identical (the pixel does the same).
    doc.cookie = `${name}=${encodeURIComponent(value)}; Max-Age=${maxAge}; Path=/; SameSite=Lax; Secure`;
  };
  const storedOppref = () => validOppref(decodeCookie(readCookie(OPPREF_COOKIE)));

  function consentNow(): StorefrontConsent | null {
    const gpc = (win.navigator as { globalPrivacyControl?: unknown }).globalPrivacyControl;
    return decideConsent({
      api: api > 1 ? readPrivacyApi(shopify().customerPrivacy) : null,
      cookie: parseTrackingConsentCookie(decodeCookie(readCookie(CONSENT_COOKIE))),
      gpc: gpc === true || gpc === "1",
      country,
    });
  }

  /** The click reference to carry (URL first: the newest click), kept in the cookies with its time. */
  function clickRef(allowed: boolean): { oppref: string; at: string } | null {
    const stored = storedOppref();
    if (!allowed) {
      // Not (or no longer) allowed: forget what was kept.
      if (stored !== null) {
        setCookie(OPPREF_COOKIE, "", 0);
        setCookie(OPPREF_AT_COOKIE, "", 0);
      }
      return null;
    }
    const storedAt = /^\d{1,16}$/.exec(readCookie(OPPREF_AT_COOKIE) ?? "")?.[0] ?? "";
    if (pageOppref !== null && (pageOppref !== stored || !storedAt)) {
      const at = String(now());
      setCookie(OPPREF_COOKIE, pageOppref, COOKIE_MAX_AGE_SECONDS);
      setCookie(OPPREF_AT_COOKIE, at, COOKIE_MAX_AGE_SECONDS);
      return { oppref: pageOppref, at };
    }
    return stored === null ? null : { oppref: stored, at: storedAt };
  }

  function sync(): void {
    const consent = consentNow();
    if (consent === null) return; // opt-in region without a recorded choice: write nothing at all
    const click = clickRef(clickRefAllowed(consent));
    if (!cartHasItems) return;
    const wanted: CartAttributes = {
      _oppref: click?.oppref ?? "",
      _oppref_at: click?.at ?? "",
      _oppref_consent: sameConsent(cart._oppref_consent, consent)
        ? cart._oppref_consent
        : consentAttribute(consent, now()),
    };
    const changes: Partial<CartAttributes> = {};
    let changed = false;
    let key: AttributeName;
    for (key in wanted) {
      if (wanted[key] !== cart[key]) {
        // A blank value removes the attribute from the cart (Shopify's Ajax Cart API).
        changes[key] = wanted[key];
        changed = true;
      }
    }
    if (!changed) return;
    const before = cart;
    cart = { ...cart, ...changes };
    writing = writing.then(() =>
      win
        .fetch(root + "cart/update.js", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          // fetch's default credentials ("same-origin") send the cart cookie: the storefront's own origin.
          body: JSON.stringify({ attributes: changes }),
        })
        .then((response) => (response.ok ? response.json() : null))
        .then((answer: { attributes?: Partial<CartAttributes> } | null) => {
          const attrs = answer?.attributes ?? {};
          for (key in wanted) cart[key] = attrs[key] ?? "";
        })
        .catch(() => {
          // Not written: the next sync (consent change, add to cart, next page) tries again.
          cart = before;
        }),
    );
  }

  /** Ask the Customer Privacy API once, then decide (it answers, fails, or times out). */
  function decide(): void {
    if (api > 1 || shopify().customerPrivacy) {
      api = 2;
      sync();
      return;
    }
    if (api) return;
    api = 1;
    const settle = () => {
      if (api > 1) return;
      api = 2;
      sync();
    };
    win.setTimeout(settle, PRIVACY_API_TIMEOUT_MS);
    try {
      const load = shopify().loadFeatures;
      if (load) load([{ name: "consent-tracking-api", version: "0.1" }], settle);
      else settle();
    } catch {
      settle();
    }
  }

  const work = () => cartHasItems || pageOppref !== null || storedOppref() !== null;

  // The buyer's banner choice (accept, decline, withdraw) arrives as this event from Shopify's API.
  doc.addEventListener("visitorConsentCollected", () => {
    api = 2;
    sync();
  });

  // An item added without a page load (the theme's Ajax `cart/add`) means a cart with items now.
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (/\/cart\/add(\.js)?$/.test(new URL(entry.name).pathname)) {
          cartHasItems = true;
          decide();
        }
      }
    }).observe({ type: "resource" });
  } catch {
    // No PerformanceObserver: the next page load carries the attributes instead.
  }

  if (work()) decide();
}
