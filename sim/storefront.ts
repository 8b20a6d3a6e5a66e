/**
 * A stand-in Shopify storefront on loopback, for running the theme embed in a real browser:
 * - pages rendered from the REAL app embed block (extensions/openai-embed/blocks/oppref-embed.liquid)
 *   with liquidjs, given the cart's state and the storefront's country, as Shopify's Liquid would;
 * - a stand-in of `content_for_header` (`window.Shopify`: shop, country, routes.root, loadFeatures);
 * - the Ajax Cart API's `cart/add.js`, `cart/update.js` (attributes; a blank value removes one) and
 *   `cart.js`, under `routes.root` (Markets subfolders), recording every update;
 * - Shopify's Customer Privacy API at its on-domain path (`/cdn/shopifycloud/consent-tracking-api/…`),
 *   reading and writing the `_tracking_consent` cookie in Shopify's version-2.1 format;
 * - a second origin standing in for cdn.shopify.com, serving the extension's assets under
 *   `/extensions/<uuid>/<version>/assets/<file>`.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid, Tag, type TagToken, type TopLevelToken } from "liquidjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EMBED_DIR = path.join(ROOT, "extensions", "openai-embed");
export const EXTENSION_ASSET_PATH = "/extensions/0199c0de-1a2b-7c3d-8e4f-0123456789ab/1.4.0/assets/";
export const CONSENT_API_PATH = "/cdn/shopifycloud/consent-tracking-api/v0.1/consent-tracking-api.js";

export interface CartState {
  token: string;
  itemCount: number;
  attributes: Record<string, string>;
}

export interface CartUpdate {
  token: string;
  /** The attributes object the browser sent. */
  attributes: Record<string, string>;
}

export interface Storefront {
  /** e.g. http://localhost:1234 — pages live under `${url}${routesRoot}`. */
  url: string;
  routesRoot: string;
  cdnUrl: string;
  /** Every POST cart/update.js, in order. */
  updates(): CartUpdate[];
  cart(token: string): CartState | undefined;
  carts(): CartState[];
  close(): Promise<void>;
}

export interface StorefrontOptions {
  /** The storefront's country (Liquid `localization.country.iso_code`, `Shopify.country`). */
  country?: string;
  /** Shopify.routes.root: "/" or a Markets subfolder such as "/fr-ca/". */
  routesRoot?: string;
}

/** Shopify's `_tracking_consent` cookie value, version 2.1 (URL-encoded JSON), as Shopify sets it. */
export function trackingConsentCookieV21(input: {
  /** The recorded marketing choice: "1" yes, "0" no, "" none. */
  choice: "1" | "0" | "";
  marketing: boolean;
  saleOfData: boolean;
  region: string;
}): string {
  return encodeURIComponent(
    JSON.stringify({
      con: { CMP: { a: input.choice, m: input.choice, p: input.choice, s: input.saleOfData ? "" : "0" } },
      v: "2.1",
      region: input.region,
      reg: "",
      purposes: { a: input.marketing, p: input.marketing, m: input.marketing, t: input.saleOfData },
      display_banner: input.choice === "",
      sale_of_data_region: false,
      consent_id: "0C9F1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B",
    }),
  );
}

/** Runs in the page: the consent-tracking-api surface the embed uses, over the real cookie. */
export const CONSENT_API_JS = String.raw`
(function () {
  function read() {
    var m = document.cookie.match(/(?:^|; )_tracking_consent=([^;]*)/);
    if (!m) return null;
    try { var c = JSON.parse(decodeURIComponent(m[1])); return c.v === "2.1" ? c : null; } catch (e) { return null; }
  }
  function purpose(key) { var c = read(); return !c || typeof c.purposes[key] !== "boolean" ? true : c.purposes[key]; }
  function answer(v) { return v === "1" ? "yes" : v === "0" ? "no" : ""; }
  window.Shopify = window.Shopify || {};
  window.Shopify.customerPrivacy = {
    marketingAllowed: function () { return purpose("m"); },
    saleOfDataAllowed: function () { return purpose("t"); },
    getRegion: function () { var c = read(); return c ? c.region : ""; },
    currentVisitorConsent: function () {
      var c = read(), cmp = (c && c.con.CMP) || {};
      return { marketing: answer(cmp.m), analytics: answer(cmp.a), preferences: answer(cmp.p), sale_of_data: answer(cmp.s) };
    },
    setTrackingConsent: function (consent, callback) {
      var c = read() || { con: { CMP: {} }, v: "2.1", region: "", purposes: {} };
      if (typeof consent.marketing === "boolean") { c.con.CMP.m = consent.marketing ? "1" : "0"; c.purposes.m = consent.marketing; }
      if (typeof consent.sale_of_data === "boolean") { c.con.CMP.s = consent.sale_of_data ? "1" : "0"; c.purposes.t = consent.sale_of_data; }
      document.cookie = "_tracking_consent=" + encodeURIComponent(JSON.stringify(c)) + "; path=/; max-age=31536000";
      document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: {
        marketingAllowed: c.purposes.m !== false, saleOfDataAllowed: c.purposes.t !== false } }));
      if (callback) callback();
    },
  };
})();
`;

export function liquidEngine(cdnUrl: string): Liquid {
  const engine = new Liquid({ strictFilters: true });
  // {% schema %} is Shopify's block metadata: it renders nothing.
  engine.registerTag(
    "schema",
    class extends Tag {
      constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
        super(token, remain, liquid);
        while (remain.length) {
          const next = remain.shift() as TagToken;
          if (next.name === "endschema") return;
        }
        throw new Error("{% schema %} without {% endschema %}");
      }
      *render(): Generator<unknown, void, unknown> {}
    },
  );
  // asset_url of a theme app extension asset: Shopify's CDN, here the stand-in CDN.
  engine.registerFilter("asset_url", (file: string) => `${cdnUrl}${EXTENSION_ASSET_PATH}${file}`);
  return engine;
}

export async function startStorefront(options: StorefrontOptions = {}): Promise<Storefront> {
  const routesRoot = options.routesRoot ?? "/";
  const country = options.country ?? "US";
  const carts = new Map<string, CartState>();
  const updates: CartUpdate[] = [];

  const cdn = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://cdn");
    const file = url.pathname.startsWith(EXTENSION_ASSET_PATH) ? url.pathname.slice(EXTENSION_ASSET_PATH.length) : "";
    if (!/^[\w.-]+\.js$/.test(file)) return void res.writeHead(404).end();
    try {
      const body = readFileSync(path.join(EMBED_DIR, "assets", file));
      res.writeHead(200, { "Content-Type": "application/javascript", "Access-Control-Allow-Origin": "*" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => cdn.listen(0, "127.0.0.1", resolve));
  const cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  const liquid = liquidEngine(cdnUrl);
  const block = readFileSync(path.join(EMBED_DIR, "blocks", "oppref-embed.liquid"), "utf8");

  const cartOf = (req: http.IncomingMessage) => {
    const token = /(?:^|;\s*)cart=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    return token ? carts.get(token) : undefined;
  };
  const newCart = (res: http.ServerResponse) => {
    const cart: CartState = { token: randomUUID(), itemCount: 0, attributes: {} };
    carts.set(cart.token, cart);
    res.setHeader("Set-Cookie", `cart=${cart.token}; Path=/; SameSite=Lax`);
    return cart;
  };
  const cartJson = (cart: CartState) =>
    JSON.stringify({ token: cart.token, item_count: cart.itemCount, attributes: cart.attributes, items: [] });
  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => resolve(body));
    });

  const shop = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://shop");
    const route = url.pathname.startsWith(routesRoot) ? url.pathname.slice(routesRoot.length) : null;
    if (url.pathname === CONSENT_API_PATH)
      return void res.writeHead(200, { "Content-Type": "application/javascript" }).end(CONSENT_API_JS);
    if (req.method === "POST" && route === "cart/add.js") {
      await readBody(req);
      const cart = cartOf(req) ?? newCart(res);
      cart.itemCount += 1;
      return void res.writeHead(200, { "Content-Type": "application/json" }).end(cartJson(cart));
    }
    if (req.method === "POST" && route === "cart/update.js") {
      let attributes: Record<string, string> = {};
      try {
        attributes = (JSON.parse(await readBody(req)) as { attributes?: Record<string, string> }).attributes ?? {};
      } catch {
        return void res.writeHead(400).end();
      }
      const cart = cartOf(req) ?? newCart(res);
      updates.push({ token: cart.token, attributes });
      for (const [key, value] of Object.entries(attributes)) {
        if (value === "" || value == null) delete cart.attributes[key];
        else cart.attributes[key] = String(value);
      }
      return void res.writeHead(200, { "Content-Type": "application/json" }).end(cartJson(cart));
    }
    if (req.method === "GET" && route === "cart.js") {
      const cart = cartOf(req);
      return void res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(cart ? cartJson(cart) : JSON.stringify({ item_count: 0, attributes: {}, items: [] }));
    }
    if (req.method === "GET" && route !== null && !route.includes(".")) {
      const cart = cartOf(req);
      const embed = await liquid.parseAndRender(block, {
        cart: { item_count: cart?.itemCount ?? 0, attributes: cart?.attributes ?? {} },
        localization: { country: { iso_code: country } },
      });
      const header = `<script>window.Shopify = { shop: "standin.myshopify.com", country: ${JSON.stringify(country)},
        routes: { root: ${JSON.stringify(routesRoot)} },
        loadFeatures: function (features, callback) {
          var s = document.createElement("script");
          s.src = ${JSON.stringify(CONSENT_API_PATH)};
          s.onload = function () { callback(); };
          s.onerror = function () { callback(new Error("consent-tracking-api failed to load")); };
          document.head.appendChild(s);
        } };</script>`;
      const page = `<!doctype html><html><head><meta charset="utf-8"><title>Stand-in shop</title>${header}</head>
<body><h1>${route || "home"}</h1>
<button id="add" onclick="fetch(Shopify.routes.root + 'cart/add.js', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ items: [{ id: 1, quantity: 1 }] }) }).then(function () { document.getElementById('add').dataset.added = 'yes'; })">Add to cart</button>
${embed}</body></html>`;
      return void res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
  // "localhost" (not 127.0.0.1): a secure context where Chromium keeps `Secure` cookies over http.
  const url = `http://localhost:${(shop.address() as AddressInfo).port}`;

  return {
    url,
    routesRoot,
    cdnUrl,
    updates: () => updates.map((u) => ({ ...u, attributes: { ...u.attributes } })),
    cart: (token) => carts.get(token),
    carts: () => [...carts.values()],
    close: async () => {
      await Promise.all([shop, cdn].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
