/**
 * A whole stand-in Shopify store on loopback for the attribution simulator (scripts/simulate.ts): home,
 * product and cart pages rendered with the REAL theme app embed block (liquidjs, as in
 * sim/storefront.ts), the Ajax Cart API (`cart/add.js`, `cart/update.js` keeping attributes, `cart.js`),
 * "Buy it now" (a checkout made straight from the product, WITHOUT the cart's attributes — Shopify's
 * dynamic checkout buttons don't support them), a checkout and a thank-you page, and on every page
 * Shopify's web pixel manager running the app's pixel bundle in a worker (sim/pixel-sandbox.ts).
 *
 * What Shopify would put on the order is recorded per checkout: `landing_site` is the first page of the
 * buyer's session (the `_shopify_s` session cookie, 30 minutes, as Shopify's), `note_attributes` the
 * cart's attributes at checkout (none for "Buy it now"). The storefront's country comes from Shopify's
 * `localization` cookie. The embed's asset is referenced on `https://cdn.shopify.com/extensions/…`:
 * the browser driver serves that name from extensions/openai-embed/assets through request routing.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { addedToCartData, checkoutData, productViewedData } from "../test/extensions/fake-pixel-runtime";
import { webPixelPageScript, webPixelWorkerScript, WEB_PIXEL_WORKER_PATH } from "./pixel-sandbox";
import { CONSENT_API_JS, CONSENT_API_PATH, liquidEngine } from "./storefront";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EMBED_BLOCK = path.join(ROOT, "extensions", "openai-embed", "blocks", "oppref-embed.liquid");
export const SHOPIFY_CDN = "https://cdn.shopify.com";
const SESSION_SECONDS = 30 * 60;
const CART_SECONDS = 14 * 24 * 3600;
const VARIANT_ID = "44858553761923";

export interface PlacedOrder {
  orderId: number;
  checkoutToken: string;
  landingSite: string;
  noteAttributes: { name: string; value: string }[];
  total: string;
  country: string;
  /** The simulator's buyer index (the `sim_buyer` cookie), so results can be joined back. */
  buyer: number;
  via: "cart" | "buy_it_now";
}

export interface CheckoutStorefront {
  url: string;
  orders(): PlacedOrder[];
  close(): Promise<void>;
}

interface Checkout {
  token: string;
  attributes: Record<string, string>;
  landingSite: string;
  via: PlacedOrder["via"];
  order?: PlacedOrder;
}

export async function startCheckoutStorefront(options: {
  shop: string;
  pixelBundle: string;
  pixelSettings: Record<string, string>;
  /** First order id; each checkout gets the next one. */
  firstOrderId: number;
}): Promise<CheckoutStorefront> {
  const liquid = liquidEngine(SHOPIFY_CDN);
  const block = liquid.parse(readFileSync(EMBED_BLOCK, "utf8"));
  const worker = webPixelWorkerScript(options.pixelBundle);
  const carts = new Map<string, { itemCount: number; attributes: Record<string, string> }>();
  const sessions = new Map<string, string>();
  const checkouts = new Map<string, Checkout>();
  const orders: PlacedOrder[] = [];
  let nextOrderId = options.firstOrderId;

  const cookie = (req: http.IncomingMessage, name: string) =>
    new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(req.headers.cookie ?? "")?.[1];
  const readBody = async (req: http.IncomingMessage) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    return body;
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://shop");
    const setCookies: string[] = [];
    const country = cookie(req, "localization") ?? "US";
    const buyer = Number(cookie(req, "sim_buyer") ?? -1);
    let cartToken = cookie(req, "cart");
    const cartOf = () => (cartToken ? carts.get(cartToken) : undefined);
    const ensureCart = () => {
      let cart = cartOf();
      if (!cart) {
        cartToken = randomUUID();
        cart = { itemCount: 0, attributes: {} };
        carts.set(cartToken, cart);
        setCookies.push(`cart=${cartToken}; Path=/; Max-Age=${CART_SECONDS}; SameSite=Lax`);
      }
      return cart;
    };
    // Shopify's session: the first page of a visit is its landing page.
    let session = cookie(req, "_shopify_s");
    if (!session || !sessions.has(session)) {
      session = randomUUID();
      sessions.set(session, url.pathname + url.search);
    }
    setCookies.push(`_shopify_s=${session}; Path=/; Max-Age=${SESSION_SECONDS}; SameSite=Lax`);
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) =>
      void res.writeHead(status, { "Content-Type": type, "Set-Cookie": setCookies, ...headers }).end(body);
    const cartJson = () => {
      const cart = cartOf();
      return JSON.stringify({ token: cartToken, item_count: cart?.itemCount ?? 0, attributes: cart?.attributes ?? {} });
    };
    const page = async (title: string, body: string, events: { name: string; data: unknown }[], embed: boolean) => {
      const cart = cartOf();
      const embedHtml = embed
        ? await liquid.render(block, {
            cart: { item_count: cart?.itemCount ?? 0, attributes: cart?.attributes ?? {} },
            localization: { country: { iso_code: country } },
          })
        : "";
      const header = `<script>window.Shopify = { shop: ${JSON.stringify(options.shop)}, country: ${JSON.stringify(country)},
        routes: { root: "/" },
        loadFeatures: function (features, callback) {
          var s = document.createElement("script");
          s.src = ${JSON.stringify(CONSENT_API_PATH)};
          s.onload = function () { callback(); };
          s.onerror = function () { callback(new Error("consent-tracking-api failed to load")); };
          document.head.appendChild(s);
        } };</script>`;
      const pixel = webPixelPageScript({ shop: options.shop, settings: options.pixelSettings, country, events });
      send(
        200,
        "text/html; charset=utf-8",
        `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${header}${pixel}</head><body><h1>${title}</h1>${body}${embedHtml}</body></html>`,
      );
    };

    if (url.pathname === CONSENT_API_PATH) return send(200, "application/javascript", CONSENT_API_JS);
    if (url.pathname === WEB_PIXEL_WORKER_PATH) return send(200, "application/javascript", worker);
    if (req.method === "POST" && url.pathname === "/cart/add.js") {
      await readBody(req);
      ensureCart().itemCount += 1;
      return send(200, "application/json", cartJson());
    }
    if (req.method === "POST" && url.pathname === "/cart/update.js") {
      let attributes: Record<string, string> = {};
      try {
        attributes = (JSON.parse(await readBody(req)) as { attributes?: Record<string, string> }).attributes ?? {};
      } catch {
        return send(400, "text/plain", "bad json");
      }
      const cart = ensureCart();
      for (const [key, value] of Object.entries(attributes)) {
        if (value === "" || value == null) delete cart.attributes[key];
        else cart.attributes[key] = String(value);
      }
      return send(200, "application/json", cartJson());
    }
    if (req.method === "GET" && url.pathname === "/cart.js") return send(200, "application/json", cartJson());
    if (req.method === "GET" && url.pathname === "/")
      return page("home", `<a id="product" href="/products/tee">Tee</a>`, [{ name: "page_viewed", data: {} }], true);
    if (req.method === "GET" && url.pathname === "/products/tee") {
      const variant = productViewedData({ id: VARIANT_ID, amount: 129.99 });
      const added = JSON.stringify(addedToCartData(1, variant.productVariant));
      return page(
        "product",
        `<button id="add" onclick="fetch('/cart/add.js', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ items: [{ id: ${VARIANT_ID}, quantity: 1 }] }) }).then(function () { return window.__wpm.publish('product_added_to_cart', ${added.replace(/"/g, "&quot;")}); }).then(function () { document.getElementById('add').dataset.added = 'yes'; })">Add to cart</button>
<a id="buy-now" href="/checkouts/start?buy_now=1">Buy it now</a>`,
        [
          { name: "page_viewed", data: {} },
          { name: "product_viewed", data: variant },
        ],
        true,
      );
    }
    if (req.method === "GET" && url.pathname === "/cart")
      return page(
        "cart",
        `<a id="checkout" href="/checkouts/start">Check out</a>`,
        [{ name: "page_viewed", data: {} }],
        true,
      );
    if (req.method === "GET" && url.pathname === "/checkouts/start") {
      const buyNow = url.searchParams.get("buy_now") === "1";
      const checkout: Checkout = {
        token: randomUUID().replace(/-/g, ""),
        // Shopify: dynamic checkout buttons don't support cart attributes.
        attributes: buyNow ? {} : { ...(cartOf()?.attributes ?? {}) },
        landingSite: sessions.get(session)!,
        via: buyNow ? "buy_it_now" : "cart",
      };
      checkouts.set(checkout.token, checkout);
      return send(302, "text/plain", "", { Location: `/checkouts/cn/${checkout.token}` });
    }
    const checkoutMatch = /^\/checkouts\/cn\/([a-f0-9]{32})(\/complete|\/thank-you)?$/.exec(url.pathname);
    const checkout = checkoutMatch ? checkouts.get(checkoutMatch[1]) : undefined;
    if (checkout && checkoutMatch) {
      const total = cookie(req, "sim_total") ?? "129.99";
      const data = (orderId?: number) =>
        checkoutData({
          orderId: orderId === undefined ? null : `gid://shopify/OrderIdentity/${orderId}`,
          token: checkout.token,
          amount: Number(total),
        });
      if (!checkoutMatch[2] && req.method === "GET")
        return page(
          "checkout",
          `<form method="post" action="/checkouts/cn/${checkout.token}/complete"><button id="pay">Pay now</button></form>`,
          [{ name: "checkout_started", data: data() }],
          false,
        );
      if (checkoutMatch[2] === "/complete" && req.method === "POST") {
        await readBody(req);
        if (!checkout.order) {
          checkout.order = {
            orderId: nextOrderId++,
            checkoutToken: checkout.token,
            landingSite: checkout.landingSite,
            noteAttributes: Object.entries(checkout.attributes).map(([name, value]) => ({ name, value })),
            total,
            country,
            buyer,
            via: checkout.via,
          };
          orders.push(checkout.order);
          if (checkout.via === "cart" && cartToken) carts.delete(cartToken);
        }
        return send(302, "text/plain", "", { Location: `/checkouts/cn/${checkout.token}/thank-you` });
      }
      if (checkoutMatch[2] === "/thank-you" && checkout.order)
        return page(
          "thank you",
          `<p id="done">Order ${checkout.order.orderId}</p>`,
          [{ name: "checkout_completed", data: data(checkout.order.orderId) }],
          false,
        );
    }
    if (url.pathname === "/favicon.ico") return send(404, "text/plain", "");
    send(404, "text/plain", "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    // "localhost": a secure context, where Chromium keeps the pixel's `Secure` cookie over http.
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    orders: () => orders.map((o) => ({ ...o, noteAttributes: o.noteAttributes.map((a) => ({ ...a })) })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
