/**
 * Does the reconciliation page stay fast as the database grows? Seeds SQLite files with 10 k and 1 M
 * ConversionEvent rows (plus their pixel receipts and ledger rows), then times the page's loader
 * (`loadReconciliation`, last 30 days) for one shop whose own volume is the same in both files, and
 * reports 1 M time / 10 k time. With the indexes doing their job the ratio stays near 1: the query
 * cost follows the shop's rows in the range, not the table's size.
 *
 * Also reported, for honesty about the other axis: the same loader for a single very large shop in
 * the 1 M file (its cost grows with ITS rows in the range), the event log's first page, and the
 * alert inputs every admin page loads.
 *
 * Seeding is raw SQL inside SQLite (recursive-CTE INSERT … SELECT in 100 k-row transactions, journal
 * off) on the real schema, built by applying prisma/migrations in order; the indexes are dropped
 * during the load and recreated from the same migration statements afterwards (sorted index builds
 * are far faster than 1 M random B-tree inserts). 1 M rows take well under a minute on 2 cores.
 *
 *   import { runReconciliationBench } from "./bench/reconciliation-bench";
 *   const { ratio } = await runReconciliationBench();            // or
 *   npx tsx bench/reconciliation-bench.ts [--sizes 10000,1000000] [--dir /tmp/x]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import { lastDays, utcDay } from "~/conversions/day-range";

/**
 * The app's modules, imported on first use: importing ~/db/client.server opens the app's default database
 * (DATABASE_URL, else prisma/dev.sqlite), so when none is configured it is pointed at the bench file
 * first instead of creating an empty dev database as a side effect.
 */
async function appModules(file: string) {
  process.env.DATABASE_URL ??= `file:${file}`;
  const [{ createPrismaClient }, { loadReconciliation }, { listEventLog }, { loadShopAlerts }] = await Promise.all([
    import("~/db/client.server"),
    import("~/models/reconciliation.server"),
    import("~/models/event-log.server"),
    import("~/models/alerts.server"),
  ]);
  return { createPrismaClient, loadReconciliation, listEventLog, loadShopAlerts };
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MIGRATIONS = path.join(ROOT, "prisma", "migrations");
const DAY_MS = 86_400_000;

export const TARGET_SHOP = "bench-target.myshopify.com";
export const BIG_SHOP = "bench-big.myshopify.com";

export interface SeedOptions {
  /** Rows for TARGET_SHOP (the shop whose page is timed). Default 10 000. */
  targetShopEvents?: number;
  /** Rows for BIG_SHOP, when the file holds enough rows. Default 0. */
  bigShopEvents?: number;
  /** Other shops sharing the rest. Default 500. */
  otherShops?: number;
  /** Rows are spread over this many days before `now`. Default 90. */
  days?: number;
  now?: Date;
  /** Rows per INSERT transaction. Default 100 000. */
  batch?: number;
}

export interface SeedReport {
  file: string;
  events: number;
  receipts: number;
  ledgerRows: number;
  seedMs: number;
}

function migrationSql(): string[] {
  return readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => readFileSync(path.join(MIGRATIONS, name, "migration.sql"), "utf8"));
}

/** CREATE [UNIQUE] INDEX statements of the seeded tables, as the migrations define them. */
function indexStatements(sql: string[]): { name: string; create: string }[] {
  const out: { name: string; create: string }[] = [];
  for (const text of sql) {
    for (const match of text.matchAll(
      /CREATE (?:UNIQUE )?INDEX "([^"]+)" ON "(ConversionEvent|PixelReceipt|OrderLedger)"[^;]*;/g,
    )) {
      out.push({ name: match[1], create: match[0] });
    }
  }
  return out;
}

/**
 * Deterministic "randomness" in SQL: the high 16 bits of a 32-bit multiplicative hash of the row
 * number, with a different odd multiplier per use so the draws are independent. 0 … 65535.
 */
const MULTIPLIERS = [2654435761, 2246822519, 3266489917, 668265263, 374761393, 3323844463, 2869860233];
const h = (salt: number) => `(((i * ${MULTIPLIERS[salt % MULTIPLIERS.length]}) % 4294967296) / 65536)`;

/**
 * Creates `file` from scratch (schema from prisma/migrations) and fills it with `total` events:
 * TARGET_SHOP's rows first, then BIG_SHOP's, then the rest spread over `otherShops` shops.
 * Every order_created row gets a ledger row; about 70% get a pixel receipt.
 */
export async function seedEvents(file: string, total: number, options: SeedOptions = {}): Promise<SeedReport> {
  const started = performance.now();
  const target = Math.min(total, options.targetShopEvents ?? 10_000);
  const big = Math.min(total - target, options.bigShopEvents ?? 0);
  const others = Math.max(1, options.otherShops ?? 500);
  const spanMs = (options.days ?? 90) * DAY_MS;
  const nowMs = (options.now ?? new Date()).getTime();
  const batch = options.batch ?? 100_000;

  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
  mkdirSync(path.dirname(file), { recursive: true });
  const db = createClient({ url: `file:${file}` });
  try {
    const sql = migrationSql();
    for (const text of sql) await db.executeMultiple(text);
    const indexes = indexStatements(sql);
    for (const statement of [
      "PRAGMA journal_mode = OFF",
      "PRAGMA synchronous = OFF",
      "PRAGMA cache_size = -262144",
      "PRAGMA temp_store = MEMORY",
      ...indexes.map((x) => `DROP INDEX IF EXISTS "${x.name}"`),
    ]) {
      await db.execute(statement);
    }

    // ISO text exactly as Prisma writes DateTime on SQLite: 2026-11-20T12:34:56.789+00:00
    const iso = (msExpr: string) => `strftime('%Y-%m-%dT%H:%M:%f', (${msExpr}) / 1000.0, 'unixepoch') || '+00:00'`;
    // spread over the span: seconds from one hash, milliseconds from the row number
    const spanSeconds = Math.floor(spanMs / 1000);
    const createdMs = `(${nowMs} - ((((i * ${MULTIPLIERS[1]}) % 4294967296) % ${spanSeconds}) * 1000 + i % 1000))`;
    const shop = `CASE WHEN i < ${target} THEN '${TARGET_SHOP}' WHEN i < ${target + big} THEN '${BIG_SHOP}' ELSE 'bench-' || (i % ${others}) || '.myshopify.com' END`;
    const roll = `(${h(2)} % 1000)`;
    const custom = `(${h(3)} % 100 < 5)`;
    // outcome by roll: 78% delivered, then waiting, rejected, expired and the usual skip reasons
    const status = `CASE WHEN ${roll} < 780 THEN 'delivered' WHEN ${roll} < 800 THEN 'pending' WHEN ${roll} < 805 THEN 'sending' WHEN ${roll} < 815 THEN 'rejected' WHEN ${roll} < 820 THEN 'expired' ELSE 'skipped' END`;
    const skipReason = `CASE WHEN ${roll} < 810 THEN NULL WHEN ${roll} < 815 THEN 'rejected_by_openai' WHEN ${roll} < 820 THEN 'expired' WHEN ${roll} < 860 THEN 'test_order' WHEN ${roll} < 900 THEN 'consent_denied' WHEN ${roll} < 930 THEN 'no_consent_signal' WHEN ${roll} < 970 THEN 'pos_order' WHEN ${roll} < 985 THEN 'non_web_order' ELSE 'cancelled_before_send' END`;
    const amount = `(1000 + ${h(4)} % 50000)`;
    const payload = `CASE WHEN ${roll} < 820 THEN '{"id":"o1_b' || i || '","type":"order_created","timestamp_ms":' || ${createdMs} || ',"action_source":"web","source_url":"https://shop.example/checkouts/thank-you","data":{"type":"contents","amount":' || ${amount} || ',"currency":"USD","contents":[{"id":"p1","name":"Item","content_type":"product","quantity":1,"amount":' || ${amount} || ',"currency":"USD"}]},"user":{"emails_sha256":["' || printf('%064d', i) || '"],"countries":["us"]}}' END`;
    const opprefSource = `CASE WHEN ${roll} >= 780 THEN NULL WHEN ${h(5)} % 10 < 5 THEN 'receipt' WHEN ${h(5)} % 10 < 7 THEN 'landing_site' WHEN ${h(5)} % 10 < 8 THEN 'note_attributes' ELSE 'none' END`;

    for (let lo = 0; lo < total; lo += batch) {
      const hi = Math.min(total, lo + batch);
      await db.execute(`
        WITH RECURSIVE seq(i) AS (SELECT ${lo} UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ${hi})
        INSERT INTO "ConversionEvent" ("id", "shop", "eventType", "eventName", "eventId", "orderId", "orderName", "orderDedupId", "status",
          "skipReason", "payload", "amountMinor", "currency", "oppref", "opprefSource", "requiresOptIn", "occurredAt", "expiresAt", "attempts",
          "nextAttemptAt", "lastStatus", "lastError", "deliveredAt", "createdAt", "updatedAt")
        SELECT printf('b%09d', i), ${shop},
               CASE WHEN ${custom} THEN 'custom' ELSE 'order_created' END,
               CASE WHEN ${custom} THEN 'order_refunded' ELSE 'order_created' END,
               CASE WHEN ${custom} THEN 'r1_b' ELSE 'o1_b' END || i,
               CAST(5000000000000 + i AS TEXT), '#' || (1000 + i), 'o1_b' || i,
               ${status}, ${skipReason}, ${payload}, ${amount}, 'USD',
               CASE WHEN (${opprefSource}) IN ('receipt', 'landing_site', 'note_attributes') THEN 'op_' || i END, ${opprefSource}, 0,
               ${iso(`${createdMs} - 1000`)}, ${iso(`${createdMs} + ${7 * DAY_MS}`)},
               CASE WHEN ${roll} < 780 THEN 1 WHEN ${roll} < 800 THEN ${h(6)} % 3 WHEN ${roll} < 815 THEN 1 ELSE 0 END,
               ${iso(createdMs)},
               CASE WHEN ${roll} < 780 THEN 200 WHEN ${roll} >= 805 AND ${roll} < 815 THEN 400 END,
               CASE WHEN ${roll} >= 805 AND ${roll} < 815 THEN 'invalid_event: bench' END,
               CASE WHEN ${roll} < 780 THEN ${iso(`${createdMs} + 120000`)} END,
               ${iso(createdMs)}, ${iso(`${createdMs} + 120000`)}
          FROM seq`);
    }

    await db.execute(`
      INSERT INTO "OrderLedger" ("id", "shop", "orderId", "orderDedupId", "orderName", "currency", "grossMinor", "refundedMinor", "netMinor",
        "cancelledAt", "cancelledMinor", "orderSeenAt", "createdAt", "updatedAt", "checkoutToken")
      SELECT 'l' || substr(e."id", 2), e."shop", e."orderId", e."orderDedupId", e."orderName", 'USD', e."amountMinor",
             CASE WHEN e."rowid" % 20 = 0 THEN e."amountMinor" / 4 ELSE 0 END,
             CASE WHEN e."rowid" % 50 = 0 THEN 0 WHEN e."rowid" % 20 = 0 THEN e."amountMinor" - e."amountMinor" / 4 ELSE e."amountMinor" END,
             CASE WHEN e."rowid" % 50 = 0 THEN e."createdAt" END,
             CASE WHEN e."rowid" % 50 = 0 THEN e."amountMinor" ELSE 0 END,
             e."createdAt", e."createdAt", e."createdAt", 'chk' || e."orderId"
        FROM "ConversionEvent" e WHERE e."eventType" = 'order_created'`);
    await db.execute(`
      INSERT INTO "PixelReceipt" ("id", "shop", "orderId", "checkoutToken", "oppref", "consent", "pixelStatus", "receivedAt")
      SELECT 'p' || substr(e."id", 2), e."shop", e."orderId", 'chk' || e."orderId", e."oppref",
             CASE WHEN e."skipReason" = 'consent_denied' THEN 'denied' ELSE 'granted' END,
             CASE WHEN e."skipReason" = 'consent_denied' THEN 'not_sent' WHEN e."rowid" % 7 = 0 THEN 'blocked' ELSE 'sent' END,
             e."createdAt"
        FROM "ConversionEvent" e
       WHERE e."eventType" = 'order_created' AND COALESCE(e."skipReason", '') NOT IN ('pos_order', 'non_web_order') AND e."rowid" % 10 < 7`);

    for (const index of indexes) await db.execute(index.create);
    await db.execute("PRAGMA journal_mode = WAL");
    const count = async (table: string) => Number((await db.execute(`SELECT COUNT(*) AS n FROM "${table}"`)).rows[0].n);
    return {
      file,
      events: await count("ConversionEvent"),
      receipts: await count("PixelReceipt"),
      ledgerRows: await count("OrderLedger"),
      seedMs: performance.now() - started,
    };
  } finally {
    db.close();
  }
}

async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work(); // warm the page cache and the prepared statements
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export interface SizeResult extends SeedReport {
  /** Median ms of loadReconciliation(TARGET_SHOP, last 30 days): the reconciliation page's loader. */
  loaderMs: number;
  /** Median ms of the event log's first page (50 rows + total) for TARGET_SHOP. */
  eventLogMs: number;
  /** Median ms of loadShopAlerts(TARGET_SHOP): what every admin page adds. */
  alertsMs: number;
  /** Median ms of loadReconciliation for BIG_SHOP (only when seeded). */
  bigShopLoaderMs: number | null;
  bigShopEventsIn30Days: number | null;
  targetShopEventsIn30Days: number;
}

export interface BenchResult {
  sizes: SizeResult[];
  /** loaderMs at the largest size / loaderMs at the smallest. */
  ratio: number;
  report: string;
}

export async function measure(
  file: string,
  options: { runs?: number; now?: Date; bigShop?: boolean } = {},
): Promise<Omit<SizeResult, keyof SeedReport>> {
  const { createPrismaClient, loadReconciliation, listEventLog, loadShopAlerts } = await appModules(file);
  const db = createPrismaClient(`file:${file}`);
  try {
    await db.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
    const runs = options.runs ?? 7;
    const now = options.now ?? new Date();
    const range = lastDays(utcDay(now), 30);
    const loaderMs = await median(runs, () => loadReconciliation(TARGET_SHOP, range, { db, now }));
    const eventLogMs = await median(runs, () =>
      listEventLog(TARGET_SHOP, { status: null, reason: null, type: null, range: null, search: null }, {}, db),
    );
    const alertsMs = await median(runs, () => loadShopAlerts(TARGET_SHOP, { db, now }));
    const target = await loadReconciliation(TARGET_SHOP, range, { db, now });
    let bigShopLoaderMs: number | null = null;
    let bigShopEventsIn30Days: number | null = null;
    if (options.bigShop) {
      bigShopLoaderMs = await median(Math.min(runs, 3), () => loadReconciliation(BIG_SHOP, range, { db, now }));
      const big = await loadReconciliation(BIG_SHOP, range, { db, now });
      bigShopEventsIn30Days =
        big.events.orders.total + big.events.corrections.total + excludedTotal(big.events.excluded);
    }
    return {
      loaderMs,
      eventLogMs,
      alertsMs,
      bigShopLoaderMs,
      bigShopEventsIn30Days,
      targetShopEventsIn30Days:
        target.events.orders.total + target.events.corrections.total + excludedTotal(target.events.excluded),
    };
  } finally {
    await db.$disconnect();
  }
}

function excludedTotal(x: { posOrders: number; nonWebOrders: number; nonWebSent: number; duplicates: number }): number {
  return x.posOrders + x.nonWebOrders + x.nonWebSent + x.duplicates;
}

export interface BenchOptions {
  /** Folder for the SQLite files (recon-bench-<n>.sqlite). Default: a temp folder, removed afterwards. */
  dir?: string;
  /** Event counts; the first and last give the ratio. Default [10 000, 1 000 000]. */
  sizes?: number[];
  targetShopEvents?: number;
  /** BIG_SHOP's rows in files with at least 5x this many rows. Default 200 000. */
  bigShopEvents?: number;
  runs?: number;
  keepFiles?: boolean;
  log?: (line: string) => void;
}

/** Seeds each size, times the loader, and returns the largest/smallest loader-time ratio. */
export async function runReconciliationBench(options: BenchOptions = {}): Promise<BenchResult> {
  const sizes = options.sizes ?? [10_000, 1_000_000];
  const dir = options.dir ?? path.join(os.tmpdir(), `recon-bench-${process.pid}-${Date.now()}`);
  const log = options.log ?? ((line: string) => console.log(line));
  const targetShopEvents = options.targetShopEvents ?? 10_000;
  const bigShopEvents = options.bigShopEvents ?? 200_000;
  const now = new Date();
  const seeds: { seed: SeedReport; withBig: boolean }[] = [];
  const results: SizeResult[] = [];
  try {
    for (const total of sizes) {
      const file = path.join(dir, `recon-bench-${total}.sqlite`);
      const withBig = bigShopEvents > 0 && total >= 5 * bigShopEvents;
      log(`seeding ${total.toLocaleString("en-US")} events into ${file} …`);
      const seed = await seedEvents(file, total, { targetShopEvents, bigShopEvents: withBig ? bigShopEvents : 0, now });
      log(
        `  seeded in ${(seed.seedMs / 1000).toFixed(1)} s (${seed.receipts.toLocaleString("en-US")} receipts, ${seed.ledgerRows.toLocaleString("en-US")} ledger rows)`,
      );
      seeds.push({ seed, withBig });
    }
    // Two rounds, sizes alternating, best median kept: neither size profits from running second
    // (warm JIT, warm OS cache) and a noisy neighbour on a shared machine counts less.
    const rounds: Omit<SizeResult, keyof SeedReport>[][] = [];
    for (let round = 0; round < 2; round++) {
      rounds.push([]);
      const order = round === 0 ? seeds : [...seeds].reverse();
      for (const item of order) {
        const timing = await measure(item.seed.file, { runs: options.runs, now, bigShop: item.withBig && round === 0 });
        rounds[round][seeds.indexOf(item)] = timing;
      }
    }
    for (const [i, { seed }] of seeds.entries()) {
      const [first, second] = [rounds[0][i], rounds[1][i]];
      const timing = {
        ...first,
        loaderMs: Math.min(first.loaderMs, second.loaderMs),
        eventLogMs: Math.min(first.eventLogMs, second.eventLogMs),
        alertsMs: Math.min(first.alertsMs, second.alertsMs),
      };
      results.push({ ...seed, ...timing });
      log(
        `${seed.events.toLocaleString("en-US")} events: reconciliation loader ${timing.loaderMs.toFixed(1)} ms (${timing.targetShopEventsIn30Days} shop events in 30 days) · ` +
          `event log page ${timing.eventLogMs.toFixed(1)} ms · alerts ${timing.alertsMs.toFixed(1)} ms` +
          (timing.bigShopLoaderMs !== null
            ? ` · one shop with ${timing.bigShopEventsIn30Days} events in 30 days: ${timing.bigShopLoaderMs.toFixed(0)} ms`
            : ""),
      );
    }
  } finally {
    if (!options.keepFiles && !options.dir) rmSync(dir, { recursive: true, force: true });
  }
  const ratio = results[results.length - 1].loaderMs / results[0].loaderMs;
  const report = [
    "Reconciliation page loader (same shop, last 30 days) vs events in the database:",
    ...results.map(
      (r) =>
        `  ${r.events.toLocaleString("en-US").padStart(10)} events: ${r.loaderMs.toFixed(1).padStart(7)} ms (seeded in ${(r.seedMs / 1000).toFixed(1)} s)`,
    ),
    `  ratio ${results[results.length - 1].events.toLocaleString("en-US")} / ${results[0].events.toLocaleString("en-US")}: ${ratio.toFixed(2)}x`,
  ].join("\n");
  log(report);
  return { sizes: results, ratio, report };
}

// ─── CLI ─────────────────────────────────────────────────────────────────────────────────────────

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const sizes = arg("--sizes")?.split(",").map(Number);
  runReconciliationBench({ sizes, dir: arg("--dir"), keepFiles: args.includes("--keep") })
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
