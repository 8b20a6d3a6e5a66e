/**
 * Demo step: a post-purchase upsell after the order was reported, then a refund of the upsold item.
 * Shopify sends orders/edited (the offer's line item, no money) and orders/updated (the order's
 * current total); the app reports the added value once as a custom event, moves the ledger's gross,
 * and reports the later refund of the upsold item in full (it is not clamped at the checkout total).
 */
import { dedupIdForOrder } from "../../app/conversions/dedup-id";
import type { OpenAiStandin } from "../../sim/openai-standin";
import { makeOrderEdited, makeOrderUpdated } from "../../sim/order-changes";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { sendWebhook } from "../../sim/shopify-webhooks";

export interface UpsellDemoContext {
  appUrl: string;
  shop: string;
  secret: string;
  pixelId: string;
  openai: OpenAiStandin;
  /** a free block of ids for this step's order, edit and refund */
  orderId: number;
  /** resolves once nothing is left to deliver */
  waitUntilIdle: () => Promise<void>;
}

export async function demoUpsellCorrection(ctx: UpsellDemoContext): Promise<void> {
  const post = async (topic: string, body: Record<string, unknown>, label: string) => {
    const status = await sendWebhook(ctx.appUrl, {
      topic,
      shop: ctx.shop,
      body: JSON.stringify(body),
      secret: ctx.secret,
    });
    console.log(`  ${status}  ${topic.padEnd(15)} ${label}`);
  };
  const id = ctx.orderId;
  const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

  await post(
    "orders/create",
    makeShopifyOrder({ id, total: "49.00", landingSite: "/?oppref=oa_demo_upsell" }),
    "order 49.00",
  );
  await ctx.waitUntilIdle();

  const edited = makeOrderEdited({ id: id + 1, orderId: id, committedAt: later(1), addedLineItemIds: [id * 10 + 2] });
  await post("orders/edited", edited, "post-purchase offer accepted (line item added; no money in this topic)");
  await post(
    "orders/updated",
    makeOrderUpdated({ id, currentTotal: "74.00", updatedAt: later(2) }),
    "current total 74.00",
  );
  await post("orders/edited", edited, "the same edit again (Shopify redelivers)");
  await ctx.waitUntilIdle();

  const refund = { id: id + 2, amount: "25.00", at: later(3) };
  await post("refunds/create", makeShopifyRefund({ ...refund, orderId: id }), "refund of the upsold item (25.00)");
  await post(
    "orders/updated",
    makeOrderUpdated({ id, currentTotal: "49.00", updatedAt: later(4), refunds: [refund] }),
    "current total 49.00 (it reflects the refund: reported once, by the refund)",
  );
  await ctx.waitUntilIdle();

  const dedupId = await dedupIdForOrder(id);
  const ours = ctx.openai
    .accepted(ctx.pixelId)
    .map((a) => a.event)
    .filter((e) => e.id === dedupId || e.data.order_ref === dedupId);
  for (const event of ours) {
    const name = event.type === "custom" ? event.custom_event_name : event.type;
    const amount = ((event.data.amount as number) / 100).toFixed(2);
    console.log(`  OpenAI accepted  ${String(name).padEnd(18)} ${amount} ${event.data.currency}`);
  }
}
