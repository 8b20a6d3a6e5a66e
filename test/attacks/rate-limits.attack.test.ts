/**
 * Attack: evading the receipt endpoint's rate limits, against the built app over loopback HTTP.
 * 1. Rotating X-Forwarded-For must not mint fresh per-address buckets when no proxy is configured
 *    (every request then comes from one TCP peer, and that is what is counted).
 * 2. A flood that drains a shop's bucket (here from many addresses, behind a configured proxy) must
 *    not lock out the buyer's genuine receipt, whose checkout token matches its order.
 * Loopback has a whole /8: a request bound to 127.0.0.2 is another client for the app.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { runUntilIdle } from "~/outbox/worker.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

let standin: OpenAiStandin;
let direct: AppProcess; // no proxy configured
let proxied: AppProcess; // TRUSTED_PROXY_HOPS=1
let nextOrderId = 960000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  standin = await startOpenAiStandin();
  [direct, proxied] = await Promise.all([
    startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false" }),
    startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false", TRUSTED_PROXY_HOPS: "1" }),
  ]);
});
afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
  await standin?.close();
});

/** POST a receipt with node:http, so the test picks the source address and the headers. */
function postReceipt(
  app: AppProcess,
  body: Record<string, unknown>,
  options: { from?: string; forwardedFor?: string } = {},
): Promise<number> {
  const url = new URL("/pixel/receipt", app.url);
  const payload = JSON.stringify({ v: 1, oppref: null, ...body });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: options.from ?? "127.0.0.1",
        agent: false,
        headers: {
          "Content-Type": "text/plain",
          "Content-Length": Buffer.byteLength(payload),
          ...(options.forwardedFor ? { "X-Forwarded-For": options.forwardedFor } : {}),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

async function shop(label: string) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey, oppRefGraceSeconds: 120 });
  await prisma.shopSettings.update({ where: { shop: s.shop }, data: { webPixelId: "gid://shopify/WebPixel/1" } });
  return s;
}

function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

describe("attack: rate-limit evasion on /pixel/receipt", () => {
  it("rotating X-Forwarded-For without a configured proxy gets no more than one address's allowance", async () => {
    const { shop: domain } = await shop("xff-rotate");
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const id = nextOrderId++;
      statuses.push(
        await postReceipt(
          direct,
          { shop: domain, orderId: String(id), checkoutToken: `forged-${i}`, consent: "granted", pixel: "sent" },
          { forwardedFor: `198.51.100.${i}` },
        ),
      );
    }
    expect(tally(statuses)).toEqual({ 202: 10, 429: 30 });
    expect(await prisma.pixelReceipt.count({ where: { shop: domain } })).toBe(10);

    // Another client (another source address) is unaffected.
    const id = nextOrderId++;
    expect(
      await postReceipt(
        direct,
        { shop: domain, orderId: String(id), checkoutToken: `chk${id}`, consent: "granted", pixel: "sent" },
        { from: "127.0.0.2" },
      ),
    ).toBe(202);
    // The operator is told, once, that X-Forwarded-For arrives but is not trusted.
    expect(direct.output().match(/TRUSTED_PROXY_HOPS is 0/g)).toHaveLength(1);
  });

  it("a drained per-shop bucket refuses forgeries but never the receipt whose token matches its order", async () => {
    const { shop: domain, pixelId } = await shop("shop-drain");
    const id = nextOrderId++;
    const body = JSON.stringify(makeShopifyOrder({ id, landingSite: "/", country: "US" }));
    expect(await sendWebhook(proxied.url, { topic: "orders/create", shop: domain, body, secret: TEST_SECRET })).toBe(
      200,
    );

    // 1000 forged receipts "from" 1000 addresses, 50 at a time: far more than the shop's 600 a minute.
    const statuses: number[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const sent = Array.from({ length: 50 }, (_, k) => {
        const n = batch * 50 + k;
        return postReceipt(
          proxied,
          { shop: domain, orderId: String(id), checkoutToken: `forged-${n}`, consent: "denied", pixel: "not_sent" },
          { forwardedFor: `203.0.${n >> 8}.${n & 255}` },
        );
      });
      statuses.push(...(await Promise.all(sent)));
    }
    // The bucket refills 10 a second while the flood runs, so not exactly 400 are refused.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100);

    // The buyer's receipt still lands, and decides the order.
    const genuine = await postReceipt(
      proxied,
      {
        shop: domain,
        orderId: String(id),
        checkoutToken: `chk${id}`,
        consent: "granted",
        pixel: "blocked",
        oppref: "op_buyer",
      },
      { forwardedFor: "192.0.2.77" },
    );
    expect(genuine).toBe(202);
    await runUntilIdle({ baseUrl: standin.url });
    expect(standin.accepted(pixelId).map((a) => a.event.oppref)).toEqual(["op_buyer"]);
    expect((await eventsOf(domain))[0]).toMatchObject({ status: "delivered", opprefSource: "receipt" });
    // No forgery was stored: the order was known, and none carried its token.
    expect(await prisma.pixelReceipt.count({ where: { shop: domain } })).toBe(1);
  });
});
