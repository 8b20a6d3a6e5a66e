/**
 * Every URL the app's storefront code requests or depends on, against the real filter lists most
 * blocking users run (vendored in test/fixtures/filter-lists/, checksummed) with a real filtering engine
 * (@ghostery/adblocker). What must get through gets through; what is known to be blocked is blocked by
 * the filter we documented. A renamed asset or path that a list blocks fails here.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFilterEngines, type FilterEngines } from "../../sim/filter-lists";
import { STOREFRONT_PAGE, storefrontRequests } from "../../sim/storefront-requests";
import { ADBLOCK_DOC, adblockTable, TABLE_END, TABLE_START } from "../../scripts/adblock-table";

let engines: FilterEngines;
beforeAll(() => {
  engines = loadFilterEngines();
});

describe("storefront requests against EasyPrivacy + EasyList + uBlock Privacy", () => {
  const requests = storefrontRequests();

  it("covers the embed asset, the cart, the receipt, the consent API, OpenAI's tag and the pixel sandbox", () => {
    const urls = requests.map((r) => r.url).join("\n");
    expect(urls).toMatch(/cdn\.shopify\.com\/extensions\/[0-9a-f-]+\/[\d.]+\/assets\/oppref-embed\.js/);
    expect(urls).toContain("/cart/update.js");
    expect(urls).toContain("/pixel/receipt");
    expect(urls).toContain("consent-tracking-api");
    expect(urls).toContain("bzr.openai.com");
    expect(urls).toContain("/web-pixel-");
  });

  for (const request of storefrontRequests()) {
    for (const type of request.types) {
      it(`${request.what} (${type}) is ${request.expect}: ${request.url}`, () => {
        const verdict = engines.match(request.url, type, STOREFRONT_PAGE);
        expect(verdict.blocked, JSON.stringify(verdict.filters)).toBe(request.expect === "blocked");
        if (request.expect === "allowed") expect(verdict.filters).toEqual({});
      });
    }
  }

  it("the known blocks come from the filters the docs name", () => {
    const filtersOf = (fragment: string, type: Parameters<FilterEngines["match"]>[1]) =>
      engines.match(requests.find((r) => r.url.includes(fragment))!.url, type, STOREFRONT_PAGE).filters;
    expect(filtersOf("bzr.openai.com", "image")).toEqual({ EasyPrivacy: "||bzr.openai.com^" });
    expect(filtersOf("cdn.shopify.com/shopifycloud/consent-tracking-api", "script")).toEqual({
      EasyPrivacy: "||shopify.com/shopifycloud/consent-tracking-api/",
    });
    expect(filtersOf("shop.example.com/cdn/shopifycloud/consent-tracking-api", "script")).toEqual({
      "uBlock Privacy": "/cdn/shopifycloud/consent-tracking-api/*",
    });
    expect(filtersOf("worker.modern.js", "script")).toEqual({
      EasyPrivacy: "/web-pixel-*/worker.modern.js",
      "uBlock Privacy": "/wpm@*/web-pixel-",
    });
  });

  it("would catch a renamed asset or path that a list blocks (the engine reads file names on the CDN shape)", () => {
    const base = "https://cdn.shopify.com/extensions/0199c0de-1a2b-7c3d-8e4f-0123456789ab/1.4.0/assets/";
    expect(engines.match(base + "dl-web-pixel.js", "script", STOREFRONT_PAGE).blocked).toBe(true);
    expect(
      engines.match("https://oppref-conversions.example.app/api/collect", "xmlhttprequest", STOREFRONT_PAGE).blocked,
    ).toBe(true);
    expect(engines.match(base + "oppref-embed.js", "script", STOREFRONT_PAGE).blocked).toBe(false);
  });

  it("docs/ADBLOCK.md prints exactly this table (npx tsx scripts/adblock-table.ts --write)", () => {
    const doc = readFileSync(ADBLOCK_DOC, "utf8");
    const table = doc.slice(doc.indexOf(TABLE_START) + TABLE_START.length, doc.indexOf(TABLE_END)).trim();
    expect(table).toBe(adblockTable(engines));
  });

  it("the vendored lists keep their attribution and licence text", () => {
    const sources = readFileSync("test/fixtures/filter-lists/SOURCES.md", "utf8");
    expect(sources).toContain("GPLv3 / CC BY-SA 3.0");
    expect(sources).toContain("uBlockOrigin/uAssets");
  });
});
