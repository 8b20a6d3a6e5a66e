/**
 * Applying webhooks in batches: the ONE way order, refund and cancellation webhooks become their
 * durable effects, whether one arrives alone (WEBHOOK_ACK=processed: concurrent requests are
 * group-committed into a batch) or a worker drains hundreds from the inbox (WEBHOOK_ACK=stored).
 *
 * Per webhook, its topic's planner (orders.server.ts, corrections.server.ts) does two things:
 *  - `prepare`, outside any transaction: decide with the pure core (app/conversions), from the
 *    verified webhook and the shop's policy, and name the order ids the effects touch;
 *  - `apply`, inside the batch's transaction, in arrival order: write the effects through the batch
 *    state (app/models/webhook-batch.server.ts), which holds the batch's ledgers in memory with the
 *    same operations and rules the per-webhook code used against the database.
 * The state is written with a few set-based statements at the end. A batch of N webhooks therefore
 * leaves exactly what N sequential transactions would have left: the same event id twice in one
 * batch is one webhook and a duplicate; a refund before its order in the same batch is stored against
 * the placeholder and applied when the order comes, as it would be across two transactions.
 *
 * Rules applied to every batch, before the planner's effects:
 *  - the admission checks of the path the webhook arrived on (app/webhooks/admission.server.ts),
 *    before planning, exactly those a webhook applied alone passes (the batch's installed shops are
 *    looked up once): a refused webhook is logged, "refused", and writes nothing;
 *  - idempotency on (shop, topic, X-Shopify-Event-Id): a redelivery is a "duplicate" and writes nothing;
 *  - Shopify's order and refund ids are globally unique: an order id already seen under another shop
 *    is refused ("rejected", recorded on the webhook's idempotency row with the reason, nothing else
 *    written). A refund or cancellation body names its order, so a replayed refund is caught by its
 *    order id too (its refund id was stored with that order's ledger).
 *
 * Failure: if the batch's transaction fails (a conflicting concurrent write on Postgres, a database
 * error), nothing of it was committed; the batch is applied again, then each webhook alone, so only
 * a webhook whose own application fails is reported as failed. A webhook whose `prepare` throws is
 * failed alone and never blocks the others.
 */
import type { ShopPolicy } from "~/conversions/shop-policy";
import { currentDatabaseProvider } from "~/db/client.server";
import { GroupCommitter } from "~/db/group-commit.server";
import { logger } from "~/logger.server";
import type { Tx, WebhookKey } from "~/models/conversion-events.server";
import { getShopSettingsMany, policyFromSettings } from "~/models/settings.server";
import {
  deliveryKeyOf,
  inBatchTransaction,
  loadBatchState,
  recordDeliveries,
  recordRejections,
  removeAppliedFromInbox,
  writeBatchState,
  type WebhookBatchState,
} from "~/models/webhook-batch.server";
import { batchAdmissionFacts, recordRefusal, refusalAmong } from "./admission.server";
import type { VerifiedWebhook } from "./verify.server";

/**
 * stored: applied; duplicate: that event was applied before; rejected: a rule of the batch refused
 * it (recorded on its idempotency row); refused: the admission checks refused it (a log line,
 * nothing written, as for every other topic).
 */
export type IngestResult = "stored" | "duplicate" | "rejected" | "refused";

/**
 * The effects of one prepared webhook, written through the batch state; a string refuses it (nothing
 * written). `tx` is the batch's transaction, for the rare effect the state has no operation for (a
 * subscription order's signal): everything hot goes through the state's set-based statements.
 * `afterCommit` is work that needs the batch's rows on disk (an order whose value changed before it
 * arrived: its settlement reads and rewrites what the batch wrote), run in its own transaction once
 * the batch committed; it must be idempotent.
 */
export type ApplyEffects = (
  state: WebhookBatchState,
  tx: Tx,
) => Promise<void | { rejected: string } | { afterCommit: () => Promise<void> }>;

export interface PreparedWebhook {
  /** Order ids whose ledgers `apply` reads or writes (their rows are loaded before it runs). */
  orderIds: string[];
  apply: ApplyEffects;
}

/** One topic's decision and effects (see the top of this file). */
export type WebhookPlanner = (hook: VerifiedWebhook, policy: ShopPolicy, now: Date) => Promise<PreparedWebhook>;

/** Where a webhook arrived: the admission checks (app/webhooks/admission.server.ts) are the path's. */
export interface WebhookAdmission {
  path: string;
  topics: readonly string[];
}

export interface BatchItem {
  hook: VerifiedWebhook;
  plan: WebhookPlanner;
  /**
   * Checked before planning, exactly as the registry checks a webhook applied alone; absent only
   * where the caller calls a topic's ingest function directly (tests, a caller that checked).
   */
  admission?: WebhookAdmission;
  now?: Date;
  /** The inbox row it came from (WEBHOOK_ACK=stored): deleted in the same commit as its effects. */
  inboxId?: number;
}

export type ApplyOutcome = { ok: true; result: IngestResult } | { ok: false; error: unknown };

/** The refusal for an order id another shop already holds (null when it may proceed). */
export function crossShopRefusal(state: WebhookBatchState, shop: string, orderId: string): string | null {
  const other = state.orderIdSeenElsewhere(shop, orderId);
  return other === null
    ? null
    : `order ${orderId} was already seen under another shop; Shopify's order and refund ids are globally unique, so this body was not sent by this shop`;
}

/** One transaction for the whole batch; throws (nothing committed) if it fails. */
export async function applyBatchOnce(items: readonly BatchItem[]): Promise<ApplyOutcome[]> {
  const shops = items.map((i) => i.hook.shop);
  const admitted = items.filter((i) => i.admission).map((i) => i.hook);
  const [settings, facts] = await Promise.all([
    getShopSettingsMany(shops),
    admitted.length > 0
      ? batchAdmissionFacts(admitted)
      : Promise.resolve({ knownShops: new Set<string>(), redactedOrders: new Set<string>() }),
  ]);
  // The admission checks first: a refused webhook is never planned and writes nothing.
  const refused = items.map((item) => {
    if (!item.admission) return false;
    const why = refusalAmong(item.admission.topics, item.hook, facts);
    if (why) recordRefusal(item.admission.path, item.hook, why);
    return why !== null;
  });
  const prepared = await Promise.all(
    items.map(async (item, i): Promise<PreparedWebhook | { error: unknown } | { refused: true }> => {
      if (refused[i]) return { refused: true };
      try {
        const now = item.now ?? new Date();
        return await item.plan(item.hook, policyFromSettings(settings.get(item.hook.shop) ?? null), now);
      } catch (error) {
        return { error };
      }
    }),
  );
  // Each idempotency key once: a second delivery of the same event inside the batch is a duplicate.
  const firstOfKey = new Map<string, number>();
  items.forEach((item, i) => {
    if ("error" in prepared[i] || "refused" in prepared[i]) return;
    const key = deliveryKeyOf(item.hook);
    if (!firstOfKey.has(key)) firstOfKey.set(key, i);
  });

  const afterCommit: (() => Promise<void>)[] = [];
  const committed = await inBatchTransaction(async (tx) => {
    const keys = [...firstOfKey.values()].map((i) => webhookKeyOf(items[i].hook));
    const fresh = await recordDeliveries(tx, keys);
    const live = items
      .map((item, i) => ({ item, i, prepared: prepared[i] }))
      .filter(({ item, i }) => firstOfKey.get(deliveryKeyOf(item.hook)) === i && fresh.has(deliveryKeyOf(item.hook)));
    const state = await loadBatchState(
      tx,
      live.flatMap(({ item, prepared: p }) =>
        (p as PreparedWebhook).orderIds.map((orderId) => ({ shop: item.hook.shop, orderId })),
      ),
    );
    const outcomes: ApplyOutcome[] = prepared.map((p) =>
      "error" in p ? { ok: false, error: p.error } : { ok: true, result: "refused" in p ? "refused" : "duplicate" },
    );
    const rejections: { key: WebhookKey; reason: string }[] = [];
    for (const { item, i, prepared: p } of live) {
      const effect = await (p as PreparedWebhook).apply(state, tx);
      if (effect && "afterCommit" in effect) afterCommit.push(effect.afterCommit);
      if (effect && "rejected" in effect) {
        rejections.push({ key: webhookKeyOf(item.hook), reason: effect.rejected });
        logger.warn(
          {
            shop: item.hook.shop.slice(0, 255),
            topic: item.hook.topic.slice(0, 64),
            eventId: item.hook.eventId.slice(0, 64),
            rejected: effect.rejected,
          },
          "webhook rejected: acknowledged, recorded, nothing else changed",
        );
        outcomes[i] = { ok: true, result: "rejected" };
      } else {
        outcomes[i] = { ok: true, result: "stored" };
      }
    }
    await writeBatchState(tx, state);
    if (rejections.length > 0) await recordRejections(tx, rejections);
    const applied = items.filter((item, i) => outcomes[i].ok && item.inboxId !== undefined);
    await removeAppliedFromInbox(
      tx,
      applied.map((item) => item.inboxId!),
    );
    return outcomes;
  });
  for (const work of afterCommit) {
    // Idempotent and durable enough: a failure is logged, and the order's next orders/updated settles it.
    await work().catch((error: unknown) =>
      logger.error({ err: error instanceof Error ? error.message : String(error) }, "settling after a batch failed"),
    );
  }
  return committed;
}

/**
 * applyBatchOnce, and if its transaction fails: once more (a concurrent writer on Postgres is the
 * usual cause, and the second attempt reads the new state), then each webhook alone.
 */
export async function applyBatch(items: readonly BatchItem[]): Promise<ApplyOutcome[]> {
  if (items.length === 0) return [];
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await applyBatchOnce(items);
    } catch (error) {
      if (items.length === 1 && attempt === 1) return [{ ok: false, error }];
    }
  }
  const outcomes: ApplyOutcome[] = [];
  for (const item of items) {
    try {
      outcomes.push((await applyBatchOnce([item]))[0]);
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}

function webhookKeyOf(hook: VerifiedWebhook): WebhookKey {
  return { shop: hook.shop, topic: hook.topic, eventId: hook.eventId, webhookId: hook.webhookId };
}

declare global {
  // One per process: the Remix build and server.ts's lean webhook path are separate bundles.
  var __webhookBatchCommitter: GroupCommitter<BatchItem, ApplyOutcome> | undefined;
}

/**
 * One webhook now (WEBHOOK_ACK=processed, the Remix routes, tests): it joins the batch of whatever
 * other webhooks this process is applying at the same moment, and resolves once that batch committed.
 */
export async function applyWebhook(
  hook: VerifiedWebhook,
  plan: WebhookPlanner,
  options: { now?: Date; admission?: WebhookAdmission } = {},
): Promise<IngestResult> {
  const committer = (globalThis.__webhookBatchCommitter ??= new GroupCommitter<BatchItem, ApplyOutcome>({
    flush: (items) => applyBatchOnce(items),
    // A failed batch is retried item by item by the committer itself.
    maxBatch: 256,
    // SQLite has one writer. Postgres: two batches at a time keep the connection pool busy while
    // the next batch is being decided.
    concurrency: currentDatabaseProvider() === "postgres" ? 2 : 1,
    lingerMs: currentDatabaseProvider() === "postgres" ? 0 : 2,
  }));
  const outcome = await committer.submit({ hook, plan, now: options.now, admission: options.admission });
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}
