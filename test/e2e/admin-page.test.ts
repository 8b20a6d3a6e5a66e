/**
 * The embedded admin page in headless Chromium (Debian's package, driven by playwright-core), served by
 * the real built app (build/server.js: express + Remix) in LOCAL_PREVIEW mode, talking to the OpenAI
 * contract stand-in on loopback. Nothing leaves the machine: App Bridge's CDN script is replaced by a
 * local stand-in (./app-bridge-standin.ts), fonts by empty answers, and any other outside request is
 * blocked and reported.
 *
 * A merchant fills the form, makes the usual mistakes, saves, sees what happened and sends a test
 * event; the page is also checked without App Bridge at all. A screenshot goes to
 * test-artifacts/admin-page.png (after setup; admin-page-empty.png: the first visit) for review.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { startAppProcess, waitFor, type AppProcess } from "../helpers/app-process";
import { APP_BRIDGE_STANDIN_JS } from "./app-bridge-standin";
import { browserTestsEnabled, launchChromium } from "../helpers/browser";

const runE2e = browserTestsEnabled("admin e2e");

const PIXEL_ID = "AdminE2ePixel7Hq2bX9mKp";
const API_KEY = `capi_admin_e2e_${randomBytes(12).toString("hex")}`;
const ADVERTISER_KEY = `adv_admin_e2e_${randomBytes(8).toString("hex")}`;
const SCREENSHOT = path.join(process.cwd(), "test-artifacts", "admin-page.png");
const SCREENSHOT_EMPTY = path.join(process.cwd(), "test-artifacts", "admin-page-empty.png");

let standin: OpenAiStandin;
let app: AppProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];

interface OpenedPage {
  page: Page;
  /** Outside requests the page tried to make (blocked). */
  blocked: string[];
  /** Uncaught errors in the page. */
  errors: string[];
}

/** Opens /app; with `appBridge`, cdn.shopify.com's App Bridge script is the local stand-in, else unreachable. */
async function openAdmin({ appBridge }: { appBridge: boolean }): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  contexts.push(context);
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    if (url.hostname === "cdn.shopify.com") {
      if (url.pathname === "/shopifycloud/app-bridge.js") {
        return appBridge
          ? route.fulfill({ status: 200, contentType: "application/javascript", body: APP_BRIDGE_STANDIN_JS })
          : route.abort("internetdisconnected");
      }
      // Polaris' Inter font stylesheet and font files: empty, the system font stands in.
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
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${app.url}/app`);
  return { page, blocked, errors };
}

function saveBarButton(page: Page, name: "Save" | "Discard") {
  return page.locator("ui-save-bar").getByRole("button", { name, exact: true });
}

beforeAll(async () => {
  if (!runE2e) return;
  standin = await startOpenAiStandin({ credentials: { [PIXEL_ID]: API_KEY }, advertiserKeys: [ADVERTISER_KEY] });
  // A fresh migrated database for the preview shop.
  const runDir = process.env.TEST_RUN_DIR ?? path.join(process.cwd(), "test-artifacts");
  const database = path.join(runDir, `admin-e2e-${process.pid}.sqlite`);
  copyFileSync(path.join(runDir, "template.sqlite"), database);
  app = await startAppProcess({
    NODE_ENV: "development",
    LOCAL_PREVIEW: "true",
    // Preview bypasses Shopify authentication, so the app allows it only on a loopback app URL.
    SHOPIFY_APP_URL: "http://127.0.0.1",
    OPENAI_CAPI_URL: standin.url,
    DATABASE_URL: `file:${database}`,
    RUN_WORKER: "false",
    // Everything the app could log, so the secret check below sees it all.
    LOG_LEVEL: "trace",
  });
  browser = await launchChromium();
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await app?.stop();
  await standin?.close();
});

describe.skipIf(!runE2e)("admin page in a real browser (local preview)", () => {
  it("a merchant connects the store: mistakes are shown inline, Save reports each step, the test event is accepted", async () => {
    const { page, blocked, errors } = await openAdmin({ appBridge: true });
    // The save bar element is only rendered once React has hydrated and found App Bridge.
    await page.locator("ui-save-bar").waitFor({ state: "attached" });

    // Polaris rendered the page; App Bridge's title bar shows the app's name; nothing is connected yet.
    expect(await page.locator(".Polaris-Page").count()).toBe(1);
    await expect.poll(() => page.locator("ui-title-bar").getAttribute("title")).toBe("ChatGPT Ads conversions");
    await page.getByText("Not connected yet").waitFor();
    await page.getByText("Not configured", { exact: true }).waitFor();
    expect(await page.locator("ui-save-bar").isVisible()).toBe(false);
    await page.screenshot({ path: SCREENSHOT_EMPTY });

    // 1. A typo in the Pixel ID: the save bar appears, Save shows the error on the field, nothing is stored.
    await page.getByLabel("Pixel ID").fill("not a pixel id");
    await page.getByLabel("Conversions API key").fill(ADVERTISER_KEY);
    await saveBarButton(page, "Save").waitFor();
    await saveBarButton(page, "Save").click();
    await page.getByText("A Pixel ID is 8 to 64 letters, digits").waitFor();
    await page.getByText("Some fields need attention. Nothing was saved.").waitFor();
    await page.locator(".ab-toast", { hasText: "Fix the highlighted fields" }).waitFor();

    // 2. The right Pixel ID but an Advertiser API key: OpenAI says 401, the page explains the key type.
    await page.getByLabel("Pixel ID").fill(PIXEL_ID);
    await saveBarButton(page, "Save").click();
    await page.getByText("OpenAI didn't accept the connection. Nothing was saved.").waitFor();
    await page
      .getByText("Wrong key type — use a Conversions API key from OpenAI Ads Manager", { exact: false })
      .waitFor();
    await page.getByLabel("Save anyway").waitFor();

    // 3. The Conversions API key: checked, stored, pixel activated, status green.
    await page.getByLabel("Conversions API key").fill(API_KEY);
    await saveBarButton(page, "Save").click();
    await page.getByRole("heading", { name: "Saved. You're all set." }).waitFor();
    await page.locator(".ab-toast", { hasText: "Settings saved" }).waitFor();
    await page.getByText("Browser pixel turned on in your store.").waitFor();
    await page.getByText("Connected to ChatGPT Ads").waitFor();
    await page.getByText(`••••${API_KEY.slice(-4)}`).waitFor();
    await waitFor(async () => !(await page.locator("ui-save-bar").isVisible()), "the save bar to close");

    // 4. Send test event: OpenAI's answer is shown.
    await page.getByRole("button", { name: "Send test event" }).click();
    await page.getByRole("heading", { name: "OpenAI accepted the test event" }).waitFor();
    await page.locator(".ab-toast", { hasText: "Test event accepted by OpenAI" }).waitFor();
    expect(await page.getByTestId("openai-answer").textContent()).toBe("Accepted (HTTP 200)");

    // OpenAI saw three validate_only requests (401 check, good check, test event) and stored nothing.
    const seen = standin.requests().filter((r) => r.query.pid === PIXEL_ID);
    expect(seen.map((r) => [r.status, r.validateOnly])).toEqual([
      [401, true],
      [200, true],
      [200, true],
    ]);
    expect(standin.accepted()).toEqual([]);

    await page
      .locator(".ab-toast")
      .first()
      .waitFor({ state: "detached", timeout: 10_000 })
      .catch(() => undefined);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The key is nowhere the browser or the logs can see it.
    expect(await page.content()).not.toContain(API_KEY);
    const html = await (await fetch(`${app.url}/app`)).text();
    expect(html).toContain("Connected to ChatGPT Ads");
    expect(html).not.toContain(API_KEY);
    const data = await (await fetch(`${app.url}/app?_data=routes%2Fapp._index`)).text();
    expect(data).toContain(`"apiKeyLast4":"${API_KEY.slice(-4)}"`);
    expect(data).not.toContain(API_KEY);
    expect(data).not.toContain("apiKeyCiphertext");
    expect(app.output()).not.toContain(API_KEY);

    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);

  it("renders and saves without App Bridge (CDN unreachable): Polaris title and an in-page save bar", async () => {
    const { page, errors } = await openAdmin({ appBridge: false });
    // Without App Bridge the page shows its own title (only after hydration found no App Bridge).
    await page.getByRole("heading", { name: "ChatGPT Ads conversions", level: 1 }).waitFor();
    expect(await page.locator("ui-save-bar").count()).toBe(0);
    await page.getByText("Connected to ChatGPT Ads").waitFor();

    await page.getByLabel("Page views").uncheck();
    const bar = page.getByRole("region", { name: "Unsaved changes" });
    await bar.waitFor();
    await bar.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved. You're all set.").waitFor();
    // Second activation: the store already has the pixel (TAKEN), so it is updated.
    await page.getByText("Browser pixel updated in your store.").waitFor();
    await bar.waitFor({ state: "detached" });
    expect(await page.getByLabel("Page views").isChecked()).toBe(false);
    expect(errors).toEqual([]);
  }, 60_000);
});
