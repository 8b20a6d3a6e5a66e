/**
 * What every admin page must pass in a real browser, whatever its state: axe-core finds no serious
 * or critical accessibility violation, the page body never scrolls sideways (at 390 px too), and a
 * screenshot is written to test-artifacts/screens/ for review (gitignored, never committed).
 *
 * axe-core runs from the installed package's own source, injected into the page: no network.
 */
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { APP_BRIDGE_STANDIN_JS } from "./app-bridge-standin";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const SCREENS_DIR = path.join(process.cwd(), "test-artifacts", "screens");

export const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
export type ViewportName = keyof typeof VIEWPORTS;

export interface OpenedAdminPage {
  page: Page;
  context: BrowserContext;
  /** Outside requests the page tried to make (blocked). */
  blocked: string[];
  /** Uncaught errors in the page. */
  errors: string[];
}

/**
 * Opens `url` as the embedded admin would show it: cdn.shopify.com's App Bridge script is the local
 * stand-in (or unreachable, `appBridge: false`), Polaris' font files answer empty, anything else
 * outside loopback is blocked and reported.
 */
export async function openAdminPage(
  browser: Browser,
  url: string,
  options: { viewport: ViewportName; appBridge?: boolean },
): Promise<OpenedAdminPage> {
  const viewport = VIEWPORTS[options.viewport];
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    isMobile: options.viewport === "phone",
    hasTouch: options.viewport === "phone",
  });
  const blocked: string[] = [];
  const appBridge = options.appBridge ?? true;
  await context.route("**/*", (route) => {
    const target = new URL(route.request().url());
    if (target.hostname === "127.0.0.1" || target.protocol === "data:") return route.continue();
    if (target.hostname === "cdn.shopify.com") {
      if (target.pathname === "/shopifycloud/app-bridge.js")
        return appBridge
          ? route.fulfill({ status: 200, contentType: "application/javascript", body: APP_BRIDGE_STANDIN_JS })
          : route.abort("internetdisconnected");
      return route.fulfill({
        status: 200,
        contentType: target.pathname.endsWith(".css") ? "text/css" : "font/woff2",
        body: "",
      });
    }
    blocked.push(target.href);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForLoadState("networkidle");
  return { page, context, blocked, errors };
}

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Serious and critical axe violations on the whole page as it is now (WCAG 2.x A/AA and best
 * practices), nothing excluded: App Bridge's stand-in elements (title bar, save bar, toasts) are
 * checked too, and pass.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import("axe-core") }).axe;
    const result = await axe.run(document, {
      resultTypes: ["violations"],
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: String(v.impact),
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
      }));
  });
}

/** The document's width beyond the viewport: 0 when nothing makes the page scroll sideways. */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; widest: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const overflow = Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
    // Name the culprits, so a failure says which element is too wide.
    const widest: string[] = [];
    if (overflow > 0) {
      for (const el of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
        const box = el.getBoundingClientRect();
        if (box.right > root.clientWidth + 1 && widest.length < 5)
          widest.push(
            `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 60)} right=${Math.round(box.right)}`,
          );
      }
    }
    return { overflow: Math.max(0, overflow), widest };
  });
}

/** A full-page screenshot to test-artifacts/screens/<name>-<width>.png; returns the path. */
export async function screenshot(page: Page, name: string, viewport: ViewportName): Promise<string> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  const file = path.join(SCREENS_DIR, `${name}-${VIEWPORTS[viewport].width}.png`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
