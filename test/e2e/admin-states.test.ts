/**
 * Every admin page (setup, reconciliation, event log) in every state a merchant meets, in headless
 * Chromium against the real built app in LOCAL_PREVIEW with the OpenAI contract stand-in:
 *
 *   fresh        a fresh install: no settings, no orders
 *   unreachable  credentials saved with "Save anyway" while OpenAI could not be reached
 *   rejected     an Advertiser API key saved anyway: OpenAI answered 401
 *   connected    the Conversions API key, accepted by OpenAI; still no orders
 *   populated    two weeks of demo orders, receipts and corrections
 *   no-app-bridge  populated, with App Bridge's CDN unreachable (the page's own title and save bar)
 *
 * The states are reached the way a merchant reaches them (the setup form, OpenAI's answers), except
 * the demo orders, which are written to the database. On each page, at 1280 and 390 px: axe-core
 * finds no serious or critical violation, the page never scrolls sideways, the fresh-install and
 * error states say what is going on and what to do, and a screenshot goes to test-artifacts/screens/.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "~/db/client.server";
import { PREVIEW_SHOP } from "~/admin/preview-admin.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { startAppProcess, waitFor, type AppProcess } from "../helpers/app-process";
import { browserTestsEnabled, launchChromium } from "../helpers/browser";
import { seedReconciliationDemo } from "../helpers/reconciliation-demo";
import { parseDayRange, utcDay } from "~/conversions/day-range";
import { themeEmbedSummary } from "~/admin/reconciliation-text";
import { loadReconciliation } from "~/models/reconciliation.server";
import { printReconciliation } from "../../scripts/print-reconciliation";
import { horizontalOverflow, openAdminPage, screenshot, seriousAxeViolations, type ViewportName } from "./page-audit";

const runE2e = browserTestsEnabled("admin states e2e");

const PIXEL_ID = "StatesE2ePixel4Tq8wZ2nLs";
const API_KEY = `capi_states_e2e_${randomBytes(12).toString("hex")}`;
const ADVERTISER_KEY = `adv_states_e2e_${randomBytes(8).toString("hex")}`;

const PAGES = [
  { name: "setup", path: "/app", heading: null },
  { name: "reconciliation", path: "/app/reconciliation", heading: "Reconciliation" },
  { name: "events", path: "/app/events", heading: "Event log" },
] as const;
type PageName = (typeof PAGES)[number]["name"];

let standin: OpenAiStandin;
let app: AppProcess;
let browser: Browser;
let db: PrismaClient;

beforeAll(async () => {
  if (!runE2e) return;
  standin = await startOpenAiStandin({ credentials: { [PIXEL_ID]: API_KEY }, advertiserKeys: [ADVERTISER_KEY] });
  const runDir = process.env.TEST_RUN_DIR ?? path.join(process.cwd(), "test-artifacts");
  const file = path.join(runDir, `admin-states-e2e-${process.pid}.sqlite`);
  copyFileSync(path.join(runDir, "template.sqlite"), file);
  db = createPrismaClient(`file:${file}`);
  app = await startAppProcess({
    NODE_ENV: "development",
    LOCAL_PREVIEW: "true",
    // Preview bypasses Shopify authentication, so the app allows it only on a loopback app URL.
    SHOPIFY_APP_URL: "http://127.0.0.1",
    OPENAI_CAPI_URL: standin.url,
    DATABASE_URL: `file:${file}`,
    RUN_WORKER: "false",
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await standin?.close();
  await db?.$disconnect();
});

/** Waits until the page is hydrated and its lazy parts are drawn, so axe and the picture see it all. */
async function settle(page: Page, name: PageName, appBridge: boolean): Promise<void> {
  if (name === "setup") {
    // The save bar element (or, without App Bridge, the page's own title) appears after hydration.
    if (appBridge) await page.locator("ui-save-bar").waitFor({ state: "attached" });
    else await page.getByRole("heading", { name: "ChatGPT Ads conversions", level: 1 }).waitFor();
  } else {
    await page.getByRole("heading", { name: name === "events" ? "Event log" : "Reconciliation", level: 1 }).waitFor();
  }
  const chart = page.locator('[data-testid="daily-chart"] svg');
  if (name === "reconciliation" && (await page.locator('[data-figure="orders-received"]').count()) > 0) {
    await chart.first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800); // the bars' entry animation, for the picture only
  }
}

interface Audit {
  page: Page;
  viewport: ViewportName;
}

/**
 * Opens each admin page at both widths in `state`: axe, overflow, screenshot, no page error and no
 * outside request; `check` adds the state's own expectations for each page.
 */
async function auditState(
  state: string,
  check: (name: PageName, audit: Audit) => Promise<void>,
  options: { appBridge?: boolean } = {},
): Promise<void> {
  const appBridge = options.appBridge ?? true;
  for (const target of PAGES) {
    for (const viewport of ["desktop", "phone"] as const) {
      const where = `${target.name} (${state}, ${viewport})`;
      const opened = await openAdminPage(browser, `${app.url}${target.path}`, { viewport, appBridge });
      try {
        const { page } = opened;
        await settle(page, target.name, appBridge);
        await check(target.name, { page, viewport });
        expect(await seriousAxeViolations(page), `axe: ${where}`).toEqual([]);
        expect(await horizontalOverflow(page), `sideways scroll: ${where}`).toEqual({ overflow: 0, widest: [] });
        const file = await screenshot(page, `${target.name}-${state}`, viewport);
        expect(readFileSync(file).subarray(1, 4).toString()).toBe("PNG");
        expect(opened.errors, `page errors: ${where}`).toEqual([]);
        expect(opened.blocked, `outside requests: ${where}`).toEqual([]);
      } finally {
        await opened.context.close();
      }
    }
  }
}

const notice = (page: Page, id: string) => page.locator(`[data-notice="${id}"]`);

/** The setup form at 1280 px, through App Bridge's save bar. */
async function withSetupForm(run: (page: Page) => Promise<void>): Promise<void> {
  const opened = await openAdminPage(browser, `${app.url}/app`, { viewport: "desktop" });
  try {
    await opened.page.locator("ui-save-bar").waitFor({ state: "attached" });
    await run(opened.page);
    expect(opened.errors).toEqual([]);
  } finally {
    await opened.context.close();
  }
}

const saveButton = (page: Page) => page.locator("ui-save-bar").getByRole("button", { name: "Save", exact: true });

/** Save; when OpenAI's check fails, tick "Save anyway" and save again (the merchant's way out). */
async function saveAnywayAfter(page: Page, failure: RegExp): Promise<void> {
  await saveButton(page).click();
  await page.getByText(failure).first().waitFor();
  await page.getByText("OpenAI didn't accept the connection. Nothing was saved.").waitFor();
  await page.getByLabel("Save anyway").check();
  await saveButton(page).click();
  await page.getByRole("heading", { name: /^Saved/ }).waitFor();
}

describe.skipIf(!runE2e)("admin pages in every state (axe, 390 px, screenshots)", () => {
  it("the audit itself fails a page with an unnamed button, an image without alt text or a too-wide element", async () => {
    const opened = await openAdminPage(browser, `${app.url}/app/events`, { viewport: "phone" });
    try {
      const { page } = opened;
      await settle(page, "events", true);
      await page.evaluate(() => {
        const main = document.querySelector(".Polaris-Page") ?? document.body;
        main.insertAdjacentHTML(
          "beforeend",
          '<button id="unnamed"></button><img id="no-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><div id="wide" style="width:900px;height:4px"></div>',
        );
      });
      const found = await seriousAxeViolations(page);
      expect(found.map((f) => f.id).sort()).toEqual(["button-name", "image-alt"]);
      expect(found.flatMap((f) => f.targets).sort()).toEqual(["#no-alt", "#unnamed"]);
      const wide = await horizontalOverflow(page);
      expect(wide.overflow).toBeGreaterThan(0);
      expect(wide.widest.some((w) => w.startsWith("div."))).toBe(true);
    } finally {
      await opened.context.close();
    }
  }, 60_000);

  it("a fresh install: each page says nothing is connected and what to do, instead of zeros", async () => {
    await auditState("fresh", async (name, { page }) => {
      if (name === "setup") {
        await page.getByText("Not connected yet").first().waitFor();
        return;
      }
      expect(await notice(page, "connection").getAttribute("data-tone")).toBe("warning");
      await notice(page, "connection").getByText("ChatGPT Ads is not connected yet").waitFor();
      await notice(page, "connection").getByRole("link", { name: "Connect on the setup page" }).waitFor();
      if (name === "reconciliation") {
        await notice(page, "reconciliation-empty")
          .getByText(/^No web orders from \d{4}-\d\d-\d\d to/)
          .waitFor();
        await notice(page, "reconciliation-empty")
          .getByText(/^Connect ChatGPT Ads first/)
          .waitFor();
        // No figures, no tables of zeros.
        expect(await page.locator("[data-figure]").count()).toBe(0);
        expect(await page.locator("table").count()).toBe(0);
      } else {
        await notice(page, "events-empty").getByText("No events recorded yet").waitFor();
        await notice(page, "events-empty").getByRole("link", { name: "Go to setup" }).waitFor();
        expect(await page.locator("table").count()).toBe(0);
        expect(await page.getByRole("button", { name: "Export CSV" }).count()).toBe(0);
      }
    });
  }, 240_000);

  it("OpenAI unreachable while saving: saved anyway, every page says the connection is not confirmed", async () => {
    standin.setFailure({ kind: "drop" });
    try {
      await withSetupForm(async (page) => {
        await page.getByLabel("Pixel ID").fill(PIXEL_ID);
        await page.getByLabel("Conversions API key").fill(API_KEY);
        await saveAnywayAfter(page, /Couldn't reach OpenAI to check the credentials/);
      });
    } finally {
      standin.setFailure(null);
    }
    await auditState("unreachable", async (name, { page }) => {
      if (name === "setup") {
        await page.getByText("Connection not verified").first().waitFor();
        return;
      }
      const banner = notice(page, "connection");
      await banner.getByText("OpenAI has not confirmed the connection").waitFor();
      await banner.getByText(/Couldn't reach OpenAI to check the credentials/).waitFor();
      await banner.getByRole("link", { name: "Check the connection" }).waitFor();
      if (name === "reconciliation")
        await notice(page, "reconciliation-empty")
          .getByText(/^Nothing to measure yet/)
          .waitFor();
      else await notice(page, "events-empty").getByText("No events recorded yet").waitFor();
    });
  }, 240_000);

  it("a key OpenAI rejects (an Advertiser API key, saved anyway): the alert on every page says what to fix", async () => {
    await withSetupForm(async (page) => {
      await page.getByRole("button", { name: "Replace key" }).click();
      await page.getByLabel("New Conversions API key").fill(ADVERTISER_KEY);
      await saveAnywayAfter(page, /Wrong key type/);
    });
    await auditState("rejected", async (name, { page }) => {
      // The layout's alert (every page) names the problem and the fix; the pages do not repeat it.
      const alert = page.locator('[data-alert-id="credentials_rejected"]');
      await alert.getByText(/Wrong key type/).waitFor();
      await alert.getByRole("link", { name: "Update credentials" }).waitFor();
      if (name === "setup") await page.getByText("OpenAI rejected your credentials").first().waitFor();
      else expect(await notice(page, "connection").count()).toBe(0);
    });
  }, 240_000);

  it("the key accepted, no orders yet: no warning, the empty pages say orders will appear", async () => {
    await withSetupForm(async (page) => {
      await page.getByRole("button", { name: "Replace key" }).click();
      await page.getByLabel("New Conversions API key").fill(API_KEY);
      await saveButton(page).click();
      await page.getByRole("heading", { name: "Saved. You're all set." }).waitFor();
      await page.getByText("Connected to ChatGPT Ads").first().waitFor();
      await waitFor(async () => !(await page.locator("ui-save-bar").isVisible()), "the save bar to close");
    });
    await auditState("connected", async (name, { page }) => {
      expect(await page.locator("[data-alert-id]").count()).toBe(0);
      if (name === "setup") {
        await page.getByText("Connected to ChatGPT Ads").first().waitFor();
        return;
      }
      expect(await notice(page, "connection").count()).toBe(0);
      if (name === "reconciliation") {
        const empty = notice(page, "reconciliation-empty");
        await empty.getByText(/^Nothing to measure yet/).waitFor();
        expect(await empty.getByRole("link").count()).toBe(0);
      } else {
        await notice(page, "events-empty").getByRole("link", { name: "Send a test event" }).waitFor();
      }
    });
  }, 240_000);

  it("orders with no address: the merchant picks the shop's own country, a wrong code is refused on its field", async () => {
    await withSetupForm(async (page) => {
      await expect
        .poll(() => page.getByLabel("Treat them as from an opt-in region (recommended)").isChecked())
        .toBe(true);
      // Polaris draws its own radio over the (visually hidden) input: click the label, as a merchant does.
      await page.getByText("Treat them as from your shop's own country", { exact: true }).click();
      await page.getByLabel("Your shop's country").fill("eu");
      await saveButton(page).click();
      await page.getByText("Enter your shop's country as its two-letter code").waitFor();
      await page.getByLabel("Your shop's country").fill("hk");
      expect(await page.getByLabel("Your shop's country").inputValue()).toBe("HK");
      await saveButton(page).click();
      await page.getByRole("heading", { name: /^Saved/ }).waitFor();
    });
    const row = await db.shopSettings.findUnique({ where: { shop: PREVIEW_SHOP } });
    expect(row?.addresslessOrderCountry).toBe("HK");
    await withSetupForm(async (page) => {
      expect(await page.getByLabel("Treat them as from your shop's own country").isChecked()).toBe(true);
      expect(await page.getByLabel("Your shop's country").inputValue()).toBe("HK");
    });
  }, 120_000);

  it("populated with two weeks of orders: figures, the theme embed estimate, the event table", async () => {
    const now = new Date();
    await seedReconciliationDemo(db, PREVIEW_SHOP, { now, days: 14 });
    // The page's default range; the printed report must say the same about the theme embed.
    const range = parseDayRange({ from: null, to: null, days: null }, utcDay(now));
    const expected = await loadReconciliation(PREVIEW_SHOP, range, { db, now });
    expect(expected.themeEmbed.attributed).toBeGreaterThan(0); // the demo data has such orders
    const embedText = themeEmbedSummary(expected.themeEmbed);
    expect(await printReconciliation(PREVIEW_SHOP, range, { db, now, print: false })).toContain(embedText);
    await auditState("populated", async (name, { page }) => {
      if (name === "setup") return;
      expect(await page.locator("[data-notice]").count()).toBe(0);
      if (name === "reconciliation") {
        expect(
          Number(await page.locator('[data-figure="orders-received"]').getAttribute("data-value")),
        ).toBeGreaterThan(150);
        const embed = page.locator('[data-figure="embed-attributed"]');
        await embed.getByText(/^Theme embed \(estimate\)/).waitFor();
        expect(await embed.getAttribute("data-value")).toBe(String(expected.themeEmbed.attributed));
        await embed.getByText(embedText, { exact: true }).waitFor();
      } else {
        expect(await page.locator("tbody tr").count()).toBe(50);
      }
    });
  }, 300_000);

  it("populated, without App Bridge (local preview with the CDN unreachable): the page's own title and navigation", async () => {
    await auditState(
      "no-app-bridge",
      async (name, { page }) => {
        expect(await page.locator("ui-save-bar").count()).toBe(0);
        await page.getByRole("navigation", { name: "App pages" }).waitFor();
        if (name === "setup") await page.getByText("Local preview", { exact: true }).waitFor();
      },
      { appBridge: false },
    );
  }, 300_000);
});
