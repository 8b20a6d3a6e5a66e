/**
 * LOCAL_PREVIEW: the one bypass of Shopify authentication, for the offline demo. It serves a fixed demo
 * shop with a stub Admin API, is refused in production, and is off unless asked for.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "~/config.server";

const env = {
  SHOPIFY_API_KEY: "k",
  SHOPIFY_API_SECRET: "s",
  SHOPIFY_APP_URL: "https://app.example.test",
  ENCRYPTION_KEY: process.env.ENCRYPTION_KEY,
};

let auth: typeof import("~/admin/auth.server");
let preview: typeof import("~/admin/preview-admin.server");
let webPixel: typeof import("~/admin/web-pixel.server");

beforeAll(async () => {
  // Before config() is first read in this process (it is cached).
  process.env.LOCAL_PREVIEW = "true";
  process.env.SHOPIFY_APP_URL = "http://127.0.0.1:3000";
  auth = await import("~/admin/auth.server");
  preview = await import("~/admin/preview-admin.server");
  webPixel = await import("~/admin/web-pixel.server");
});

describe("local preview", () => {
  it("is refused in production and off by default", () => {
    expect(() => parseConfig({ ...env, NODE_ENV: "production", LOCAL_PREVIEW: "true" })).toThrow(
      /LOCAL_PREVIEW must not be true in production/,
    );
    expect(parseConfig({ ...env, NODE_ENV: "development" }).LOCAL_PREVIEW).toBe("false");
  });

  it("is refused unless SHOPIFY_APP_URL is loopback, whatever NODE_ENV says (unset included)", () => {
    for (const NODE_ENV of [undefined, "development", "test"]) {
      expect(() => parseConfig({ ...env, NODE_ENV, LOCAL_PREVIEW: "true" })).toThrow(/loopback SHOPIFY_APP_URL/);
      for (const url of ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000"]) {
        expect(parseConfig({ ...env, NODE_ENV, LOCAL_PREVIEW: "true", SHOPIFY_APP_URL: url }).LOCAL_PREVIEW).toBe(
          "true",
        );
      }
    }
    expect(() =>
      parseConfig({ ...env, LOCAL_PREVIEW: "true", SHOPIFY_APP_URL: "http://127.0.0.1.example.com" }),
    ).toThrow(/loopback/);
  });

  it("authenticates any request as the demo shop, without a session token", async () => {
    const admin = await auth.authenticateAdmin(new Request("http://127.0.0.1/app"));
    expect(admin).toMatchObject({ shop: "demo-shop.myshopify.com", preview: true });
  });

  it("its stub Admin API records web pixel calls: create, then TAKEN → query → update", async () => {
    const admin = await auth.authenticateAdmin(new Request("http://127.0.0.1/app"));
    const settings = webPixel.webPixelSettings({
      appUrl: "http://127.0.0.1:3000",
      shop: admin.shop,
      pixelId: "DemoPixel7Hq2bX9mKp4Wz",
      browserPixelEnabled: true,
      funnelEvents: ["page_viewed"],
    });
    expect(await webPixel.activateWebPixel(admin.graphql, settings)).toMatchObject({ ok: true, action: "created" });
    expect(await webPixel.activateWebPixel(admin.graphql, { ...settings, enabled: "false" })).toMatchObject({
      ok: true,
      action: "updated",
      webPixelId: "gid://shopify/WebPixel/1",
    });
    const calls = preview.previewAdminRequests();
    expect(calls.map((c) => c.operation)).toEqual(["webPixelCreate", "webPixelCreate", "webPixel", "webPixelUpdate"]);
    expect(JSON.parse(String((calls[3].variables.webPixel as { settings: string }).settings))).toEqual({
      pixelId: "DemoPixel7Hq2bX9mKp4Wz",
      receiptUrl: "http://127.0.0.1:3000/pixel/receipt",
      shopDomain: "demo-shop.myshopify.com",
      funnelEvents: "page_viewed",
      enabled: "false",
    });
  });
});
