/**
 * Which verified webhooks may act at all. Runs before every ingest function, whichever way the
 * webhook came in (Remix route, lean path, inbox, Pub/Sub consumer), through the registry.
 *
 * Shopify signs the body only: X-Shopify-Topic and X-Shopify-Shop-Domain are whatever the sender
 * wrote. So a webhook is refused, recorded and answered 200 (a non-2xx makes Shopify retry for
 * hours, and the signature was genuine) when:
 *  - its topic is not one the URL is subscribed to;
 *  - its shop header is not a `*.myshopify.com` domain;
 *  - its body is not shaped like that topic's body (app/webhooks/topic-bodies.server.ts);
 *  - the body names a shop (compliance `shop_domain`, app/uninstalled `myshopify_domain`) other than
 *    the header's;
 *  - the shop never installed the app here (no session and no settings): there is nothing of it to
 *    change, and nothing is created for it;
 *  - its order was erased by customers/redact (a redelivery, or a stored webhook applied after the
 *    erasure): applying it would write the buyer's data again.
 * Only a bad signature is a 401 (verify.server.ts).
 */
import { logger } from "~/logger.server";
import { knownShopsAmong, orderIdOfWebhookBody, redactedOrderIds, shopIsKnown } from "~/models/privacy.server";
import { bodyFitsTopic, shopNamedByBody } from "./topic-bodies.server";
import type { VerifiedWebhook } from "./verify.server";

export type WebhookRefusal =
  | "topic_not_subscribed"
  | "shop_header_invalid"
  | "body_not_of_topic"
  | "shop_mismatch"
  | "shop_not_installed"
  | "order_redacted";

export interface RefusedWebhook {
  refused: WebhookRefusal;
}

/** A shop's permanent Shopify domain, as Shopify writes it in X-Shopify-Shop-Domain. */
const MYSHOPIFY_DOMAIN = /^[a-z0-9][a-z0-9-]{0,99}\.myshopify\.com$/;

function isMyshopifyDomain(shop: string): boolean {
  return MYSHOPIFY_DOMAIN.test(shop);
}

/** The checks that need neither the body nor the database (also run before a webhook is stored). */
export function headerRefusal(topics: readonly string[], hook: Pick<VerifiedWebhook, "topic" | "shop">) {
  if (!topics.includes(hook.topic)) return "topic_not_subscribed" as const;
  if (!isMyshopifyDomain(hook.shop)) return "shop_header_invalid" as const;
  return null;
}

/** Every check but "was the shop ever installed here" (the one that needs the database). */
function refusalWithoutDatabase(topics: readonly string[], hook: VerifiedWebhook): WebhookRefusal | null {
  const early = headerRefusal(topics, hook);
  if (early) return early;
  const payload = hook.payload;
  if (!bodyFitsTopic(hook.topic, payload)) return "body_not_of_topic";
  const named = shopNamedByBody(hook.topic, payload);
  if (named !== null && named.trim().toLowerCase() !== hook.shop) return "shop_mismatch";
  return null;
}

/** Why this webhook must change nothing, or null when it may be ingested. */
export async function refusalFor(topics: readonly string[], hook: VerifiedWebhook): Promise<WebhookRefusal | null> {
  const refused = refusalWithoutDatabase(topics, hook);
  if (refused) return refused;
  if (!(await shopIsKnown(hook.shop))) return "shop_not_installed";
  const orderId = orderIdOfWebhookBody(hook.topic, hook.payload);
  if (orderId !== null && (await redactedOrderIds(hook.shop, [orderId])).size > 0) return "order_redacted";
  return null;
}

/** What `refusalAmong` needs from the database, looked up once for a whole batch. */
export interface BatchAdmissionFacts {
  /** the batch's shops that installed the app here */
  knownShops: ReadonlySet<string>;
  /** `redactedKey(shop, orderId)` of the batch's orders that customers/redact erased */
  redactedOrders: ReadonlySet<string>;
}

export function redactedKey(shop: string, orderId: string): string {
  return `${shop}\n${orderId}`;
}

/** The database facts of `refusalAmong` for a batch: one look-up of shops, one of erased orders per shop. */
export async function batchAdmissionFacts(hooks: readonly VerifiedWebhook[]): Promise<BatchAdmissionFacts> {
  const ordersByShop = new Map<string, string[]>();
  for (const hook of hooks) {
    const orderId = orderIdOfWebhookBody(hook.topic, hook.payload);
    if (orderId === null) continue;
    ordersByShop.set(hook.shop, [...(ordersByShop.get(hook.shop) ?? []), orderId]);
  }
  const [knownShops, erased] = await Promise.all([
    knownShopsAmong(hooks.map((h) => h.shop)),
    Promise.all(
      [...ordersByShop].map(async ([shop, ids]) =>
        [...(await redactedOrderIds(shop, ids))].map((id) => redactedKey(shop, id)),
      ),
    ),
  ]);
  return { knownShops, redactedOrders: new Set(erased.flat()) };
}

/**
 * The same checks as `refusalFor`, for a batch of webhooks (app/webhooks/apply-batch.server.ts),
 * with the database facts looked up once for the batch.
 */
export function refusalAmong(
  topics: readonly string[],
  hook: VerifiedWebhook,
  facts: BatchAdmissionFacts,
): WebhookRefusal | null {
  const refused = refusalWithoutDatabase(topics, hook);
  if (refused) return refused;
  if (!facts.knownShops.has(hook.shop)) return "shop_not_installed";
  const orderId = orderIdOfWebhookBody(hook.topic, hook.payload);
  if (orderId !== null && facts.redactedOrders.has(redactedKey(hook.shop, orderId))) return "order_redacted";
  return null;
}

/** The record of a refused webhook: one structured line, never the body. */
export function recordRefusal(path: string, hook: VerifiedWebhook, refused: WebhookRefusal): RefusedWebhook {
  logger.warn(
    {
      path,
      shop: hook.shop.slice(0, 255),
      topic: hook.topic.slice(0, 64),
      webhookId: hook.webhookId.slice(0, 64),
      eventId: hook.eventId.slice(0, 64),
      refused,
    },
    "webhook refused: acknowledged, nothing changed",
  );
  return { refused };
}
