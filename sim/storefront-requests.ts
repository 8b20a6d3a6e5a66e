/**
 * Every URL the app's storefront code requests or depends on, as a browser extension would see it,
 * with what we expect the filter lists to do. Names come from the code itself (the embed's asset files,
 * the path in its bundle, the pixel's receipt URL, the image tag builder), so a rename is tested too.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { webPixelSettings } from "../app/admin/web-pixel.server";
import { buildContentsImageTagUrl } from "../app/openai/image-tag";
import type { RequestType } from "./filter-lists";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const EMBED_ASSETS = path.join(ROOT, "extensions", "openai-embed", "assets");

export const STOREFRONT_PAGE = "https://shop.example.com/products/tee?oppref=oa_click_42";
const SHOP_ORIGINS = ["https://shop.example.com", "https://example-shop.myshopify.com"];
/** Shopify serves theme app extension assets under this shape (ids invented). */
const EXTENSION_ASSET_BASE = "https://cdn.shopify.com/extensions/0199c0de-1a2b-7c3d-8e4f-0123456789ab/1.4.0/assets/";
const APP_URL = "https://oppref-conversions.example.app";

export interface StorefrontRequest {
  /** What it is, for the table. */
  what: string;
  url: string;
  types: RequestType[];
  expect: "allowed" | "blocked";
  /** Why it matters (the table's last column). */
  consequence: string;
}

/** Paths under Shopify.routes.root that the embed's bundle requests (read from the bundle). */
function embedCartPaths(): string[] {
  const code = readFileSync(path.join(EMBED_ASSETS, "oppref-embed.js"), "utf8");
  const paths = [...code.matchAll(/"(cart\/[a-z_.]+)"/g)].map((m) => m[1]);
  if (paths.length === 0) throw new Error("no cart path found in the embed bundle");
  return [...new Set(paths)];
}

export function storefrontRequests(): StorefrontRequest[] {
  const requests: StorefrontRequest[] = [];
  for (const file of readdirSync(EMBED_ASSETS).sort()) {
    requests.push({
      what: `theme embed asset ${file}`,
      url: EXTENSION_ASSET_BASE + file,
      types: ["script"],
      expect: "allowed",
      consequence: "the embed runs: oppref and the consent reach the cart",
    });
  }
  for (const cartPath of embedCartPaths()) {
    for (const origin of SHOP_ORIGINS) {
      for (const root of ["/", "/fr-ca/"]) {
        requests.push({
          what: `embed → ${root}${cartPath}`,
          url: `${origin}${root}${cartPath}`,
          types: ["xmlhttprequest"],
          expect: "allowed",
          consequence: "cart attributes _oppref, _oppref_at, _oppref_consent written",
        });
      }
    }
  }
  const receiptUrl = webPixelSettings({
    appUrl: APP_URL,
    shop: "example-shop.myshopify.com",
    pixelId: "p",
    browserPixelEnabled: true,
    funnelEvents: [],
  }).receiptUrl;
  requests.push({
    what: "web pixel receipt (app host)",
    url: receiptUrl,
    types: ["xmlhttprequest"],
    expect: "allowed",
    consequence: "the receipt arrives whenever the pixel itself runs",
  });
  for (const url of [
    "https://cdn.shopify.com/shopifycloud/consent-tracking-api/v0.1/consent-tracking-api.js",
    "https://shop.example.com/cdn/shopifycloud/consent-tracking-api/v0.1/consent-tracking-api.js",
  ]) {
    requests.push({
      what: "Shopify Customer Privacy API script",
      url,
      types: ["script"],
      expect: "blocked",
      consequence: "Shopify.loadFeatures never answers: the embed falls back to the consent cookie",
    });
  }
  requests.push({
    what: "OpenAI image tag",
    url: buildContentsImageTagUrl({
      pixelId: "pE2eqWm9RtYv3Nw8ZbC4dX",
      event: "page_viewed",
      eventId: "e1",
      oppref: "x",
    }),
    types: ["image", "xmlhttprequest", "script"],
    expect: "blocked",
    consequence: "expected: the server's Conversions API event counts the sale",
  });
  for (const url of [
    "https://shop.example.com/wpm@0.0.412_a1b2c3d4w5e6f7a8p9b0c1d2m3e4f5a6b7/web-pixel-123456789@1/sandbox/worker.modern.js",
    "https://shop.example.com/web-pixels@a1b2c3d4w5e6f7a8p9b0c1d2m3e4f5a6b7/web-pixel-123456789@1/sandbox/modern/products/tee",
  ]) {
    requests.push({
      what: "Shopify web-pixel sandbox (shape)",
      url,
      types: url.endsWith(".js") ? ["script"] : ["sub_frame"],
      expect: "blocked",
      consequence: "no web-pixel code runs: no __oppref cookie, no receipt (hence the embed)",
    });
  }
  return requests;
}
