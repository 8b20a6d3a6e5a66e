/**
 * The compiled web pixel in a real browser: headless Chromium (Debian's package) runs the bundle inside
 * a real dedicated Web Worker — the shape of Shopify's strict sandbox — with a stub runtime that
 * emulates `shopify.extend` (what `register` calls), `analytics.subscribe`, `customerPrivacy` and
 * `browser.cookie` (backed by the page's real `document.cookie`, as the sandbox does for the top frame).
 *
 * Everything it talks to is real and on loopback, each on its own origin:
 * - the OpenAI contract stand-in (sim/openai-standin.ts), which validates every image tag the way
 *   OpenAI documents it; the bundle is built with its URL as the image tag base (test-only define);
 * - the app's real receipt route (app/routes/pixel.receipt.tsx) behind a node:http adapter, writing to
 *   the test SQLite database — so CORS is enforced by the browser for real.
 * Requests are checked from three sides: Playwright's network events, the worker's own fetch log and
 * what the servers recorded.
 */
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type Browser, type Page, type Request as PwRequest } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { findPixelReceipt } from "~/models/receipts.server";
import { action, loader } from "~/routes/pixel.receipt";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { buildPixel } from "../../scripts/build-pixel";
import { addedToCartData, checkoutData, productViewedData } from "../extensions/fake-pixel-runtime";
import { browserTestsEnabled, CHROMIUM, launchChromium } from "../helpers/browser";

const runE2e = browserTestsEnabled("pixel e2e");

const PIXEL_ID = "pE2eqWm9RtYv3Nw8ZbC4dX";
const SHOP = `pixel-e2e-${Date.now().toString(36)}.myshopify.com`;

// ─── the stub runtime, as served to the browser ───────────────────────────────────────────────────

/** Runs inside the Worker. Emulates the sandbox API around the real bundle (loaded by importScripts). */
const WORKER_JS = String.raw`
const subscribers = {};
const consentSubscribers = [];
const pendingRpc = new Map();
let rpcSeq = 0;
let seq = 0;
let href = "";

// Observe (not change) what the pixel fetches: outcome and status, reported to the page.
const realFetch = self.fetch.bind(self);
self.fetch = (url, init) =>
  realFetch(url, init).then(
    (response) => { self.postMessage({ type: "fetch", url: String(url), method: (init && init.method) || "GET", ok: true, status: response.status, responseType: response.type }); return response; },
    (error) => { self.postMessage({ type: "fetch", url: String(url), method: (init && init.method) || "GET", ok: false, error: String(error) }); throw error; },
  );

function askPage(message) {
  return new Promise((resolve) => {
    const id = ++rpcSeq;
    pendingRpc.set(id, resolve);
    self.postMessage({ type: "rpc", id, ...message });
  });
}

function contextFor(pageHref) {
  const u = new URL(pageHref);
  return {
    document: { characterSet: "UTF-8", referrer: "", title: "E2E shop",
      location: { hash: u.hash, host: u.host, hostname: u.hostname, href: u.href, origin: u.origin, pathname: u.pathname, port: u.port, protocol: u.protocol, search: u.search } },
    navigator: { cookieEnabled: true, language: "en-US", languages: ["en-US"], userAgent: navigator.userAgent },
    window: { innerHeight: 800, innerWidth: 1200, origin: u.origin, screen: { height: 800, width: 1200 } },
  };
}

self.onmessage = async (message) => {
  const msg = message.data;
  if (msg.type === "rpc-result") {
    pendingRpc.get(msg.id)(msg.value);
    pendingRpc.delete(msg.id);
    return;
  }
  if (msg.type === "init") {
    href = msg.href;
    let registered = null;
    self.shopify = { extend(point, fn) { if (point === "WebPixel::Render") registered = fn; } };
    importScripts(msg.bundle);
    const api = {
      settings: msg.settings,
      analytics: { subscribe(name, cb) { (subscribers[name] = subscribers[name] || []).push(cb); return () => true; } },
      browser: { cookie: {
        get: (name) => askPage({ op: "cookie-get", name }),
        set: (cookie) => askPage({ op: "cookie-set", cookie }),
      } },
      init: {
        context: contextFor(href),
        data: { customer: null, cart: null, purchasingCompany: null,
          shop: { myshopifyDomain: msg.shop, name: "E2E shop", countryCode: "US", storefrontUrl: null, paymentSettings: { currencyCode: "USD" } } },
        customerPrivacy: { analyticsProcessingAllowed: true, marketingAllowed: msg.marketingAllowed, preferencesProcessingAllowed: true, saleOfDataAllowed: true },
      },
      customerPrivacy: { subscribe(name, cb) { if (name === "visitorConsentCollected") consentSubscribers.push(cb); return () => true; } },
      _pixelInfo: { id: "1", type: "APP" },
    };
    registered(api);
    self.postMessage({ type: "ack", id: msg.ackId });
    return;
  }
  if (msg.type === "publish") {
    const event = { id: "ev-" + (++seq), clientId: "client-e2e", name: msg.name, seq, timestamp: new Date().toISOString(), type: "standard", context: contextFor(msg.href || href), data: msg.data };
    await Promise.all((subscribers[msg.name] || []).map((cb) => cb(event)));
    self.postMessage({ type: "ack", id: msg.ackId });
    return;
  }
  if (msg.type === "consent") {
    const customerPrivacy = { analyticsProcessingAllowed: true, marketingAllowed: msg.marketingAllowed, preferencesProcessingAllowed: true, saleOfDataAllowed: true };
    await Promise.all(consentSubscribers.map((cb) => cb({ customerPrivacy })));
    self.postMessage({ type: "ack", id: msg.ackId });
  }
};
`;

/** The storefront page: owns the worker and the real cookie jar. */
const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>E2E shop</title>
<script>
  window.fetchLog = [];
  window.startPixel = (config) => {
    const worker = new Worker("/worker.js");
    const acks = new Map();
    let ackSeq = 0;
    const send = (message) => new Promise((resolve) => { const ackId = ++ackSeq; acks.set(ackId, resolve); worker.postMessage({ ...message, ackId }); });
    worker.onmessage = ({ data }) => {
      if (data.type === "ack") { acks.get(data.id)(); acks.delete(data.id); }
      else if (data.type === "fetch") window.fetchLog.push(data);
      else if (data.type === "rpc") {
        let value = null;
        if (data.op === "cookie-set") { document.cookie = data.cookie; value = data.cookie; }
        if (data.op === "cookie-get") {
          const hit = document.cookie.split("; ").find((part) => part.startsWith(data.name + "="));
          value = hit ? hit.slice(data.name.length + 1) : "";
        }
        worker.postMessage({ type: "rpc-result", id: data.id, value });
      }
    };
    window.pixel = {
      publish: (name, data, href) => send({ type: "publish", name, data, href }),
      consent: (marketingAllowed) => send({ type: "consent", marketingAllowed }),
    };
    return send({ type: "init", href: location.href, ...config });
  };
</script>`;

// ─── servers ──────────────────────────────────────────────────────────────────────────────────────

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** The storefront origin: the page, the worker stub and the bundles. */
function storefrontServer(bundles: Record<string, string>) {
  return http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    if (pathname === "/worker.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(WORKER_JS);
    if (bundles[pathname]) return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(bundles[pathname]);
    if (pathname === "/favicon.ico") return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(PAGE_HTML);
  });
}

/** The app origin: the real Remix route functions behind a minimal node:http → Fetch adapter. */
function appServer(seen: { method: string; status: number }[]) {
  return http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const method = req.method ?? "GET";
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" || method === "OPTIONS" ? undefined : Buffer.concat(chunks),
    });
    const args = { request, params: {}, context: {} };
    const response =
      method === "GET" || method === "HEAD" || method === "OPTIONS" ? await loader(args) : await action(args);
    seen.push({ method, status: response.status });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
}

// ─── the suite ────────────────────────────────────────────────────────────────────────────────────

describe.skipIf(!runE2e)("web pixel bundle in a real browser worker", () => {
  let browser: Browser;
  let standin: OpenAiStandin;
  let storefront: http.Server;
  let app: http.Server;
  let storefrontUrl: string;
  let receiptUrl: string;
  const appSeen: { method: string; status: number }[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
    standin = await startOpenAiStandin({ credentials: { [PIXEL_ID]: "capi_e2e_key" } });
    const normal = await buildPixel({
      outfile: path.join(process.cwd(), "test-artifacts", "pixel-e2e.js"),
      testImageTagBase: `${standin.url}/v1/sdk/events`,
    });
    // Same code, image tags aimed at a port nothing listens on: the browser's fetch rejects, like an ad blocker.
    const blocked = await buildPixel({ outfile: null, testImageTagBase: "http://127.0.0.1:9/v1/sdk/events" });
    expect(readFileSync(normal.outfile as string, "utf8")).toBe(normal.code);

    storefront = storefrontServer({ "/pixel.js": normal.code, "/pixel-blocked.js": blocked.code });
    app = appServer(appSeen);
    storefrontUrl = await listen(storefront);
    receiptUrl = `${await listen(app)}/pixel/receipt`;
    await prisma.shopSettings.create({ data: { shop: SHOP, pixelId: PIXEL_ID } });

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await standin?.close();
    await new Promise((resolve) => storefront?.close(resolve));
    await new Promise((resolve) => app?.close(resolve));
  });

  function settings(overrides: Record<string, string> = {}) {
    return {
      pixelId: PIXEL_ID,
      receiptUrl,
      shopDomain: SHOP,
      funnelEvents: "page_viewed,contents_viewed,items_added,checkout_started",
      enabled: "true",
      ...overrides,
    };
  }

  async function openStorefront(
    pathAndQuery: string,
    config: { bundle?: string; marketingAllowed: boolean; settings?: Record<string, string> },
    page?: Page,
  ) {
    const context = page ? page.context() : await browser.newContext();
    const tab = page ?? (await context.newPage());
    const requests: PwRequest[] = [];
    tab.on("request", (request) => requests.push(request));
    await tab.goto(`${storefrontUrl}${pathAndQuery}`);
    await tab.evaluate((c) => (window as any).startPixel(c), {
      bundle: config.bundle ?? "/pixel.js",
      shop: SHOP,
      marketingAllowed: config.marketingAllowed,
      settings: config.settings ?? settings(),
    });
    const publish = (name: string, data: unknown = {}) =>
      tab.evaluate(([n, d]) => (window as any).pixel.publish(n, d), [name, data] as const);
    const fetchLog = () =>
      tab.evaluate(
        () =>
          (window as any).fetchLog as {
            url: string;
            method: string;
            ok: boolean;
            status?: number;
            responseType?: string;
            error?: string;
          }[],
      );
    return { page: tab, context, requests, publish, fetchLog };
  }

  it("landing from an ad with consent: cookie, funnel image tags, order_created with the server's dedup id, receipt stored", async () => {
    standin.reset();
    const orderId = "gid://shopify/OrderIdentity/7000000000001";
    const s = await openStorefront("/products/board?utm_source=chatgpt&oppref=op_e2e_Landing-1", {
      marketingAllowed: true,
    });
    await s.publish("page_viewed");
    await s.publish("product_viewed", productViewedData({ amount: 129.99 }));
    await s.publish("product_added_to_cart", addedToCartData(1));
    await s.publish("checkout_started", checkoutData());
    await s.publish("checkout_completed", checkoutData({ orderId, token: "tok_e2e_1" }));

    // A real first-party cookie, with the attributes the issue asks for.
    const [cookie] = (await s.context.cookies()).filter((c) => c.name === "__oppref");
    expect(cookie).toMatchObject({ value: "op_e2e_Landing-1", path: "/", sameSite: "Lax", secure: true });
    const days = (cookie.expires * 1000 - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    // The OpenAI stand-in saw five valid image tags (it answers 400 to anything off-contract).
    const hits = standin.imageTagHits();
    expect(hits.map((h) => [h.query.event, h.status])).toEqual([
      ["page_viewed", 200],
      ["contents_viewed", 200],
      ["items_added", 200],
      ["checkout_started", 200],
      ["order_created", 200],
    ]);
    for (const hit of hits) {
      expect(hit.query.pid).toBe(PIXEL_ID);
      expect(hit.query.oppref).toBe("op_e2e_Landing-1");
    }
    const order = hits[4].query;
    expect(order.event_id).toBe(await dedupIdForOrder(orderId));
    expect(order["data[amount]"]).toBe("12999");
    expect(order["data[currency]"]).toBe("USD");
    expect(JSON.stringify(order)).not.toContain("7000000000001");
    expect(standin.accepted(PIXEL_ID).map((a) => a.source)).toEqual(["pixel", "pixel", "pixel", "pixel", "pixel"]);

    // The receipt crossed origins as a simple request: no preflight, the browser accepted the CORS answer.
    const log = await s.fetchLog();
    const receiptFetch = log.filter((entry) => entry.url === receiptUrl);
    expect(receiptFetch).toEqual([
      { type: "fetch", url: receiptUrl, method: "POST", ok: true, status: 202, responseType: "cors" },
    ]);
    expect(
      log
        .filter((entry) => entry.url.startsWith(standin.url))
        .every((entry) => entry.ok && entry.responseType === "opaque"),
    ).toBe(true);
    expect(appSeen.some((entry) => entry.method === "OPTIONS")).toBe(false);

    // Playwright saw the worker's requests go out too.
    const seen = s.requests.map((r) => `${r.method()} ${r.url().split("?")[0]}`);
    expect(seen.filter((r) => r === `GET ${standin.url}/v1/sdk/events`)).toHaveLength(5);
    const receiptRequest = s.requests.find((r) => r.url() === receiptUrl)!;
    expect(receiptRequest.method()).toBe("POST");
    expect(receiptRequest.headers()["content-type"]).toBe("text/plain");
    expect(JSON.parse(receiptRequest.postData() ?? "")).toEqual({
      v: 1,
      shop: SHOP,
      orderId: "7000000000001",
      checkoutToken: "tok_e2e_1",
      oppref: "op_e2e_Landing-1",
      consent: "granted",
      pixel: "sent",
      // The buyer allowed the sale of data; no OpenAI SDK on this page, so no __obref to carry.
      saleOfData: "allowed",
      obref: null,
    });

    const stored = await findPixelReceipt(SHOP, "7000000000001");
    expect(stored).toMatchObject({
      checkoutToken: "tok_e2e_1",
      oppref: "op_e2e_Landing-1",
      consent: "granted",
      pixelStatus: "sent",
    });

    // Next page of the same visit: no oppref in the URL, the cookie supplies it.
    const next = await openStorefront("/collections/all", { marketingAllowed: true }, s.page);
    await next.publish("page_viewed");
    expect(standin.imageTagHits().at(-1)?.query).toMatchObject({ event: "page_viewed", oppref: "op_e2e_Landing-1" });
    await s.context.close();
  });

  it("an OpenAI request that fails in the browser is reported as blocked", async () => {
    const s = await openStorefront("/?oppref=op_e2e_blocked", { marketingAllowed: true, bundle: "/pixel-blocked.js" });
    await s.publish("checkout_completed", checkoutData({ orderId: "7000000000002", token: "tok_e2e_2" }));
    const log = await s.fetchLog();
    expect(log.find((entry) => entry.url.startsWith("http://127.0.0.1:9/"))).toMatchObject({ ok: false });
    expect(await findPixelReceipt(SHOP, "7000000000002")).toMatchObject({
      pixelStatus: "blocked",
      consent: "granted",
      oppref: "op_e2e_blocked",
    });
    await s.context.close();
  });

  it("without marketing consent: no request to OpenAI, no cookie, a receipt that says denied — until consent is given", async () => {
    standin.reset();
    const s = await openStorefront("/?oppref=op_e2e_denied", { marketingAllowed: false });
    await s.publish("page_viewed");
    await s.publish("product_viewed", productViewedData());
    await s.publish("checkout_completed", checkoutData({ orderId: "7000000000003", token: "tok_e2e_3" }));
    expect(standin.imageTagHits()).toEqual([]);
    expect(s.requests.filter((r) => r.url().startsWith(standin.url))).toEqual([]);
    expect(await s.context.cookies()).toEqual([]);
    const stored = await findPixelReceipt(SHOP, "7000000000003");
    expect(stored).toMatchObject({ consent: "denied", oppref: null, pixelStatus: "not_sent" });

    await s.page.evaluate(() => (window as any).pixel.consent(true));
    await s.publish("product_added_to_cart", addedToCartData(1));
    expect(standin.imageTagHits().map((h) => h.query.event)).toEqual(["items_added"]);
    expect((await s.context.cookies()).map((c) => [c.name, c.value])).toEqual([["__oppref", "op_e2e_denied"]]);
    await s.context.close();
  });
});
