/**
 * Shopify's web pixel manager, as far as an app pixel can tell: on every storefront and checkout page
 * a small page script starts a dedicated Web Worker from a URL shaped like Shopify's strict sandbox
 * (`/wpm@…/web-pixel-<id>@<v>/sandbox/worker.modern.js`), hands it the runtime (`shopify.extend`,
 * `analytics.subscribe`, `browser.cookie` over the top page's real `document.cookie`, `init.customerPrivacy`)
 * and publishes the standard events of that page. The worker file holds the runtime AND the pixel
 * bundle, so a blocker that stops the sandbox URL stops the pixel entirely — as it does on Shopify.
 *
 * `init.customerPrivacy` is what Shopify's runtime derives from the `_tracking_consent` cookie (its
 * `purposes`), the region's default (opt-in countries: not allowed without a choice) and Global
 * Privacy Control (a refusal of the sale of data).
 */
import { OPT_IN_COUNTRIES } from "../app/conversions/consent";

/** Same shape as the URL the filter-list tests check (sim/storefront-requests.ts). */
export const WEB_PIXEL_WORKER_PATH =
  "/wpm@0.0.412_a1b2c3d4w5e6f7a8p9b0c1d2m3e4f5a6b7/web-pixel-123456789@1/sandbox/worker.modern.js";

const RUNTIME_JS = String.raw`
var subscribers = {}, consentSubscribers = [], pendingRpc = new Map(), rpcSeq = 0, seq = 0, href = "", registered = null;
self.shopify = { extend: function (point, fn) { if (point === "WebPixel::Render") registered = fn; } };
function askPage(message) {
  return new Promise(function (resolve) { var id = ++rpcSeq; pendingRpc.set(id, resolve); self.postMessage(Object.assign({ type: "rpc", id: id }, message)); });
}
function contextFor(pageHref) {
  var u = new URL(pageHref);
  return {
    document: { characterSet: "UTF-8", referrer: "", title: "Sim shop",
      location: { hash: u.hash, host: u.host, hostname: u.hostname, href: u.href, origin: u.origin, pathname: u.pathname, port: u.port, protocol: u.protocol, search: u.search } },
    navigator: { cookieEnabled: true, language: "en-US", languages: ["en-US"], userAgent: navigator.userAgent },
    window: { innerHeight: 800, innerWidth: 1200, origin: u.origin, screen: { height: 800, width: 1200 } },
  };
}
self.onmessage = async function (message) {
  var msg = message.data;
  if (msg.type === "rpc-result") { pendingRpc.get(msg.id)(msg.value); pendingRpc.delete(msg.id); return; }
  if (msg.type === "init") {
    href = msg.href;
    registered({
      settings: msg.settings,
      analytics: { subscribe: function (name, cb) { (subscribers[name] = subscribers[name] || []).push(cb); return function () { return true; }; } },
      browser: { cookie: {
        get: function (name) { return askPage({ op: "cookie-get", name: name }); },
        set: function (cookie) { return askPage({ op: "cookie-set", cookie: cookie }); },
      } },
      init: {
        context: contextFor(href),
        data: { customer: null, cart: null, purchasingCompany: null,
          shop: { myshopifyDomain: msg.shop, name: "Sim shop", countryCode: "US", storefrontUrl: null, paymentSettings: { currencyCode: "USD" } } },
        customerPrivacy: msg.privacy,
      },
      customerPrivacy: { subscribe: function (name, cb) { if (name === "visitorConsentCollected") consentSubscribers.push(cb); return function () { return true; }; } },
      _pixelInfo: { id: "123456789", type: "APP" },
    });
    self.postMessage({ type: "ack", id: msg.ackId });
    return;
  }
  if (msg.type === "publish") {
    var event = { id: "sim-" + (++seq), clientId: msg.clientId, name: msg.name, seq: seq, timestamp: new Date().toISOString(), type: "standard", context: contextFor(href), data: msg.data };
    await Promise.all((subscribers[msg.name] || []).map(function (cb) { return cb(event); }));
    self.postMessage({ type: "ack", id: msg.ackId });
  }
};
`;

/** The worker file Shopify would serve at WEB_PIXEL_WORKER_PATH: the sandbox runtime, then the app's pixel. */
export function webPixelWorkerScript(pixelBundle: string): string {
  return `${RUNTIME_JS}\n${pixelBundle}\n`;
}

export interface PixelPageConfig {
  shop: string;
  settings: Record<string, string>;
  country: string;
  /** Standard events this page publishes once the pixel is up (name, data). */
  events: { name: string; data: unknown }[];
}

/**
 * The page side: `window.__wpm.ready` settles once the page's events were handled (or the sandbox
 * failed to load); `window.__wpm.publish(name, data)` publishes one more (e.g. product_added_to_cart).
 */
export function webPixelPageScript(config: PixelPageConfig): string {
  return `<script>
(function () {
  var config = ${JSON.stringify({ ...config, optIn: [...OPT_IN_COUNTRIES] }).replace(/</g, "\\u003c")};
  function privacy() {
    var m = document.cookie.match(/(?:^|; )_tracking_consent=([^;]*)/), c = null;
    try { c = m ? JSON.parse(decodeURIComponent(m[1])) : null; } catch (e) { c = null; }
    var purposes = (c && c.purposes) || {};
    var optIn = !config.country || config.optIn.indexOf(config.country) >= 0;
    var marketing = typeof purposes.m === "boolean" ? purposes.m : !optIn;
    var sale = typeof purposes.t === "boolean" ? purposes.t : true;
    if (navigator.globalPrivacyControl === true) sale = false;
    return { analyticsProcessingAllowed: marketing, marketingAllowed: marketing, preferencesProcessingAllowed: marketing, saleOfDataAllowed: sale };
  }
  var worker, acks = new Map(), ackSeq = 0, failed = false;
  var clientId = (document.cookie.match(/(?:^|; )_shopify_y=([^;]*)/) || [])[1] || "anonymous";
  function send(message) {
    if (failed) return Promise.resolve();
    return new Promise(function (resolve) { var id = ++ackSeq; acks.set(id, resolve); worker.postMessage(Object.assign({ ackId: id }, message)); });
  }
  var ready = new Promise(function (resolve) {
    try { worker = new Worker(${JSON.stringify(WEB_PIXEL_WORKER_PATH)}); } catch (e) { failed = true; return resolve("failed"); }
    worker.onerror = function () { failed = true; acks.forEach(function (r) { r(); }); resolve("failed"); };
    worker.onmessage = function (e) {
      var data = e.data;
      if (data.type === "ack") { var r = acks.get(data.id); acks.delete(data.id); if (r) r(); return; }
      if (data.type === "rpc") {
        var value = null;
        if (data.op === "cookie-set") { document.cookie = data.cookie; value = data.cookie; }
        if (data.op === "cookie-get") {
          var hit = document.cookie.split("; ").find(function (p) { return p.indexOf(data.name + "=") === 0; });
          value = hit ? hit.slice(data.name.length + 1) : "";
        }
        worker.postMessage({ type: "rpc-result", id: data.id, value: value });
      }
    };
    send({ type: "init", href: location.href, shop: config.shop, settings: config.settings, privacy: privacy() })
      .then(function () { return config.events.reduce(function (p, ev) { return p.then(function () { return send({ type: "publish", name: ev.name, data: ev.data, clientId: clientId }); }); }, Promise.resolve()); })
      .then(function () { resolve(failed ? "failed" : "ran"); });
  });
  window.__wpm = { ready: ready, publish: function (name, data) { return ready.then(function () { return send({ type: "publish", name: name, data: data, clientId: clientId }); }); } };
})();
</script>`;
}
