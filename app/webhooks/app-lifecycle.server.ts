/**
 * app/uninstalled and app/scopes_update: the installation's lifecycle.
 *
 * app/uninstalled stops all sending for the shop at once: `uninstalledAt` is set (the delivery
 * worker then skips the shop's open events with reason "uninstalled", and the pixel receipt endpoint
 * refuses the shop), and the shop's sessions (its access tokens) are deleted. Settings stay until
 * shop/redact, 48 h later, so a merchant who reinstalls finds their configuration.
 *
 * Both are recorded once per Shopify event id (WebhookDelivery, like order webhooks), so a redelivery
 * is a no-op. A delivery for a shop we hold nothing about (never configured, or already erased by
 * shop/redact) writes nothing at all and is still acknowledged.
 */
import { z } from "zod";
import { logger } from "~/logger.server";
import { withWebhookOnce } from "~/models/conversion-events.server";
import { shopIsKnown } from "~/models/privacy.server";
import { webhookKey } from "./orders.server";
import type { VerifiedWebhook } from "./verify.server";

export type LifecycleResult = "stored" | "duplicate" | "unknown_shop" | "ignored_malformed" | "ignored_topic";

export async function ingestAppUninstalled(hook: VerifiedWebhook, now: Date = new Date()): Promise<LifecycleResult> {
  if (hook.topic !== "app/uninstalled") return "ignored_topic";
  if (!(await shopIsKnown(hook.shop))) return "unknown_shop";
  const result = await withWebhookOnce(webhookKey(hook), async (tx) => {
    // The first uninstall time is kept: a redelivery under a new event id must not move it.
    await tx.shopSettings.updateMany({ where: { shop: hook.shop, uninstalledAt: null }, data: { uninstalledAt: now } });
    await tx.session.deleteMany({ where: { shop: hook.shop } });
  });
  logger.info({ shop: hook.shop, topic: hook.topic, result }, "app uninstalled: sending stopped, sessions deleted");
  return result;
}

/** Shopify sends the granted scopes as a list ("current"); older payloads used a comma-separated string. */
const scopesSchema = z.object({
  current: z.union([z.array(z.string().max(200)).max(200), z.string().max(10_000)]),
});

export async function ingestScopesUpdate(hook: VerifiedWebhook): Promise<LifecycleResult> {
  if (hook.topic !== "app/scopes_update") return "ignored_topic";
  const parsed = scopesSchema.safeParse(hook.payload);
  if (!parsed.success) {
    logger.warn({ shop: hook.shop, topic: hook.topic }, "app/scopes_update ignored: malformed payload");
    return "ignored_malformed";
  }
  const scope = scopeString(parsed.data.current);
  if (!(await shopIsKnown(hook.shop))) return "unknown_shop";
  const result = await withWebhookOnce(webhookKey(hook), async (tx) => {
    // Only an existing settings row is updated: creating one would change how the shop's orders
    // are treated (no row = not set up). Sessions always carry the scope the token was granted.
    await tx.shopSettings.updateMany({ where: { shop: hook.shop }, data: { installedScope: scope } });
    await tx.session.updateMany({ where: { shop: hook.shop }, data: { scope } });
  });
  logger.info({ shop: hook.shop, topic: hook.topic, result, scope }, "app scopes updated");
  return result;
}

/** "read_orders, write_pixels" or ["read_orders","write_pixels"] → "read_orders,write_pixels" (order kept, duplicates dropped). */
function scopeString(current: string | string[]): string {
  const list = Array.isArray(current) ? current : current.split(",");
  return [...new Set(list.map((s) => s.trim()).filter(Boolean))].join(",");
}
