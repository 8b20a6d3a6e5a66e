/**
 * Attack: forged pixel receipts against the built app over loopback HTTP. The receipt endpoint is
 * public and order ids are guessable, so an attacker can post receipts for an order before the buyer's
 * browser does. A forged receipt must never decide the order (consent, oppref), whatever arrives first,
 * and forgeries must not grow the table without bound.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { MAX_RECEIPTS_PER_ORDER } from "~/models/receipts.server";
import { runUntilIdle } from "~/outbox/worker.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

let standin: OpenAiStandin;
let app: AppProcess;
let nextOrderId = 950000000000 + Math.floor(Math.random() * 1e9);
let ipSeq = 0;
const GRACE_MS = 120_000;

beforeAll(async () => {
  standin = await startOpenAiStandin();
  // One trusted proxy hop, so each request below may stand for a different buyer (X-Forwarded-For).
  app = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false", TRUSTED_PROXY_HOPS: "1" });
});
afterAll(async () => {
  await app?.stop();
  await standin?.close();
});
beforeEach(() => standin.reset());

async function shopWithActivePixel(label: string) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey, oppRefGraceSeconds: GRACE_MS / 1000 });
  await prisma.shopSettings.update({ where: { shop: s.shop }, data: { webPixelId: "gid://shopify/WebPixel/1" } });
  return s;
}

/** The token Shopify puts on the order (sim/order-factory: `checkout_token`). */
const genuineToken = (orderId: number) => `chk${orderId}`;

async function postReceipt(
  shop: string,
  orderId: number,
  fields: { oppref?: string | null; consent: string; pixel: string; checkoutToken: string },
) {
  ipSeq += 1;
  const response = await fetch(new URL("/pixel/receipt", app.url), {
    method: "POST",
    headers: { "Content-Type": "text/plain", "X-Forwarded-For": `198.18.${(ipSeq >> 8) & 255}.${ipSeq & 255}` },
    body: JSON.stringify({ v: 1, shop, orderId: String(orderId), oppref: null, ...fields }),
  });
  await response.body?.cancel();
  return response.status;
}

const order = (shop: string, id: number, landingSite = "/") =>
  sendWebhook(app.url, {
    topic: "orders/create",
    shop,
    body: JSON.stringify(makeShopifyOrder({ id, landingSite, country: "US" })),
    secret: TEST_SECRET,
  });

const afterGrace = () => new Date(Date.now() + GRACE_MS + 1_000);

describe("attack: forged pixel receipts", () => {
  it("a forged 'granted' receipt sent first does not override the buyer's genuine 'denied' receipt", async () => {
    const { shop, pixelId } = await shopWithActivePixel("forged-first");
    const id = nextOrderId++;
    await postReceipt(shop, id, {
      consent: "granted",
      pixel: "not_sent",
      oppref: "op_attacker",
      checkoutToken: "forged",
    });
    expect(await postReceipt(shop, id, { consent: "denied", pixel: "not_sent", checkoutToken: genuineToken(id) })).toBe(
      202,
    );
    expect(await order(shop, id)).toBe(200);
    await runUntilIdle({ baseUrl: standin.url, now: afterGrace });

    expect(standin.accepted(pixelId)).toHaveLength(0);
    expect((await eventsOf(shop)).map((e) => [e.status, e.skipReason])).toEqual([["skipped", "consent_denied"]]);
  });

  it("a forged receipt sent first cannot strip the genuine receipt's oppref", async () => {
    const { shop, pixelId } = await shopWithActivePixel("forged-strip");
    const id = nextOrderId++;
    await postReceipt(shop, id, { consent: "granted", pixel: "blocked", oppref: null, checkoutToken: "forged-1" });
    await postReceipt(shop, id, {
      consent: "granted",
      pixel: "blocked",
      oppref: "op_genuine_click",
      checkoutToken: genuineToken(id),
    });
    await order(shop, id);
    await runUntilIdle({ baseUrl: standin.url, now: afterGrace });

    const accepted = standin.accepted(pixelId);
    expect(accepted).toHaveLength(1);
    expect(accepted[0].event.oppref).toBe("op_genuine_click");
    expect((await eventsOf(shop))[0]).toMatchObject({ status: "delivered", opprefSource: "receipt" });
  });

  it("a flood of forgeries for one order stores a bounded set, and the genuine receipt still wins after the order", async () => {
    const { shop, pixelId } = await shopWithActivePixel("forged-flood");
    const id = nextOrderId++;
    for (let i = 0; i < 20; i++) {
      await postReceipt(shop, id, { consent: "denied", pixel: "not_sent", checkoutToken: `forged-${i}` });
    }
    expect(await prisma.pixelReceipt.count({ where: { shop, orderId: String(id) } })).toBe(MAX_RECEIPTS_PER_ORDER);

    await order(shop, id);
    // Once the order is known, a forgery is not even stored; the genuine receipt is, beyond the bound.
    expect(await postReceipt(shop, id, { consent: "denied", pixel: "not_sent", checkoutToken: "forged-late" })).toBe(
      200,
    );
    expect(
      await postReceipt(shop, id, {
        consent: "granted",
        pixel: "blocked",
        oppref: "op_real",
        checkoutToken: genuineToken(id),
      }),
    ).toBe(202);
    await runUntilIdle({ baseUrl: standin.url, now: afterGrace });

    expect(standin.accepted(pixelId).map((a) => a.event.oppref)).toEqual(["op_real"]);
    expect(await prisma.pixelReceipt.count({ where: { shop, orderId: String(id) } })).toBe(MAX_RECEIPTS_PER_ORDER + 1);
  });
});
