/**
 * `npm run bench`: the scale and speed targets (docs/PERFORMANCE.md), measured in ONE run on this machine, on
 * SQLite and on Postgres, with every ratio computed from figures of the same run.
 *
 *   1. Webhook ingest (autocannon, 32 connections, loopback): requests/s and p99 of the app's lean
 *      /webhooks path (WEBHOOK_ACK=stored and =processed) vs a bare node:http server that only checks
 *      the HMAC, and vs the stock path (authenticate.webhook + one Prisma write per request); p99 at a
 *      fixed 1,000 requests/s; how fast ONE applier process applies the stored webhooks (the headline
 *      ingest figure), and end to end (webhook → OpenAI's 2xx) at a quarter of the ack rate.
 *   2. Delivery throughput to the OpenAI stand-in answering after 100 ms, worker processes vs a
 *      sender that posts one event per request.
 *   3. Peak RSS of a worker process draining an outbox of 1 M queued events.
 *   4. The web pixel's gzip size vs Shopify's 128 KB cap.
 *   5. The reconciliation page loader at 10 k vs 1 M events (bench/reconciliation-bench.ts).
 *
 * BENCH_QUICK=1: shorter runs and 100 k queued events (a couple of minutes). BENCH_POSTGRES_URL (or
 * TEST_POSTGRES_URL) names a Postgres server whose user may create databases; without one reachable
 * the Postgres column is skipped with the reason. Nothing leaves loopback.
 * BENCH_LOG_LEVEL=info: the app processes log at that level (default error).
 * BENCH_PROFILE=<dir>: every app process writes a V8 CPU profile there (node --cpu-prof) when it is
 * stopped, for "where does the time go" (open the .cpuprofile in Chrome DevTools).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, { type AutocannonResult } from "autocannon";
import pg from "pg";
import { dropPostgresDatabase } from "../scripts/postgres-databases";
import { waitUntilListening } from "../scripts/wait-until-listening";
import { chunked } from "~/lib/chunk";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const QUICK = process.env.BENCH_QUICK === "1";
const SECRET = "bench-api-secret";
const ENCRYPTION_KEY = randomBytes(32).toString("base64");
const CONNECTIONS = 32;
const RUN_S = QUICK ? 4 : 10;
const WARMUP_S = QUICK ? 1 : 2;
const DELIVERY_EVENTS = QUICK ? 6_000 : 20_000;
const QUEUED_EVENTS = QUICK ? 100_000 : 1_000_000;
const RSS_WINDOW_S = QUICK ? 8 : 15;
const OPENAI_LATENCY_MS = 100;

// App modules read these at import; the bench's own default database is a throwaway file.
const scratch = mkdtempSync(path.join(os.tmpdir(), "oppref-bench-"));
Object.assign(process.env, {
  SHOPIFY_API_KEY: "bench-api-key",
  SHOPIFY_API_SECRET: SECRET,
  SHOPIFY_APP_URL: "https://app.example.test",
  ENCRYPTION_KEY,
  LOG_LEVEL: "error",
  DATABASE_URL: `file:${path.join(scratch, "default.sqlite")}`,
});

type Provider = "sqlite" | "postgres";
const log = (line: string) => console.log(line);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ── processes ──────────────────────────────────────────────────────────────────────────────────────

interface Proc {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** What `npm run worker` passes to Node: a bounded old generation keeps a busy worker's RSS flat. */
const WORKER_NODE_ARGS = ["--max-old-space-size=160"];

/** Every child process the bench started: none may outlive it, whatever fails. */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

const PROFILE_DIR = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : null;

async function startNode(
  file: string,
  env: Record<string, string>,
  waitForUrl = true,
  nodeArgs: string[] = [],
  scriptArgs: string[] = [],
): Promise<Proc> {
  const profileArgs = PROFILE_DIR
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=${PROFILE_DIR}`,
        `--cpu-prof-name=${path.basename(file, ".js")}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const child = spawn(process.execPath, [...profileArgs, ...nodeArgs, file, ...scriptArgs], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      PORT: "0",
      // BENCH_LOG_LEVEL=info measures with production's default level (the log policy keeps
      // per-request lines at debug, so it must not cost ingest anything).
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "error",
      SHOPIFY_API_KEY: "bench-api-key",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "https://app.example.test",
      ENCRYPTION_KEY,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  children.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      children.delete(child);
      resolve();
    }),
  );
  const url = !waitForUrl ? "" : await waitUntilListening(child, { what: file, timeoutMs: 30_000, output: () => out });
  return {
    child,
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        if (PROFILE_DIR) {
          // A profile is written on a normal exit only: ask first (the app shuts down on SIGINT).
          child.kill("SIGINT");
          await Promise.race([exited, sleep(10_000)]);
        }
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      await exited;
    },
  };
}

/** Resident set size now and at peak (VmHWM), in MB, from /proc. */
function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

// ── databases ──────────────────────────────────────────────────────────────────────────────────────

interface BenchDb {
  provider: Provider;
  url: string;
  drop(): Promise<void>;
}

function migrate(url: string) {
  execFileSync(path.join(ROOT, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: "ignore",
  });
}

async function sqliteDb(): Promise<BenchDb> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oppref-bench-sqlite-"));
  const url = `file:${path.join(dir, "bench.sqlite")}`;
  migrate(url);
  return { provider: "sqlite", url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function postgresDb(): Promise<BenchDb | string> {
  const server =
    process.env.BENCH_POSTGRES_URL ||
    process.env.TEST_POSTGRES_URL ||
    "postgresql://oppref:oppref@127.0.0.1:5432/oppref";
  const admin = new pg.Client({ connectionString: server });
  try {
    await admin.connect();
  } catch (error) {
    return `no Postgres at ${new URL(server).host} (${(error as Error).message}); start one with scripts/ci/start-postgres.sh`;
  }
  const name = `oppref_bench_${Date.now()}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  migrate(url.toString());
  return {
    provider: "postgres",
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await dropPostgresDatabase(c, name);
      await c.end();
    },
  };
}

// ── app modules (imported after the environment is set) ─────────────────────────────────────────────

const app = {
  db: await import("~/db/client.server"),
  encryption: await import("~/security/encryption.server"),
  dedup: await import("~/conversions/dedup-id"),
  orderEvent: await import("~/conversions/order-event"),
  policy: await import("~/conversions/shop-policy"),
  capi: await import("~/openai/capi-client"),
  orders: await import("../sim/order-factory"),
  standin: await import("../sim/openai-standin"),
};
type Prisma = ReturnType<typeof app.db.createPrismaClient>;

async function configureShop(prisma: Prisma, shop: string, pixelId: string, apiKey: string) {
  const ring = app.encryption.keyRingFrom(ENCRYPTION_KEY);
  const data = { pixelId, apiKeyCiphertext: app.encryption.encryptSecret(ring, apiKey), apiKeyLast4: apiKey.slice(-4) };
  await prisma.shopSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  // An offline session, so authenticate.webhook's per-request session lookup finds one (stock path).
  await prisma.session.upsert({
    where: { id: `offline_${shop}` },
    create: {
      id: `offline_${shop}`,
      shop,
      state: "bench",
      isOnline: false,
      accessToken: "bench-token",
      scope: "read_orders",
    },
    update: {},
  });
}

// ── 1. webhook ingest ──────────────────────────────────────────────────────────────────────────────

let orderSequence = 810_000_000_000 + Math.floor(Math.random() * 1e9);

/** autocannon requests: every one a different, correctly signed orders/create of `shop`. */
function signedOrders(shop: string, onSend?: (orderId: string) => void) {
  const placeholder = 111_111_111_111;
  const parts = JSON.stringify(
    app.orders.makeShopifyOrder({ id: placeholder, landingSite: "/products/tee?oppref=oa_bench" }),
  ).split(String(placeholder));
  return [
    {
      setupRequest: (request: object) => {
        const id = String(orderSequence++);
        const body = parts.join(id);
        onSend?.(id);
        return {
          ...request,
          method: "POST",
          path: "/webhooks/orders/create",
          headers: {
            "content-type": "application/json",
            "x-shopify-hmac-sha256": createHmac("sha256", SECRET).update(body).digest("base64"),
            "x-shopify-topic": "orders/create",
            "x-shopify-shop-domain": shop,
            "x-shopify-api-version": "2026-10",
            "x-shopify-webhook-id": `wh-${id}`,
            "x-shopify-event-id": `ev-${id}`,
            "x-shopify-triggered-at": new Date().toISOString(),
          },
          body,
        };
      },
    },
  ];
}

interface LoadFigures {
  rps: number;
  p99: number;
  ok: number;
  failed: number;
}

async function load(
  url: string,
  shop: string,
  options: { seconds: number; rate?: number; onSend?: (orderId: string) => void },
): Promise<LoadFigures> {
  const result: AutocannonResult = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: options.seconds,
    overallRate: options.rate,
    timeout: 10,
    requests: signedOrders(shop, options.onSend),
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

async function measureServer(url: string, shop: string): Promise<LoadFigures> {
  await load(url, shop, { seconds: WARMUP_S });
  return load(url, shop, { seconds: RUN_S });
}

function bundleStockServer(): string {
  const out = path.join(ROOT, "build", "bench", "stock-path.js");
  execFileSync(
    path.join(ROOT, "node_modules", ".bin", "esbuild"),
    [
      "bench/servers/stock-path.ts",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--packages=external",
      "--target=node22",
      `--outfile=${out}`,
      "--log-level=warning",
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
  );
  return out;
}

interface IngestFigures {
  stock: LoadFigures;
  stored: LoadFigures;
  processed: LoadFigures;
  storedAt1000: LoadFigures;
  processedAt1000: LoadFigures;
  appliedPerSecond: number;
}

async function benchIngest(db: BenchDb, prisma: Prisma, stockServer: string): Promise<IngestFigures> {
  const shop = `bench-ingest-${db.provider}.myshopify.com`;
  await configureShop(prisma, shop, "pxbenchingest", `capi_${"b".repeat(32)}`);
  const env = { DATABASE_URL: db.url, RUN_WORKER: "false", OPENAI_CAPI_URL: "http://127.0.0.1:9" };

  const stockProc = await startNode(stockServer, { DATABASE_URL: db.url });
  const stock = await measureServer(stockProc.url, shop);
  await stockProc.stop();
  log(`  stock path (authenticate.webhook + 1 write): ${fmt(stock.rps)} req/s, p99 ${fmt(stock.p99)} ms`);

  const processedProc = await startNode(path.join(ROOT, "build", "server.js"), { ...env, WEBHOOK_ACK: "processed" });
  const processed = await measureServer(processedProc.url, shop);
  const processedAt1000 = await load(processedProc.url, shop, { seconds: RUN_S, rate: 1000 });
  await processedProc.stop();
  log(
    `  lean path, WEBHOOK_ACK=processed: ${fmt(processed.rps)} req/s, p99 ${fmt(processed.p99)} ms; at 1,000 req/s offered: p99 ${fmt(processedAt1000.p99)} ms (${fmt(processedAt1000.rps)} req/s served)`,
  );

  const storedProc = await startNode(path.join(ROOT, "build", "server.js"), { ...env, WEBHOOK_ACK: "stored" });
  const stored = await measureServer(storedProc.url, shop);
  const storedAt1000 = await load(storedProc.url, shop, { seconds: RUN_S, rate: 1000 });
  await storedProc.stop();
  log(
    `  lean path, WEBHOOK_ACK=stored: ${fmt(stored.rps)} req/s, p99 ${fmt(stored.p99)} ms; at 1,000 req/s: p99 ${fmt(storedAt1000.p99)} ms`,
  );

  // Applying what was stored: ONE applier process (`worker.js --inbox-only`: no delivery), nothing
  // else running, draining the inbox the two stored runs above filled.
  const queued = await prisma.webhookInbox.count();
  const applier = await startNode(
    path.join(ROOT, "build", "worker.js"),
    { DATABASE_URL: db.url, OPENAI_CAPI_URL: "http://127.0.0.1:9" },
    false,
    WORKER_NODE_ARGS,
    ["--inbox-only"],
  );
  // From the first row applied to the last (start-up excluded).
  let first: { at: number; left: number } | null = null;
  let left = queued;
  const deadline = Date.now() + 300_000;
  while (left > 0 && Date.now() < deadline && applier.child.exitCode === null) {
    await sleep(50);
    left = await prisma.webhookInbox.count();
    if (first === null && left < queued) first = { at: performance.now(), left };
  }
  const drainedAt = performance.now();
  await applier.stop();
  if (left > 0) throw new Error(`the applier left ${left} of ${queued} stored webhooks:\n${applier.output()}`);
  const appliedPerSecond = first ? first.left / ((drainedAt - first.at) / 1000) : NaN;
  const applied = await prisma.conversionEvent.count({ where: { shop } });
  log(
    `  stored webhooks applied by ONE applier process (nothing else running): ${fmt(appliedPerSecond)}/s (${fmt(queued)} queued; the shop now holds ${fmt(applied)} events, the processed run's included)`,
  );
  // Leave nothing behind for the next sections.
  await prisma.webhookInbox.deleteMany({});
  await prisma.conversionEvent.deleteMany({ where: { shop } });
  return { stock, stored, processed, storedAt1000, processedAt1000, appliedPerSecond };
}

// ── 1b. end to end at a quarter of the acknowledgement rate ──────────────────────────────────────────

const E2E_S = QUICK ? 15 : 60;

interface EndToEndFigures {
  rate: number;
  offered: number;
  acked: number;
  accepted: number;
  p50Ms: number;
  p99Ms: number;
  maxInbox: number;
  maxOpenEvents: number;
  /** depths once the load stopped and everything was delivered */
  drainedInS: number;
}

/**
 * Webhooks offered at `rate` for E2E_S seconds to a web process with WEBHOOK_ACK=stored, one worker
 * process (applier + delivery), OpenAI's stand-in answering after 100 ms; the shop has no pixel
 * grace period (no web pixel activated) and orders carry their oppref, so each is sent at once.
 * Latency = the stand-in's 2xx for the event minus the moment the webhook was sent.
 */
async function benchEndToEnd(db: BenchDb, prisma: Prisma, rate: number): Promise<EndToEndFigures> {
  const shop = `bench-e2e-${db.provider}.myshopify.com`;
  const pixelId = "pxbenche2e";
  const apiKey = `capi_${"e".repeat(32)}`;
  await configureShop(prisma, shop, pixelId, apiKey);
  await prisma.shopSettings.update({ where: { shop }, data: { oppRefGraceSeconds: 0, webPixelId: null } });
  const standin = await app.standin.startOpenAiStandin();
  standin.addPixel(pixelId, apiKey);
  standin.setLatency(OPENAI_LATENCY_MS);
  const web = await startNode(path.join(ROOT, "build", "server.js"), {
    DATABASE_URL: db.url,
    RUN_WORKER: "false",
    WEBHOOK_ACK: "stored",
    OPENAI_CAPI_URL: standin.url,
  });
  const worker = await startNode(
    path.join(ROOT, "build", "worker.js"),
    { DATABASE_URL: db.url, OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "50" },
    false,
    WORKER_NODE_ARGS,
  );
  await sleep(1000);
  const sentAt = new Map<string, number>();
  let maxInbox = 0;
  let maxOpenEvents = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [inbox, open] = await Promise.all([
        prisma.webhookInbox.count(),
        prisma.conversionEvent.count({ where: { shop, status: { in: ["pending", "sending"] } } }),
      ]);
      maxInbox = Math.max(maxInbox, inbox);
      maxOpenEvents = Math.max(maxOpenEvents, open);
      await sleep(250);
    }
  })();
  const figures = await load(web.url, shop, {
    seconds: E2E_S,
    rate,
    onSend: (orderId) => sentAt.set(orderId, Date.now()),
  });
  const stoppedAt = performance.now();
  let drainedInS = NaN;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const [inbox, open] = await Promise.all([
      prisma.webhookInbox.count(),
      prisma.conversionEvent.count({ where: { shop, status: { in: ["pending", "sending"] } } }),
    ]);
    if (inbox === 0 && open === 0 && standin.accepted(pixelId).length >= figures.ok) {
      drainedInS = (performance.now() - stoppedAt) / 1000;
      break;
    }
    await sleep(100);
  }
  sampling = false;
  await sampler;
  await Promise.all([web.stop(), worker.stop()]);
  // The stand-in's clock is this process's Date.now(): one clock for both ends.
  const byEventId = new Map<string, number>();
  for (const [orderId, at] of sentAt) byEventId.set(await app.dedup.dedupIdForOrder(orderId), at);
  const latencies = standin
    .accepted(pixelId)
    .map((a) => a.receivedAt - (byEventId.get(a.event.id) ?? NaN))
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  await standin.close();
  const pct = (q: number) =>
    latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const result: EndToEndFigures = {
    rate,
    offered: sentAt.size,
    acked: figures.ok,
    accepted: latencies.length,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxInbox,
    maxOpenEvents,
    drainedInS,
  };
  log(
    `  end to end at ${fmt(rate)} webhooks/s for ${E2E_S} s: ${fmt(result.acked)} acknowledged, ${fmt(result.accepted)} accepted by OpenAI's stand-in; webhook → 2xx p50 ${fmt(result.p50Ms)} ms, p99 ${fmt(result.p99Ms)} ms; max depth inbox ${fmt(maxInbox)}, open events ${fmt(maxOpenEvents)}; drained ${fmt(drainedInS, 1)} s after the load stopped`,
  );
  await prisma.conversionEvent.deleteMany({ where: { shop } });
  return result;
}

/** Bounded: never more than 2 s of offered webhooks waiting in either queue, and all drained. */
function e2eBounded(e: EndToEndFigures): boolean {
  return e.maxInbox <= 2 * e.rate && e.maxOpenEvents <= 2 * e.rate && Number.isFinite(e.drainedInS);
}

// ── 2. delivery throughput ───────────────────────────────────────────────────────────────────────────

/** A real order_created event (built by the app's own core) to copy. */
async function templateEvent(shop: string) {
  const order = app.orders.makeShopifyOrder({ id: 424242424242, landingSite: "/?oppref=oa_bench" });
  const decision = await app.orderEvent.decideOrderCreated(order, {
    shopDomain: shop,
    policy: app.policy.DEFAULT_SHOP_POLICY,
    now: new Date(),
  });
  if (decision.kind !== "send") throw new Error(`template order not sendable: ${JSON.stringify(decision)}`);
  return decision;
}

async function seedPendingEvents(prisma: Prisma, shops: string[], total: number, dueAt: Date) {
  const template = await templateEvent(shops[0]);
  const rows = [];
  for (let i = 0; i < total; i++) {
    const orderId = String(830_000_000_000 + i);
    const dedupId = await app.dedup.dedupIdForOrder(orderId);
    const shop = shops[i % shops.length];
    rows.push({
      shop,
      eventType: "order_created",
      eventName: "order_created",
      eventId: dedupId,
      orderId,
      orderDedupId: dedupId,
      orderName: template.orderName,
      status: "pending",
      payload: JSON.stringify({ ...template.event, id: dedupId }),
      amountMinor: template.amountMinor,
      currency: template.currency,
      oppref: template.event.oppref ?? null,
      opprefSource: template.opprefSource,
      occurredAt: template.occurredAt,
      expiresAt: new Date(Date.now() + 6 * 86_400_000),
      nextAttemptAt: dueAt,
    });
  }
  for (const slice of chunked(rows, 500)) await prisma.conversionEvent.createMany({ data: slice });
  return template;
}

interface DeliveryFigures {
  perSecond: number;
  baselinePerSecond: number;
  requests: number;
}

async function benchDelivery(db: BenchDb, prisma: Prisma): Promise<DeliveryFigures> {
  const standin = await app.standin.startOpenAiStandin();
  standin.setLatency(OPENAI_LATENCY_MS);
  const shops = Array.from({ length: 10 }, (_, i) => ({
    shop: `bench-deliver-${i}-${db.provider}.myshopify.com`,
    pixelId: `pxbenchdeliver${i}`,
    apiKey: `capi_${"d".repeat(31)}${i}`,
  }));
  for (const s of shops) {
    standin.addPixel(s.pixelId, s.apiKey);
    await configureShop(prisma, s.shop, s.pixelId, s.apiKey);
  }
  const dueAt = new Date(Date.now() + 60_000);
  const template = await seedPendingEvents(
    prisma,
    shops.map((s) => s.shop),
    DELIVERY_EVENTS,
    dueAt,
  );

  // Baseline: one event per request, one request after the other.
  const baselineEvents = QUICK ? 10 : 20;
  const t0 = performance.now();
  for (let i = 0; i < baselineEvents; i++) {
    const id = await app.dedup.dedupIdForOrder(String(840_000_000_000 + i));
    await app.capi.deliverBatch({ baseUrl: standin.url, pixelId: shops[0].pixelId, apiKey: shops[0].apiKey }, [
      { ...template.event, id },
    ]);
  }
  const baselinePerSecond = baselineEvents / ((performance.now() - t0) / 1000);

  // The app: two worker processes (one per core), four lanes each, started before the events are due.
  const workers = await Promise.all(
    [0, 1].map(() =>
      startNode(
        path.join(ROOT, "build", "worker.js"),
        { DATABASE_URL: db.url, OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "20" },
        false,
        WORKER_NODE_ARGS,
      ),
    ),
  );
  await sleep(1500);
  const requestsBefore = standin.requests().length;
  await prisma.conversionEvent.updateMany({
    where: { shop: { in: shops.map((s) => s.shop) } },
    data: { nextAttemptAt: new Date(0) },
  });
  const t1 = performance.now();
  const shopNames = shops.map((s) => s.shop);
  let delivered = 0;
  let progressAt = Date.now();
  try {
    while (delivered < DELIVERY_EVENTS) {
      const now = await prisma.conversionEvent.count({ where: { shop: { in: shopNames }, status: "delivered" } });
      if (now > delivered) progressAt = Date.now();
      delivered = now;
      if (Date.now() - progressAt > 30_000) {
        const statuses = await prisma.conversionEvent.groupBy({
          by: ["status", "lastStatus"],
          where: { shop: { in: shopNames } },
          _count: { _all: true },
        });
        const sessions =
          db.provider === "postgres"
            ? await prisma.$queryRaw`SELECT pid, state, wait_event_type, wait_event, left(query, 160) AS query FROM pg_stat_activity WHERE datname = current_database()`
            : [];
        throw new Error(
          `delivery stalled at ${delivered}/${DELIVERY_EVENTS}: ${JSON.stringify(statuses)}\n${JSON.stringify(sessions, null, 1)}\n${workers.map((w) => w.output()).join("\n")}`,
        );
      }
      await sleep(25);
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  const perSecond = DELIVERY_EVENTS / ((performance.now() - t1) / 1000);
  const accepted = standin.accepted().length - baselineEvents;
  if (accepted !== DELIVERY_EVENTS)
    throw new Error(`stand-in accepted ${accepted} events, expected ${DELIVERY_EVENTS}`);
  const requests = standin.requests().length - requestsBefore;
  await standin.close();
  log(
    `  delivery: ${fmt(perSecond)} events/s (${fmt(DELIVERY_EVENTS)} events, ${requests} requests, 2 workers) vs one event per request: ${fmt(baselinePerSecond, 1)} events/s`,
  );
  return { perSecond, baselinePerSecond, requests };
}

// ── 3. peak RSS with a deep queue ────────────────────────────────────────────────────────────────────

async function seedQueue(db: BenchDb, prisma: Prisma, total: number) {
  const template = await templateEvent("bench-queue.myshopify.com");
  const payload = JSON.stringify({ ...template.event, id: "__ID__" });
  const now = new Date();
  const expires = new Date(now.getTime() + 6 * 86_400_000);
  const { Prisma: P } = await import("@prisma/client");
  const chunk = 100_000;
  for (let from = 0; from < total; from += chunk) {
    const to = Math.min(total, from + chunk);
    const id =
      db.provider === "postgres" ? P.sql`'o1_q' || lpad(i::text, 19, '0')` : P.sql`'o1_q' || printf('%019d', i)`;
    const series =
      db.provider === "postgres"
        ? P.sql`FROM generate_series(${from + 1}::int, ${to}::int) AS s(i)`
        : // a bound JS number arrives as REAL in SQLite: without the cast, ids would read "q1.0"
          P.sql`FROM (WITH RECURSIVE s(i) AS (SELECT CAST(${from + 1} AS INTEGER) UNION ALL SELECT i + 1 FROM s WHERE i < ${to}) SELECT i FROM s)`;
    const shop =
      db.provider === "postgres"
        ? P.sql`'bench-queue-' || (i % 10)::text || '.myshopify.com'`
        : P.sql`'bench-queue-' || (i % 10) || '.myshopify.com'`;
    const orderId =
      db.provider === "postgres" ? P.sql`(850000000000 + i)::text` : P.sql`CAST(850000000000 + i AS TEXT)`;
    // Postgres does not infer parameter types from the target columns in INSERT … SELECT: cast.
    const pgCast = (value: unknown, type: string) =>
      db.provider === "postgres" ? P.sql`CAST(${value} AS ${P.raw(type)})` : P.sql`${value}`;
    const at = pgCast(now, "timestamp(3)");
    await prisma.$executeRaw`
      INSERT INTO "ConversionEvent" ("id", "shop", "eventType", "eventName", "eventId", "orderId", "orderDedupId", "status", "payload",
        "amountMinor", "currency", "requiresOptIn", "occurredAt", "expiresAt", "attempts", "nextAttemptAt", "createdAt", "updatedAt")
      SELECT 'q' || i, ${shop}, 'order_created', 'order_created', ${id}, ${orderId}, ${id}, 'pending', replace(${pgCast(payload, "text")}, '__ID__', ${id}),
        ${pgCast(template.amountMinor, "integer")}, ${pgCast(template.currency, "text")}, false, ${at}, ${pgCast(expires, "timestamp(3)")}, 0, ${at}, ${at}, ${at}
      ${series}`;
  }
}

interface RssFigures {
  peakMb: number;
  delivered: number;
  queued: number;
}

async function benchRss(db: BenchDb, prisma: Prisma): Promise<RssFigures> {
  const t0 = performance.now();
  await seedQueue(db, prisma, QUEUED_EVENTS);
  const queued = await prisma.conversionEvent.count({ where: { status: "pending" } });
  log(`  queued ${fmt(queued)} events in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  const standin = await app.standin.startOpenAiStandin();
  standin.setLatency(OPENAI_LATENCY_MS);
  for (let i = 0; i < 10; i++) {
    const s = {
      shop: `bench-queue-${i}.myshopify.com`,
      pixelId: `pxbenchqueue${i}`,
      apiKey: `capi_${"q".repeat(31)}${i}`,
    };
    standin.addPixel(s.pixelId, s.apiKey);
    await configureShop(prisma, s.shop, s.pixelId, s.apiKey);
  }
  const worker = await startNode(
    path.join(ROOT, "build", "worker.js"),
    { DATABASE_URL: db.url, OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "20" },
    false,
    WORKER_NODE_ARGS,
  );
  let peak = 0;
  const until = Date.now() + RSS_WINDOW_S * 1000;
  while (Date.now() < until && worker.child.exitCode === null) {
    const { rss, peak: hwm } = rssOf(worker.child.pid!);
    peak = Math.max(peak, rss, hwm);
    await sleep(100);
  }
  if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
  await worker.stop();
  await standin.close();
  const delivered = await prisma.conversionEvent.count({
    where: { status: "delivered", shop: { startsWith: "bench-queue-" } },
  });
  if (delivered === 0)
    log(
      `  (nothing delivered: worker said ${JSON.stringify(worker.output().slice(-2000))}; stand-in saw ${standin.requests().length} requests)`,
    );
  log(
    `  worker peak RSS ${fmt(peak)} MB while draining ${fmt(queued)} queued events (${fmt(delivered)} delivered in ${RSS_WINDOW_S} s)`,
  );
  return { peakMb: peak, delivered, queued };
}

// ── run ──────────────────────────────────────────────────────────────────────────────────────────────

interface ProviderFigures {
  /** sections that threw, with the first line of why */
  failed: Record<string, string>;
  ingest?: IngestFigures;
  e2e?: EndToEndFigures;
  delivery?: DeliveryFigures;
  rss?: RssFigures;
}

async function benchBare(): Promise<LoadFigures> {
  const bare = await startNode(path.join(ROOT, "bench", "servers", "bare-hmac.mjs"), {});
  const figures = await measureServer(bare.url, "bench-bare.myshopify.com");
  await bare.stop();
  return figures;
}

/**
 * BENCH_ONLY=ingest,e2e,delivery,rss,pixel,reconciliation (comma-separated) runs just those sections,
 * for iterating on one; e2e needs ingest (its rate is a quarter of the ack rate measured there).
 */
const ONLY = new Set((process.env.BENCH_ONLY ?? "").split(",").filter(Boolean));
const wanted = (section: string) => ONLY.size === 0 || ONLY.has(section);

async function benchProvider(db: BenchDb, stockServer: string): Promise<ProviderFigures> {
  const prisma = app.db.createPrismaClient(db.url);
  try {
    if (db.provider === "sqlite") await app.db.initDatabase(prisma);
    log(`\n${db.provider}:`);
    const failed: Record<string, string> = {};
    // A section that fails (e.g. delivery stalls on an overloaded machine) is reported as such in
    // the summary; the other sections of the run still print their PASS/MISS.
    const section = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      if (!wanted(name)) return undefined;
      try {
        return await run();
      } catch (error) {
        failed[name] = (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 200);
        log(`  ${name}: FAILED — ${failed[name]}`);
        return undefined;
      }
    };
    const ingest = await section("ingest", () => benchIngest(db, prisma, stockServer));
    // A quarter of the acknowledgement rate measured just before (needs the ingest section).
    const e2e = ingest
      ? await section("e2e", () => benchEndToEnd(db, prisma, Math.max(1, Math.round(ingest.stored.rps / 4))))
      : undefined;
    const delivery = await section("delivery", () => benchDelivery(db, prisma));
    const rss = await section("rss", () => benchRss(db, prisma));
    return { ingest, e2e, delivery, rss, failed } as ProviderFigures;
  } finally {
    await prisma.$disconnect();
  }
}

async function pixelSize(): Promise<{ gzip: number; raw: number } | string> {
  const file = path.join(ROOT, "scripts", "build-pixel.ts");
  if (!existsSync(file)) return "scripts/build-pixel.ts not present";
  const { buildPixel } = (await import("../scripts/build-pixel")) as {
    buildPixel: (o: { outfile: null }) => Promise<{ gzipBytes: number; rawBytes: number }>;
  };
  const built = await buildPixel({ outfile: null });
  return { gzip: built.gzipBytes, raw: built.rawBytes };
}

async function reconciliation(): Promise<{ ratio: number; report: string } | string> {
  const file = path.join(ROOT, "bench", "reconciliation-bench.ts");
  if (!existsSync(file)) return "bench/reconciliation-bench.ts not present";
  const { runReconciliationBench } = (await import("./reconciliation-bench")) as {
    runReconciliationBench: (o: {
      sizes?: number[];
      log?: (line: string) => void;
    }) => Promise<{ ratio: number; report: string }>;
  };
  return runReconciliationBench({
    sizes: QUICK ? [10_000, 100_000] : [10_000, 1_000_000],
    log: (line) => log(`  ${line}`),
  });
}

function verdict(ok: boolean) {
  return ok ? "PASS" : "MISS";
}

async function main() {
  const started = performance.now();
  const cpu = os.cpus();
  log(`oppref-conversions bench — ${new Date().toISOString()} — ${QUICK ? "QUICK" : "full"} run`);
  log(
    `machine: ${cpu.length} × ${cpu[0]?.model.trim()}, ${fmt(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load avg ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  log("building the app (npm run build) …");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const stockServer = bundleStockServer();

  const pixel = wanted("pixel") ? await pixelSize() : "not selected (BENCH_ONLY)";
  log(
    typeof pixel === "string" ? `pixel: ${pixel}` : `pixel bundle: ${fmt(pixel.gzip)} B gzip (${fmt(pixel.raw)} B raw)`,
  );

  log("bare node:http HMAC-only server …");
  const bare = wanted("ingest") ? await benchBare() : { rps: NaN, p99: NaN, ok: 0, failed: 0 };
  log(`  ${fmt(bare.rps)} req/s, p99 ${fmt(bare.p99)} ms`);

  const results: Partial<Record<Provider, ProviderFigures | string>> = {};
  // BENCH_PROVIDERS=sqlite or =postgres runs one database only (for iterating); default both.
  const providers = new Set((process.env.BENCH_PROVIDERS ?? "sqlite,postgres").split(","));
  if (providers.has("sqlite")) {
    const sqlite = await sqliteDb();
    try {
      results.sqlite = await benchProvider(sqlite, stockServer);
    } finally {
      await sqlite.drop();
    }
  }
  const postgres = providers.has("postgres") ? await postgresDb() : "not selected (BENCH_PROVIDERS)";
  if (typeof postgres === "string") {
    results.postgres = postgres;
    log(`\npostgres: skipped — ${postgres}`);
  } else {
    try {
      results.postgres = await benchProvider(postgres, stockServer);
    } finally {
      await postgres.drop();
    }
  }

  log("\nreconciliation loader:");
  const recon = wanted("reconciliation") ? await reconciliation() : "not selected (BENCH_ONLY)";
  if (typeof recon === "string") log(`  skipped — ${recon}`);

  // ── summary: every ratio from figures of this run ──
  log(`\n══ summary (${QUICK ? "quick" : "full"} run, ${fmt((performance.now() - started) / 1000)} s) ══`);
  log(`bare node:http HMAC server: ${wanted("ingest") ? `${fmt(bare.rps)} req/s` : "not measured (BENCH_ONLY)"}`);
  const summary: Record<string, unknown> = {
    date: new Date().toISOString(),
    quick: QUICK,
    machine: { cpus: cpu.length, model: cpu[0]?.model.trim(), node: process.version },
    bare,
    pixel,
    results,
    reconciliation: recon,
  };
  for (const provider of ["sqlite", "postgres"] as const) {
    const r = results[provider];
    if (!r || typeof r === "string") {
      log(`${provider}: skipped${r ? ` (${r})` : ""}`);
      continue;
    }
    log(`${provider}:`);
    for (const [name, why] of Object.entries(r.failed))
      log(`  ${name}: not measured, the section failed (${why}) [MISS]`);
    const i = r.ingest;
    if (i) {
      const ofAck = i.appliedPerSecond / i.stored.rps;
      const appliedOfStock = i.appliedPerSecond / i.stock.rps;
      log(
        `  INGEST (headline) — webhooks applied: ${fmt(i.appliedPerSecond)}/s by one applier process = ${fmt(ofAck, 2)} × stored ack ${fmt(i.stored.rps)} req/s [target ≥ 0.5: ${verdict(ofAck >= 0.5)}], ${fmt(appliedOfStock, 1)}× stock ${fmt(i.stock.rps)} req/s [target ≥ 3×: ${verdict(appliedOfStock >= 3)}]`,
      );
      const ofBare = i.stored.rps / bare.rps;
      const ofStock = i.stored.rps / i.stock.rps;
      log(
        `  ack (WEBHOOK_ACK=stored): ${fmt(i.stored.rps)} req/s = ${fmt(ofBare, 2)} of bare [target ≥ 0.10: ${verdict(ofBare >= 0.1)}], ${fmt(ofStock, 1)}× stock [target ≥ 5×: ${verdict(ofStock >= 5)}]`,
      );
      log(
        `  ack p99 at 1,000 req/s: stored ${fmt(i.storedAt1000.p99)} ms [target ≤ 25: ${verdict(i.storedAt1000.p99 <= 25)}], processed ${fmt(i.processedAt1000.p99)} ms`,
      );
      log(
        `  WEBHOOK_ACK=processed (batch group commit): ${fmt(i.processed.rps)} req/s = ${fmt(i.processed.rps / i.stored.rps, 2)} × stored, ${fmt(i.processed.rps / i.stock.rps, 1)}× stock`,
      );
    }
    const e = r.e2e;
    if (e) {
      log(
        `  end to end at ${fmt(e.rate)}/s (0.25 × ack) for ${E2E_S} s: webhook → OpenAI 2xx p99 ${fmt(e.p99Ms)} ms [target ≤ 2,000: ${verdict(e.p99Ms <= 2000 && e.accepted >= e.acked)}], depths inbox ≤ ${fmt(e.maxInbox)} / open events ≤ ${fmt(e.maxOpenEvents)} [bounded (≤ 2 s of load, drained): ${verdict(e2eBounded(e))}]`,
      );
    }
    if (r.delivery) {
      const ratio = r.delivery.perSecond / r.delivery.baselinePerSecond;
      log(
        `  delivery @100 ms: ${fmt(r.delivery.perSecond)} events/s = ${fmt(ratio)}× one-per-request (${fmt(r.delivery.baselinePerSecond, 1)}/s) [target ≥ 500×: ${verdict(ratio >= 500)}]`,
      );
    }
    if (r.rss)
      log(
        `  worker peak RSS with ${fmt(r.rss.queued)} queued: ${fmt(r.rss.peakMb)} MB [target ≤ 250: ${verdict(r.rss.peakMb <= 250)}]`,
      );
  }
  if (typeof pixel !== "string")
    log(
      `pixel: ${fmt(pixel.gzip)} B gzip = ${fmt((pixel.gzip / (128 * 1024)) * 100, 2)} % of Shopify's 128 KB cap [target ≤ 2 KB: ${verdict(pixel.gzip <= 2048)}]`,
    );
  if (typeof recon !== "string") log(`reconciliation loader 1 M / 10 k events: ${fmt(recon.ratio, 2)}×`);
  const out = path.join(ROOT, "build", "bench", "latest.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(summary, null, 2));
  log(`figures: ${path.relative(ROOT, out)}`);
}

try {
  await main();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(0);
