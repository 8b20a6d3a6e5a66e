/**
 * Web vitals of the admin pages (`npm run vitals`): builds the app, starts it in LOCAL_PREVIEW on
 * loopback over a fresh SQLite file with two weeks of demo orders, and loads each page in headless
 * Chromium (Debian's, /usr/bin/chromium) under 4× CPU throttling (CDP Emulation.setCPUThrottlingRate),
 * as a slow merchant laptop would. The `web-vitals` package is injected before the page's own scripts
 * and reports LCP, CLS and INP; INP comes from one scripted interaction per page (a click or a choice
 * that re-renders React state). Each page is loaded `--runs` times (default 3); the median is printed
 * against Google's "good" thresholds (LCP 2.5 s, CLS 0.1, INP 200 ms). Printed, never asserted: the
 * figures depend on the machine. Nothing leaves the machine: App Bridge is the tests' local stand-in.
 *
 *   npm run vitals
 *   npm run vitals -- --runs 5 --no-build
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { createPrismaClient } from "~/db/client.server";
import { PREVIEW_SHOP } from "~/admin/preview-admin.server";
import { APP_BRIDGE_STANDIN_JS } from "../test/e2e/app-bridge-standin";
import { launchChromium } from "../test/helpers/browser";
import { seedReconciliationDemo } from "../test/helpers/reconciliation-demo";
import { waitUntilListening } from "./wait-until-listening";

const require = createRequire(import.meta.url);
// The browser build (a global `webVitals`), next to the package's entry point (its exports map
// does not list it).
const WEB_VITALS_IIFE = readFileSync(
  path.join(path.dirname(require.resolve("web-vitals")), "web-vitals.iife.js"),
  "utf8",
);

const CPU_THROTTLING = 4;
const THRESHOLDS = { lcp: 2500, cls: 0.1, inp: 200 } as const;

interface VitalsPage {
  name: string;
  path: string;
  /** Waits until the page is usable, then makes the interaction INP is measured on. */
  interact(page: Page): Promise<void>;
}

const PAGES: VitalsPage[] = [
  {
    name: "Setup (settings)",
    path: "/app",
    async interact(page) {
      await page.locator("ui-save-bar").waitFor({ state: "attached" });
      await page.getByLabel("Page views").click(); // a React state change: the save bar opens
    },
  },
  {
    name: "Reconciliation (14 days)",
    path: "/app/reconciliation?days=14",
    async interact(page) {
      await page.locator('[data-testid="daily-chart"] svg').first().waitFor({ timeout: 30_000 });
      // A real click (INP counts pointer and key events, not scripted value changes): a range preset,
      // which Remix navigates to on the client.
      await page
        .getByRole("link", { name: "Last 7 days" })
        .or(page.getByRole("button", { name: "Last 7 days" }))
        .first()
        .click();
    },
  },
  {
    name: "Event log",
    path: "/app/events",
    async interact(page) {
      await page.locator('[data-testid="event-table"]').waitFor();
      await page.getByLabel("Outcome").selectOption("delivered");
      await page.getByRole("button", { name: "Apply" }).click(); // the filter, navigated on the client
    },
  },
];

interface Sample {
  lcp: number | null;
  cls: number | null;
  inp: number | null;
}

/** web-vitals, reporting every change (the page is never hidden, so final values never come). */
const COLLECTOR = `${WEB_VITALS_IIFE}
window.__vitals = { lcp: null, cls: null, inp: null };
webVitals.onLCP((m) => (window.__vitals.lcp = m.value), { reportAllChanges: true });
webVitals.onCLS((m) => (window.__vitals.cls = m.value), { reportAllChanges: true });
webVitals.onINP((m) => (window.__vitals.inp = m.value), { reportAllChanges: true, durationThreshold: 16 });
`;

async function measure(browser: Awaited<ReturnType<typeof launchChromium>>, url: string, target: VitalsPage) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === "127.0.0.1") return route.continue();
    if (u.hostname === "cdn.shopify.com" && u.pathname === "/shopifycloud/app-bridge.js")
      return route.fulfill({ status: 200, contentType: "application/javascript", body: APP_BRIDGE_STANDIN_JS });
    if (u.hostname === "cdn.shopify.com")
      return route.fulfill({ status: 200, contentType: u.pathname.endsWith(".css") ? "text/css" : "font/woff2" });
    return route.abort("blockedbyclient");
  });
  await context.addInitScript({ content: COLLECTOR });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_THROTTLING });
  await page.goto(`${url}${target.path}`, { waitUntil: "load", timeout: 60_000 });
  await target.interact(page);
  // Let the interaction's frame paint and the observers deliver their entries.
  await page.waitForTimeout(1500);
  const sample = await page.evaluate(() => (window as unknown as { __vitals: Sample }).__vitals);
  await context.close();
  return sample;
}

function median(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = Math.floor(known.length / 2);
  return known.length % 2 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
}

const verdict = (value: number | null, limit: number) => (value === null ? "" : value <= limit ? "ok" : "OVER");

function formatRow(name: string, s: Sample): string {
  const lcp = s.lcp === null ? "–" : `${(s.lcp / 1000).toFixed(2)} s`;
  const cls = s.cls === null ? "–" : s.cls.toFixed(3);
  // No INP entry at all: every interaction was faster than the 16 ms the observer can report.
  const inp = s.inp === null ? "< 16 ms" : `${Math.round(s.inp)} ms`;
  return [
    name.padEnd(26),
    `${lcp} ${verdict(s.lcp, THRESHOLDS.lcp)}`.padEnd(14),
    `${cls} ${verdict(s.cls, THRESHOLDS.cls)}`.padEnd(12),
    `${inp} ${s.inp === null ? "ok" : verdict(s.inp, THRESHOLDS.inp)}`,
  ].join("");
}

async function main() {
  const { values } = parseArgs({ options: { runs: { type: "string" }, "no-build": { type: "boolean" } } });
  const runs = Math.max(1, Number(values.runs ?? 3) || 3);
  const root = process.cwd();
  const dir = path.join(root, "test-artifacts", "vitals");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const databaseUrl = `file:${path.join(dir, "vitals.sqlite")}`;

  if (!values["no-build"])
    execFileSync("npm", ["run", "build", "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "ignore",
  });
  const db = createPrismaClient(databaseUrl);
  const seeded = await seedReconciliationDemo(db, PREVIEW_SHOP, { now: new Date(), days: 14 });
  await db.$disconnect();

  const child = spawn(process.execPath, [path.join(root, "build", "server.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      // Local preview refuses to start in production (it bypasses Shopify authentication); the
      // browser still gets the production client bundle from `npm run build`.
      NODE_ENV: "development",
      LOCAL_PREVIEW: "true",
      SHOPIFY_API_KEY: "vitals-client-id",
      SHOPIFY_API_SECRET: "vitals-secret",
      // Preview bypasses Shopify authentication, so the app allows it only on a loopback app URL.
      SHOPIFY_APP_URL: "http://127.0.0.1",
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DATABASE_URL: databaseUrl,
      OPENAI_CAPI_URL: "http://127.0.0.1:9",
      RUN_WORKER: "false",
      PORT: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const browser = await launchChromium();
  try {
    const url = await waitUntilListening(child, { what: "app", timeoutMs: 30_000, output: () => output });
    console.log(
      `Admin pages, local preview, ${seeded.orders} demo orders, Chromium at 1280 px with ${CPU_THROTTLING}× CPU throttling, median of ${runs} loads`,
    );
    // The machine's own load changes every figure: say what it was.
    console.log(
      `${new Date().toISOString()}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" / ")}, ${cpus().length} CPUs`,
    );
    console.log(`${"page".padEnd(26)}${"LCP ≤ 2.5 s".padEnd(14)}${"CLS ≤ 0.1".padEnd(12)}INP ≤ 200 ms`);
    for (const target of PAGES) {
      const samples: Sample[] = [];
      for (let i = 0; i < runs; i++) samples.push(await measure(browser, url, target));
      const m = {
        lcp: median(samples.map((s) => s.lcp)),
        cls: median(samples.map((s) => s.cls)),
        inp: samples.every((s) => s.inp === null) ? null : median(samples.map((s) => s.inp ?? 0)),
      };
      console.log(formatRow(target.name, m));
    }
  } finally {
    await browser.close();
    child.kill("SIGTERM");
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
