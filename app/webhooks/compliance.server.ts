/**
 * Shopify's mandatory compliance topics, all delivered to /webhooks/compliance:
 * - customers/data_request → a report of exactly what the app holds for the buyer (it stores no raw
 *   PII), recorded as one structured log line and returned to the caller;
 * - customers/redact → the buyer's rows are deleted (events, receipts, ledger rows and entries);
 * - shop/redact (48 h after uninstall) → everything of the shop is deleted.
 *
 * All three are idempotent by nature (a report is read-only, a deletion deletes nothing the second
 * time), so they are not recorded in WebhookDelivery: after shop/redact nothing of the shop — not even
 * an idempotency row — is left, and a redelivery is a harmless no-op that still gets its 200.
 *
 * The HMAC covers the body only, not the headers: the shop we act on is the body's `shop_domain`,
 * and it must agree with the X-Shopify-Shop-Domain header, so a signed body cannot be replayed
 * against another shop by rewriting a header.
 *
 * A signed but malformed body is acknowledged (200) and logged: Shopify would resend the very same
 * bytes for hours, which cannot help.
 */
import { z } from "zod";
import { logger } from "~/logger.server";
import {
  customerDataReport,
  redactCustomer,
  redactShop,
  shopHasActiveInstallation,
  type CustomerDataReport,
  type CustomerRedaction,
  type ShopRedaction,
} from "~/models/privacy.server";
import { installationOf } from "./installation-check.server";
import type { VerifiedWebhook } from "./verify.server";

export const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;

export type ComplianceResult =
  | { outcome: "reported"; report: CustomerDataReport }
  | { outcome: "redacted_customer"; counts: CustomerRedaction }
  | { outcome: "redacted_shop"; counts: ShopRedaction }
  | { outcome: "ignored"; reason: "malformed_payload" | "shop_mismatch" | "unknown_topic" | "shop_still_installed" };

const orderList = z.array(z.unknown()).max(100_000);
const customer = z
  .object({ id: z.unknown().optional(), email: z.unknown().optional(), phone: z.unknown().optional() })
  .passthrough()
  .nullable()
  .optional();

const dataRequestSchema = z.object({
  shop_domain: z.string(),
  customer,
  orders_requested: orderList.optional().default([]),
  data_request: z
    .object({ id: z.union([z.number(), z.string()]).optional() })
    .passthrough()
    .nullable()
    .optional(),
});
const customerRedactSchema = z.object({
  shop_domain: z.string(),
  customer,
  orders_to_redact: orderList.optional().default([]),
});
const shopRedactSchema = z.object({ shop_domain: z.string() });

export async function ingestComplianceWebhook(
  hook: VerifiedWebhook,
  now: Date = new Date(),
): Promise<ComplianceResult> {
  switch (hook.topic) {
    case "customers/data_request": {
      const parsed = dataRequestSchema.safeParse(hook.payload);
      if (!parsed.success) return ignored(hook, "malformed_payload");
      if (!sameShop(parsed.data.shop_domain, hook.shop)) return ignored(hook, "shop_mismatch");
      const requestId = parsed.data.data_request?.id;
      const report = await customerDataReport(
        {
          shop: hook.shop,
          orders: parsed.data.orders_requested,
          customer: parsed.data.customer ?? null,
          dataRequestId: requestId === undefined ? null : String(requestId).slice(0, 64),
        },
        now,
      );
      // The record of the request: the report holds order ids, statuses and amounts, never PII.
      logger.info(
        { shop: hook.shop, topic: hook.topic, webhookId: hook.webhookId, report },
        "compliance: customer data report",
      );
      return { outcome: "reported", report };
    }
    case "customers/redact": {
      const parsed = customerRedactSchema.safeParse(hook.payload);
      if (!parsed.success) return ignored(hook, "malformed_payload");
      if (!sameShop(parsed.data.shop_domain, hook.shop)) return ignored(hook, "shop_mismatch");
      const counts = await redactCustomer({
        shop: hook.shop,
        orders: parsed.data.orders_to_redact,
        customer: parsed.data.customer ?? null,
      });
      logger.info(
        { shop: hook.shop, topic: hook.topic, webhookId: hook.webhookId, deleted: counts },
        "compliance: customer redacted",
      );
      return { outcome: "redacted_customer", counts };
    }
    case "shop/redact": {
      const parsed = shopRedactSchema.safeParse(hook.payload);
      if (!parsed.success) return ignored(hook, "malformed_payload");
      if (!sameShop(parsed.data.shop_domain, hook.shop)) return ignored(hook, "shop_mismatch");
      // Shopify sends shop/redact 48 h after an uninstall. If the shop has installed the app again
      // since (it has a session: app/uninstalled deletes them all), wiping it would break a live
      // installation; a replayed request must not be able to do that either. But a session can also
      // be left over from a missed app/uninstalled: the Admin API decides (a revoked token is a 401).
      if ((await shopHasActiveInstallation(hook.shop)) && (await installationOf(hook.shop)) === "installed") {
        return ignored(hook, "shop_still_installed");
      }
      const counts = await redactShop(hook.shop);
      logger.info(
        { shop: hook.shop, topic: hook.topic, webhookId: hook.webhookId, deleted: counts },
        "compliance: shop redacted",
      );
      return { outcome: "redacted_shop", counts };
    }
    default:
      return ignored(hook, "unknown_topic");
  }
}

function ignored(
  hook: VerifiedWebhook,
  reason: Extract<ComplianceResult, { outcome: "ignored" }>["reason"],
): ComplianceResult {
  // Topic and shop only: the body may be anything, and is never logged.
  logger.warn(
    { shop: hook.shop, topic: hook.topic.slice(0, 64), webhookId: hook.webhookId, reason },
    "compliance webhook ignored",
  );
  return { outcome: "ignored", reason };
}

function sameShop(bodyShop: string, headerShop: string): boolean {
  return bodyShop.trim().toLowerCase() === headerShop.trim().toLowerCase();
}
