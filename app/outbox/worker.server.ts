/**
 * The delivery worker: claim due events per shop, deliver, repeat. Runs inside the web process
 * (started by server.ts) or alone (`npm run worker`), any number of copies at once: claims are
 * leased, so copies never send the same row concurrently, and a copy that dies mid-batch only
 * delays its rows by one lease.
 */
import { randomUUID } from "node:crypto";
import { logger } from "~/logger.server";
import { claimDueBatches, DEFAULT_LEASE_MS } from "./claim.server";
import { deliverClaimedBatch, type BatchReport, type DeliveryDeps } from "./deliver.server";
import { runRetentionIfDue } from "./retention.server";

export interface WorkerOptions extends Partial<DeliveryDeps> {
  baseUrl: string;
  workerId?: string;
  leaseMs?: number;
  intervalMs?: number;
}

export async function runDeliveryPass(options: WorkerOptions): Promise<BatchReport[]> {
  const now = options.now ?? (() => new Date());
  const workerId = options.workerId ?? defaultWorkerId;
  const batches = await claimDueBatches({ workerId, now: now(), leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS });
  const reports: BatchReport[] = [];
  for (const batch of batches) {
    try {
      reports.push(await deliverClaimedBatch(batch.shop, batch.leaseToken, batch.events, { ...options, now }));
    } catch (error) {
      // One shop's problem (a broken secret, a bad row) must not stop delivery for the others;
      // its rows stay leased and come back when the lease runs out.
      logger.error({ shop: batch.shop, err: errorSummary(error) }, "delivery pass failed for shop");
    }
  }
  return reports;
}

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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const interval = options.intervalMs ?? 1000;
  const tick = () => {
    if (stopped) return;
    // Retention (app/outbox/retention.server.ts): at most every 10 minutes, in small batches, never throws.
    current = runRetentionIfDue(options.now?.() ?? new Date())
      .then(() => runDeliveryPass(options))
      .catch((error) => logger.error({ err: errorSummary(error) }, "delivery pass failed"))
      .then((reports) => {
        if (stopped) return;
        // Keep going without a pause while there is work; otherwise poll.
        const busy = Array.isArray(reports) && reports.length > 0;
        timer = setTimeout(tick, busy ? 0 : interval);
      });
  };
  timer = setTimeout(tick, 0);
  logger.info({ workerId: options.workerId ?? defaultWorkerId }, "delivery worker started");
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
