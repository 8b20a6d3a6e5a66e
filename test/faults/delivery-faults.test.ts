/**
 * Fault injection, delivery side: the built app and workers as real child processes, real
 * HTTP on loopback, the real SQLite file, the contract-faithful OpenAI stand-in. Each scenario breaks
 * something, lets the system recover, then checks the one thing that matters: every event that had to
 * reach OpenAI was accepted exactly once per id, nothing was lost, and the app is still healthy.
 *
 * Deterministic by construction: the kill points and batch contents come from a seeded RNG, clocks
 * are injected where time matters, and nothing asserts how long anything took.
 */
import { createClient } from "@libsql/client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder, derivedEventId, type DedupId } from "~/conversions/dedup-id";
import { runDeliveryPass, runUntilIdle } from "~/outbox/worker.server";
import { orderLedgerFromRow } from "~/models/money-columns.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { sendWebhook, webhookRequest, type WebhookMessage } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";
import { deliveryFigures, FaultSummary, healthy, seededRandom, sleep } from "./harness";

const ON_SQLITE = (process.env.DATABASE_URL ?? "").startsWith("file:");

const SEED = Number(process.env.FAULT_SEED ?? 20260707);
const summary = new FaultSummary("delivery");
let standin: OpenAiStandin;
let app: AppProcess;
let nextOrderId = 850000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  standin = await startOpenAiStandin();
}, 60_000);

// Every scenario gets a fresh app process (it only ingests; workers run in-process with an injected
// clock, or as child processes to be killed), so a scenario that breaks the app cannot break the next.
beforeEach(async () => {
  app = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false" });
});
afterEach(async () => {
  await app?.kill("SIGKILL");
});

afterAll(async () => {
  console.log(summary.report());
  await standin?.close();
});

async function newShop(label: string) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  return s;
}

function orderMessage(shop: string, id: number, eventId?: string, webhookId?: string): WebhookMessage {
  return {
    topic: "orders/create",
    shop,
    body: JSON.stringify(makeShopifyOrder({ id, landingSite: `/?oppref=oa_f${id}` })),
    secret: TEST_SECRET,
    eventId,
    webhookId,
  };
}

/**
 * Sends like Shopify: waits a bounded time for an answer and, on anything but 2xx, sends again later
 * with the same ids. Returns the final status (0: never answered) and how many attempts failed.
 */
async function deliverLikeShopify(
  url: string,
  message: WebhookMessage,
  attempts = 6,
): Promise<{ status: number; failures: number }> {
  const stable = {
    ...message,
    eventId: message.eventId ?? crypto.randomUUID(),
    webhookId: message.webhookId ?? crypto.randomUUID(),
  };
  let failures = 0;
  let status = 0;
  for (let i = 0; i < attempts; i++) {
    status = await fetch(webhookRequest(url, stable), { signal: AbortSignal.timeout(15_000) })
      .then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      })
      .catch(() => 0);
    if (status >= 200 && status < 500) return { status, failures };
    failures++;
    await sleep(200);
  }
  return { status, failures };
}

async function ingestOrders(shop: string, count: number, concurrency = 8): Promise<number[]> {
  const ids = Array.from({ length: count }, () => nextOrderId++);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        const { status } = await deliverLikeShopify(app.url, orderMessage(shop, id));
        expect(status).toBe(200);
      }
    }),
  );
  return ids;
}

const expectedCreates = async (ids: number[]) =>
  Promise.all(ids.map(async (id) => `order_created:${await dedupIdForOrder(id)}`));

async function record(figures: Awaited<ReturnType<typeof deliveryFigures>>) {
  summary.add(figures);
  expect(figures.problems).toEqual([]);
  expect(figures.duplicated).toBe(0);
  expect(figures.lost).toBe(0);
  expect(await healthy(app.url, app.child)).toBe(true);
}

describe("fault injection: delivery", () => {
  it("OpenAI down for a simulated hour (503s, then dropped connections), then back: all delivered once", async () => {
    const { shop, pixelId } = await newShop("f-outage");
    const ids = await ingestOrders(shop, 40);
    const resentBefore = standin.duplicatesIgnored();
    const t0 = Date.now();
    const at = (minutes: number) => () => new Date(t0 + minutes * 60_000);
    for (let minute = 0; minute <= 60; minute += 5) {
      standin.setFailure(minute < 30 ? { kind: "status", status: 503 } : { kind: "drop" });
      await runDeliveryPass({ baseUrl: standin.url, now: at(minute), client: { timeoutMs: 2_000 } });
    }
    expect(standin.accepted(pixelId)).toHaveLength(0);
    const during = await prisma.conversionEvent.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } });
    expect(during.map((g) => g.status)).toEqual(["pending"]); // waiting, none given up on
    standin.setFailure(null);
    // Backoff never waits more than an hour: two simulated hours later everything is due.
    await runUntilIdle({ baseUrl: standin.url, now: at(180) });
    await record(
      await deliveryFigures(
        "openai-outage-1h",
        standin,
        [{ shop, pixelId, expected: await expectedCreates(ids) }],
        standin.duplicatesIgnored() - resentBefore,
      ),
    );
  }, 60_000);

  it("worker SIGKILLed at 20 seeded random points while orders keep arriving: nothing lost, nothing doubled", async () => {
    const rng = seededRandom(SEED);
    const shops = await Promise.all(Array.from({ length: 4 }, (_, i) => newShop(`f-kill${i}`)));
    const idsByShop = new Map<string, number[]>(shops.map((s) => [s.shop, []]));
    const addOrders = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = shops[Math.floor(rng() * shops.length)];
        idsByShop.get(s.shop)!.push(...(await ingestOrders(s.shop, 1, 1)));
      }
    };
    await addOrders(60);
    const resentBefore = standin.duplicatesIgnored();
    const killPoints: string[] = [];
    for (let kill = 1; kill <= 20; kill++) {
      await addOrders(6);
      standin.setLatency(Math.floor(rng() * 120));
      const worker = await startAppProcess(
        { OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "20", LOG_LEVEL: "error" },
        "worker.js",
      );
      const mode = rng();
      if (mode < 0.3) {
        // Anywhere: during start-up, a claim, a request, or the commit after it.
        const delay = Math.floor(rng() * 600);
        killPoints.push(`t+${delay}ms`);
        await sleep(delay);
      } else {
        // Right after a fresh claim (rows leased now), then a random slice into the batch.
        await waitFor(
          async () =>
            (await prisma.conversionEvent.count({ where: { status: "sending", leaseUntil: { gt: new Date() } } })) >
              0 || worker.child.exitCode !== null,
          "a claim",
          10_000,
        ).catch(() => undefined);
        const delay = Math.floor(rng() * 150);
        killPoints.push(`claim+${delay}ms`);
        await sleep(delay);
      }
      expect(worker.child.exitCode).toBeNull(); // it was still running when killed
      await worker.kill("SIGKILL");
      // The dead worker's lease runs out (simulated: its rows become claimable again at once).
      await prisma.conversionEvent.updateMany({
        where: { status: "sending" },
        data: { leaseUntil: new Date(Date.now() - 1) },
      });
    }
    standin.setLatency(0);
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(Date.now() + 5 * 60_000) });
    if (ON_SQLITE) {
      // SIGKILL mid-transaction must never corrupt the file.
      const integrity = await prisma.$queryRawUnsafe<{ integrity_check: string }[]>("PRAGMA integrity_check");
      expect(integrity[0].integrity_check).toBe("ok");
    }

    const targets = await Promise.all(
      shops.map(async (s) => ({
        shop: s.shop,
        pixelId: s.pixelId,
        expected: await expectedCreates(idsByShop.get(s.shop)!),
      })),
    );
    const figures = await deliveryFigures(
      "worker-sigkill-x20",
      standin,
      targets,
      standin.duplicatesIgnored() - resentBefore,
      `kills=${killPoints.length} seed=${SEED}`,
    );
    expect(killPoints).toHaveLength(20);
    await record(figures);
  }, 150_000);

  it("10 concurrent duplicate deliveries of the same webhook, across two app processes: one event", async () => {
    const { shop, pixelId } = await newShop("f-dupes");
    const second = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false" });
    try {
      const ids = [nextOrderId++, nextOrderId++, nextOrderId++, nextOrderId++, nextOrderId++];
      let retried = 0;
      for (const [n, id] of ids.entries()) {
        // Same X-Shopify-Event-Id ten times at once; for the last two orders, ten different event ids
        // (Shopify can also emit the same order under separate events).
        const sameEvent = n < 3;
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            deliverLikeShopify(
              i % 2 ? second.url : app.url,
              orderMessage(shop, id, sameEvent ? `evt-${id}` : `evt-${id}-${i}`, sameEvent ? `wh-${id}` : undefined),
            ),
          ),
        );
        expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
        retried += results.reduce((s, r) => s + r.failures, 0);
      }
      expect(await prisma.conversionEvent.count({ where: { shop } })).toBe(ids.length);
      for (const id of ids.slice(0, 3))
        expect(await prisma.webhookDelivery.count({ where: { shop, eventId: `evt-${id}` } })).toBe(1);
      await runUntilIdle({ baseUrl: standin.url });
      await record(
        await deliveryFigures(
          "concurrent-duplicate-webhooks",
          standin,
          [{ shop, pixelId, expected: await expectedCreates(ids) }],
          0,
          `5xx answered and retried: ${retried}`,
        ),
      );
      expect(await healthy(second.url, second.child)).toBe(true);
    } finally {
      await second.kill("SIGKILL");
    }
  }, 60_000);

  it("refund before its order (sequential and racing): the order counts once, corrections once", async () => {
    const { shop, pixelId } = await newShop("f-refund-first");
    const partial = nextOrderId++;
    const racing = nextOrderId++;
    const refundIds = [nextOrderId++, nextOrderId++];
    const refund = (orderId: number, refundId: number): WebhookMessage => ({
      topic: "refunds/create",
      shop,
      body: JSON.stringify(makeShopifyRefund({ id: refundId, orderId, amount: "20.00" })),
      secret: TEST_SECRET,
    });
    expect((await deliverLikeShopify(app.url, refund(partial, refundIds[0]))).status).toBe(200);
    expect((await deliverLikeShopify(app.url, orderMessage(shop, partial))).status).toBe(200);
    const race = await Promise.all([
      deliverLikeShopify(app.url, refund(racing, refundIds[1])),
      deliverLikeShopify(app.url, orderMessage(shop, racing)),
    ]);
    expect(race.map((r) => r.status)).toEqual([200, 200]);
    // Redeliveries of both, in the wrong order again.
    expect((await deliverLikeShopify(app.url, refund(partial, refundIds[0]))).status).toBe(200);
    expect((await deliverLikeShopify(app.url, orderMessage(shop, partial))).status).toBe(200);

    // Corrections may wait for their order's event and a settling period: let simulated time pass.
    for (const minutes of [0, 5, 30, 120, 24 * 60])
      await runUntilIdle({ baseUrl: standin.url, now: () => new Date(Date.now() + minutes * 60_000) });

    const expected = new Set(await expectedCreates([partial, racing]));
    const rows = await prisma.conversionEvent.findMany({ where: { shop } });
    const corrections = rows.filter((r) => r.eventType === "custom");
    // One correction row per Shopify refund, with the derived (never random) id.
    expect(corrections).toHaveLength(2);
    for (const [i, orderId] of [partial, racing].entries()) {
      const id = await derivedEventId((await dedupIdForOrder(orderId)) as DedupId, "refund", String(refundIds[i]));
      const row = corrections.find((r) => r.orderId === String(orderId))!;
      expect(row.eventId).toBe(id);
      if (row.status === "delivered") expected.add(`custom:${row.eventName}:${row.eventId}`);
    }
    const ledger = (await prisma.orderLedger.findMany({ where: { shop }, orderBy: { orderId: "asc" } })).map(
      orderLedgerFromRow,
    );
    expect(ledger.map((l) => [l.grossMinor, l.refundedMinor, l.netMinor])).toEqual([
      [12999, 2000, 10999],
      [12999, 2000, 10999],
    ]);
    const notes = `corrections: ${corrections.map((c) => `${c.status}${c.skipReason ? `/${c.skipReason}` : ""}`).join(", ")}`;
    await record(await deliveryFigures("refund-before-order", standin, [{ shop, pixelId, expected }], 0, notes));
  }, 60_000);

  it("one invalid event inside a 1000-event batch: 999 accepted, the bad one rejected, none retried", async () => {
    const { shop, pixelId } = await newShop("f-bad1000");
    const ids = await ingestOrders(shop, 1000, 12);
    const rng = seededRandom(SEED + 1);
    const rows = await prisma.conversionEvent.findMany({ where: { shop }, orderBy: { createdAt: "asc" } });
    expect(rows).toHaveLength(1000);
    const victim = rows[Math.floor(rng() * rows.length)];
    const payload = JSON.parse(victim.payload!);
    payload.data.amount = -1; // what a mapping bug would produce
    await prisma.conversionEvent.update({ where: { id: victim.id }, data: { payload: JSON.stringify(payload) } });

    const requestsBefore = standin.requests().length;
    await runUntilIdle({ baseUrl: standin.url });
    const requests = standin.requests().length - requestsBefore;
    const rejected = await prisma.conversionEvent.findMany({ where: { shop, status: "rejected" } });
    expect(rejected.map((r) => r.id)).toEqual([victim.id]);
    expect(rejected[0].lastError).toMatch(/amount/i);
    const good = (await expectedCreates(ids)).filter((key) => key !== `order_created:${victim.eventId}`);
    expect(good).toHaveLength(999);
    // Isolation by splitting: about 2·log2(1000) requests, not 1000.
    expect(requests).toBeLessThan(40);
    await record(
      await deliveryFigures(
        "bad-event-in-1000-batch",
        standin,
        [{ shop, pixelId, expected: good }],
        0,
        `requests=${requests}, rejected=1`,
      ),
    );
  }, 90_000);

  // A file lock held by another connection is SQLite's failure mode; Postgres locks rows, not the database.
  it.runIf(ON_SQLITE)(
    "database write-locked by another connection: webhooks wait or fail 5xx, nothing acknowledged unstored, retries succeed",
    async () => {
      const { shop, pixelId } = await newShop("f-dblock");
      const url = process.env.DATABASE_URL!;
      const locker = createClient({ url });
      const ids = Array.from({ length: 6 }, () => nextOrderId++);
      const messages = ids.map((id) => ({
        ...orderMessage(shop, id),
        eventId: crypto.randomUUID(),
        webhookId: crypto.randomUUID(),
      }));
      const tx = await locker.transaction("write"); // BEGIN IMMEDIATE: holds the write lock
      let released = false;
      const statuses: number[] = [];
      let healthDuringLock = false;
      try {
        await tx.execute({ sql: "UPDATE ShopSettings SET updatedAt = updatedAt WHERE shop = ?", args: [shop] });
        // First wave: sent while the lock is held longer than the app's busy timeout (10 s).
        const firstWave = Promise.all(messages.slice(0, 4).map((m) => sendWebhook(app.url, m).catch(() => 0)));
        await sleep(1_000);
        healthDuringLock = await healthy(app.url, app.child); // readers are not blocked (WAL)
        // Second wave: sent shortly before the lock goes; they wait for it and get through.
        await sleep(9_500);
        const secondWave = Promise.all(messages.slice(4).map((m) => sendWebhook(app.url, m).catch(() => 0)));
        await sleep(1_000);
        await tx.rollback();
        released = true;
        statuses.push(...(await firstWave), ...(await secondWave));
      } finally {
        if (!released) await tx.rollback().catch(() => undefined);
        locker.close();
      }
      // Only 2xx or 5xx: a lock is never the sender's fault. And every 2xx is on disk.
      expect(statuses.every((s) => s === 200 || s >= 500)).toBe(true);
      for (const [i, status] of statuses.entries()) {
        const stored = await prisma.webhookDelivery.count({ where: { shop, eventId: messages[i].eventId } });
        if (status === 200) expect(stored).toBe(1);
        else expect(stored).toBe(0);
      }
      // Shopify retries what was not acknowledged.
      for (const message of messages) expect((await deliverLikeShopify(app.url, message)).status).toBe(200);
      expect(await prisma.conversionEvent.count({ where: { shop } })).toBe(ids.length);
      await runUntilIdle({ baseUrl: standin.url });
      const failed = statuses.filter((s) => s !== 200).length;
      expect(healthDuringLock).toBe(true);
      await record(
        await deliveryFigures(
          "database-locked",
          standin,
          [{ shop, pixelId, expected: await expectedCreates(ids) }],
          0,
          `answered during lock: ${statuses.join(",")} (failed ${failed}, retried)`,
        ),
      );
    },
    90_000,
  );
});
