/**
 * The reconciliation page and the event log in headless Chromium (Debian's package, playwright-core),
 * served by the real built app (build/server.js) in LOCAL_PREVIEW mode over two weeks of demo data
 * (test/helpers/reconciliation-demo.ts) in a database of its own. Nothing leaves the machine:
 * cdn.shopify.com is answered locally (App Bridge stand-in, empty fonts), anything else is blocked
 * and reported.
 *
 * Checked: the figures on the page are the loader's figures, the Polaris Viz chart renders in the
 * browser (and the server-rendered page, without JavaScript, shows its text fallback instead), the
 * figures link to the matching rows of the event log, and "Export CSV" downloads exactly the
 * filter's rows. Full-page screenshots go to test-artifacts/reconciliation-page.png (and
 * events-page.png: the event log's second page of accepted orders).
 */
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "~/db/client.server";
import { PREVIEW_SHOP } from "~/admin/preview-admin.server";
import { type ReconciliationReport } from "~/conversions/reconciliation";
import { lastDays, utcDay } from "~/conversions/day-range";
import { formatPercent } from "~/admin/reconciliation-text";
import { loadReconciliation } from "~/models/reconciliation.server";
import { startAppProcess, type AppProcess } from "../helpers/app-process";
import { seedReconciliationDemo } from "../helpers/reconciliation-demo";
import { APP_BRIDGE_STANDIN_JS } from "./app-bridge-standin";
import { browserTestsEnabled, launchChromium } from "../helpers/browser";

const runE2e = browserTestsEnabled("reconciliation e2e");

const SCREENSHOT = path.join(process.cwd(), "test-artifacts", "reconciliation-page.png");
const SCREENSHOT_EVENTS = path.join(process.cwd(), "test-artifacts", "events-page.png");
const DAYS = 14;

let app: AppProcess;
let browser: Browser;
let db: PrismaClient;
let expected: ReconciliationReport;
const contexts: BrowserContext[] = [];

interface OpenedPage {
  page: Page;
  blocked: string[];
  /** Uncaught errors in the page. */
  errors: string[];
  /** Console errors (hydration mismatches, SVG attribute errors, …), App Bridge stand-in noise excluded. */
  consoleErrors: () => Promise<string[]>;
}

async function open(pathAndQuery: string, options: { javaScript?: boolean } = {}): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    javaScriptEnabled: options.javaScript ?? true,
    acceptDownloads: true,
  });
  contexts.push(context);
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    if (url.hostname === "cdn.shopify.com") {
      if (url.pathname === "/shopifycloud/app-bridge.js")
        return route.fulfill({ status: 200, contentType: "application/javascript", body: APP_BRIDGE_STANDIN_JS });
      return route.fulfill({
        status: 200,
        contentType: url.pathname.endsWith(".css") ? "text/css" : "font/woff2",
        body: "",
      });
    }
    blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const consoleErrors: Promise<string>[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // React reports hydration mismatches (server HTML ≠ first client render) as console errors. The
  // App Bridge stand-in styles its custom elements (ui-nav-menu, …) before React hydrates the
  // layout, which React reports too: that one is the stand-in's doing, not the page's.
  page.on("console", (message) => {
    if (message.type() !== "error" || /Failed to decode downloaded font|OTS parsing error/.test(message.text())) return;
    consoleErrors.push(
      Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => ""))).then(
        (args) => (args.length > 0 ? args.map(String).join(" ") : message.text()),
        () => message.text(),
      ),
    );
  });
  await page.goto(`${app.url}${pathAndQuery}`);
  const appBridgeNoise = /\bat ui-(nav-menu|title-bar|save-bar)\b/;
  return {
    page,
    blocked,
    errors,
    consoleErrors: async () => (await Promise.all(consoleErrors)).filter((text) => !appBridgeNoise.test(text)),
  };
}

const figure = (page: Page, id: string) => page.locator(`[data-figure="${id}"]`);

beforeAll(async () => {
  if (!runE2e) return;
  // A database of its own: the demo shop's rows never meet another test's.
  const runDir = process.env.TEST_RUN_DIR ?? path.join(process.cwd(), "test-artifacts");
  const file = path.join(runDir, `reconciliation-e2e-${process.pid}.sqlite`);
  copyFileSync(path.join(runDir, "template.sqlite"), file);
  db = createPrismaClient(`file:${file}`);
  const now = new Date();
  await seedReconciliationDemo(db, PREVIEW_SHOP, { now, days: DAYS });
  expected = await loadReconciliation(PREVIEW_SHOP, lastDays(utcDay(now), DAYS), { db, now });
  app = await startAppProcess({
    NODE_ENV: "development",
    LOCAL_PREVIEW: "true",
    // Preview bypasses Shopify authentication, so the app allows it only on a loopback app URL.
    SHOPIFY_APP_URL: "http://127.0.0.1",
    DATABASE_URL: `file:${file}`,
    RUN_WORKER: "false",
  });
  browser = await launchChromium();
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await app?.stop();
  await db?.$disconnect();
});

describe.skipIf(!runE2e)("reconciliation page in a real browser (local preview, demo data)", () => {
  it("shows the loader's figures, draws the daily chart, and is captured in a screenshot", async () => {
    expect(expected.events.orders.total).toBeGreaterThan(150); // the demo data is there
    const { page, blocked, errors, consoleErrors } = await open(`/app/reconciliation?days=${DAYS}`);
    await page.getByRole("heading", { name: "Reconciliation" }).waitFor();

    const o = expected.events.orders;
    for (const [id, value] of [
      ["orders-received", o.total],
      ["orders-accepted", o.accepted],
      ["orders-waiting", o.waiting],
      ["orders-rejected", o.failed],
      ["orders-expired", o.expired],
      ["orders-skipped", o.skipped],
      ["corrections-recorded", expected.events.corrections.total],
      ["corrections-accepted", expected.events.corrections.accepted],
    ] as const) {
      expect(await figure(page, id).getAttribute("data-value"), id).toBe(String(value));
      expect(await figure(page, id).innerText()).toContain(value.toLocaleString("en-US"));
    }
    await page.getByText(`${formatPercent(expected.pixel.pixelLossRate)} missed by the pixel`).waitFor();
    await page
      .getByText(`${formatPercent(expected.oppref.coverageRate)} of accepted server events carried an oppref`)
      .waitFor();
    await page.getByText("Test order: Shopify marked it as a test").first().waitFor();

    // Polaris Viz is loaded after hydration and draws SVG bars, one group per day.
    const chart = page.locator('[data-testid="daily-chart"]');
    await chart.locator("svg").first().waitFor({ timeout: 15_000 });
    await expect.poll(() => chart.locator("svg rect, svg path").count(), { timeout: 10_000 }).toBeGreaterThan(DAYS);
    await page.waitForTimeout(800); // let the bars finish their entry animation before the picture

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe("PNG");
    expect(errors).toEqual([]);
    expect(await consoleErrors()).toEqual([]);
    expect(blocked).toEqual([]);
  });

  it("renders on the server without JavaScript: figures present, the chart's text fallback instead", async () => {
    const { page, errors } = await open(`/app/reconciliation?days=${DAYS}`, { javaScript: false });
    expect(await figure(page, "orders-received").getAttribute("data-value")).toBe(String(expected.events.orders.total));
    await page.getByText("Loading chart…").waitFor();
    await page.getByText(`${expected.events.orders.total} web orders over ${DAYS} days`).waitFor();
    expect(await page.locator('[data-testid="daily-chart"]').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("a figure links to its rows in the event log, and Export CSV downloads exactly those rows", async () => {
    const { page, errors, consoleErrors } = await open(`/app/reconciliation?days=${DAYS}`);
    await figure(page, "orders-accepted").getByRole("link", { name: "View events" }).click();
    await page.getByRole("heading", { name: "Event log" }).waitFor();
    expect(new URL(page.url()).searchParams.get("status")).toBe("delivered");
    const matching = `${expected.events.orders.accepted.toLocaleString("en-US")} events match`;
    await page.getByText(matching).waitFor();
    // 50 rows per page; the next page follows a keyset cursor.
    expect(await page.locator("tbody tr").count()).toBe(Math.min(50, expected.events.orders.accepted));
    await page
      .getByRole("button", { name: /next/i })
      .or(page.locator('a[aria-label="Next"], button[aria-label="Next"]'))
      .first()
      .click();
    await expect.poll(() => new URL(page.url()).searchParams.has("after")).toBe(true);
    await page.getByText(matching).waitFor();
    await page.screenshot({ path: SCREENSHOT_EVENTS, fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    const file = await download.path();
    const csv = readFileSync(file!, "utf8");
    const lines = csv.split("\r\n").filter((line) => line !== "");
    expect(lines[0].replace(/^\uFEFF/, "").split(",")[0]).toBe("recorded_at");
    expect(lines.length - 1).toBe(expected.events.orders.accepted);
    expect(download.suggestedFilename()).toMatch(/^openai-events-demo-shop-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    expect(errors).toEqual([]);
    expect(await consoleErrors()).toEqual([]);
  });
});
