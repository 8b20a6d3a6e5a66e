/**
 * "Nothing acknowledged that is not on disk": webhooks are fired at the real app (32 at a time), the
 * app is SIGKILLed the moment the test has seen enough 200s, and every webhook that got a 200 must be
 * found in the database. Both acknowledgement modes:
 *   processed (default) — the webhook's idempotency row and its event are there;
 *   stored (WEBHOOK_ACK=stored) — the webhook is in the inbox (encrypted), and a worker process
 *   then applies every acknowledged webhook exactly once.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import prisma, { currentDatabaseProvider } from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { makeShopifyOrder } from "../../sim/order-factory";
import { webhookHeaders } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";

const CONCURRENCY = 32;
const KILL_AFTER_ACKS = 150;
let nextOrderId = 880000000000 + Math.floor(Math.random() * 1e9);
const started: AppProcess[] = [];

afterEach(async () => {
  // No clean-up of the shops' rows: the next test file starts without due work (test/setup-env.ts),
  // and deleting them right after a SIGKILL could deadlock with the killed process's transaction.
  for (const app of started.splice(0)) await app.kill("SIGKILL").catch(() => undefined);
});

interface Sent {
  eventId: string;
  orderId: number;
  status: number;
}

/** Fires orders/create webhooks until `stopAfter` 200s were seen, then kills the app at once. */
async function fireUntilKilled(app: AppProcess, shop: string): Promise<Sent[]> {
  const sent: Sent[] = [];
  let acks = 0;
  let killed = false;
  const lane = async () => {
    while (!killed) {
      const orderId = nextOrderId++;
      const eventId = randomUUID();
      const body = JSON.stringify(makeShopifyOrder({ id: orderId, landingSite: `/?oppref=oa_d${orderId}` }));
      const message = { topic: "orders/create", shop, body, secret: TEST_SECRET, eventId };
      let status = 0;
      try {
        const response = await fetch(new URL("/webhooks/orders/create", app.url), {
          method: "POST",
          headers: webhookHeaders(message),
          body,
        });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 0; // connection cut by the kill: not acknowledged
      }
      sent.push({ eventId, orderId, status });
      if (status === 200 && ++acks >= KILL_AFTER_ACKS && !killed) {
        killed = true;
        app.child.kill("SIGKILL"); // right after the 200s: no grace, no shutdown hook
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  await app.kill("SIGKILL");
  return sent;
}

describe(`durability on ${currentDatabaseProvider()}: every acknowledged webhook is on disk after a SIGKILL`, () => {
  it("WEBHOOK_ACK=processed: idempotency row and event committed before the 200", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("durable-p");
    await configureShop(shop, { pixelId, apiKey });
    const app = await startAppProcess({ RUN_WORKER: "false" });
    started.push(app);
    const sent = await fireUntilKilled(app, shop);
    const acked = sent.filter((s) => s.status === 200);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(sent.every((s) => s.status === 200 || s.status === 0)).toBe(true);

    const stored = new Set(
      (await prisma.webhookDelivery.findMany({ where: { shop }, select: { eventId: true } })).map((r) => r.eventId),
    );
    const missing = acked.filter((s) => !stored.has(s.eventId));
    expect(missing).toEqual([]);
    const events = new Set(
      (await prisma.conversionEvent.findMany({ where: { shop }, select: { eventId: true } })).map((r) => r.eventId),
    );
    const eventIds = await Promise.all(acked.map((s) => dedupIdForOrder(s.orderId)));
    expect(eventIds.filter((id) => !events.has(id))).toEqual([]);
  }, 60_000);

  it("WEBHOOK_ACK=stored: every acknowledged webhook is in the inbox (encrypted); a worker then applies each once", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("durable-s");
    await configureShop(shop, { pixelId, apiKey });
    // A web process that only stores (RUN_WORKER=false): applying is the workers' job.
    const app = await startAppProcess({ RUN_WORKER: "false", WEBHOOK_ACK: "stored" });
    started.push(app);
    const sent = await fireUntilKilled(app, shop);
    const acked = sent.filter((s) => s.status === 200);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(sent.every((s) => s.status === 200 || s.status === 0)).toBe(true);

    const inbox = await prisma.webhookInbox.findMany({ where: { shop } });
    const inInbox = new Set(inbox.map((r) => r.eventId));
    expect(acked.filter((s) => !inInbox.has(s.eventId))).toEqual([]);
    // The inbox holds buyer PII only encrypted.
    // (An envelope is base64url segments: JSON punctuation or an email's "@" can only be plaintext. A
    // word such as "Jane" can occur in random base64 by chance, so it is not what the test looks for.)
    for (const row of inbox) expect(row.bodyCiphertext).toMatch(/^v1(\.[A-Za-z0-9_-]+)+$/);

    // A worker process applies them: each acknowledged webhook exactly once (delivery goes nowhere).
    const worker = await startAppProcess(
      { OPENAI_CAPI_URL: "http://127.0.0.1:9", WORKER_INTERVAL_MS: "60000" },
      "worker.js",
    );
    started.push(worker);
    await waitFor(
      async () => (await prisma.webhookInbox.count({ where: { shop } })) === 0,
      "the inbox drained",
      60_000,
    );
    const applied = new Set(
      (await prisma.webhookDelivery.findMany({ where: { shop }, select: { eventId: true } })).map((r) => r.eventId),
    );
    expect(acked.filter((s) => !applied.has(s.eventId))).toEqual([]);
    const events = await prisma.conversionEvent.findMany({ where: { shop }, select: { eventId: true } });
    const have = new Set(events.map((e) => e.eventId));
    const expected = await Promise.all(acked.map((s) => dedupIdForOrder(s.orderId)));
    expect(expected.filter((id) => !have.has(id))).toEqual([]);
    expect(have.size).toBe(events.length); // one event per order, whatever was stored twice
  }, 120_000);
});
