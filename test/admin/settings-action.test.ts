/**
 * The settings page's loader and action through Shopify's real `authenticate.admin`: a stored
 * offline session and a session token signed with the test secret. OpenAI is the contract stand-in
 * on loopback; Shopify's Admin API is stubbed at the fetch boundary (./shopify-admin-stub.ts).
 */
import { readFileSync, existsSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { AdminPageData, SaveReport, TestEventReport } from "~/admin/types";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { installShopifyAdminStub } from "./shopify-admin-stub";
import { actionRequest, documentRequest, sessionToken, storeOfflineSession } from "./embedded-requests";

// Before any app import: @shopify/shopify-api captures global fetch when it loads.
const shopify = installShopifyAdminStub();

type Route = typeof import("~/routes/app._index");
let route: Route;
let settingsModel: typeof import("~/models/settings.server");
let webPixel: typeof import("~/admin/web-pixel.server");
let standin: OpenAiStandin;
const logged: string[] = [];

const RUN = Date.now().toString(36);
let shopSeq = 0;
const ADVERTISER_KEY = "adv_key_0123456789abcdefghij";

interface TestShop {
  shop: string;
  pixelId: string;
  apiKey: string;
}

/** A fresh shop with a stored session and a pixel the stand-in knows. */
async function newShop(label: string): Promise<TestShop> {
  const n = ++shopSeq;
  const shop = `admin-${label}-${RUN}-${n}.myshopify.com`;
  const pixelId = `pxAdmin${RUN}${n}abcdef`;
  const apiKey = `capi_secret_${RUN}_${n}_ZyXwVuTsRqPo`;
  standin.addPixel(pixelId, apiKey);
  const { sessionStorage } = await import("~/shopify.server");
  await storeOfflineSession(sessionStorage, shop);
  return { shop, pixelId, apiKey };
}

function saveForm(t: TestShop, overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    intent: "save",
    pixelId: t.pixelId,
    apiKeyMode: "replace",
    apiKey: t.apiKey,
    serverEventsEnabled: "true",
    browserPixelEnabled: "true",
    pixelFunnelEvents: ["page_viewed", "contents_viewed", "items_added", "checkout_started"],
    nonWebOrders: "skip",
    correctionsEnabled: "true",
    refundEventName: "order_refunded",
    cancelEventName: "order_cancelled",
    conversionTrigger: "orders_create",
    consentPolicy: "regional",
    enhancedMatching: ["email", "phone", "name", "external_id", "address", "client"],
    ...overrides,
  };
}

async function load(shop: string): Promise<AdminPageData> {
  return (await route.loader({
    request: await documentRequest(shop),
    params: {},
    context: {},
  } as LoaderFunctionArgs)) as AdminPageData;
}

async function act<T = SaveReport>(
  shop: string,
  form: Record<string, string | string[]>,
): Promise<{ status: number; body: T; text: string }> {
  const response = await route.action({
    request: await actionRequest(shop, form),
    params: {},
    context: {},
  } as ActionFunctionArgs);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as T, text };
}

function capiRequests(pixelId: string) {
  return standin.requests().filter((r) => r.query.pid === pixelId);
}

function step(report: SaveReport, name: string) {
  return report.steps.find((s) => s.step === name);
}

beforeAll(async () => {
  standin = await startOpenAiStandin({ advertiserKeys: [ADVERTISER_KEY] });
  process.env.OPENAI_CAPI_URL = standin.url;
  route = await import("~/routes/app._index");
  settingsModel = await import("~/models/settings.server");
  webPixel = await import("~/admin/web-pixel.server");

  // Everything the app logs, through its logger or the console, is kept to be searched for secrets.
  const { logger } = await import("~/logger.server");
  const keep = (...args: unknown[]) => {
    logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  };
  for (const level of ["fatal", "error", "warn", "info", "debug", "trace"] as const) {
    vi.spyOn(logger, level).mockImplementation(keep as never);
  }
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation(keep);
  }
});

afterEach(() => {
  standin.setFailure(null);
});

afterAll(async () => {
  vi.restoreAllMocks();
  shopify.restore();
  await standin?.close();
});

describe("authentication", () => {
  it("refuses a request without a session token and one signed with another secret", async () => {
    const t = await newShop("auth");
    const bare = new Request(`https://app.example.test/app?index`, { method: "POST", body: new FormData() });
    const noToken = await route
      .action({ request: bare, params: {}, context: {} } as ActionFunctionArgs)
      .catch((e: unknown) => e);
    expect(noToken).toBeInstanceOf(Response);
    expect([302, 401, 410]).toContain((noToken as Response).status);

    const forged = await sessionToken(t.shop, "not-the-app-secret");
    const wrong = await route
      .action({
        request: await actionRequest(t.shop, saveForm(t), forged),
        params: {},
        context: {},
      } as ActionFunctionArgs)
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Response);
    expect((wrong as Response).status).toBe(401);
    expect(await settingsModel.getShopSettings(t.shop)).toBeNull();
  });

  it("loads the page with the stored offline session (no token exchange) and shows defaults", async () => {
    const t = await newShop("fresh");
    const data = await load(t.shop);
    expect(data.shop).toBe(t.shop);
    expect(data.preview).toBe(false);
    expect(data.status.state).toBe("not_configured");
    expect(data.settings).toMatchObject({
      pixelId: "",
      hasApiKey: false,
      apiKeyLast4: null,
      browserPixelEnabled: true,
      serverEventsEnabled: true,
    });
    expect(data.health).toEqual({ waiting: 0, failing: 0, applyLagMs: 0 });
    expect(shopify.unexpected()).toEqual([]);
  });
});

describe("validation", () => {
  it("reports every invalid field inline and stores nothing", async () => {
    const t = await newShop("invalid");
    const before = standin.requests().length;
    const { status, body } = await act(t.shop, {
      ...saveForm(t),
      pixelId: "bad id!",
      apiKey: "short",
      refundEventName: "Order Refunded",
      cancelEventName: "order_created",
      pixelFunnelEvents: ["page_viewed", "purchase"],
      consentPolicy: "sometimes",
      conversionTrigger: "",
      enhancedMatching: ["email", "ssn"],
      serverEventsEnabled: "yes",
    });
    expect(status).toBe(422);
    expect(body.outcome).toBe("invalid");
    if (body.outcome !== "invalid") throw new Error("unreachable");
    expect(Object.keys(body.fieldErrors).sort()).toEqual(
      [
        "apiKey",
        "cancelEventName",
        "consentPolicy",
        "conversionTrigger",
        "enhancedMatching",
        "pixelFunnelEvents",
        "pixelId",
        "refundEventName",
        "serverEventsEnabled",
      ].sort(),
    );
    expect(body.fieldErrors.pixelId).toMatch(/Pixel ID/);
    expect(body.fieldErrors.apiKey).toMatch(/16 to 512 characters/);
    expect(body.fieldErrors.refundEventName).toMatch(/lowercase/);
    expect(JSON.stringify(body)).not.toContain("bad id!");
    expect(await settingsModel.getShopSettings(t.shop)).toBeNull();
    expect(standin.requests().length).toBe(before);
    expect(shopify.calls(t.shop)).toEqual([]);
  });

  it("needs both halves: a key without a Pixel ID, a Pixel ID without a key (server events on), equal event names", async () => {
    const t = await newShop("halves");
    const noPixel = await act(t.shop, saveForm(t, { pixelId: "" }));
    expect(noPixel.body.outcome === "invalid" && noPixel.body.fieldErrors).toEqual({
      pixelId: expect.stringMatching(/Pixel ID this Conversions API key belongs to/),
    });

    const noKey = await act(t.shop, saveForm(t, { apiKeyMode: "keep", apiKey: "" }));
    expect(noKey.body.outcome === "invalid" && noKey.body.fieldErrors).toEqual({
      apiKey: expect.stringMatching(/Server events need a Conversions API key/),
    });

    const sameNames = await act(t.shop, saveForm(t, { cancelEventName: "order_refunded" }));
    expect(sameNames.body.outcome === "invalid" && sameNames.body.fieldErrors).toEqual({
      cancelEventName: expect.stringMatching(/different names/),
    });

    const valueLikeRefund = await act(t.shop, saveForm(t, { valueAddedEventName: "order_refunded" }));
    expect(valueLikeRefund.body.outcome === "invalid" && valueLikeRefund.body.fieldErrors).toEqual({
      valueAddedEventName: expect.stringMatching(/name of its own/),
    });

    const pixelIsKey = await act(t.shop, saveForm(t, { apiKey: t.pixelId }));
    expect(pixelIsKey.body.outcome === "invalid" && pixelIsKey.body.fieldErrors).toEqual({
      apiKey: expect.stringMatching(/That is the Pixel ID/),
    });

    expect(await settingsModel.getShopSettings(t.shop)).toBeNull();
  });
});

describe("save: connection check, storage, web pixel", () => {
  it("checks the credentials with validate_only, stores the key encrypted and creates the web pixel", async () => {
    const t = await newShop("happy");
    const { status, body, text } = await act(t.shop, saveForm(t));
    expect(status).toBe(200);
    expect(body.outcome).toBe("saved");
    expect(body.steps.map((s) => [s.step, s.status])).toEqual([
      ["validate", "ok"],
      ["credentials", "ok"],
      ["store", "ok"],
      ["pixel", "ok"],
    ]);
    expect(text).not.toContain(t.apiKey);

    // One validate_only request to OpenAI with the new pixel id and key.
    const checks = capiRequests(t.pixelId);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({
      method: "POST",
      path: "/v1/events",
      status: 200,
      validateOnly: true,
      eventCount: 1,
    });
    expect(standin.accepted(t.pixelId)).toEqual([]);

    const row = await settingsModel.getShopSettings(t.shop);
    expect(row).toMatchObject({
      pixelId: t.pixelId,
      apiKeyLast4: t.apiKey.slice(-4),
      credentialsStatus: "ok",
      credentialsMessage: null,
    });
    expect(row!.apiKeyCiphertext).toMatch(/^v1\./);
    expect(row!.apiKeyCiphertext).not.toContain(t.apiKey);
    expect(await settingsModel.getCapiCredentials(t.shop)).toEqual({ pixelId: t.pixelId, apiKey: t.apiKey });

    // Exactly one Admin API call: webPixelCreate with the public settings.
    const calls = shopify.calls(t.shop);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      path: "/admin/api/2026-10/graphql.json",
      apiVersion: "2026-10",
      accessToken: `shpat_admin_test_${t.shop.split(".")[0]}`,
      operation: "webPixelCreate",
      query: webPixel.WEB_PIXEL_CREATE,
    });
    expect(Object.keys(calls[0].variables)).toEqual(["webPixel"]);
    const sent = calls[0].variables.webPixel as { settings: string };
    expect(Object.keys(sent)).toEqual(["settings"]);
    expect(typeof sent.settings).toBe("string");
    expect(JSON.parse(sent.settings)).toEqual({
      pixelId: t.pixelId,
      receiptUrl: "https://app.example.test/pixel/receipt",
      shopDomain: t.shop,
      funnelEvents: "page_viewed,contents_viewed,items_added,checkout_started",
      enabled: "true",
    });
    expect(sent.settings).not.toContain(t.apiKey);
    // The pixel's id is remembered: from now on order events wait briefly for its receipts.
    expect((await settingsModel.getShopSettings(t.shop))!.webPixelId).toMatch(/^gid:\/\/shopify\/WebPixel\//);

    const data = await load(t.shop);
    expect(data.status.state).toBe("connected");
    expect(data.settings).toMatchObject({ pixelId: t.pixelId, hasApiKey: true, apiKeyLast4: t.apiKey.slice(-4) });
  });

  it("on TAKEN reads the existing pixel's id and updates it; unchanged credentials are not re-checked", async () => {
    const t = await newShop("taken");
    shopify.seedPixel(t.shop, "gid://shopify/WebPixel/777", "{}");
    const first = await act(t.shop, saveForm(t));
    expect(first.body.outcome).toBe("saved");
    expect(shopify.calls(t.shop).map((c) => c.operation)).toEqual(["webPixelCreate", "webPixel", "webPixelUpdate"]);

    const second = await act(
      t.shop,
      saveForm(t, {
        apiKeyMode: "keep",
        apiKey: "",
        browserPixelEnabled: "false",
        pixelFunnelEvents: ["checkout_started"],
      }),
    );
    expect(second.body.outcome).toBe("saved");
    expect(step(second.body, "credentials")).toMatchObject({ status: "skipped" });
    expect(capiRequests(t.pixelId)).toHaveLength(1);

    const calls = shopify.calls(t.shop).slice(3);
    expect(calls.map((c) => c.operation)).toEqual(["webPixelCreate", "webPixel", "webPixelUpdate"]);
    expect(calls[0].query).toBe(webPixel.WEB_PIXEL_CREATE);
    expect(calls[1]).toMatchObject({ query: webPixel.WEB_PIXEL_QUERY, variables: {} });
    expect(calls[2].query).toBe(webPixel.WEB_PIXEL_UPDATE);
    expect(Object.keys(calls[2].variables).sort()).toEqual(["id", "webPixel"]);
    expect(calls[2].variables.id).toBe("gid://shopify/WebPixel/777");
    expect(JSON.parse((calls[2].variables.webPixel as { settings: string }).settings)).toEqual({
      pixelId: t.pixelId,
      receiptUrl: "https://app.example.test/pixel/receipt",
      shopDomain: t.shop,
      funnelEvents: "checkout_started",
      enabled: "false",
    });
    expect(step(second.body, "pixel")).toMatchObject({
      status: "ok",
      message: "Browser pixel switched off in your store.",
    });
    expect(await settingsModel.getShopSettings(t.shop)).toMatchObject({
      browserPixelEnabled: false,
      pixelFunnelEvents: '["checkout_started"]',
      credentialsStatus: "ok",
    });
  });

  it("401 (an Advertiser API key): explains the wrong key type and stores nothing; 'save anyway' stores with a warning", async () => {
    const t = await newShop("advertiser");
    const refused = await act(t.shop, saveForm(t, { apiKey: ADVERTISER_KEY }));
    expect(refused.status).toBe(422);
    expect(refused.body.outcome).toBe("check_failed");
    const check = step(refused.body, "credentials")!;
    expect(check.status).toBe("error");
    expect(check.message).toContain(
      "Wrong key type — use a Conversions API key from OpenAI Ads Manager, not an Advertiser API key.",
    );
    expect(check.message).toContain("HTTP 401");
    expect(check.message).toContain("This is an Advertiser API key.");
    expect(await settingsModel.getShopSettings(t.shop)).toBeNull();
    expect(shopify.calls(t.shop)).toEqual([]);

    const anyway = await act(t.shop, saveForm(t, { apiKey: ADVERTISER_KEY, saveAnyway: "true" }));
    expect(anyway.status).toBe(200);
    expect(anyway.body.outcome).toBe("saved");
    expect(step(anyway.body, "credentials")).toMatchObject({
      status: "warning",
      message: expect.stringContaining("Saved anyway."),
    });
    expect(await settingsModel.getShopSettings(t.shop)).toMatchObject({
      credentialsStatus: "rejected",
      credentialsMessage: expect.stringContaining("Wrong key type"),
    });
    const data = await load(t.shop);
    expect(data.status.state).toBe("rejected");
    expect(data.status.detail).toContain("Wrong key type");
  });

  it("403 (pixel unknown or not this key's): says so", async () => {
    const t = await newShop("forbidden");
    const { body } = await act(t.shop, saveForm(t, { pixelId: `${t.pixelId}Other` }));
    expect(body.outcome).toBe("check_failed");
    expect(step(body, "credentials")!.message).toMatch(
      /OpenAI doesn't know this Pixel ID, or the pixel doesn't belong to this key.*HTTP 403/,
    );
    expect(await settingsModel.getShopSettings(t.shop)).toBeNull();
  });

  it("network failure or an OpenAI outage: couldn't reach / busy, nothing stored", async () => {
    const t = await newShop("down");
    standin.setFailure({ kind: "drop" });
    const dropped = await act(t.shop, saveForm(t));
    expect(dropped.body.outcome).toBe("check_failed");
    expect(step(dropped.body, "credentials")!.message).toContain("Couldn't reach OpenAI to check the credentials.");

    standin.setFailure({ kind: "status", status: 503 });
    const busy = await act(t.shop, saveForm(t));
    expect(busy.body.outcome).toBe("check_failed");
    expect(step(busy.body, "credentials")!.message).toMatch(/busy or unavailable right now \(HTTP 503\)/);
    expect(await settingsModel.getShopSettings(t.shop)).toBeNull();

    const anyway = await act(t.shop, saveForm(t, { saveAnyway: "true" }));
    expect(anyway.body.outcome).toBe("saved");
    expect(await settingsModel.getShopSettings(t.shop)).toMatchObject({ credentialsStatus: "unknown" });
    expect((await load(t.shop)).status.state).toBe("unverified");
  });

  it("NO_EXTENSION: settings are saved and the merchant is told the pixel isn't released yet", async () => {
    const t = await newShop("noext");
    shopify.setMode(t.shop, "no_extension");
    const { status, body } = await act(t.shop, saveForm(t));
    expect(status).toBe(200);
    expect(body.outcome).toBe("saved");
    expect(step(body, "pixel")).toEqual({ step: "pixel", status: "error", message: webPixel.NO_EXTENSION_MESSAGE });
    expect(step(body, "store")!.status).toBe("ok");
    expect(shopify.calls(t.shop).map((c) => c.operation)).toEqual(["webPixelCreate"]);
  });

  it("a missing write_pixels scope is reported, not thrown", async () => {
    const t = await newShop("scope");
    shopify.setMode(t.shop, "access_denied");
    const { body } = await act(t.shop, saveForm(t));
    expect(body.outcome).toBe("saved");
    expect(step(body, "pixel")).toMatchObject({ status: "error", message: expect.stringContaining("write_pixels") });
  });

  it("removing the key is explicit and leaves the shop not connected", async () => {
    const t = await newShop("remove");
    await act(t.shop, saveForm(t));
    const { body } = await act(t.shop, saveForm(t, { apiKeyMode: "remove", apiKey: "", serverEventsEnabled: "false" }));
    expect(body.outcome).toBe("saved");
    const row = await settingsModel.getShopSettings(t.shop);
    expect(row).toMatchObject({ apiKeyCiphertext: null, apiKeyLast4: null, serverEventsEnabled: false });
    expect((await load(t.shop)).status.state).toBe("not_configured");
  });
});

describe("orders with no address", () => {
  it("default to an opt-in region; the shop's own country can be chosen, is stored and used by the order policy", async () => {
    const t = await newShop("addressless");
    expect((await load(t.shop)).settings).toMatchObject({
      addresslessOrders: "opt_in_region",
      addresslessOrderCountry: "",
    });

    const chosen = await act(
      t.shop,
      saveForm(t, { addresslessOrders: "shop_country", addresslessOrderCountry: " hk " }),
    );
    expect(chosen.body.outcome).toBe("saved");
    const row = await settingsModel.getShopSettings(t.shop);
    expect(row!.addresslessOrderCountry).toBe("HK");
    expect(settingsModel.policyFromSettings(row).addresslessOrderCountry).toBe("HK");
    expect((await load(t.shop)).settings).toMatchObject({
      addresslessOrders: "shop_country",
      addresslessOrderCountry: "HK",
    });

    // A form without the field (an older page) leaves the choice alone.
    await act(t.shop, saveForm(t, { apiKeyMode: "keep", apiKey: "" }));
    expect((await settingsModel.getShopSettings(t.shop))!.addresslessOrderCountry).toBe("HK");

    // Back to the default: the stored country is cleared (the text field's value is ignored).
    const back = await act(
      t.shop,
      saveForm(t, {
        apiKeyMode: "keep",
        apiKey: "",
        addresslessOrders: "opt_in_region",
        addresslessOrderCountry: "HK",
      }),
    );
    expect(back.body.outcome).toBe("saved");
    expect((await settingsModel.getShopSettings(t.shop))!.addresslessOrderCountry).toBeNull();
    expect(
      settingsModel.policyFromSettings(await settingsModel.getShopSettings(t.shop)).addresslessOrderCountry,
    ).toBeNull();
  });

  it("refuses a country that is not one, on its own field, and stores nothing", async () => {
    const t = await newShop("addressless-bad");
    for (const [choice, country] of [
      ["shop_country", ""],
      ["shop_country", "EU"],
      ["shop_country", "Hong Kong"],
      ["somewhere", "HK"],
    ]) {
      const { status, body } = await act(
        t.shop,
        saveForm(t, { addresslessOrders: choice, addresslessOrderCountry: country }),
      );
      expect(status).toBe(422);
      expect(body.outcome === "invalid" && Object.keys(body.fieldErrors)).toEqual([
        choice === "somewhere" ? "addresslessOrders" : "addresslessOrderCountry",
      ]);
    }
    expect(await settingsModel.getShopSettings(t.shop)).toBeNull();
  });
});

describe("send test event", () => {
  it("sends a validate_only order_created with the saved credentials and returns OpenAI's answer", async () => {
    const t = await newShop("test-ok");
    await act(t.shop, saveForm(t));
    const seen = shopify.passedThrough().length;
    const { body } = await act<TestEventReport>(t.shop, { intent: "test" });
    expect(body).toMatchObject({ intent: "test", ok: true, httpStatus: 200, openAiMessage: "Accepted (HTTP 200)" });
    expect(body.eventId).toMatch(/^o1_/);

    const sent = shopify.passedThrough().slice(seen);
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe(`${standin.url}/v1/events?pid=${t.pixelId}`);
    const payload = sent[0].body as { validate_only: boolean; events: Record<string, unknown>[] };
    expect(payload.validate_only).toBe(true);
    expect(payload.events).toHaveLength(1);
    expect(payload.events[0]).toMatchObject({
      id: body.eventId,
      type: "order_created",
      action_source: "web",
      source_url: `https://${t.shop}/checkouts/thank-you`,
      data: { type: "contents", amount: 1999, currency: "USD" },
    });
    expect(JSON.stringify(payload)).not.toContain(t.apiKey);
    expect(standin.accepted(t.pixelId)).toEqual([]);
  });

  it("shows OpenAI's error verbatim and marks the credentials rejected on 401/403", async () => {
    const t = await newShop("test-403");
    await act(t.shop, saveForm(t));
    standin.setFailure({
      kind: "status",
      status: 403,
      body: {
        error: {
          message: "Pixel is disabled for this key.",
          type: "permission_error",
          param: "pid",
          code: "pixel_forbidden",
        },
      },
    });
    const { body } = await act<TestEventReport>(t.shop, { intent: "test" });
    expect(body).toMatchObject({
      ok: false,
      httpStatus: 403,
      code: "pixel_forbidden",
      openAiMessage: "Pixel is disabled for this key.",
    });
    expect(body.summary).toContain("OpenAI doesn't know this Pixel ID");
    expect((await load(t.shop)).status.state).toBe("rejected");
  });

  it("without saved credentials, says what to do", async () => {
    const t = await newShop("test-none");
    const { body } = await act<TestEventReport>(t.shop, { intent: "test" });
    expect(body).toMatchObject({
      ok: false,
      httpStatus: null,
      summary: expect.stringContaining("Save a Pixel ID and a Conversions API key first"),
    });
  });
});

describe("the key never leaves the server in clear", () => {
  it("is absent from the database file, loader data, action responses and logs", async () => {
    const t = await newShop("secret");
    const saved = await act(t.shop, saveForm(t));
    const tested = await act<TestEventReport>(t.shop, { intent: "test" });
    const data = await load(t.shop);

    const row = await settingsModel.getShopSettings(t.shop);
    const ciphertext = row!.apiKeyCiphertext!;
    const loaderJson = JSON.stringify(data);
    expect(loaderJson).not.toContain(t.apiKey);
    expect(loaderJson).not.toContain(ciphertext);
    expect(loaderJson).not.toContain(ciphertext.split(".").pop()!);
    expect(Object.keys(data.settings)).not.toContain("apiKeyCiphertext");
    expect(saved.text).not.toContain(t.apiKey);
    expect(tested.text).not.toContain(t.apiKey);

    // At rest: the SQLite file and its write-ahead log hold the ciphertext, never the key. (On another
    // database, every stored column of the shop's row is checked instead.)
    const databaseUrl = process.env.DATABASE_URL!;
    if (databaseUrl.startsWith("file:")) {
      const dbPath = databaseUrl.replace(/^file:/, "");
      const bytes = Buffer.concat([dbPath, `${dbPath}-wal`].filter(existsSync).map((f) => readFileSync(f)));
      expect(bytes.includes(Buffer.from(ciphertext.split(".").pop()!))).toBe(true);
      expect(bytes.includes(Buffer.from(t.apiKey))).toBe(false);
      expect(bytes.includes(Buffer.from(t.apiKey.slice(0, 20)))).toBe(false);
    } else {
      expect(JSON.stringify(row)).not.toContain(t.apiKey);
    }

    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join("\n")).not.toContain(t.apiKey);
  });
});
