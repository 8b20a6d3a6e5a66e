/**
 * Pixel receipts end to end: the pixel's receipt (POST /pixel/receipt on the real app) decides the
 * server event's oppref and consent; a receipt that does not carry the order's checkout token is not
 * believed; without a receipt the event waits out the grace period, then the shop's policy decides.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { runDeliveryPass, runUntilIdle } from "~/outbox/worker.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

let standin: OpenAiStandin;
let app: AppProcess;
let nextOrderId = 930000000000 + Math.floor(Math.random() * 1e9);
const GRACE_MS = 120_000;

beforeAll(async () => {
  standin = await startOpenAiStandin();
  // Behind a (simulated) proxy, so each buyer gets its own rate-limit bucket: on Postgres the counts live
  // in the database and are shared with every other app process of the run, so they must not all be
  // 127.0.0.1.
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
  // As after the admin activated the web pixel: receipts can arrive, so order events wait for them.
  await prisma.shopSettings.update({ where: { shop: s.shop }, data: { webPixelId: "gid://shopify/WebPixel/1" } });
  return s;
}

/** A network of this file's own (one buyer address per order), so no other test shares its buckets. */
const BUYER_NETWORK = `100.${64 + Math.floor(Math.random() * 64)}.${Math.floor(Math.random() * 256)}`;

async function postReceipt(
  shop: string,
  orderId: number,
  fields: { oppref?: string | null; consent: string; pixel: string; checkoutToken?: string },
) {
  const body = {
    v: 1,
    shop,
    orderId: String(orderId),
    checkoutToken: fields.checkoutToken ?? `chk${orderId}`,
    oppref: fields.oppref ?? null,
    consent: fields.consent,
    pixel: fields.pixel,
  };
  const response = await fetch(new URL("/pixel/receipt", app.url), {
    method: "POST",
    headers: { "Content-Type": "text/plain", "X-Forwarded-For": `${BUYER_NETWORK}.${orderId % 200}` },
    body: JSON.stringify(body),
  });
  return response.status;
}

const order = (shop: string, id: number, country = "US") =>
  sendWebhook(app.url, {
    topic: "orders/create",
    shop,
    body: JSON.stringify(makeShopifyOrder({ id, landingSite: "/", country })),
    secret: TEST_SECRET,
  });

describe("pixel receipt → server event", () => {
  it("holds an order without oppref for the grace period and sends it with the late receipt's oppref", async () => {
    const { shop, pixelId } = await shopWithActivePixel("late-receipt");
    const id = nextOrderId++;
    expect(await order(shop, id)).toBe(200);
    const t0 = new Date();
    await runDeliveryPass({ baseUrl: standin.url, now: () => t0 });
    expect(standin.accepted(pixelId)).toHaveLength(0);
    expect((await eventsOf(shop))[0].nextAttemptAt.getTime()).toBeGreaterThan(t0.getTime() + GRACE_MS - 5_000);

    expect(await postReceipt(shop, id, { oppref: "oa_from_pixel_cookie", consent: "granted", pixel: "blocked" })).toBe(
      202,
    );
    await runUntilIdle({ baseUrl: standin.url });
    const [accepted] = standin.accepted(pixelId);
    expect(accepted.event.oppref).toBe("oa_from_pixel_cookie");
    expect((await eventsOf(shop))[0]).toMatchObject({ status: "delivered", opprefSource: "receipt" });
  });

  it("without any receipt, sends after the grace period (US buyer) without an oppref", async () => {
    const { shop, pixelId } = await shopWithActivePixel("no-receipt");
    const id = nextOrderId++;
    await order(shop, id);
    await runDeliveryPass({ baseUrl: standin.url });
    expect(standin.accepted(pixelId)).toHaveLength(0);
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(Date.now() + GRACE_MS + 1_000) });
    expect(standin.accepted(pixelId)).toHaveLength(1);
    expect(standin.accepted(pixelId)[0].event.oppref).toBeUndefined();
    expect((await eventsOf(shop))[0].opprefSource).toBe("none");
  });

  it("a receipt saying marketing consent was denied skips the server event (consent_denied)", async () => {
    const { shop, pixelId } = await shopWithActivePixel("denied");
    const id = nextOrderId++;
    await postReceipt(shop, id, { consent: "denied", pixel: "not_sent" });
    await order(shop, id);
    await runUntilIdle({ baseUrl: standin.url });
    expect(standin.accepted(pixelId)).toHaveLength(0);
    expect((await eventsOf(shop)).map((r) => [r.status, r.skipReason])).toEqual([["skipped", "consent_denied"]]);
  });

  it("no receipt from an opt-in region: skipped with no_consent_signal once the grace period is over", async () => {
    const { shop, pixelId } = await shopWithActivePixel("eea");
    await order(shop, nextOrderId++, "DE");
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(Date.now() + GRACE_MS + 1_000) });
    expect(standin.accepted(pixelId)).toHaveLength(0);
    expect((await eventsOf(shop)).map((r) => r.skipReason)).toEqual(["no_consent_signal"]);
  });

  it("a forged receipt (wrong checkout token) can neither suppress nor re-attribute an order", async () => {
    const { shop, pixelId } = await shopWithActivePixel("forged");
    const id = nextOrderId++;
    expect(await postReceipt(shop, id, { consent: "denied", pixel: "not_sent", checkoutToken: "guessed-token" })).toBe(
      202,
    );
    await order(shop, id);
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(Date.now() + GRACE_MS + 1_000) });
    const accepted = standin.accepted(pixelId);
    expect(accepted).toHaveLength(1);
    expect((await eventsOf(shop))[0]).toMatchObject({ status: "delivered", opprefSource: "none" });
  });

  it("a shop whose pixel was never activated does not wait for receipts", async () => {
    const s = uniqueShop("no-pixel");
    standin.addPixel(s.pixelId, s.apiKey);
    await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
    await order(s.shop, nextOrderId++);
    await runDeliveryPass({ baseUrl: standin.url });
    expect(standin.accepted(s.pixelId)).toHaveLength(1);
  });
});
