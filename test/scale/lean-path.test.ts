/**
 * `/webhooks/*` is served by a lean node:http path in front of Remix (server.ts →
 * app/webhooks/lean-path.server.ts). It must answer exactly like the Remix route actions, which stay
 * in place (and are what the in-process tests call), and it must call the same ingest functions.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { action as ordersCreateAction } from "~/routes/webhooks.orders.create";
import { action as complianceAction } from "~/routes/webhooks.compliance";
import { makeShopifyOrder } from "../../sim/order-factory";
import { signBody, webhookHeaders, type WebhookMessage } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

let nextOrderId = 870000000000 + Math.floor(Math.random() * 1e9);
let app: AppProcess;
let stored: AppProcess;

beforeAll(async () => {
  [app, stored] = await Promise.all([
    startAppProcess({ RUN_WORKER: "false" }),
    // RUN_WORKER=true: this one process also applies what it stored (delivery goes nowhere here).
    startAppProcess({
      RUN_WORKER: "true",
      WEBHOOK_ACK: "stored",
      OPENAI_CAPI_URL: "http://127.0.0.1:9",
      WORKER_INTERVAL_MS: "60000",
    }),
  ]);
});
const shops: string[] = [];
afterAll(async () => {
  await Promise.all([app?.stop(), stored?.stop()]);
  // Other test files in this worker share the database: leave no pending events behind.
  await prisma.conversionEvent.deleteMany({ where: { shop: { in: shops } } });
  await prisma.webhookInbox.deleteMany({ where: { shop: { in: shops } } });
});

function newShop(label: string) {
  const s = uniqueShop(label);
  shops.push(s.shop);
  return s;
}

function order(shop: string, eventId: string = randomUUID()): WebhookMessage {
  const id = nextOrderId++;
  return {
    topic: "orders/create",
    shop,
    body: JSON.stringify(makeShopifyOrder({ id, landingSite: `/?oppref=oa_l${id}` })),
    secret: TEST_SECRET,
    eventId,
  };
}

interface Variant {
  name: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

function variants(shop: string): Variant[] {
  const good = order(shop);
  const headers = webhookHeaders(good);
  const without = (name: string) => Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
  const compliance = JSON.stringify({
    shop_domain: shop,
    customer: { id: 1, email: "x@example.com" },
    orders_to_redact: [],
  });
  const complianceMessage = { topic: "customers/redact", shop, body: compliance, secret: TEST_SECRET };
  return [
    { name: "signed order", path: "/webhooks/orders/create", method: "POST", headers, body: good.body },
    {
      name: "the same order again (duplicate)",
      path: "/webhooks/orders/create",
      method: "POST",
      headers,
      body: good.body,
    },
    {
      name: "wrong secret",
      path: "/webhooks/orders/create",
      method: "POST",
      headers: { ...headers, "X-Shopify-Hmac-Sha256": signBody(good.body, "nope") },
      body: good.body,
    },
    {
      name: "body changed after signing",
      path: "/webhooks/orders/create",
      method: "POST",
      headers,
      body: good.body.replace("129.99", "0.01"),
    },
    {
      name: "no HMAC header",
      path: "/webhooks/orders/create",
      method: "POST",
      headers: without("X-Shopify-Hmac-Sha256"),
      body: good.body,
    },
    {
      name: "no topic header",
      path: "/webhooks/orders/create",
      method: "POST",
      headers: without("X-Shopify-Topic"),
      body: good.body,
    },
    {
      name: "no shop header",
      path: "/webhooks/orders/create",
      method: "POST",
      headers: without("X-Shopify-Shop-Domain"),
      body: good.body,
    },
    {
      name: "signed but not JSON",
      path: "/webhooks/orders/create",
      method: "POST",
      headers: webhookHeaders({ ...order(shop), body: "{nope" }),
      body: "{nope",
    },
    { name: "PUT", path: "/webhooks/orders/create", method: "PUT", headers, body: good.body },
    { name: "DELETE", path: "/webhooks/orders/create", method: "DELETE", headers, body: null },
    {
      name: "compliance: customers/redact",
      path: "/webhooks/compliance",
      method: "POST",
      headers: webhookHeaders(complianceMessage),
      body: compliance,
    },
    {
      name: "compliance: wrong secret",
      path: "/webhooks/compliance",
      method: "POST",
      headers: { ...webhookHeaders(complianceMessage), "X-Shopify-Hmac-Sha256": signBody(compliance, "nope") },
      body: compliance,
    },
  ];
}

async function viaHttp(base: string, v: Variant): Promise<number> {
  const response = await fetch(new URL(v.path, base), { method: v.method, headers: v.headers, body: v.body });
  await response.arrayBuffer();
  return response.status;
}

async function viaRemixAction(v: Variant): Promise<number> {
  const request = new Request(new URL(v.path, "https://app.example.test"), {
    method: v.method,
    headers: v.headers,
    body: v.body,
  });
  const route = v.path === "/webhooks/compliance" ? complianceAction : ordersCreateAction;
  const response = await route({ request, params: {}, context: {} });
  return response.status;
}

describe("the lean /webhooks path", () => {
  it("answers every request exactly like the Remix route action", async () => {
    const { shop, pixelId, apiKey } = newShop("lean-parity");
    await configureShop(shop, { pixelId, apiKey });
    const lean: Record<string, number> = {};
    const remix: Record<string, number> = {};
    for (const v of variants(shop)) lean[v.name] = await viaHttp(app.url, v);
    for (const v of variants(shop)) remix[v.name] = await viaRemixAction(v);
    expect(lean).toEqual(remix);
    expect(lean).toMatchObject({
      "signed order": 200,
      "wrong secret": 401,
      "no topic header": 400,
      PUT: 405,
      "signed but not JSON": 200,
    });
  });

  it("writes what the route writes: one event per order, duplicates and forgeries write nothing", async () => {
    const { shop, pixelId, apiKey } = newShop("lean-writes");
    await configureShop(shop, { pixelId, apiKey });
    const m = order(shop, "evt-lean-1");
    for (let i = 0; i < 3; i++)
      expect(
        await viaHttp(app.url, {
          name: "",
          path: "/webhooks/orders/create",
          method: "POST",
          headers: webhookHeaders(m),
          body: m.body,
        }),
      ).toBe(200);
    const forged = order(shop);
    expect(
      await viaHttp(app.url, {
        name: "",
        path: "/webhooks/orders/create",
        method: "POST",
        headers: { ...webhookHeaders(forged), "X-Shopify-Hmac-Sha256": signBody(forged.body, "x") },
        body: forged.body,
      }),
    ).toBe(401);
    // Acknowledged = committed: visible at once.
    expect(await eventsOf(shop)).toHaveLength(1);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(1);
  });

  it("refuses a body over 5 MB with 413 before reading it all, and leaves other paths to Remix", async () => {
    const big = "x".repeat(5 * 1024 * 1024 + 10);
    const response = await fetch(new URL("/webhooks/orders/create", app.url), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: big,
    });
    expect(response.status).toBe(413);
    expect((await fetch(new URL("/webhooks/not-a-topic", app.url), { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(new URL("/healthz", app.url))).status).toBe(200);
    const withQuery = order(newShop("lean-q").shop);
    expect(
      await viaHttp(app.url, {
        name: "",
        path: "/webhooks/orders/create?x=1",
        method: "POST",
        headers: webhookHeaders(withQuery),
        body: withQuery.body,
      }),
    ).toBe(200);
  });

  it("WEBHOOK_ACK=stored: 200 once stored, applied moments later by the same ingest function, once", async () => {
    const { shop, pixelId, apiKey } = newShop("lean-stored");
    await configureShop(shop, { pixelId, apiKey });
    const messages = Array.from({ length: 60 }, () => order(shop));
    const send = (m: WebhookMessage) =>
      viaHttp(stored.url, {
        name: "",
        path: "/webhooks/orders/create",
        method: "POST",
        headers: webhookHeaders(m),
        body: m.body,
      });
    // Every message twice, concurrently: the inbox and then WebhookDelivery keep one of each.
    const statuses = await Promise.all([...messages, ...messages].map(send));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const forged = order(shop);
    expect(
      await viaHttp(stored.url, {
        name: "",
        path: "/webhooks/orders/create",
        method: "POST",
        headers: { ...webhookHeaders(forged), "X-Shopify-Hmac-Sha256": "AAAA" },
        body: forged.body,
      }),
    ).toBe(401);
    await waitFor(
      async () =>
        (await eventsOf(shop)).length === messages.length &&
        (await prisma.webhookInbox.count({ where: { shop } })) === 0,
      "stored webhooks applied",
      30_000,
    );
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(messages.length);
    // A redelivery after it was applied: stored again, applied again, a no-op.
    expect(await send(messages[0])).toBe(200);
    await waitFor(
      async () => (await prisma.webhookInbox.count({ where: { shop } })) === 0,
      "redelivery applied",
      10_000,
    );
    expect(await eventsOf(shop)).toHaveLength(messages.length);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(messages.length);
  });
});
