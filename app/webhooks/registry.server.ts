/**
 * Every webhook the app handles: the URI Shopify calls (shopify.app.toml), the topics that arrive
 * there, and the ONE ingest function that decides and persists. All ways in dispatch through here:
 *  - the Remix routes (app/routes/webhooks.*.tsx) call the same functions through handleWebhook;
 *  - the lean `/webhooks/*` path in front of Remix (app/webhooks/lean-path.server.ts);
 *  - the webhook inbox, which applies stored webhooks later (app/webhooks/inbox.server.ts);
 *  - a Pub/Sub or EventBridge consumer, if Shopify delivers there instead (docs/SCALING.md):
 *    `ingestForTopic(topic)(verifiedWebhook)`.
 * Adding a webhook: write its ingest function, add a row here and a route file, subscribe it in
 * shopify.app.toml. test/scale/webhook-registry.test.ts checks rows and route files agree.
 */
import { ingestAppUninstalled, ingestScopesUpdate } from "./app-lifecycle.server";
import { COMPLIANCE_TOPICS, ingestComplianceWebhook } from "./compliance.server";
import { ingestCancelWebhook, ingestRefundWebhook } from "./corrections.server";
import { ingestOrderWebhook } from "./orders.server";
import type { VerifiedWebhook } from "./verify.server";

export type IngestFunction = (hook: VerifiedWebhook) => Promise<unknown>;

export interface WebhookHandler {
  /** The path Shopify posts to, as in shopify.app.toml. */
  path: string;
  /** Topics delivered to that path. */
  topics: readonly string[];
  ingest: IngestFunction;
}

export const WEBHOOK_HANDLERS: readonly WebhookHandler[] = [
  { path: "/webhooks/orders/create", topics: ["orders/create"], ingest: (hook) => ingestOrderWebhook(hook) },
  { path: "/webhooks/orders/paid", topics: ["orders/paid"], ingest: (hook) => ingestOrderWebhook(hook) },
  { path: "/webhooks/refunds/create", topics: ["refunds/create"], ingest: (hook) => ingestRefundWebhook(hook) },
  { path: "/webhooks/orders/cancelled", topics: ["orders/cancelled"], ingest: (hook) => ingestCancelWebhook(hook) },
  { path: "/webhooks/app/uninstalled", topics: ["app/uninstalled"], ingest: (hook) => ingestAppUninstalled(hook) },
  { path: "/webhooks/app/scopes_update", topics: ["app/scopes_update"], ingest: (hook) => ingestScopesUpdate(hook) },
  { path: "/webhooks/compliance", topics: COMPLIANCE_TOPICS, ingest: (hook) => ingestComplianceWebhook(hook) },
];

const byPath = new Map(WEBHOOK_HANDLERS.map((h) => [h.path, h]));
const byTopic = new Map(WEBHOOK_HANDLERS.flatMap((h) => h.topics.map((t) => [t, h] as const)));

/** The handler for a request path ("/webhooks/orders/create", with or without a trailing slash). */
export function handlerForPath(pathname: string): WebhookHandler | undefined {
  const clean = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  return byPath.get(clean);
}

/** The handler for a Shopify topic ("orders/create"), e.g. for a Pub/Sub or EventBridge consumer. */
export function handlerForTopic(topic: string): WebhookHandler | undefined {
  return byTopic.get(topic);
}

export function ingestForTopic(topic: string): IngestFunction | undefined {
  return handlerForTopic(topic)?.ingest;
}
