/**
 * Shopify's own published payloads (test/fixtures/shopify, see SOURCES.md there), each played as a
 * signed webhook over real HTTP into the built app (stored, then applied in batches from the inbox),
 * delivered by the worker to the OpenAI stand-in.
 * The bodies are sent as their raw file text (ids above 2^53 stay as Shopify wrote them); only their
 * timestamps are moved to the recent past, as text, because OpenAI refuses events older than 7 days.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import prisma from "~/db/client.server";
import type { ShopSettingsInput } from "~/models/settings.server";
import { runUntilIdle } from "~/outbox/worker.server";
import { drainInbox } from "~/webhooks/inbox.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

const DIR = path.join(process.cwd(), "test", "fixtures", "shopify");
const ISO = /"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))"/g;

/**
 * The fixture's raw text with every timestamp shifted by the same amount, so that the payload's own
 * time (its first `processed_at`, else its first `created_at`) falls at `at`: the payload's order of
 * events is kept, nothing else is touched.
 */
function published(file: string, at: Date): string {
  const text = readFileSync(path.join(DIR, file), "utf8");
  const anchor = /"processed_at":\s*"([^"]+)"/.exec(text) ?? /"created_at":\s*"([^"]+)"/.exec(text);
  if (!anchor) throw new Error(`${file} has no processed_at or created_at`);
  const shift = at.getTime() - Date.parse(anchor[1]);
  return text.replace(ISO, (_, iso: string) => JSON.stringify(new Date(Date.parse(iso) + shift).toISOString()));
}

let standin: OpenAiStandin;
let app: AppProcess;
let clock = 0;

beforeAll(async () => {
  standin = await startOpenAiStandin();
  // The default acknowledgement mode: stored, then applied in batches (by drain() below).
  app = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false", WEBHOOK_ACK: "stored" });
});
afterAll(async () => {
  await app?.stop();
  await standin?.close();
});
/** The orders of the published payloads, as Shopify numbered them. */
const PUBLISHED_ORDER_IDS = ["820982911946154508", "450789469", "1073459975"];

beforeEach(async () => {
  standin.reset();
  clock = Date.now();
  // Shopify's order ids are globally unique, so an order id already seen under one shop is refused
  // under any other. Each test plays these published orders into a shop of its own, as the first
  // shop to send them: what earlier tests recorded for them is forgotten first.
  await prisma.ledgerEntry.deleteMany({ where: { orderId: { in: PUBLISHED_ORDER_IDS } } });
  await prisma.orderLedger.deleteMany({ where: { orderId: { in: PUBLISHED_ORDER_IDS } } });
});

async function newShop(label: string, settings: ShopSettingsInput = {}) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey, ...settings });
  return s;
}

const post = (topic: string, shop: string, body: string) =>
  sendWebhook(app.url, { topic, shop, body, secret: TEST_SECRET });

/** The stored webhooks applied, then delivery passes on a clock moving 30 s a step (past the cancel settle window). */
async function drain(minutes = 4) {
  await drainInbox();
  const start = Math.max(clock, Date.now());
  for (let t = 0; t <= minutes * 60_000; t += 30_000) {
    clock = start + t;
    await runUntilIdle({ baseUrl: standin.url, now: () => new Date(clock) });
  }
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describe("Shopify's sample order (820982911946154508, test: true)", () => {
  it("is recorded as a test order with its exact 64-bit id, and its cancellation corrects nothing", async () => {
    const { shop, pixelId } = await newShop("sample");
    const body = published("orders-cancelled.sample-820982911946154508.json", hoursAgo(1));
    expect(body).toContain('"id": 820982911946154508');
    expect(await post("orders/create", shop, body)).toBe(200);
    expect(await post("orders/cancelled", shop, body)).toBe(200);
    await drain();

    expect(standin.accepted(pixelId)).toEqual([]);
    const rows = await eventsOf(shop);
    const order = rows.find((r) => r.eventName === "order_created")!;
    expect(order).toMatchObject({
      status: "skipped",
      skipReason: "test_order",
      orderId: "820982911946154508",
      eventId: await dedupIdForOrder("820982911946154508"),
      amountMinor: 40495,
      currency: "USD",
    });
    const cancel = rows.find((r) => r.eventName === "order_cancelled")!;
    expect(cancel).toMatchObject({ status: "skipped", skipReason: "order_not_counted", orderId: "820982911946154508" });
  });
});

describe("Shopify's REST documentation order 450789469 and its refunds", () => {
  it("is sent with the exact amount and no 0.0.0.0 IP; the shipping refund and the line-item refund follow", async () => {
    const { shop, pixelId } = await newShop("docs");
    expect(await post("orders/create", shop, published("order-450789469.rest-docs-2024-04.json", hoursAgo(3)))).toBe(
      200,
    );
    await drain();
    const [sent] = standin.accepted(pixelId);
    expect(sent.event).toMatchObject({
      type: "order_created",
      action_source: "web",
      id: await dedupIdForOrder("450789469"),
      data: { type: "contents", amount: 59894, currency: "USD" },
    });
    expect(sent.event.oppref).toBeUndefined(); // its landing_site carries no oppref
    const user = sent.event.user!;
    expect(Object.keys(user).sort()).toEqual(
      [
        "cities",
        "countries",
        "emails_sha256",
        "external_ids_sha256",
        "first_names_sha256",
        "last_names_sha256",
        "phone_numbers_sha256",
        "postal_codes",
        "regions",
      ].sort(),
    );
    expect(user.ip_address).toBeUndefined(); // "0.0.0.0" is nobody's address
    expect(user.regions).toEqual(["Kentucky"]);
    expect(user.countries).toEqual(["US"]);

    expect(
      await post("refunds/create", shop, published("refund-929361467.shipping-adjustment.json", hoursAgo(2))),
    ).toBe(200);
    expect(await post("refunds/create", shop, published("refund-509562969.line-items.json", hoursAgo(1)))).toBe(200);
    await drain();
    const corrections = standin
      .accepted(pixelId)
      .filter((a) => a.event.type === "custom")
      .map((a) => [a.event.custom_event_name, a.event.data.amount, a.event.data.currency])
      .sort((a, b) => Number(a[1]) - Number(b[1]));
    expect(corrections).toEqual([
      ["order_refunded", 500, "USD"],
      ["order_refunded", 20900, "USD"],
    ]);
  });

  it("the legacy REST shape (no *_set money fields) is sent with the same rules", async () => {
    const { shop, pixelId } = await newShop("legacy");
    expect(await post("orders/create", shop, published("order-450789469.legacy-rest.json", hoursAgo(1)))).toBe(200);
    await drain();
    const [sent] = standin.accepted(pixelId);
    expect(sent.event.data).toMatchObject({ amount: 40994, currency: "USD" });
    expect(sent.event.user?.ip_address).toBeUndefined();
    expect(sent.event.user?.user_agent).toBeUndefined();
    expect(sent.event.user?.emails_sha256).toHaveLength(1);
  });
});

describe("an order created through the API (EUR, no address)", () => {
  const file = "order-1073459975.api-created-eur.json";

  it("is skipped as a non-web order by default", async () => {
    const { shop, pixelId } = await newShop("api-default");
    expect(await post("orders/create", shop, published(file, hoursAgo(1)))).toBe(200);
    await drain();
    expect(standin.accepted(pixelId)).toEqual([]);
    expect(await eventsOf(shop)).toMatchObject([{ skipReason: "non_web_order", amountMinor: 23847, currency: "EUR" }]);
  });

  it("with non-web orders on, its unknown region is recorded as region_unknown (not as an opt-in buyer)", async () => {
    const { shop, pixelId } = await newShop("api-send", { nonWebOrders: "send" });
    expect(await post("orders/create", shop, published(file, hoursAgo(1)))).toBe(200);
    await drain();
    expect(standin.accepted(pixelId)).toEqual([]);
    expect(await eventsOf(shop)).toMatchObject([{ status: "skipped", skipReason: "region_unknown" }]);
  });

  it("judged by the shop's own country, it is sent with no browser fields", async () => {
    const { shop, pixelId } = await newShop("api-country", { nonWebOrders: "send", addresslessOrderCountry: "US" });
    expect(await post("orders/create", shop, published(file, hoursAgo(1)))).toBe(200);
    await drain();
    const [sent] = standin.accepted(pixelId);
    expect(sent.event).toMatchObject({ action_source: "other", data: { amount: 23847, currency: "EUR" } });
    expect(sent.event.user?.ip_address).toBeUndefined();
    expect(sent.event.user?.user_agent).toBeUndefined();
  });
});
