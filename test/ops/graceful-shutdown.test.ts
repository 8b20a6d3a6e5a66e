/**
 * The shutdown drill: the real built server (web + delivery worker) takes signed webhooks from 16
 * concurrent senders while it delivers to the OpenAI stand-in (slow answers, so a request is in
 * flight), and gets SIGTERM in the middle. It must exit 0 with every acknowledged webhook stored, no
 * event left leased to the dead process, and a second process then delivering the rest with nothing
 * sent twice.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { webhookHeaders } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";

const SENDERS = 16;
const SIGTERM_AFTER_ACKS = 120;
let nextOrderId = 770000000000 + Math.floor(Math.random() * 1e9);
const started: AppProcess[] = [];
let standin: OpenAiStandin | undefined;

afterEach(async () => {
  for (const app of started.splice(0)) await app.kill("SIGKILL").catch(() => undefined);
  await standin?.close();
});

describe("graceful shutdown", () => {
  it("SIGTERM under load: acknowledged webhooks stored, no lease left behind, nothing sent twice", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("shutdown");
    standin = await startOpenAiStandin({ credentials: { [pixelId]: apiKey } });
    standin.setLatency(150);
    await configureShop(shop, { pixelId, apiKey });
    const app = await startAppProcess({
      OPENAI_CAPI_URL: standin.url,
      WORKER_INTERVAL_MS: "20",
      SHUTDOWN_TIMEOUT_MS: "20000",
      LOG_LEVEL: "info",
    });
    started.push(app);
    const exitCode = new Promise<number | null>((resolve) => app.child.once("close", (code) => resolve(code)));

    const acked: number[] = [];
    let signalled = false;
    let refused = false;
    const sender = async () => {
      while (!refused) {
        const orderId = nextOrderId++;
        const body = JSON.stringify(makeShopifyOrder({ id: orderId, landingSite: `/?oppref=oa_s${orderId}` }));
        const headers = webhookHeaders({
          topic: "orders/create",
          shop,
          body,
          secret: TEST_SECRET,
          eventId: randomUUID(),
        });
        try {
          const response = await fetch(new URL("/webhooks/orders/create", app.url), { method: "POST", headers, body });
          await response.arrayBuffer();
          expect(response.status).toBe(200);
          acked.push(orderId);
        } catch (error) {
          // After SIGTERM the listening socket is closed: a refused or cut connection is not an acknowledgement.
          if (!signalled) throw error;
          refused = true;
        }
        if (!signalled && acked.length >= SIGTERM_AFTER_ACKS) {
          signalled = true;
          app.child.kill("SIGTERM");
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    expect(await exitCode).toBe(0);
    expect(app.output()).toMatch(/"msg":"shut down"/);

    // Every acknowledged webhook is stored, as its event.
    const expectedIds = await Promise.all(acked.map((id) => dedupIdForOrder(id)));
    const stored = await prisma.conversionEvent.findMany({ where: { shop } });
    const storedIds = new Set(stored.map((e) => e.eventId));
    expect(expectedIds.filter((id) => !storedIds.has(id))).toEqual([]);
    // Nothing left leased to the process that exited.
    expect(stored.filter((e) => e.status === "sending" || e.leaseOwner !== null)).toEqual([]);
    // Nothing marked delivered that OpenAI did not accept.
    const accepted = new Set(standin.accepted(pixelId).map((a) => a.event.id));
    expect(stored.filter((e) => e.status === "delivered" && !accepted.has(e.eventId!))).toEqual([]);

    // A new worker delivers the rest at once (no lease to wait for), and nothing twice.
    const worker = await startAppProcess({ OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "20" }, "worker.js");
    started.push(worker);
    await waitFor(
      async () => (await prisma.conversionEvent.count({ where: { shop, status: { not: "delivered" } } })) === 0,
      "every event delivered",
      20_000,
    );
    expect(standin.accepted(pixelId).length).toBe(stored.length);
    expect(standin.duplicatesIgnored()).toBe(0);
  }, 120_000);
});
