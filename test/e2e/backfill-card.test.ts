/**
 * "Send the last 7 days' orders" in a real browser: the built app in LOCAL_PREVIEW mode with its
 * delivery worker, the Admin API stand-in (sim/admin-api.ts) and the OpenAI stand-in on loopback.
 * The merchant sees the warning, cannot start before acknowledging it, starts, watches the
 * ProgressBar count orders done / total, reloads the page mid-run (the card picks the job up where
 * the worker is), and ends on "Done" with every order accepted by OpenAI once.
 */
import path from "node:path";
import { mkdirSync } from "node:fs";
import { type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { PREVIEW_SHOP } from "~/admin/preview-admin.server";
import { sessionStorage } from "~/shopify.server";
import { startAdminApiStandin, type AdminApiStandin } from "../../sim/admin-api";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { storeOfflineSession } from "../admin/embedded-requests";
import { acceptedKeys, orderKeys } from "../backfill/helpers";
import { startAppProcess, type AppProcess } from "../helpers/app-process";
import { browserTestsEnabled, launchChromium } from "../helpers/browser";
import { configureShop } from "../helpers/shops";
import { APP_BRIDGE_STANDIN_JS } from "./app-bridge-standin";

const runE2e = browserTestsEnabled("backfill card e2e");
const PIXEL_ID = "BackfillE2ePixel7Hq2bX9m";
const API_KEY = "capi_backfill_e2e_0123456789abcdef";
const ORDERS = 300;
const SCREENSHOT = path.join(process.cwd(), "test-artifacts", "backfill-card.png");

let admin: AdminApiStandin;
let openai: OpenAiStandin;
let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  if (!runE2e) return;
  // The preview shop of this database starts from nothing.
  for (const table of [
    "backfillJob",
    "conversionEvent",
    "orderLedger",
    "webhookDelivery",
    "session",
    "shopSettings",
  ] as const)
    await (prisma[table] as { deleteMany(args: unknown): Promise<unknown> }).deleteMany({
      where: { shop: PREVIEW_SHOP },
    });
  admin = await startAdminApiStandin({ latencyMs: 400 });
  openai = await startOpenAiStandin();
  openai.addPixel(PIXEL_ID, API_KEY);
  await configureShop(PREVIEW_SHOP, { pixelId: PIXEL_ID, apiKey: API_KEY });
  // What a first successful save leaves: OpenAI accepted the credentials.
  await prisma.shopSettings.update({ where: { shop: PREVIEW_SHOP }, data: { credentialsStatus: "ok" } });
  await storeOfflineSession(sessionStorage, PREVIEW_SHOP);
  app = await startAppProcess({
    NODE_ENV: "development",
    LOCAL_PREVIEW: "true",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    OPENAI_CAPI_URL: openai.url,
    SHOPIFY_ADMIN_API_ORIGIN: admin.url,
    RUN_WORKER: "true",
    WORKER_INTERVAL_MS: "200",
  });
  browser = await launchChromium();
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await admin?.close();
  await openai?.close();
});

describe.skipIf(!runE2e)("backfill card in a real browser", () => {
  it("warning acknowledged → start → progress (survives a reload) → done, each order once at OpenAI", async () => {
    const ids = admin.seedOrders(PREVIEW_SHOP, ORDERS);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1") return route.continue();
      if (url.hostname === "cdn.shopify.com" && url.pathname === "/shopifycloud/app-bridge.js")
        return route.fulfill({ status: 200, contentType: "application/javascript", body: APP_BRIDGE_STANDIN_JS });
      if (url.hostname === "cdn.shopify.com") return route.fulfill({ status: 200, body: "" });
      return route.abort("blockedbyclient");
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${app.url}/app`);

    await page.getByText("Only if no other integration sent these orders").waitFor();
    const start = page.getByRole("button", { name: "Send the last 7 days’ orders" });
    expect(await start.isDisabled()).toBe(true);
    await page.getByLabel("No other integration sent this store’s orders of the last 7 days to OpenAI").check();
    expect(await start.isDisabled()).toBe(false);
    await start.click();

    const progressText = page.getByTestId("backfill-progress");
    await progressText.filter({ hasText: /Reading orders: \d+ of 300 orders/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator("progress").count()).toBe(1);
    await page.screenshot({ path: SCREENSHOT });

    // A reload mid-run (or another staff member opening the page) shows the same job, not the offer.
    await page.reload();
    await progressText.filter({ hasText: /Reading orders|Done/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByText("Only if no other integration sent these orders").count()).toBe(0);

    await progressText.filter({ hasText: "Done: 300 of 300 orders read" }).waitFor({ timeout: 120_000 });
    expect(await page.locator("progress").getAttribute("value")).toBe("100");
    expect(errors).toEqual([]);

    await expect.poll(() => acceptedKeys(openai, PIXEL_ID).length, { timeout: 60_000, interval: 250 }).toBe(ORDERS);
    expect(new Set(acceptedKeys(openai, PIXEL_ID))).toEqual(await orderKeys(ids));
    await context.close();
  }, 300_000);
});
