/**
 * The offline demo (`npm run demo`): the whole server-side job on this machine, no Shopify, no
 * OpenAI. It builds the app, starts a contract-faithful OpenAI stand-in and the real app (web +
 * delivery worker) on loopback with a fresh SQLite file, configures a demo shop, plays a realistic
 * mix of signed Shopify webhooks and pixel receipts, waits until nothing is left to deliver, and
 * prints what was received, accepted by "OpenAI" and skipped (with reasons).
 *
 *   npm run demo                 # run and exit
 *   npm run demo -- --keep-open  # then keep the app running and open the admin page in a browser
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { startOpenAiStandin } from "../sim/openai-standin";
import { sendWebhook } from "../sim/shopify-webhooks";
import { makeShopifyOrder, makeShopifyRefund } from "../sim/order-factory";
import { demoUpsellCorrection } from "./demo/upsell-correction";
import { waitUntilListening } from "./wait-until-listening";
import { playSubscriptionOrders } from "./demo/subscriptions";
import { backfillDemo } from "./demo/backfill";
import { playRealDataOrders } from "./demo/real-data";

const ROOT = process.cwd();
const DEMO_DIR = path.join(ROOT, ".demo");
const SHOP = "demo-shop.myshopify.com";
const PIXEL_ID = "DemoPixel7Hq2bX9mKp4Wz";
const SECRET = "demo-app-secret";
const keepOpen = process.argv.includes("--keep-open");

function step(message: string) {
  console.log(`\n▸ ${message}`);
}

async function main() {
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(DEMO_DIR, { recursive: true });
  const databaseUrl = `file:${path.join(DEMO_DIR, "demo.sqlite")}`;
  const apiKey = `capi_demo_${randomBytes(12).toString("hex")}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "development",
    SHOPIFY_API_KEY: "demo-client-id",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1",
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    DATABASE_URL: databaseUrl,
    PORT: "0",
    LOG_LEVEL: "warn",
    WORKER_INTERVAL_MS: "200",
    LOCAL_PREVIEW: "true",
  };

  step("Building the app and preparing a fresh database (.demo/demo.sqlite)");
  execFileSync("npm", ["run", "build", "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "ignore",
  });

  step("Starting the OpenAI Conversions API stand-in on loopback");
  const openai = await startOpenAiStandin({ credentials: { [PIXEL_ID]: apiKey } });
  console.log(`  ${openai.url}  (pixel ${PIXEL_ID})`);

  const backfill = await backfillDemo(env);
  step("Starting the app (web + delivery worker)");
  const app = await startApp({ ...env, OPENAI_CAPI_URL: openai.url });
  console.log(`  ${app.url}`);

  step(`Configuring ${SHOP} (the key is encrypted before it is stored)`);
  execFileSync(
    "npx",
    [
      "tsx",
      "scripts/shop-configure.ts",
      "--shop",
      SHOP,
      "--pixel-id",
      PIXEL_ID,
      "--api-key",
      apiKey,
      "--grace-seconds",
      "3",
    ],
    {
      env: { ...env, OPENAI_CAPI_URL: openai.url },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );

  step("Shopify sends webhooks (signed with the app secret)");
  const base = 6100000000000 + Math.floor(Math.random() * 1e6) * 100;
  const orders = [
    {
      label: "USD web order from a ChatGPT ad (oppref in landing_site)",
      spec: {
        id: base + 1,
        currency: "USD",
        total: "129.99",
        landingSite: "/products/tee?oppref=oa_demo_click_1&utm_source=chatgpt",
      },
    },
    {
      label: "JPY web order (0-decimal currency), oppref only in the pixel receipt",
      spec: { id: base + 2, currency: "JPY", total: "8900", landingSite: "/", country: "JP" },
      receipt: { oppref: "oa_demo_click_2", consent: "granted", pixel: "blocked" },
    },
    {
      label: "KWD web order (3-decimal currency)",
      spec: { id: base + 3, currency: "KWD", total: "12.345", landingSite: "/?oppref=oa_demo_click_3", country: "KW" },
    },
    {
      label: "EUR order from Germany, buyer granted consent in the pixel",
      spec: { id: base + 4, currency: "EUR", total: "49.90", landingSite: "/", country: "DE", phone: "030 123456" },
      receipt: { oppref: null, consent: "granted", pixel: "sent" },
    },
    {
      label: "EUR order from France, no consent signal (skipped: opt-in region)",
      spec: { id: base + 5, currency: "EUR", total: "75.00", landingSite: "/?oppref=oa_demo_click_5", country: "FR" },
    },
    {
      label: "USD order, buyer declined tracking in the pixel",
      spec: { id: base + 6, currency: "USD", total: "20.00", landingSite: "/?oppref=oa_demo_click_6" },
      receipt: { oppref: null, consent: "denied", pixel: "not_sent" },
    },
    { label: "Test order (skipped)", spec: { id: base + 7, test: true, landingSite: "/?oppref=x" } },
    { label: "Point-of-sale order (skipped by default)", spec: { id: base + 8, sourceName: "pos", landingSite: null } },
    {
      label: "Order placed 8 days ago, delivered late by Shopify (expired)",
      spec: { id: base + 9, processedAt: new Date(Date.now() - 8 * 86400_000) },
    },
  ] as const;

  for (const order of orders) {
    if ("receipt" in order && order.receipt) {
      const receipt = {
        v: 1,
        shop: SHOP,
        orderId: String(order.spec.id),
        checkoutToken: `chk${order.spec.id}`,
        ...order.receipt,
      };
      await fetch(new URL("/pixel/receipt", app.url), {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify(receipt),
      });
    }
    const body = JSON.stringify(makeShopifyOrder(order.spec));
    const status = await sendWebhook(app.url, {
      topic: "orders/create",
      shop: SHOP,
      body,
      secret: SECRET,
      eventId: `demo-${order.spec.id}`,
    });
    console.log(`  ${status}  orders/create  ${order.label}`);
  }
  await playRealDataOrders({ appUrl: app.url, databaseUrl, shop: SHOP, secret: SECRET, orderId: base + 10 });
  // Shopify repeats itself: the first order again, 3 times, same event id, then under a new event id.
  for (let i = 0; i < 3; i++) {
    await sendWebhook(app.url, {
      topic: "orders/create",
      shop: SHOP,
      body: JSON.stringify(makeShopifyOrder(orders[0].spec)),
      secret: SECRET,
      eventId: `demo-${orders[0].spec.id}`,
    });
  }
  await sendWebhook(app.url, {
    topic: "orders/create",
    shop: SHOP,
    body: JSON.stringify(makeShopifyOrder(orders[0].spec)),
    secret: SECRET,
    eventId: "demo-redelivered-under-new-id",
  });
  console.log("  200  orders/create  the USD order again ×4 (duplicate deliveries)");
  const forged = await sendWebhook(app.url, {
    topic: "orders/create",
    shop: SHOP,
    body: JSON.stringify(makeShopifyOrder({ id: base + 99 })),
    secret: "forged-secret",
  });
  console.log(`  ${forged}  orders/create  forged signature (refused)`);
  const malformed = await sendWebhook(app.url, {
    topic: "orders/create",
    shop: SHOP,
    body: '{"id": "not-an-order"',
    secret: SECRET,
  });
  console.log(`  ${malformed}  orders/create  malformed payload (recorded as skipped, acknowledged)`);
  const refund = makeShopifyRefund({ id: base + 501, orderId: base + 1, amount: "30.00", currency: "USD" });
  const refundStatus = await sendWebhook(app.url, {
    topic: "refunds/create",
    shop: SHOP,
    body: JSON.stringify(refund),
    secret: SECRET,
  });
  console.log(`  ${refundStatus}  refunds/create  partial refund of the USD order (30.00)`);
  await playSubscriptionOrders({
    appUrl: app.url,
    shop: SHOP,
    secret: SECRET,
    firstOrderId: base + 11,
    renewalId: base + 12,
  });

  step("Waiting for the delivery worker to finish");
  await waitUntilIdle(databaseUrl);

  step("A post-purchase upsell after the order was reported, then a refund of the upsold item");
  await demoUpsellCorrection({
    appUrl: app.url,
    shop: SHOP,
    secret: SECRET,
    pixelId: PIXEL_ID,
    openai,
    orderId: base + 601,
    waitUntilIdle: () => waitUntilIdle(databaseUrl),
  });

  step("Reconciliation");
  const accepted = openai.accepted(PIXEL_ID);
  const { summarize } = await import("./demo-summary");
  console.log(
    await summarize(
      databaseUrl,
      SHOP,
      accepted.map((a) => a.event),
    ),
  );
  console.log(
    `  OpenAI stand-in: ${accepted.length} event(s) accepted, ${openai.duplicatesIgnored()} duplicate(s) ignored, ${openai.requests().length} request(s)`,
  );

  step("The admin's reconciliation page, as text (same loader, same figures)");
  const { createPrismaClient } = await import("../app/db/client.server");
  const { printReconciliation } = await import("./print-reconciliation");
  const db = createPrismaClient(databaseUrl);
  await printReconciliation(SHOP, { days: 7 }, { db });
  await db.$disconnect();

  await backfill.run({ appUrl: app.url, shop: SHOP, pixelId: PIXEL_ID, openai });

  if (keepOpen) {
    console.log(`\nAdmin page (local preview, no Shopify): ${app.url}/app\nPress Ctrl+C to stop.`);
    await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  }
  await stopChild(app.child);
  await openai.close();
  await backfill.close();
}

async function startApp(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(ROOT, "build", "server.js")], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  // Generous: the first start after a build also loads the freshly built bundle from disk.
  const url = await waitUntilListening(child, { what: "app", timeoutMs: 60_000, output: () => output });
  return { url, child };
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

async function waitUntilIdle(databaseUrl: string) {
  const { createPrismaClient } = await import("../app/db/client.server");
  const prisma = createPrismaClient(databaseUrl);
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      const open = await prisma.conversionEvent.count({
        where: { status: { in: ["pending", "sending"] }, nextAttemptAt: { lte: new Date(Date.now() + 30_000) } },
      });
      // With WEBHOOK_ACK=stored (the default) webhooks may still wait in the inbox for a moment.
      if (open === 0 && (await prisma.webhookInbox.count()) === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log("  (some events are still waiting; see the table below)");
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
