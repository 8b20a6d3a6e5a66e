/**
 * The demo's real-data step: two orders whose outcome real stores see every day, each shown with
 * the reason the app RECORDED (read back from the database once decided, not assumed here):
 * - a buyer who refused the sale or sharing of their data: the theme embed's cart attribute
 *   `_oppref_consent` (marketing=granted&sale_of_data=refused…) reaches the order as a note
 *   attribute, and the order is skipped as sale_of_data_refused although it has a click id;
 * - Shopify's own sample order (what `shopify app webhook trigger` and the admin's "Send test
 *   notification" send), as published in test/fixtures/shopify/ (see SOURCES.md): `test: true` and an
 *   id above 2^53 that must stay exact; a test order, not malformed. Only its times move to now.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createPrismaClient } from "../../app/db/client.server";
import { SKIP_REASONS, isSkipReason } from "../../app/conversions/skip-reasons";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder } from "../../sim/order-factory";

const SAMPLE_ORDER_FILE = path.join("test", "fixtures", "shopify", "orders-cancelled.sample-820982911946154508.json");
const SAMPLE_ORDER_ID = "820982911946154508";
/** Shopify's sample times ("2021-12-31T19:00:00-05:00"): OpenAI refuses events older than 7 days. */
const SAMPLE_TIME = /"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"/g;

interface RealDataDemo {
  appUrl: string;
  databaseUrl: string;
  shop: string;
  secret: string;
  /** An order id no other demo order uses. */
  orderId: number;
}

export async function playRealDataOrders(demo: RealDataDemo): Promise<void> {
  const clickedAt = Date.now() - 5 * 60_000;
  const refusal = {
    ...makeShopifyOrder({ id: demo.orderId, currency: "USD", total: "55.00", landingSite: "/" }),
    note_attributes: [
      { name: "_oppref", value: "oa_demo_click_embed" },
      { name: "_oppref_at", value: String(clickedAt) },
      {
        name: "_oppref_consent",
        value: `marketing=granted&sale_of_data=refused&source=privacy_api&at=${clickedAt}`,
      },
    ],
  };
  const refusalStatus = await sendWebhook(demo.appUrl, {
    topic: "orders/create",
    shop: demo.shop,
    body: JSON.stringify(refusal),
    secret: demo.secret,
  });
  console.log(
    `  ${refusalStatus}  orders/create  USD order, buyer refused the sale of data (cart attribute _oppref_consent)`,
  );

  const now = JSON.stringify(new Date(Date.now() - 60_000).toISOString());
  // Sent as the published text (only its times replaced): its 64-bit id is never re-serialized.
  const sample = readFileSync(SAMPLE_ORDER_FILE, "utf8").replace(SAMPLE_TIME, now);
  const sampleStatus = await sendWebhook(demo.appUrl, {
    topic: "orders/create",
    shop: demo.shop,
    body: sample,
    secret: demo.secret,
  });
  console.log(`  ${sampleStatus}  orders/create  Shopify's sample order ${SAMPLE_ORDER_ID} (test: true)`);

  await printRecordedOutcomes(demo, [
    { orderId: String(demo.orderId), label: "sale-of-data refusal" },
    { orderId: SAMPLE_ORDER_ID, label: `Shopify's sample order ${SAMPLE_ORDER_ID}` },
  ]);
}

/** Waits (up to 30 s) until the app has decided each order, then prints what it recorded and why. */
async function printRecordedOutcomes(demo: RealDataDemo, orders: { orderId: string; label: string }[]) {
  const prisma = createPrismaClient(demo.databaseUrl);
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await prisma.conversionEvent.findMany({
        where: { shop: demo.shop, eventType: "order_created", orderId: { in: orders.map((o) => o.orderId) } },
        select: { orderId: true, status: true, skipReason: true },
      });
      const decided = rows.filter((r) => r.status !== "pending" && r.status !== "sending");
      if (decided.length === orders.length || Date.now() > deadline) {
        for (const order of orders) {
          const row = rows.find((r) => r.orderId === order.orderId);
          const outcome = !row
            ? "no event recorded"
            : row.skipReason
              ? `${row.status}: ${row.skipReason}${isSkipReason(row.skipReason) ? ` (${SKIP_REASONS[row.skipReason]})` : ""}`
              : row.status;
          console.log(`      recorded  ${order.label} → ${outcome}`);
        }
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await prisma.$disconnect();
  }
}
