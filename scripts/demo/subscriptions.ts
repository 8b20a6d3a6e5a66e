/**
 * The demo's subscription step: a subscription's first order (Recharge/Skio tag "Subscription First
 * Order") becomes order_created + subscription_created; a renewal that Shopify's billing attempt
 * created (source_name "subscription_contract") is recorded as subscription_renewal and not sent.
 */
import { makeShopifyOrder } from "../../sim/order-factory";
import { sendWebhook } from "../../sim/shopify-webhooks";

export async function playSubscriptionOrders(input: {
  appUrl: string;
  shop: string;
  secret: string;
  firstOrderId: number;
  renewalId: number;
}): Promise<void> {
  const first = {
    ...makeShopifyOrder({ id: input.firstOrderId, total: "25.00", landingSite: "/?oppref=oa_demo_sub_click" }),
    tags: "Subscription First Order, Subscription",
  };
  const renewal = makeShopifyOrder({
    id: input.renewalId,
    total: "25.00",
    sourceName: "subscription_contract",
    landingSite: null,
  });
  const plays: [Record<string, unknown>, string][] = [
    [first, "subscription first order (tag Subscription First Order): order_created + subscription_created"],
    [renewal, "subscription renewal (source_name subscription_contract): recorded, not sent"],
  ];
  for (const [order, label] of plays) {
    const status = await sendWebhook(input.appUrl, {
      topic: "orders/create",
      shop: input.shop,
      body: JSON.stringify(order),
      secret: input.secret,
      eventId: `demo-${String(order.id)}`,
    });
    console.log(`  ${status}  orders/create  ${label}`);
  }
}
