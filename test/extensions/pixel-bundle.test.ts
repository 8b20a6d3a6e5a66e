/**
 * The BUILT pixel (what a browser runs), not the TypeScript source: size budget, and a golden test that
 * the bundle computes the same order dedup ids as the server. The bundle is evaluated in a fresh V8
 * context (node:vm) that only has the globals a web worker offers and the stub `shopify.extend`, so it
 * also proves the bundle needs nothing Node-specific.
 */
import path from "node:path";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { buildPixel, PIXEL_GZIP_BUDGET_BYTES, type PixelBuild } from "../../scripts/build-pixel";
import { checkoutData, createFakeRuntime, RECEIPT_URL } from "./fake-pixel-runtime";

let production: PixelBuild;

beforeAll(async () => {
  production = await buildPixel({ outfile: path.join(process.cwd(), "test-artifacts", "pixel-bundle-test.js") });
});

/** Runs a bundle like the sandbox does: evaluate the script, then the runtime calls the registered function. */
function runBundle(code: string, runtime: ReturnType<typeof createFakeRuntime>) {
  const registered: { point: string; fn: (api: unknown) => void }[] = [];
  const sandbox = {
    shopify: { extend: (point: string, fn: (api: unknown) => void) => registered.push({ point, fn }) },
    fetch: runtime.fetch,
    crypto: globalThis.crypto,
    TextEncoder,
    URL,
    URLSearchParams,
    btoa,
    atob,
    Promise,
  };
  vm.runInNewContext(code, sandbox, { filename: "pixel.js" });
  expect(registered.map((r) => r.point)).toEqual(["WebPixel::Render"]);
  registered[0].fn(runtime.api);
}

describe("pixel bundle", () => {
  it(`is at most ${PIXEL_GZIP_BUDGET_BYTES} bytes gzipped`, () => {
    console.info(`pixel bundle: ${production.rawBytes} bytes raw, ${production.gzipBytes} bytes gzip`);
    expect(production.gzipBytes).toBeGreaterThan(500); // a real bundle, not an empty file
    expect(production.gzipBytes).toBeLessThanOrEqual(PIXEL_GZIP_BUDGET_BYTES);
  });

  it("targets OpenAI's image tag in production and only uses the test endpoint when built for tests", async () => {
    expect(production.code).toContain("https://bzr.openai.com/v1/sdk/events");
    expect(production.code).not.toMatch(/127\.0\.0\.1|localhost/);
    expect(production.code).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);

    const testBuild = await buildPixel({ outfile: null, testImageTagBase: "http://127.0.0.1:1/v1/sdk/events" });
    const runtime = createFakeRuntime({ marketingAllowed: true });
    runBundle(testBuild.code, runtime);
    await runtime.publish("page_viewed", {});
    expect(runtime.imageTags()[0].url).toMatch(/^http:\/\/127\.0\.0\.1:1\/v1\/sdk\/events\?pid=/);
  });

  // Pinned in test/conversions/dedup-id.test.ts as well: the bundle must reproduce them exactly.
  const GOLDEN: [string, string][] = [
    ["123", "o1_ohmO4bFNY3L5fPEYdzKy-g"],
    ["gid://shopify/Order/5912345678901", "o1_bPRRbUC0682e86LVd6jEmw"],
    ["gid://shopify/OrderIdentity/123", "o1_ohmO4bFNY3L5fPEYdzKy-g"],
    ["9007199254740991", "o1_JwTIH8r8DfxT1dFE0iW_9Q"],
  ];
  const MORE = [
    "1",
    "450789469",
    "gid://shopify/OrderIdentity/820982911946154508",
    "12345678901234567890",
    "6073212059955",
  ];

  it("computes the same order dedup ids as the server (golden vectors and more)", async () => {
    const orders = [...GOLDEN.map(([id]) => id), ...MORE];
    const fromBundle: (string | null)[] = [];
    const receiptOrderIds: string[] = [];
    for (const orderId of orders) {
      // One thank-you page per order, as in a browser.
      const runtime = createFakeRuntime({ marketingAllowed: true });
      runBundle(production.code, runtime);
      await runtime.publish("checkout_completed", checkoutData({ orderId }));
      expect(runtime.imageTags()).toHaveLength(1);
      fromBundle.push(new URL(runtime.imageTags()[0].url).searchParams.get("event_id"));
      expect(runtime.receipts().map((call) => call.url)).toEqual([RECEIPT_URL]);
      receiptOrderIds.push(JSON.parse(String(runtime.receipts()[0].init.body)).orderId);
    }

    const fromServer = await Promise.all(orders.map((id) => dedupIdForOrder(id)));
    expect(fromBundle).toEqual(fromServer);
    expect(fromBundle.slice(0, GOLDEN.length)).toEqual(GOLDEN.map(([, id]) => id));
    // ... and reports the same normalized order ids in its receipts.
    expect(receiptOrderIds).toEqual(orders.map((id) => id.replace(/^gid:\/\/shopify\/\w+\//, "")));
  });
});
