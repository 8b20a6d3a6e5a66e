/**
 * Many delivery workers, one database: three real worker processes (`build/worker.js`, as
 * `npm run worker` runs it) drain the same outbox at the same time, and every event reaches OpenAI
 * exactly once: no event id is sent twice, none is lost.
 *
 * Postgres is the production case (row claims with FOR UPDATE SKIP LOCKED + a re-checked conditional
 * UPDATE). It runs when the suite runs on Postgres: TEST_DATABASE_PROVIDER=postgres and
 * TEST_POSTGRES_URL (scripts/ci/start-postgres.sh prints one). On the default SQLite run the same
 * test runs against the SQLite file: one writer at a time, waiting for the lock without errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma, { currentDatabaseProvider } from "~/db/client.server";
import { ingestOrderWebhook } from "~/webhooks/orders.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startAppProcess, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";
import { verifiedWebhook } from "../helpers/verified-webhook";

const provider = currentDatabaseProvider();
const SHOPS = 6;
const ORDERS_PER_SHOP = 500;
const WORKERS = 3;

let standin: OpenAiStandin;
const workers: AppProcess[] = [];

beforeAll(async () => {
  standin = await startOpenAiStandin();
});
afterAll(async () => {
  for (const w of workers) await w.kill("SIGKILL").catch(() => undefined);
  await standin?.close();
});

async function threeWorkersSendEachEventOnce() {
  let nextOrderId = 890000000000 + Math.floor(Math.random() * 1e9);
  const shops = await Promise.all(
    Array.from({ length: SHOPS }, async (_, i) => {
      const s = uniqueShop(`multi${i}`);
      standin.addPixel(s.pixelId, s.apiKey);
      await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
      return s;
    }),
  );
  // The outbox, filled through the real ingest function (32 webhooks at a time, group-committed).
  const hooks = shops.flatMap((s) =>
    Array.from({ length: ORDERS_PER_SHOP }, () => {
      const id = nextOrderId++;
      return verifiedWebhook("orders/create", s.shop, makeShopifyOrder({ id, landingSite: `/?oppref=oa_m${id}` }));
    }),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < hooks.length) await ingestOrderWebhook(hooks[next++]);
    }),
  );
  const total = SHOPS * ORDERS_PER_SHOP;
  const shopList = shops.map((s) => s.shop);
  expect(await prisma.conversionEvent.count({ where: { shop: { in: shopList }, status: "pending" } })).toBe(total);

  // Everything becomes due at the same moment, while all workers are polling every 20 ms: their
  // claims race for the same rows. OpenAI answers slowly, so their batches also overlap in time.
  const dueAt = new Date(Date.now() + 4000);
  await prisma.conversionEvent.updateMany({ where: { shop: { in: shopList } }, data: { nextAttemptAt: dueAt } });
  standin.setLatency(100);
  for (let i = 0; i < WORKERS; i++) {
    workers.push(await startAppProcess({ OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "20" }, "worker.js"));
  }
  expect(Date.now()).toBeLessThan(dueAt.getTime()); // all three were up before the rows were due
  await waitFor(
    async () => {
      for (const w of workers) if (w.child.exitCode !== null) throw new Error(`a worker exited:\n${w.output()}`);
      return (await prisma.conversionEvent.count({ where: { shop: { in: shopList }, status: "delivered" } })) === total;
    },
    `${total} events delivered by ${WORKERS} workers`,
    90_000,
  );

  // Exactly once at OpenAI: every event id arrived in exactly one accepted request.
  const sentIds = standin
    .accepted()
    .filter((a) => shops.some((s) => s.pixelId === a.pixelId))
    .map((a) => a.event.id);
  expect(sentIds).toHaveLength(total);
  expect(new Set(sentIds).size).toBe(total);
  expect(standin.duplicatesIgnored()).toBe(0);
  const eventsInRequests = standin
    .requests()
    .filter((r) => r.path === "/v1/events" && r.status === 200 && shops.some((s) => s.pixelId === r.query.pid))
    .reduce((n, r) => n + r.eventCount, 0);
  expect(eventsInRequests).toBe(total);
  for (const w of workers) expect(w.output()).not.toMatch(/SQLITE_BUSY|database is locked|deadlock/i);
}

describe.skipIf(provider !== "postgres")(
  "3 worker processes on ONE Postgres database (runs with TEST_DATABASE_PROVIDER=postgres + TEST_POSTGRES_URL; see scripts/ci/start-postgres.sh)",
  () => {
    it("every event is sent exactly once", threeWorkersSendEachEventOnce, 150_000);
  },
);

describe.skipIf(provider !== "sqlite")(
  "3 worker processes on ONE SQLite file (single writer, waiting for the lock)",
  () => {
    it("every event is sent exactly once", threeWorkersSendEachEventOnce, 150_000);
  },
);
