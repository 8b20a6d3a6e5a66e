/**
 * The theme embed's built asset (extensions/openai-embed/assets/oppref-embed.js) in real Chromium against
 * the stand-in storefront (sim/storefront.ts), which renders the real app embed block with Liquid. With
 * "a blocker", every request that EasyPrivacy + EasyList + uBlock Privacy block is aborted
 * (net::ERR_BLOCKED_BY_CLIENT), the way a blocker extension does it — which takes out Shopify's Customer
 * Privacy API script at its on-domain path.
 */
import { type Browser, type BrowserContext, type Page, type Request as PwRequest } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFilterEngines, type FilterEngines, type RequestType } from "../../sim/filter-lists";
import { startStorefront, trackingConsentCookieV21, type Storefront } from "../../sim/storefront";
import { browserTestsEnabled, launchChromium } from "../helpers/browser";

const runE2e = browserTestsEnabled("theme embed e2e");
const DAY_MS = 24 * 3600 * 1000;

let browser: Browser;
let engines: FilterEngines;
let shop: Storefront;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!runE2e) return;
  engines = loadFilterEngines();
  browser = await launchChromium();
  shop = await startStorefront({ country: "US" });
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await shop?.close();
});

const TYPES: Record<string, RequestType> = {
  script: "script",
  fetch: "xmlhttprequest",
  xhr: "xmlhttprequest",
  image: "image",
  ping: "ping",
};

interface Buyer {
  context: BrowserContext;
  page: Page;
  requests: string[];
  blocked: string[];
  visit(path: string): Promise<void>;
  addToCart(): Promise<void>;
  cookie(name: string): Promise<string | undefined>;
  cartToken(): Promise<string | undefined>;
}

async function newBuyer(
  store: Storefront,
  options: { blocker: boolean; cookies?: Record<string, string>; gpc?: boolean },
): Promise<Buyer> {
  const context = await browser.newContext();
  contexts.push(context);
  const requests: string[] = [];
  const blocked: string[] = [];
  if (options.blocker) {
    await context.route("**/*", (route) => {
      const request = route.request();
      const type = TYPES[request.resourceType()];
      const source = request.frame()?.url() || store.url;
      if (type && engines.match(request.url(), type, source).blocked) {
        blocked.push(request.url());
        return route.abort("blockedbyclient");
      }
      return route.continue();
    });
  }
  if (options.gpc)
    await context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }),
    );
  const cookies = Object.entries(options.cookies ?? {});
  if (cookies.length)
    await context.addCookies(
      cookies.map(([name, value]) => ({ name, value, url: store.url, sameSite: "Lax" as const })),
    );
  const cookie = async (name: string) => (await context.cookies(store.url)).find((c) => c.name === name)?.value;
  const page = await context.newPage();
  page.on("request", (request: PwRequest) => requests.push(request.url()));
  return {
    context,
    page,
    requests,
    blocked,
    async visit(path) {
      await page.goto(store.url + store.routesRoot + path);
      // The embed is deferred: it has run once `load` fired; network idle = its requests are done.
      await page.waitForLoadState("networkidle");
    },
    async addToCart() {
      await page.click("#add");
      await page.waitForSelector("#add[data-added=yes]");
      await page.waitForLoadState("networkidle");
    },
    cookie,
    cartToken: () => cookie("cart"),
  };
}

const consentOf = (attribute: string | undefined) => Object.fromEntries(new URLSearchParams(attribute ?? ""));
const updatesOf = (store: Storefront, token: string | undefined) => store.updates().filter((u) => u.token === token);

describe.runIf(runE2e)("theme embed in Chromium", () => {
  it("a page without an oppref and without a cart makes no request at all", async () => {
    const buyer = await newBuyer(shop, { blocker: false });
    await buyer.visit("products/tee");
    const own = buyer.requests.filter((url) => !url.includes("/products/tee"));
    expect(own).toEqual([expect.stringMatching(/\/assets\/oppref-embed\.js$/)]);
    expect(await buyer.cookie("__oppref")).toBeUndefined();
  });

  it("URL with oppref → __oppref cookie; item added → cart attributes (Customer Privacy API blocked: region fallback)", async () => {
    const buyer = await newBuyer(shop, { blocker: true });
    const before = Date.now();
    await buyer.visit("products/tee?oppref=oa_click_42&utm_source=chatgpt");
    // The blocker stopped Shopify's consent script; the embed's own asset got through.
    expect(buyer.blocked).toEqual([expect.stringContaining("/cdn/shopifycloud/consent-tracking-api/")]);
    expect(buyer.requests.some((url) => url.endsWith("/oppref-embed.js"))).toBe(true);
    expect(await buyer.cookie("__oppref")).toBe("oa_click_42");
    const at = Number(await buyer.cookie("__oppref_at"));
    expect(at).toBeGreaterThanOrEqual(before);
    const raw = (await buyer.context.cookies(shop.url)).find((c) => c.name === "__oppref")!;
    expect(raw).toMatchObject({ path: "/", sameSite: "Lax", secure: true });
    expect(raw.expires - Date.now() / 1000).toBeGreaterThan(29 * 24 * 3600);
    // No cart yet: nothing written to it.
    expect(buyer.requests.some((url) => url.includes("cart/update.js"))).toBe(false);

    await buyer.addToCart();
    const token = await buyer.cartToken();
    await expect.poll(() => shop.cart(token!)?.attributes._oppref).toBe("oa_click_42");
    const cart = shop.cart(token!)!;
    expect(cart.attributes._oppref_at).toBe(String(at));
    expect(consentOf(cart.attributes._oppref_consent)).toMatchObject({
      marketing: "unknown",
      sale_of_data: "unknown",
      source: "region",
    });
    expect(updatesOf(shop, token)).toHaveLength(1);

    // Another page of the same visit: the cart already holds it — no second write.
    await buyer.visit("collections/all");
    expect(updatesOf(shop, token)).toHaveLength(1);
  });

  it("consent granted through the Customer Privacy API, then withdrawn: the refusal replaces the oppref", async () => {
    const buyer = await newBuyer(shop, {
      blocker: false,
      cookies: {
        _tracking_consent: trackingConsentCookieV21({ choice: "1", marketing: true, saleOfData: true, region: "DEBE" }),
      },
    });
    await buyer.visit("products/tee?oppref=oa_click_granted");
    await buyer.addToCart();
    const token = await buyer.cartToken();
    await expect.poll(() => shop.cart(token!)?.attributes._oppref).toBe("oa_click_granted");
    expect(consentOf(shop.cart(token!)!.attributes._oppref_consent)).toMatchObject({
      marketing: "granted",
      sale_of_data: "allowed",
      source: "privacy_api",
    });

    // The buyer declines in the banner (Shopify's API writes the choice and fires the event).
    await buyer.page.evaluate(
      () =>
        new Promise<void>((resolve) =>
          (window as any).Shopify.customerPrivacy.setTrackingConsent(
            { marketing: false, sale_of_data: false },
            resolve,
          ),
        ),
    );
    await expect.poll(() => shop.cart(token!)?.attributes._oppref).toBeUndefined();
    const cart = shop.cart(token!)!;
    expect(cart.attributes._oppref_at).toBeUndefined();
    expect(consentOf(cart.attributes._oppref_consent)).toMatchObject({
      marketing: "denied",
      sale_of_data: "refused",
      source: "privacy_api",
    });
    expect(await buyer.cookie("__oppref")).toBeUndefined();
    expect(await buyer.cookie("__oppref_at")).toBeUndefined();
  });

  it("consent denied / sale of data refused before the click: the refusal as an attribute, no oppref, no cookie", async () => {
    const buyer = await newBuyer(shop, {
      blocker: false,
      cookies: {
        _tracking_consent: trackingConsentCookieV21({
          choice: "0",
          marketing: false,
          saleOfData: false,
          region: "FRIDF",
        }),
      },
    });
    await buyer.visit("products/tee");
    await buyer.addToCart();
    await buyer.visit("products/tee?oppref=oa_click_refused");
    const token = await buyer.cartToken();
    await expect.poll(() => shop.cart(token!)?.attributes._oppref_consent).toBeTruthy();
    const cart = shop.cart(token!)!;
    expect(consentOf(cart.attributes._oppref_consent)).toMatchObject({
      marketing: "denied",
      sale_of_data: "refused",
      source: "privacy_api",
    });
    expect(cart.attributes._oppref).toBeUndefined();
    expect(JSON.stringify(shop.updates())).not.toContain("oa_click_refused");
    expect(await buyer.cookie("__oppref")).toBeUndefined();
  });

  it("Customer Privacy API blocked: the decision comes from Shopify's _tracking_consent cookie", async () => {
    const buyer = await newBuyer(shop, {
      blocker: true,
      cookies: {
        _tracking_consent: trackingConsentCookieV21({
          choice: "0",
          marketing: false,
          saleOfData: true,
          region: "ITRM",
        }),
      },
    });
    await buyer.visit("products/tee?oppref=oa_click_cookie");
    await buyer.addToCart();
    expect(buyer.blocked.some((url) => url.includes("consent-tracking-api"))).toBe(true);
    const token = await buyer.cartToken();
    await expect.poll(() => shop.cart(token!)?.attributes._oppref_consent).toBeTruthy();
    expect(consentOf(shop.cart(token!)!.attributes._oppref_consent)).toMatchObject({
      marketing: "denied",
      sale_of_data: "allowed",
      source: "consent_cookie",
    });
    expect(shop.cart(token!)!.attributes._oppref).toBeUndefined();
  });

  it("Customer Privacy API blocked, GPC on: sale of data refused (source gpc), no oppref", async () => {
    const buyer = await newBuyer(shop, { blocker: true, gpc: true });
    await buyer.visit("products/tee?oppref=oa_click_gpc");
    await buyer.addToCart();
    const token = await buyer.cartToken();
    await expect.poll(() => shop.cart(token!)?.attributes._oppref_consent).toBeTruthy();
    expect(consentOf(shop.cart(token!)!.attributes._oppref_consent)).toMatchObject({
      marketing: "unknown",
      sale_of_data: "refused",
      source: "gpc",
    });
    expect(shop.cart(token!)!.attributes._oppref).toBeUndefined();
    expect(await buyer.cookie("__oppref")).toBeUndefined();
  });

  it("marketing granted but the sale of data refused (GPC over the Customer Privacy API): no oppref", async () => {
    const buyer = await newBuyer(shop, {
      blocker: false,
      gpc: true,
      cookies: {
        _tracking_consent: trackingConsentCookieV21({ choice: "1", marketing: true, saleOfData: true, region: "USCA" }),
      },
    });
    await buyer.visit("products/tee?oppref=oa_click_gpc_granted");
    await buyer.addToCart();
    const token = await buyer.cartToken();
    await expect.poll(() => shop.cart(token!)?.attributes._oppref_consent).toBeTruthy();
    expect(consentOf(shop.cart(token!)!.attributes._oppref_consent)).toMatchObject({
      marketing: "granted",
      sale_of_data: "refused",
      source: "privacy_api",
    });
    expect(shop.cart(token!)!.attributes._oppref).toBeUndefined();
    expect(await buyer.cookie("__oppref")).toBeUndefined();
  });

  it("opt-in region, Customer Privacy API blocked, no recorded choice: nothing is written at all", async () => {
    const eu = await startStorefront({ country: "DE" });
    try {
      const buyer = await newBuyer(eu, { blocker: true });
      await buyer.visit("products/tee?oppref=oa_click_eu");
      await buyer.addToCart();
      await buyer.visit("cart");
      expect(buyer.requests.some((url) => url.includes("cart/update.js"))).toBe(false);
      expect(eu.updates()).toEqual([]);
      expect(await buyer.cookie("__oppref")).toBeUndefined();
    } finally {
      await eu.close();
    }
  });

  it("returning visit days later (cookie, no oppref in the URL) → attribute written from the cookie", async () => {
    const clickedAt = Date.now() - 3 * DAY_MS;
    const buyer = await newBuyer(shop, {
      blocker: true,
      cookies: { __oppref: "oa_click_monday", __oppref_at: String(clickedAt) },
    });
    await buyer.visit("products/tee");
    await buyer.addToCart();
    const token = await buyer.cartToken();
    await expect.poll(() => shop.cart(token!)?.attributes._oppref).toBe("oa_click_monday");
    expect(shop.cart(token!)!.attributes._oppref_at).toBe(String(clickedAt));
  });

  it("a newer click replaces an older one, in the cookie and in the cart", async () => {
    const buyer = await newBuyer(shop, { blocker: true });
    await buyer.visit("products/tee?oppref=oa_click_old");
    await buyer.addToCart();
    const token = await buyer.cartToken();
    await expect.poll(() => shop.cart(token!)?.attributes._oppref).toBe("oa_click_old");
    const oldAt = Number(shop.cart(token!)!.attributes._oppref_at);

    await buyer.visit("products/hat?oppref=oa_click_new");
    await expect.poll(() => shop.cart(token!)?.attributes._oppref).toBe("oa_click_new");
    expect(Number(shop.cart(token!)!.attributes._oppref_at)).toBeGreaterThanOrEqual(oldAt);
    expect(await buyer.cookie("__oppref")).toBe("oa_click_new");
    // The consent attribute did not change, so only the click was rewritten.
    expect(Object.keys(updatesOf(shop, token).at(-1)!.attributes).sort()).toEqual(["_oppref", "_oppref_at"]);
  });

  it("Markets subfolder: the cart is written under Shopify.routes.root", async () => {
    const market = await startStorefront({ country: "CA", routesRoot: "/fr-ca/" });
    try {
      const buyer = await newBuyer(market, { blocker: true });
      await buyer.visit("products/tee?oppref=oa_click_ca");
      await buyer.addToCart();
      await expect.poll(() => market.carts()[0]?.attributes._oppref).toBe("oa_click_ca");
      expect(buyer.requests.filter((url) => url.includes("cart/update.js"))).toEqual([
        `${market.url}/fr-ca/cart/update.js`,
      ]);
    } finally {
      await market.close();
    }
  });
});
