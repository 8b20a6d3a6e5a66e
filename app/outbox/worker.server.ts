/**
 * The delivery worker: claim due events per shop, deliver, repeat. Runs inside the web process
 * (started by server.ts) or alone (`npm run worker`), any number of copies at once, each with a few
 * lanes (passes in flight): claims are leased, so copies and lanes never send the same row
 * concurrently, and a copy that dies mid-batch only delays its rows by one lease.
 */
import { randomUUID } from "node:crypto";
import { logger } from "~/logger.server";
import { metrics } from "~/ops/metrics.server";
import { claimDueBatches, DEFAULT_LEASE_MS, releaseClaimedBatch } from "./claim.server";
import { deliverClaimedBatch, type BatchReport, type DeliveryDeps } from "./deliver.server";
import { runRetentionIfDue } from "./retention.server";
import { deliveryPassFinished, deliveryPassStarted, workerStarted, workerStopped } from "~/ops/worker-heartbeat.server";

export interface WorkerOptions extends Partial<DeliveryDeps> {
  baseUrl: string;
  workerId?: string;
  leaseMs?: number;
  intervalMs?: number;
  /**
   * Passes running at once in this process (startDeliveryWorker; default 2). Each claims its own
   * rows exactly like another worker process would, so while one batch waits for OpenAI's answer
   * the next is being claimed, decided and sent.
   */
  lanes?: number;
  /** True once the worker is stopping: batches of this pass not yet sent are released, not sent. */
  stopping?: () => boolean;
}

export async function runDeliveryPass(options: WorkerOptions): Promise<BatchReport[]> {
  const now = options.now ?? (() => new Date());
  const workerId = options.workerId ?? defaultWorkerId;
  const batches = await claimDueBatches({ workerId, now: now(), leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS });
  // Shops are delivered side by side (their requests overlap OpenAI's latency); one shop's batches
  // go one after the other, so a shop's corrections still see its earlier batch finished.
  const byShop = new Map<string, number[]>();
  batches.forEach((batch, i) => byShop.set(batch.shop, [...(byShop.get(batch.shop) ?? []), i]));
  const results: (BatchReport | undefined)[] = new Array(batches.length);
  const shops = [...byShop.values()];
  let next = 0;
  const lane = async () => {
    while (next < shops.length) {
      for (const i of shops[next++]) {
        const batch = batches[i];
        if (options.stopping?.()) {
          // Shutting down: hand the rows back now instead of leaving them leased until the lease runs out.
          await releaseClaimedBatch(batch).catch(() => undefined);
          continue;
        }
        try {
          const started = Date.now();
          const report = await deliverClaimedBatch(batch.shop, batch.leaseToken, batch.events, { ...options, now });
          batchFinished(report, Date.now() - started);
          results[i] = report;
        } catch (error) {
          // One shop's problem (a broken secret, a bad row) must not stop delivery for the others;
          // its rows stay leased and come back when the lease runs out.
          logger.error({ shop: batch.shop, err: errorSummary(error) }, "delivery pass failed for shop");
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SHOPS_AT_ONCE, shops.length) }, lane));
  return results.filter((r): r is BatchReport => r !== undefined);
}

/**
 * The log policy's one info line per delivery batch (counts by outcome, never an event), and the
 * batch's metrics. Per-event detail is in the database (the event log), not in the logs.
 */
function batchFinished(report: BatchReport, ms: number) {
  metrics.deliveryBatchFinished(report);
  logger.info({ ...report, ms }, "delivery batch");
}

/** Shops whose batches one pass delivers at the same time. */
const SHOPS_AT_ONCE = 4;

/** Runs passes until nothing is due right now (tests, demo, `npm run worker -- --once`). */
export async function runUntilIdle(options: WorkerOptions, maxPasses = 1000): Promise<BatchReport[]> {
  const all: BatchReport[] = [];
  for (let i = 0; i < maxPasses; i++) {
    const reports = await runDeliveryPass(options);
    all.push(...reports);
    if (reports.length === 0) break;
  }
  return all;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

export function startDeliveryWorker(options: WorkerOptions): RunningWorker {
  const count = Math.max(1, options.lanes ?? 2);
  const lanes = Array.from({ length: count }, (_, i) => startLane(options, i, count));
  logger.info({ workerId: options.workerId ?? defaultWorkerId, lanes: count }, "delivery worker started");
  workerStarted();
  return {
    async stop() {
      await Promise.all(lanes.map((lane) => lane.stop()));
      workerStopped();
    },
  };
}

function startLane(options: WorkerOptions, index: number, count: number): RunningWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const interval = options.intervalMs ?? 1000;
  const tick = () => {
    if (stopped) return;
    // Retention (app/outbox/retention.server.ts): at most every 10 minutes, in small batches, never
    // throws. One lane is enough.
    const retention = index === 0 ? runRetentionIfDue(options.now?.() ?? new Date()) : Promise.resolve();
    deliveryPassStarted();
    current = retention
      .then(() => runDeliveryPass({ ...options, stopping: () => stopped }))
      .catch((error) => logger.error({ err: errorSummary(error) }, "delivery pass failed"))
      .then((reports) => {
        deliveryPassFinished();
        if (stopped) return;
        // Keep going without a pause while there is work; otherwise poll.
        const busy = Array.isArray(reports) && reports.length > 0;
        timer = setTimeout(tick, busy ? 0 : interval);
      });
  };
  // Lanes start a little apart, so idle polling is spread over the interval.
  timer = setTimeout(tick, Math.round((interval * index) / count));
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}

const defaultWorkerId = `w-${process.pid}-${randomUUID().slice(0, 8)}`;

function errorSummary(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
