/**
 * The log policy, on the real built app: at `info`, ingesting N webhooks writes no line per webhook,
 * and delivering them writes one line for the batch (counts by outcome); per-request lines exist
 * only at `debug`. Every line is one JSON object, and none carries the API key or buyer data.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { webhookHeaders } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";

const started: AppProcess[] = [];
let standin: OpenAiStandin | undefined;
let nextOrderId = 990000000000 + Math.floor(Math.random() * 1e9);

afterEach(async () => {
  for (const app of started.splice(0)) await app.kill("SIGKILL").catch(() => undefined);
  await standin?.close();
  standin = undefined;
});

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Every line the process wrote; each must be one JSON object (the start-up port line aside). */
function linesOf(app: AppProcess): LogLine[] {
  return app
    .output()
    .split("\n")
    .filter((line) => line !== "" && !/^listening on http:\/\/127\.0\.0\.1:\d+$/.test(line))
    .map((line) => {
      expect(line.startsWith("{") && line.endsWith("}"), `not a JSON line: ${line.slice(0, 200)}`).toBe(true);
      return JSON.parse(line) as LogLine;
    });
}

const INFO = 30;
const DEBUG = 20;

async function sendOrders(baseUrl: string, shop: string, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const orderId = nextOrderId++;
    const body = JSON.stringify(makeShopifyOrder({ id: orderId, landingSite: `/?oppref=oa_log${orderId}` }));
    const headers = webhookHeaders({ topic: "orders/create", shop, body, secret: TEST_SECRET, eventId: randomUUID() });
    const response = await fetch(new URL("/webhooks/orders/create", baseUrl), { method: "POST", headers, body });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    ids.push(orderId);
  }
  return ids;
}

describe("log policy", () => {
  it("info: N webhooks ingested → no line each; their delivery → one batch line; debug has the per-request lines", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("logs");
    standin = await startOpenAiStandin({ credentials: { [pixelId]: apiKey } });
    await configureShop(shop, { pixelId, apiKey });
    const N = 40;

    const web = await startAppProcess({ LOG_LEVEL: "info", RUN_WORKER: "false", OPENAI_CAPI_URL: standin.url });
    started.push(web);
    const ids = await sendOrders(web.url, shop, N);
    expect(await prisma.conversionEvent.count({ where: { shop } })).toBe(N);
    const webLines = linesOf(web);
    expect(webLines.filter((l) => l.level >= INFO)).toEqual([]);

    const worker = await startAppProcess(
      { LOG_LEVEL: "info", OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "50" },
      "worker.js",
    );
    started.push(worker);
    await waitFor(
      async () => (await prisma.conversionEvent.count({ where: { shop, status: "delivered" } })) === N,
      "every event delivered",
      30_000,
    );
    // The shop's own batch line: it is written once the batch's rows are, so it can trail them, and
    // another shop's can come first.
    await waitFor(
      () => linesOf(worker).some((l) => l.msg === "delivery batch" && l.shop === shop),
      "the shop's batch line",
    );
    // This shop's lines and the process's own (no shop): the worker delivers every due event in the
    // database, and another shop's would have a batch line of its own.
    const workerLines = linesOf(worker).filter((l) => l.level >= INFO && (l.shop === undefined || l.shop === shop));
    // A constant number of lines, not N: the worker's start and one line for the batch.
    expect(workerLines.length).toBeLessThanOrEqual(3);
    const batches = workerLines.filter((l) => l.msg === "delivery batch");
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ level: INFO, shop, claimed: N, delivered: N, rejected: 0, retried: 0 });
    expect(typeof batches[0].ms).toBe("number");
    expect(workerLines.map((l) => l.msg)).toContain("delivery worker started");

    // Nothing of the payloads or secrets in any line.
    const everything = web.output() + worker.output();
    expect(everything).not.toContain(apiKey);
    expect(everything).not.toContain("@example.com");
    expect(everything).not.toContain("oa_log");
    expect(everything).not.toContain(String(ids[0]));

    // At debug the per-request lines are there (so the assertions above can fail).
    const chatty = await startAppProcess({ LOG_LEVEL: "debug", RUN_WORKER: "false", OPENAI_CAPI_URL: standin.url });
    started.push(chatty);
    await sendOrders(chatty.url, shop, 5);
    // The process writes its log asynchronously: wait (bounded) for the lines to reach its stdout.
    const ingested = () => linesOf(chatty).filter((l) => l.level === DEBUG && l.msg === "webhook ingested");
    for (let i = 0; i < 50 && ingested().length < 5; i++) await new Promise((r) => setTimeout(r, 100));
    expect(ingested()).toHaveLength(5);
    expect(chatty.output()).not.toContain("@example.com");
  }, 120_000);

  it("a shop's key rejected is one warn line, not one per retry", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("logs-key");
    // The stand-in knows the pixel under another key: every request for this shop gets 401.
    standin = await startOpenAiStandin({ credentials: { [pixelId]: `${apiKey}-other` } });
    await configureShop(shop, { pixelId, apiKey });
    const web = await startAppProcess({ LOG_LEVEL: "info", RUN_WORKER: "false", OPENAI_CAPI_URL: standin.url });
    started.push(web);
    await sendOrders(web.url, shop, 3);
    const worker = await startAppProcess(
      { LOG_LEVEL: "info", OPENAI_CAPI_URL: standin.url, WORKER_INTERVAL_MS: "50" },
      "worker.js",
    );
    started.push(worker);
    // This pixel's only: the worker claims every due event in the database, and the first test's
    // undelivered orders (its debug-level run has no worker) may be sent, and refused, in the same passes.
    const rejections = () => standin!.requests().filter((r) => r.status === 401 && r.query.pid === pixelId).length;
    const batchLines = () => linesOf(worker).filter((l) => l.msg === "delivery batch" && l.shop === shop).length;
    for (let round = 1; round <= 3; round++) {
      await waitFor(() => rejections() >= round && batchLines() >= round, `rejection ${round}`, 30_000);
      // The events wait five minutes before the next try; make them due again now.
      await prisma.conversionEvent.updateMany({ where: { shop }, data: { nextAttemptAt: new Date() } });
    }
    const warned = linesOf(worker).filter(
      (l) => l.msg.startsWith("Conversions API rejected the shop's credentials") && l.shop === shop,
    );
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, shop, status: 401 });
    expect(worker.output()).not.toContain(apiKey);
  }, 120_000);
});
