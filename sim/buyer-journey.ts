/**
 * One simulated buyer in real Chromium (one browser, a fresh context per buyer): lands from a ChatGPT
 * ad (or not), maybe comes back days later, and buys through the cart or "Buy it now" on the stand-in
 * store (sim/checkout-storefront.ts). Playwright's request routing is the buyer's network:
 * - the buyer's ad blocker: every request the chosen lists block (real lists, real engine:
 *   sim/filter-lists.ts) is aborted with net::ERR_BLOCKED_BY_CLIENT, as an extension does;
 * - `https://cdn.shopify.com/extensions/<uuid>/<version>/assets/<file>.js` is served from
 *   extensions/openai-embed/assets, `https://bzr.openai.com/…` by the OpenAI stand-in, and the pixel's
 *   receipt reaches the real app with the buyer's own address in `X-Forwarded-For` (the app runs behind
 *   one trusted proxy, as in production). Nothing leaves the machine.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page, Request as PwRequest, Route } from "playwright-core";
import { ageCookieJar, type JarCookie } from "./cookie-jar-clock";
import { SHOPIFY_CDN } from "./checkout-storefront";
import type { FilterEngines, RequestType } from "./filter-lists";
import type { BuyerSpec } from "./population";
import { trackingConsentCookieV21 } from "./storefront";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EMBED_ASSETS = path.join(ROOT, "extensions", "openai-embed", "assets");
const OPENAI_ORIGIN = "https://bzr.openai.com";
const SAFARI_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

const TYPES: Record<string, RequestType> = {
  script: "script",
  fetch: "xmlhttprequest",
  xhr: "xmlhttprequest",
  image: "image",
  ping: "ping",
  document: "sub_frame",
};

export interface JourneyEnv {
  browser: Browser;
  engines: FilterEngines;
  shopUrl: string;
  openAiUrl: string;
  appUrl: string;
}

export interface BuyerTrace {
  index: number;
  /** URLs (without query) the blocker aborted, deduplicated. */
  blocked: string[];
  /** The pixel's sandbox ran on the thank-you page. */
  pixelRan: boolean;
  /** Cookies the purchase visit started with (names), after the time between visits. */
  cookiesAtReturn: string[] | null;
  /** Something went wrong driving the browser (the buyer then has no order). */
  error: string | null;
}

/** Is `url` blocked for this buyer? "easyprivacy" is that list alone; "ublock" all three vendored lists. */
function blockedFor(
  engines: FilterEngines,
  blocker: BuyerSpec["blocker"],
  url: string,
  type: RequestType,
  source: string,
) {
  if (blocker === "none") return false;
  return engines.blocks(url, type, source, blocker === "ublock" ? "all" : "EasyPrivacy");
}

export function buyerAddress(index: number): string {
  return `198.18.${(index >> 8) & 255}.${(index & 255) + 1}`;
}

export async function runBuyerJourney(env: JourneyEnv, buyer: BuyerSpec): Promise<BuyerTrace> {
  const trace: BuyerTrace = { index: buyer.index, blocked: [], pixelRan: false, cookiesAtReturn: null, error: null };
  const context = await env.browser.newContext(buyer.browser === "safari" ? { userAgent: SAFARI_UA } : {});
  try {
    await drive(env, buyer, context, trace);
  } catch (error) {
    trace.error = (error as Error).message.split("\n")[0];
  } finally {
    await context.close().catch(() => {});
  }
  return trace;
}

async function drive(env: JourneyEnv, buyer: BuyerSpec, context: BrowserContext, trace: BuyerTrace) {
  const serverSet = new Set<string>(["sim_buyer", "sim_total", "localization", "_tracking_consent"]);
  // Requests of this buyer not yet answered. Chromium reports no "requestfinished" for answers the
  // route handler fulfils for a worker's request, so the handler also says when it is done with one.
  const inFlight = new Set<PwRequest>();
  const handled = new WeakSet<PwRequest>();
  await context.route("**/*", (route) =>
    routeRequest(env, buyer, route, trace)
      // A route whose page already closed (the context ends while a keepalive request is in flight).
      .catch(() => route.abort("failed").catch(() => {}))
      .finally(() => {
        handled.add(route.request());
        inFlight.delete(route.request());
      }),
  );
  context.on("request", (request) => {
    if (!handled.has(request)) inFlight.add(request);
  });
  context.on("requestfinished", (request) => inFlight.delete(request));
  context.on("requestfailed", (request) => inFlight.delete(request));
  context.on("response", async (response) => {
    const header = await response.headerValue("set-cookie").catch(() => null);
    for (const line of header?.split("\n") ?? []) serverSet.add(line.split("=")[0].trim());
  });
  if (buyer.consent === "gpc")
    // As text, not a function: tsx would wrap a function in helpers that do not exist in the page.
    await context.addInitScript({
      content:
        'Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: function () { return true; } });',
    });
  const seeded: Record<string, string> = {
    sim_buyer: String(buyer.index),
    sim_total: buyer.total,
    localization: buyer.region,
  };
  const region = buyer.region === "US" ? "USCA" : "DEBE";
  if (buyer.consent === "granted")
    seeded._tracking_consent = trackingConsentCookieV21({ choice: "1", marketing: true, saleOfData: true, region });
  if (buyer.consent === "denied")
    seeded._tracking_consent = trackingConsentCookieV21({ choice: "0", marketing: false, saleOfData: true, region });
  if (buyer.consent === "sale_refused")
    seeded._tracking_consent = trackingConsentCookieV21({ choice: "1", marketing: true, saleOfData: false, region });
  const yearFromNow = Math.floor(Date.now() / 1000) + 365 * 24 * 3600;
  await context.addCookies(
    Object.entries(seeded).map(([name, value]) => ({
      name,
      value,
      url: env.shopUrl,
      expires: yearFromNow,
      sameSite: "Lax" as const,
    })),
  );

  /** The page is done: loaded, its pixel events handled, and no request of ours still in flight. */
  const settle = async (page: Page) => {
    await page.waitForLoadState("load");
    const pixel = await page.evaluate("window.__wpm ? window.__wpm.ready : null");
    let quietSince = Date.now();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (inFlight.size > 0) quietSince = Date.now();
      else if (Date.now() - quietSince >= 120) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return pixel as string | null;
  };

  let page = await context.newPage();
  const landing = buyer.oppref
    ? `/products/tee?utm_source=chatgpt&oppref=${encodeURIComponent(buyer.oppref)}`
    : "/products/tee";
  await page.goto(env.shopUrl + landing, { referer: buyer.oppref ? "https://chatgpt.com/" : undefined });
  await settle(page);

  if (buyer.timing === "returning") {
    const writtenAt = Math.floor(Date.now() / 1000);
    await page.close();
    const jar = (await context.cookies()) as JarCookie[];
    const aged = ageCookieJar(jar, {
      hours: buyer.returnAfterHours,
      writtenAt,
      now: Math.floor(Date.now() / 1000),
      safari: buyer.browser === "safari" ? { linkDecorationFromTracker: buyer.safariTrackerNavigation } : null,
      serverSet,
    });
    await context.clearCookies();
    if (aged.length) await context.addCookies(aged);
    trace.cookiesAtReturn = aged.map((c) => c.name).sort();
    page = await context.newPage();
    await page.goto(env.shopUrl + "/");
    await settle(page);
    await page.click("#product");
    await settle(page);
  }

  if (buyer.checkout === "cart") {
    await page.click("#add");
    await page.waitForSelector("#add[data-added=yes]");
    await settle(page);
    await page.goto(env.shopUrl + "/cart");
    await settle(page);
    await page.click("#checkout");
  } else {
    await page.click("#buy-now");
  }
  await page.waitForURL(/\/checkouts\/cn\/[a-f0-9]+$/);
  await settle(page);
  await page.click("#pay");
  await page.waitForURL(/\/thank-you$/);
  trace.pixelRan = (await settle(page)) === "ran";
}

async function routeRequest(env: JourneyEnv, buyer: BuyerSpec, route: Route, trace: BuyerTrace) {
  const request = route.request();
  const url = request.url();
  const type = TYPES[request.resourceType()];
  let source = env.shopUrl;
  try {
    source = request.frame().url() || source;
  } catch {
    // a worker's request has no frame: the page that started the worker is the shop's
  }
  if (type && blockedFor(env.engines, buyer.blocker, url, type, source)) {
    const bare = url.split("?")[0];
    if (!trace.blocked.includes(bare)) trace.blocked.push(bare);
    return route.abort("blockedbyclient");
  }
  if (url.startsWith(`${SHOPIFY_CDN}/extensions/`)) {
    const file = /\/assets\/([\w.-]+\.js)$/.exec(new URL(url).pathname)?.[1];
    if (!file) return route.fulfill({ status: 404 });
    return route.fulfill({
      status: 200,
      headers: { "Content-Type": "application/javascript", "Access-Control-Allow-Origin": "*" },
      body: readFileSync(path.join(EMBED_ASSETS, file)),
    });
  }
  if (url.startsWith(`${OPENAI_ORIGIN}/`)) {
    const response = await route.fetch({ url: env.openAiUrl + url.slice(OPENAI_ORIGIN.length) }).catch(() => null);
    return response ? route.fulfill({ response }) : route.abort("connectionrefused");
  }
  if (url.startsWith(env.appUrl)) {
    const response = await route
      .fetch({ headers: { ...request.headers(), "x-forwarded-for": buyerAddress(buyer.index) } })
      .catch(() => null);
    return response ? route.fulfill({ response }) : route.abort("connectionrefused");
  }
  if (url.startsWith(env.shopUrl)) return route.continue();
  // Anything else would leave the machine: refuse it.
  return route.abort("internetdisconnected");
}
