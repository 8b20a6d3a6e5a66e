/**
 * `npm run simulate`: the end-to-end attribution simulator. Simulated buyers (sim/population.ts: a
 * documented, seeded assumption) shop in real Chromium on a stand-in store (sim/checkout-storefront.ts)
 * that runs the app's real web pixel bundle in Shopify's sandbox shape and the real theme app embed,
 * some behind real ad-blocker lists (sim/buyer-journey.ts). Each order reaches the real app (built
 * server, real SQLite file, on loopback) as the signed `orders/create` webhook Shopify would send, and
 * the app's delivery worker sends it to the OpenAI stand-in. Then it counts, per kind of buyer, what
 * OpenAI counted and with which `oppref`, and what was rightly not sent (sim/attribution-report.ts).
 *
 *   npm run simulate                    # 500 buyers (builds the app first)
 *   npm run simulate -- --quick         # 100 buyers (CI)
 *   options: --buyers N  --seed N  --concurrency N  --population file.json  --skip-build (use build/ as is)
 *
 * Writes build/simulate/latest.json and exits 1 when a target is missed.
 */
import { createClient } from "@libsql/client";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { webPixelSettings } from "../app/admin/web-pixel.server";
import { dedupIdForOrder } from "../app/conversions/dedup-id";
import {
  checkTargets,
  formatTable,
  groupOf,
  headlineOf,
  metricsOf,
  outcomeOf,
  pct,
  type BuyerObservation,
  type BuyerOutcome,
  type GroupMetrics,
} from "../sim/attribution-report";
import { runBuyerJourney, type BuyerTrace } from "../sim/buyer-journey";
import { startCheckoutStorefront, type PlacedOrder } from "../sim/checkout-storefront";
import { loadFilterEngines } from "../sim/filter-lists";
import { startOpenAiStandin } from "../sim/openai-standin";
import { makeShopifyOrder } from "../sim/order-factory";
import { DEFAULT_POPULATION, generateBuyers, type BuyerSpec, type Population } from "../sim/population";
import { sendWebhook } from "../sim/shopify-webhooks";
import { startAppProcess, waitFor } from "../test/helpers/app-process";
import { launchChromium } from "../test/helpers/browser";
import { buildPixel } from "./build-pixel";

const ROOT = process.cwd();
const OUT_DIR = path.join(ROOT, "build", "simulate");
const SHOP = "sim-shop.myshopify.com";
const PIXEL_ID = "SimPixel7Hq2bX9mKp4Wz";
const SECRET = "sim-app-secret";
const FUNNEL_EVENTS = ["page_viewed", "contents_viewed", "items_added", "checkout_started"];

async function main() {
  const started = Date.now();
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      buyers: { type: "string" },
      seed: { type: "string", default: "20261202" },
      concurrency: { type: "string", default: "4" },
      population: { type: "string" },
      "skip-build": { type: "boolean", default: false },
    },
  });
  const count = Number(values.buyers ?? (values.quick ? 100 : 500));
  const seed = Number(values.seed);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed) || !(concurrency >= 1 && concurrency <= 16)) {
    console.error(
      "usage: npm run simulate -- [--quick] [--buyers N] [--seed N] [--concurrency 1-16] [--population file.json] [--skip-build]",
    );
    process.exit(2);
  }
  const population: Population = values.population
    ? { ...DEFAULT_POPULATION, ...(JSON.parse(readFileSync(values.population, "utf8")) as Partial<Population>) }
    : DEFAULT_POPULATION;

  const workDir = path.join(OUT_DIR, "run");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const databaseFile = path.join(workDir, "simulate.sqlite");
  const databaseUrl = `file:${databaseFile}`;
  const apiKey = `capi_sim_${randomBytes(12).toString("hex")}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    SHOPIFY_API_KEY: "sim-client-id",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1",
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    DATABASE_URL: databaseUrl,
    WORKER_INTERVAL_MS: "200",
    // The buyers' addresses come through one trusted proxy, as in production behind a load balancer:
    // the receipt's per-address rate limit then sees each buyer, not the simulator's loopback address.
    TRUSTED_PROXY_HOPS: "1",
  };

  if (!values["skip-build"] && !process.env.APP_BUILD_DIR) {
    console.log("▸ building the app (npm run build)");
    execFileSync("npm", ["run", "build", "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
  }
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "ignore",
  });

  const openai = await startOpenAiStandin({ credentials: { [PIXEL_ID]: apiKey } });
  const app = await startAppProcess({ ...env, OPENAI_CAPI_URL: openai.url });
  const closers: (() => Promise<unknown>)[] = [() => openai.close(), () => app.stop()];
  try {
    execFileSync(
      "npx",
      [
        "tsx",
        "scripts/shop-configure.ts",
        "--shop",
        SHOP,
        "--pixel-id",
        PIXEL_ID,
        "--api-key",
        apiKey,
        "--grace-seconds",
        "2",
      ],
      { env: { ...env, NODE_ENV: "test", OPENAI_CAPI_URL: openai.url }, stdio: ["ignore", "ignore", "inherit"] },
    );
    const pixel = await buildPixel({ outfile: null });
    const shop = await startCheckoutStorefront({
      shop: SHOP,
      pixelBundle: pixel.code,
      pixelSettings: {
        ...webPixelSettings({
          appUrl: app.url,
          shop: SHOP,
          pixelId: PIXEL_ID,
          browserPixelEnabled: true,
          funnelEvents: FUNNEL_EVENTS,
        }),
      },
      firstOrderId: 6200000000000 + seed * 1000,
    });
    closers.unshift(() => shop.close());
    const browser = await launchChromium();
    closers.unshift(() => browser.close());
    const engines = loadFilterEngines();
    const buyers = generateBuyers(count, seed, population);
    console.log(
      `▸ ${count} buyers (seed ${seed}), ${concurrency} at a time, one Chromium, a fresh context each (set up in ${elapsed(started)})`,
    );

    const traces = new Map<number, BuyerTrace>();
    const webhookStatus = new Map<number, number>();
    const ordersByBuyer = () => new Map(shop.orders().map((o) => [o.buyer, o]));
    let next = 0;
    let done = 0;
    const journeyEnv = { browser, engines, shopUrl: shop.url, openAiUrl: openai.url, appUrl: app.url };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < buyers.length) {
          const buyer = buyers[next++];
          const trace = await runBuyerJourney(journeyEnv, buyer);
          traces.set(buyer.index, trace);
          const order = ordersByBuyer().get(buyer.index);
          if (order) webhookStatus.set(buyer.index, await sendOrderWebhook(app.url, order, buyer));
          done += 1;
          if (done % 25 === 0 || done === buyers.length)
            console.log(`  ${done}/${buyers.length} buyers (${elapsed(started)})`);
        }
      }),
    );

    // Everything the app accepted is decided and, where it is sent, answered by OpenAI.
    const db = createClient({ url: databaseUrl });
    const placed = shop.orders();
    await waitFor(
      async () => {
        const rows = await db.execute(
          "SELECT status, COUNT(*) AS n FROM ConversionEvent WHERE eventType = 'order_created' GROUP BY status",
        );
        const total = rows.rows.reduce((sum, r) => sum + Number(r.n), 0);
        const open = rows.rows.filter((r) => ["pending", "held", "sending"].includes(String(r.status)));
        return total >= placed.length && open.length === 0;
      },
      "the app to decide every order",
      180_000,
    );

    console.log(`▸ the app decided every order (${elapsed(started)})`);
    const events = await db.execute(
      "SELECT orderId, status, skipReason, oppref, opprefSource FROM ConversionEvent WHERE eventType = 'order_created'",
    );
    const receipts = await db.execute("SELECT orderId, checkoutToken, consent, saleOfData, oppref FROM PixelReceipt");
    db.close();
    const eventByOrder = new Map(events.rows.map((r) => [String(r.orderId), r]));
    const placedByBuyer = ordersByBuyer();
    const accepted = openai.accepted(PIXEL_ID).filter((a) => a.event.type === "order_created");
    const tagHits = openai.imageTagHits().filter((h) => h.query.event === "order_created" && h.status === 200);
    const dedupIds = new Map<string, number>();
    for (const order of placed) dedupIds.set(await dedupIdForOrder(String(order.orderId)), order.orderId);
    const unmatchedAccepted = accepted.filter((a) => !dedupIds.has(a.event.id)).length;

    const observations: BuyerObservation[] = [];
    for (const spec of buyers) {
      const trace = traces.get(spec.index)!;
      const order = placedByBuyer.get(spec.index) ?? null;
      const dedupId = order ? await dedupIdForOrder(String(order.orderId)) : null;
      const row = order ? eventByOrder.get(String(order.orderId)) : undefined;
      const receipt = order
        ? receipts.rows.find(
            (r) => String(r.orderId) === String(order.orderId) && r.checkoutToken === order.checkoutToken,
          )
        : undefined;
      const webhook = webhookStatus.get(spec.index);
      observations.push({
        spec,
        driverError: trace.error ?? (order && webhook !== 200 ? `webhook answered ${webhook}` : null),
        blocked: trace.blocked,
        pixelRan: trace.pixelRan,
        order: order && {
          orderId: order.orderId,
          via: order.via,
          landingSite: order.landingSite,
          noteAttributes: order.noteAttributes,
        },
        receipt: receipt
          ? {
              consent: String(receipt.consent),
              saleOfData: receipt.saleOfData === null ? null : String(receipt.saleOfData),
              oppref: receipt.oppref === null ? null : String(receipt.oppref),
            }
          : null,
        event: row
          ? {
              status: String(row.status),
              skipReason: row.skipReason === null ? null : String(row.skipReason),
              oppref: row.oppref === null ? null : String(row.oppref),
              opprefSource: row.opprefSource === null ? null : String(row.opprefSource),
            }
          : null,
        accepted: dedupId
          ? accepted
              .filter((a) => a.event.id === dedupId)
              .map((a) => ({ source: a.source, oppref: a.event.oppref ?? null }))
          : [],
        pixelTagAccepted: dedupId !== null && tagHits.some((h) => h.query.event_id === dedupId),
      });
    }
    const outcomes = observations.map(outcomeOf);
    const report = buildReport({ buyers, observations, outcomes, unmatchedAccepted, seed, count, population, started });
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(path.join(OUT_DIR, "latest.json"), JSON.stringify(report, null, 2) + "\n");
    printReport(report);
    if (report.targets.some((t) => !t.ok)) process.exitCode = 1;
  } finally {
    for (const close of closers) await close().catch(() => {});
  }
}

const elapsed = (since: number) => `${Math.round((Date.now() - since) / 1000)} s`;

async function sendOrderWebhook(appUrl: string, order: PlacedOrder, buyer: BuyerSpec): Promise<number> {
  const body = {
    ...makeShopifyOrder({
      id: order.orderId,
      total: order.total,
      landingSite: order.landingSite,
      country: order.country,
      email: `buyer${buyer.index}@example.com`,
    }),
    note_attributes: order.noteAttributes,
    checkout_token: order.checkoutToken,
    token: order.checkoutToken,
  };
  return sendWebhook(appUrl, { topic: "orders/create", shop: SHOP, body: JSON.stringify(body), secret: SECRET });
}

type Report = ReturnType<typeof buildReport>;

function buildReport(input: {
  buyers: BuyerSpec[];
  observations: BuyerObservation[];
  outcomes: BuyerOutcome[];
  unmatchedAccepted: number;
  seed: number;
  count: number;
  population: Population;
  started: number;
}) {
  const { outcomes, observations } = input;
  const by = (key: (o: BuyerObservation) => string) => {
    const groups = new Map<string, BuyerOutcome[]>();
    observations.forEach((o, i) => groups.set(key(o), [...(groups.get(key(o)) ?? []), outcomes[i]]));
    return Object.fromEntries(
      [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, metricsOf(v, observations)]),
    );
  };
  const overall = metricsOf(outcomes, observations);
  const perBlocker = by(
    (o) => ({ none: "no blocker", easyprivacy: "EasyPrivacy", ublock: "uBlock default" })[o.spec.blocker],
  );
  const perTiming = by((o) => {
    if (o.spec.timing === "same_session") return "same session";
    const out = outcomeOf(o);
    return out.beyondCookieLifetime
      ? "returning, beyond the cookie's lifetime"
      : "returning, within the cookie's lifetime";
  });
  const targets = checkTargets(overall, perBlocker, input.unmatchedAccepted);
  // The fixed coverage buyers are one of each kind, not a sample: the headline shares come from the
  // buyers drawn with the population's weights only.
  const headline = headlineOf(outcomes.map((o, i) => ({ ...o, spec: observations[i].spec })));

  const reasons: Record<string, number> = {};
  for (const o of outcomes)
    if (o.unreachableChoice) reasons[o.unreachableChoice] = (reasons[o.unreachableChoice] ?? 0) + 1;
  return {
    generatedAt: new Date().toISOString(),
    mode: input.count <= 100 ? "quick" : "full",
    seed: input.seed,
    buyers: input.count,
    durationSeconds: Math.round((Date.now() - input.started) / 1000),
    // Durations mean little without the machine's load: the simulator shares its cores.
    machine: { cpus: os.cpus().length, loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 10) / 10) },
    population: input.population,
    headline,
    overall,
    groups: by((o) => groupOf(o.spec)),
    perBlocker,
    perTiming,
    perConsent: by((o) => `${o.spec.consent} · ${o.spec.region}`),
    perCheckout: by((o) => o.spec.checkout),
    unreachableChoiceReasons: reasons,
    unmatchedAccepted: input.unmatchedAccepted,
    targets,
    outcomes: outcomes.map((o, i) => ({
      ...o,
      spec: observations[i].spec,
      event: observations[i].event,
      error: observations[i].driverError,
    })),
  };
}

function printReport(report: Report) {
  const rows = (groups: Record<string, GroupMetrics>) => Object.entries(groups).map(([label, m]) => ({ label, m }));
  console.log(`\nPer kind of buyer (seed ${report.seed}, ${report.buyers} buyers, ${report.durationSeconds} s):\n`);
  console.log(formatTable([...rows(report.groups), { label: "**all buyers**", m: report.overall }]));
  console.log("\nBy visit timing:\n");
  console.log(formatTable(rows(report.perTiming)));
  const h = report.headline;
  console.log(
    `\nPopulation-weighted (${h.buyers} drawn buyers, ${h.allowedOrders} orders OpenAI may count): the pixel alone ` +
      `misses ${pct(h.pixelLostShare)} of them; server events recover ${pct(h.serverRecoveredShare)} ` +
      `(lift ${h.serverLift === null ? "–" : `+${pct(h.serverLift)}`}); of ${h.adDrivenAllowedOrders} ad-driven ones, oppref reaches OpenAI for ${pct(h.opprefShareWithServer)} ` +
      `(pixel alone: ${pct(h.opprefShareByPixel)}).`,
  );
  if (Object.keys(report.unreachableChoiceReasons).length) {
    console.log("\nRefusals that could not reach the app:");
    for (const [why, n] of Object.entries(report.unreachableChoiceReasons)) console.log(`  ${n} × ${why}`);
  }
  console.log("\nTargets:");
  for (const t of report.targets) console.log(`  ${t.ok ? "ok  " : "FAIL"} ${t.name}: ${t.detail}`);
  console.log(`\nwritten: build/simulate/latest.json`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
