/**
 * WEBHOOK_ACK=stored: acknowledge a webhook once it is durably stored, apply it moments later.
 *
 * `storeWebhook` is what the lean path calls instead of the ingest function: one group-committed
 * INSERT for all concurrent webhooks, and the 200 only after it committed (nothing acknowledged that
 * is not on disk). The applier then applies what the route would have applied, with the same
 * verified fields: a batch of stored order webhooks goes through the same planners as one webhook
 * (app/webhooks/apply-batch.server.ts), in one transaction, so idempotency on the event id,
 * business-key dedupe and every skip decision are unchanged; only the moment moves, by milliseconds
 * when the app is healthy. A webhook whose application fails is retried with backoff, like Shopify
 * would redeliver it, and never dropped.
 *
 * The applier runs where the delivery worker runs (server.ts with RUN_WORKER=true, or every
 * `npm run worker` process): in the same process as the web server it starts on each append; in a
 * worker process it polls twice a second. Any number of appliers can drain one inbox (rows are leased);
 * a row whose applier died comes back when its lease runs out.
 */
import { configValue } from "~/config.server";
import { logger } from "~/logger.server";
import {
  appendToInbox,
  claimInbox,
  removeFromInbox,
  retryInboxLater,
  type InboxEntry,
} from "~/models/webhook-inbox.server";
import { metrics } from "~/ops/metrics.server";
import { applyBatch, type BatchItem } from "./apply-batch.server";
import { handlerForPath } from "./registry.server";
import type { VerifiedWebhook } from "./verify.server";
import { parseWebhookJson } from "~/conversions/webhook-json";

/** How long a claimed row is ours (WEBHOOK_INBOX_LEASE_MS, default 60 s): far longer than applying a webhook takes. */
function leaseMs(): number {
  return configValue("WEBHOOK_INBOX_LEASE_MS");
}
/** Webhooks claimed and applied at once (one transaction for a run of order webhooks). */
const BATCH = 256;

/** Stores the verified webhook that arrived on `path`; resolves once it is committed. */
export async function storeWebhook(path: string, hook: VerifiedWebhook): Promise<void> {
  await appendToInbox({
    path,
    shop: hook.shop,
    topic: hook.topic,
    eventId: hook.eventId,
    webhookId: hook.webhookId,
    apiVersion: hook.apiVersion,
    triggeredAt: hook.triggeredAt,
    rawBody: hook.rawBody,
  });
  globalThis.__inboxApplier?.wake();
}

/** The VerifiedWebhook the route would have built (the inbox only holds verified requests). */
function webhookFromInbox(entry: InboxEntry): VerifiedWebhook {
  let payload: unknown;
  try {
    payload = parseWebhookJson(entry.rawBody); // 64-bit ids stay exact
  } catch {
    payload = undefined;
  }
  return {
    shop: entry.shop,
    topic: entry.topic,
    webhookId: entry.webhookId,
    eventId: entry.eventId,
    apiVersion: entry.apiVersion,
    triggeredAt: entry.triggeredAt,
    rawBody: entry.rawBody,
    payload,
  };
}

export interface ApplyReport {
  applied: number;
  failed: number;
}

/**
 * Claims one batch of due rows and applies them in arrival order. Runs of order, refund and
 * cancellation webhooks are applied together in one transaction (app/webhooks/apply-batch.server.ts),
 * which also deletes their inbox rows; any other webhook (app lifecycle, compliance) is applied alone
 * between them, through its ingest function, so the order of effects is the order of arrival.
 */
export async function applyInboxBatch(now: Date = new Date()): Promise<ApplyReport & { claimed: number }> {
  const entries = await claimInbox({ limit: BATCH, leaseMs: leaseMs(), now });
  const doneAlone: number[] = [];
  let applied = 0;
  let failed = 0;
  const retryLater = async (entry: InboxEntry, error: unknown) => {
    failed++;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.error(
      { shop: entry.shop, topic: entry.topic, attempts: entry.attempts, err: message },
      "inbox webhook not applied; will retry",
    );
    await retryInboxLater(entry.id, new Date(Date.now() + retryDelayMs(entry.attempts)), message).catch(() => {});
  };

  let run: { entry: InboxEntry; item: BatchItem }[] = [];
  const applyRun = async () => {
    if (run.length === 0) return;
    const batch = run;
    run = [];
    const outcomes = await applyBatch(batch.map((r) => r.item));
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i];
      const { topics } = batch[i].item.admission!;
      metrics.webhookApplied(topics, batch[i].entry.topic, outcome.ok ? outcome.result : "failed");
      if (outcome.ok) applied++;
      else await retryLater(batch[i].entry, outcome.error);
    }
  };
  for (const entry of entries) {
    const handler = handlerForPath(entry.path);
    if (handler?.plan) {
      run.push({
        entry,
        item: {
          hook: webhookFromInbox(entry),
          plan: handler.plan,
          admission: { path: handler.path, topics: handler.topics },
          inboxId: entry.id,
        },
      });
      continue;
    }
    await applyRun();
    try {
      if (!handler) throw new Error(`no webhook handler for ${entry.path}`);
      await handler.ingest(webhookFromInbox(entry));
      doneAlone.push(entry.id);
      applied++;
    } catch (error) {
      await retryLater(entry, error);
    }
  }
  await applyRun();
  // If this fails the rows come back after their lease and are applied again: a no-op by idempotency.
  await removeFromInbox(doneAlone);
  return { claimed: entries.length, applied, failed };
}

/** Applies until nothing is due (tests, the bench, `--once`). */
export async function drainInbox(maxBatches = 100_000): Promise<ApplyReport> {
  const total: ApplyReport = { applied: 0, failed: 0 };
  for (let i = 0; i < maxBatches; i++) {
    const report = await applyInboxBatch();
    total.applied += report.applied;
    total.failed += report.failed;
    if (report.claimed === 0) break;
  }
  return total;
}

/** 1 s, 2 s, 4 s … capped at 10 minutes: Shopify's own redelivery is slower than this. */
function retryDelayMs(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export interface InboxApplier {
  wake(): void;
  stop(): Promise<void>;
}

declare global {
  var __inboxApplier: InboxApplier | undefined;
}

/** Applies stored webhooks: on wake-up (an append in this process) and every `pollMs`. */
export function startInboxApplier(options: { pollMs?: number } = {}): InboxApplier {
  const pollMs = options.pollMs ?? 500;
  let stopped = false;
  let wanted = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  const loop = async () => {
    while (!stopped && wanted) {
      wanted = false;
      try {
        const report = await applyInboxBatch();
        if (report.claimed === BATCH) wanted = true;
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, "inbox pass failed");
      }
    }
  };
  const kick = () => {
    if (stopped) return;
    wanted = true;
    running ??= loop().finally(() => {
      running = null;
      if (wanted && !stopped) kick();
    });
  };
  const poll = () => {
    kick();
    timer = setTimeout(poll, pollMs);
  };
  poll();
  const applier: InboxApplier = {
    wake: kick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      if (globalThis.__inboxApplier === applier) globalThis.__inboxApplier = undefined;
    },
  };
  globalThis.__inboxApplier = applier;
  return applier;
}
