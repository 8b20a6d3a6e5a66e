/**
 * Every webhook the app handles: the URI Shopify calls (shopify.app.toml), the topics that arrive
 * there, and the ONE ingest function that decides and persists. All ways in dispatch through here:
 *  - the Remix routes (app/routes/webhooks.*.tsx) call the same functions through handleWebhook;
 *  - the lean `/webhooks/*` path in front of Remix (app/webhooks/lean-path.server.ts);
 *  - the webhook inbox, which applies stored webhooks later (app/webhooks/inbox.server.ts);
 *  - a Pub/Sub or EventBridge consumer, if Shopify delivers there instead (docs/SCALING.md):
 *    `ingestForTopic(topic)(verifiedWebhook)`.
 * Every handler's `ingest` first runs the admission checks (app/webhooks/admission.server.ts): a
 * webhook whose topic the path is not subscribed to, whose body is another topic's, or whose shop is
 * not bound or never installed is recorded and changes nothing.
 *
 * Two kinds of rows:
 *  - `admitted(path, topics, ingest)`: the webhook is applied alone by its ingest function. The
 *    inbox applies such rows one by one, in arrival order, between batches. Any new topic starts
 *    here and works without touching the batch code.
 *  - `batched(path, topics, plan)`: the topic also has a batch plan (app/webhooks/apply-batch.server.ts):
 *    the inbox applies runs of such webhooks in one transaction, and `ingest` is that plan applied
 *    to one webhook (group-committed with concurrent ones), the admission checks running in the
 *    batch, before planning, for both.
 * Adding a webhook: write its ingest function (and, if it is hot, a plan), add a row here and a route
 * file, subscribe it in shopify.app.toml. test/scale/webhook-registry.test.ts checks rows and route
 * files agree.
 */
import { metrics } from "~/ops/metrics.server";
import { recordRefusal, refusalFor } from "./admission.server";
import { ingestAppUninstalled, ingestScopesUpdate } from "./app-lifecycle.server";
import { COMPLIANCE_TOPICS, ingestComplianceWebhook } from "./compliance.server";
import { applyWebhook, type WebhookPlanner } from "./apply-batch.server";
import { planCancelWebhook, planRefundWebhook } from "./corrections.server";
import { planOrderWebhook } from "./orders.server";
import { ingestOrderEditedWebhook, ingestOrderUpdatedWebhook } from "./order-changes.server";
import type { VerifiedWebhook } from "./verify.server";

export type IngestFunction = (hook: VerifiedWebhook) => Promise<unknown>;

export interface WebhookHandler {
  /** The path Shopify posts to, as in shopify.app.toml. */
  path: string;
  /** Topics delivered to that path. */
  topics: readonly string[];
  ingest: IngestFunction;
  /**
   * The topic's plan when its webhooks can be applied in batches (app/webhooks/apply-batch.server.ts):
   * the inbox applies runs of such webhooks in one transaction, after the same admission checks.
   * Optional: a handler without one is applied alone through `ingest`.
   */
  plan?: WebhookPlanner;
}

/** The handler for `path`: `ingest` runs only for webhooks the admission checks let through. */
function admitted(path: string, topics: readonly string[], ingest: IngestFunction): WebhookHandler {
  return {
    path,
    topics,
    async ingest(hook) {
      let result: unknown;
      try {
        const refused = await refusalFor(topics, hook);
        result = refused ? recordRefusal(path, hook, refused) : await ingest(hook);
      } catch (error) {
        metrics.webhookApplied(topics, hook.topic, "failed");
        throw error;
      }
      metrics.webhookApplied(topics, hook.topic, result);
      return result;
    },
  };
}

/** The handler for `path` whose webhooks can be applied in batches through `plan`. */
function batched(path: string, topics: readonly string[], plan: WebhookPlanner): WebhookHandler {
  return {
    path,
    topics,
    plan,
    async ingest(hook) {
      const result = await applyWebhook(hook, plan, { admission: { path, topics } }).catch((error: unknown) => {
        metrics.webhookApplied(topics, hook.topic, "failed");
        throw error;
      });
      metrics.webhookApplied(topics, hook.topic, result);
      return result;
    },
  };
}

export const WEBHOOK_HANDLERS: readonly WebhookHandler[] = [
  batched("/webhooks/orders/create", ["orders/create"], planOrderWebhook),
  batched("/webhooks/orders/paid", ["orders/paid"], planOrderWebhook),
  batched("/webhooks/refunds/create", ["refunds/create"], planRefundWebhook),
  batched("/webhooks/orders/cancelled", ["orders/cancelled"], planCancelWebhook),
  admitted("/webhooks/orders/updated", ["orders/updated"], (hook) => ingestOrderUpdatedWebhook(hook)),
  admitted("/webhooks/orders/edited", ["orders/edited"], (hook) => ingestOrderEditedWebhook(hook)),
  admitted("/webhooks/app/uninstalled", ["app/uninstalled"], (hook) => ingestAppUninstalled(hook)),
  admitted("/webhooks/app/scopes_update", ["app/scopes_update"], (hook) => ingestScopesUpdate(hook)),
  admitted("/webhooks/compliance", COMPLIANCE_TOPICS, (hook) => ingestComplianceWebhook(hook)),
];

const byPath = new Map(WEBHOOK_HANDLERS.map((h) => [h.path, h]));
const byTopic = new Map(WEBHOOK_HANDLERS.flatMap((h) => h.topics.map((t) => [t, h] as const)));

/** The handler for a request path ("/webhooks/orders/create", with or without a trailing slash). */
export function handlerForPath(pathname: string): WebhookHandler | undefined {
  const clean = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  return byPath.get(clean);
}

/** The handler of a path the app serves (the Remix routes name theirs). */
export function webhookHandler(path: string): WebhookHandler {
  const handler = handlerForPath(path);
  if (!handler) throw new Error(`no webhook handler for ${path}`);
  return handler;
}

/** The handler for a Shopify topic ("orders/create"), e.g. for a Pub/Sub or EventBridge consumer. */
export function handlerForTopic(topic: string): WebhookHandler | undefined {
  return byTopic.get(topic);
}

export function ingestForTopic(topic: string): IngestFunction | undefined {
  return handlerForTopic(topic)?.ingest;
}
