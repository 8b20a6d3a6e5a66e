/**
 * "Send the last 7 days' orders": the delivery worker advances each shop's BackfillJob a step per
 * pass. It reads the orders Shopify created since the job's start minus OpenAI's 7 days, turns each
 * into the body of its orders/create webhook (app/conversions/graphql-order.ts) and hands it to the
 * SAME ingest function the webhook routes use (app/webhooks/registry.server.ts): same admission
 * checks, same decision, same ledger, same outbox. Each order is recorded as a webhook whose event id
 * comes from the order id (`backfill-<id>`), so a page read twice after a restart, or a second
 * backfill, changes nothing; an order a webhook already brought (or later brings) is the same event
 * (business key: the order's dedup id, the id the web pixel used too), so OpenAI counts it once.
 * Nothing here talks to OpenAI: the outbox sends, and its 7-day rule still applies at send time.
 *
 * Small windows are read a page at a time (orders connection, cursor pagination); above
 * BULK_THRESHOLD orders, with a bulk operation (bulkOperationRunQuery → JSONL file). Progress is
 * stored after every page or few dozen lines, under a lease (app/models/backfill-jobs.server.ts).
 */
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { API_VERSION } from "~/api-version";
import { BulkOrderAssembler, type AssembledOrder } from "~/conversions/bulk-jsonl";
import {
  BULK_RUN_MUTATION,
  BULK_STATUS_QUERY,
  bulkOrdersQuery,
  ORDERS_COUNT_QUERY,
  ORDERS_PAGE_QUERY,
  ordersSearchQuery,
  webhookBodyFromGraphqlOrder,
  type GqlOrder,
} from "~/conversions/graphql-order";
import { parseWebhookJson } from "~/conversions/webhook-json";
import { logger } from "~/logger.server";
import {
  claimBackfillJob,
  finishBackfillJob,
  releaseBackfillJob,
  saveBackfillProgress,
  type BackfillJob,
} from "~/models/backfill-jobs.server";
import { getShopSettings, policyFromSettings } from "~/models/settings.server";
import { ingestForTopic } from "~/webhooks/registry.server";
import { adminQueryFor, AdminApiError, type AdminQuery } from "./admin-api.server";

/** Above this many orders in the window, one bulk operation instead of pages. */
export const BULK_THRESHOLD = 1000;
const PAGE_SIZE = 100;
/** Orders ingested at once (they share group-committed transactions). */
const ORDERS_AT_ONCE = 20;
const DEFAULT_LEASE_MS = 60_000;
/** Between two looks at a bulk operation Shopify is still building. */
const BULK_POLL_MS = 2_000;
/** After an answer that may go away (Shopify down, throttled). */
const RETRY_AFTER_MS = 30_000;

export interface BackfillRunnerOptions {
  workerId?: string;
  now?: () => Date;
  leaseMs?: number;
  pageSize?: number;
  bulkThreshold?: number;
  bulkPollMs?: number;
  /** The shop's Admin API (default: the stored offline session, app/backfill/admin-api.server.ts). */
  admin?: (shop: string) => Promise<AdminQuery>;
  /** True once the worker is stopping: the job is handed back at the next saved step. */
  stopping?: () => boolean;
}

export type BackfillPass = "idle" | "worked" | "waiting";

/** Advances one shop's job as far as it goes now: "idle" when no job was due. */
export async function runBackfillPass(options: BackfillRunnerOptions = {}): Promise<BackfillPass> {
  const now = options.now ?? (() => new Date());
  const owner = options.workerId ?? defaultWorkerId;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const job = await claimBackfillJob(owner, now(), leaseMs);
  if (!job) return "idle";
  const step = new JobStep(job, owner, options, now, leaseMs);
  try {
    return await step.run();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof AdminApiError && !error.permanent) {
      logger.warn({ shop: job.shop, reason }, "backfill: Shopify did not answer, retrying later");
      await releaseBackfillJob(job.shop, owner, new Date(now().getTime() + RETRY_AFTER_MS), reason);
      return "waiting";
    }
    logger.error({ shop: job.shop, reason }, "backfill failed");
    await finishBackfillJob(job.shop, owner, { state: "failed", reason }, now());
    return "worked";
  }
}

class LeaseLostError extends Error {}
class StopRequested extends Error {}

class JobStep {
  private done: number;
  private readonly trigger: Promise<"orders_create" | "orders_paid">;

  constructor(
    private job: BackfillJob,
    private readonly owner: string,
    private readonly options: BackfillRunnerOptions,
    private readonly now: () => Date,
    private readonly leaseMs: number,
  ) {
    this.done = job.done;
    this.trigger = getShopSettings(job.shop).then((s) => policyFromSettings(s).conversionTrigger);
  }

  async run(): Promise<BackfillPass> {
    const admin = await (this.options.admin ?? adminQueryFor)(this.job.shop);
    try {
      if (this.job.mode === null) await this.chooseMode(admin);
      return this.job.mode === "bulk" ? await this.runBulk(admin) : await this.runPages(admin);
    } catch (error) {
      if (error instanceof LeaseLostError) return "worked"; // another worker has it now
      if (error instanceof StopRequested) {
        await releaseBackfillJob(this.job.shop, this.owner, this.now());
        return "waiting";
      }
      throw error;
    }
  }

  private async save(progress: Parameters<typeof saveBackfillProgress>[2]) {
    const leaseUntil = new Date(this.now().getTime() + this.leaseMs);
    if (!(await saveBackfillProgress(this.job.shop, this.owner, progress, leaseUntil))) throw new LeaseLostError();
    this.job = { ...this.job, ...progress };
    if (this.options.stopping?.()) throw new StopRequested();
  }

  private async chooseMode(admin: AdminQuery) {
    const { ordersCount } = await admin<{ ordersCount: { count: number; precision: string } | null }>(
      ORDERS_COUNT_QUERY,
      { query: ordersSearchQuery(this.job.since) },
    );
    const total = ordersCount?.count ?? null;
    const bulk = total !== null && total > (this.options.bulkThreshold ?? BULK_THRESHOLD);
    await this.save({ mode: bulk ? "bulk" : "pages", total });
  }

  private async runPages(admin: AdminQuery): Promise<BackfillPass> {
    for (;;) {
      const { orders } = await admin<{
        orders: { nodes: GqlOrder[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      }>(ORDERS_PAGE_QUERY, {
        first: Math.min(250, this.options.pageSize ?? PAGE_SIZE),
        after: this.job.cursor,
        query: ordersSearchQuery(this.job.since),
      });
      await this.ingestAll(orders.nodes.map((order) => ({ order, lineItems: order.lineItems?.nodes ?? [] })));
      const total = Math.max(this.job.total ?? 0, this.done);
      if (!orders.pageInfo.hasNextPage) return this.finish(total);
      await this.save({ cursor: orders.pageInfo.endCursor, done: this.done, total });
    }
  }

  private async runBulk(admin: AdminQuery): Promise<BackfillPass> {
    if (this.job.bulkOperationId === null) {
      const { bulkOperationRunQuery: run } = await admin<{
        bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: { message: string }[] };
      }>(BULK_RUN_MUTATION, { query: bulkOrdersQuery(this.job.since) });
      if (!run.bulkOperation) {
        // Typically another bulk query of this app is still running on the shop: read pages instead.
        logger.warn(
          { shop: this.job.shop, userErrors: run.userErrors.map((e) => e.message) },
          "backfill: bulk refused",
        );
        await this.save({ mode: "pages" });
        return this.runPages(admin);
      }
      await this.save({ bulkOperationId: run.bulkOperation.id });
    }
    const { node: operation } = await admin<{
      node: { status: string; errorCode: string | null; rootObjectCount: string | number; url: string | null } | null;
    }>(BULK_STATUS_QUERY, { id: this.job.bulkOperationId });
    if (!operation) throw new Error("Shopify no longer knows the bulk operation");
    switch (operation.status) {
      case "CREATED":
      case "RUNNING": {
        await releaseBackfillJob(
          this.job.shop,
          this.owner,
          new Date(this.now().getTime() + (this.options.bulkPollMs ?? BULK_POLL_MS)),
        );
        return "waiting";
      }
      case "COMPLETED":
        break;
      case "EXPIRED":
        // The file is gone (kept 7 days): ask for a new one; ingested orders dedupe.
        this.done = 0;
        await this.save({ bulkOperationId: null, cursor: null, done: 0 });
        await releaseBackfillJob(this.job.shop, this.owner, this.now());
        return "worked";
      default:
        throw new Error(
          `Shopify's bulk operation ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ""}`,
        );
    }
    const total = Number(operation.rootObjectCount);
    if (Number.isFinite(total) && total !== this.job.total) await this.save({ total });
    if (operation.url) await this.ingestJsonl(operation.url);
    return this.finish(Math.max(this.done, Number.isFinite(total) ? total : 0));
  }

  /** Streams the JSONL file, skipping the orders a previous run already ingested (the cursor). */
  private async ingestJsonl(url: string) {
    // The file's URL is signed by Shopify: no token goes with it.
    const response = await fetch(url, { signal: AbortSignal.timeout(10 * 60_000) });
    if (!response.ok || !response.body) throw new AdminApiError(`the bulk file answered ${response.status}`, false);
    const alreadyIngested = Number(this.job.cursor ?? 0);
    const lines = createInterface({ input: Readable.fromWeb(response.body as never), crlfDelay: Infinity });
    const assembler = new BulkOrderAssembler();
    let seen = 0;
    let chunk: AssembledOrder[] = [];
    const take = async (order: AssembledOrder | null) => {
      if (!order) return;
      if (seen++ < alreadyIngested) return;
      chunk.push(order);
      if (chunk.length >= ORDERS_AT_ONCE) {
        await this.ingestAll(chunk);
        chunk = [];
        await this.save({ cursor: String(this.done), done: this.done });
      }
    };
    for await (const text of lines) {
      if (text.trim() === "") continue;
      let line: unknown;
      try {
        line = parseWebhookJson(text);
      } catch {
        line = null; // counted as a stray line below
      }
      await take(assembler.push(line));
    }
    await take(assembler.finish());
    if (chunk.length) await this.ingestAll(chunk);
    if (assembler.strayLines > 0)
      logger.warn({ shop: this.job.shop, lines: assembler.strayLines }, "backfill: unreadable JSONL lines");
    await this.save({ cursor: String(this.done), done: this.done });
  }

  private async ingestAll(orders: AssembledOrder[]) {
    const trigger = await this.trigger;
    for (let i = 0; i < orders.length; i += ORDERS_AT_ONCE) {
      await Promise.all(
        orders.slice(i, i + ORDERS_AT_ONCE).map((o) => ingestBackfilledOrder(this.job.shop, trigger, o)),
      );
    }
    this.done += orders.length;
  }

  private async finish(total: number): Promise<BackfillPass> {
    await finishBackfillJob(this.job.shop, this.owner, { state: "done", done: this.done, total }, this.now());
    logger.info({ shop: this.job.shop, orders: this.done }, "backfill done");
    return "worked";
  }
}

/**
 * One order into the webhook path, as the webhook Shopify sent (or would have sent) for it. Under
 * the orders_paid trigger a paid order comes in as orders/paid (what counts there), any other as
 * orders/create (the ledger learns of it; nothing is sent until Shopify's orders/paid arrives).
 */
async function ingestBackfilledOrder(
  shop: string,
  trigger: "orders_create" | "orders_paid",
  { order, lineItems }: AssembledOrder,
): Promise<void> {
  const { body, orderId, paid } = webhookBodyFromGraphqlOrder(order, lineItems);
  if (orderId === null) {
    logger.warn({ shop }, "backfill: an order without a readable id was left out");
    return;
  }
  const topic = trigger === "orders_paid" && paid ? "orders/paid" : "orders/create";
  const rawBody = JSON.stringify(body);
  const result = await ingestForTopic(topic)!({
    shop,
    topic,
    webhookId: `backfill-${orderId}`,
    eventId: `backfill-${orderId}`,
    apiVersion: API_VERSION,
    triggeredAt: null,
    rawBody,
    payload: body,
  });
  const refused = (result as { refused?: string } | undefined)?.refused;
  if (refused) throw new Error(`the order was refused (${refused}): is the app still installed?`);
}

export interface RunningBackfill {
  stop(): Promise<void>;
}

/** The backfill loop of a worker process: a pass whenever work is due, else a look every interval. */
export function startBackfillRunner(options: BackfillRunnerOptions & { intervalMs?: number } = {}): RunningBackfill {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const interval = options.intervalMs ?? 1000;
  const tick = () => {
    if (stopped) return;
    current = runBackfillPass({ ...options, stopping: () => stopped })
      .catch((error) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, "backfill pass failed");
        return "idle" as const;
      })
      .then((pass) => {
        if (!stopped) timer = setTimeout(tick, pass === "worked" ? 0 : interval);
      });
  };
  timer = setTimeout(tick, interval);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}

const defaultWorkerId = `b-${process.pid}-${randomUUID().slice(0, 8)}`;
