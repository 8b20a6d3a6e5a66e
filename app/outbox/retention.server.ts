/**
 * Retention: what the app no longer needs is deleted, by the delivery worker, in small batches.
 *
 * - Conversion events that are finished (delivered, skipped, rejected, expired) and older than
 *   RETENTION_DAYS (default 90) are deleted. Open events (pending, sending) are never touched here:
 *   they expire after OpenAI's 7-day window and become finished first.
 * - Before that, once a finished event is past OpenAI's 7-day window (it can never be sent again),
 *   its payload loses the `user` object: the hashed identifiers and the raw location/device fields
 *   are only needed for delivery. Amount, currency and status stay for the event log.
 * - Pixel receipts and webhook idempotency rows older than RETENTION_DAYS are deleted (a receipt only
 *   matters until its order's event is sent; Shopify stops redelivering after 48 hours).
 * - The order ledger is kept: it holds only ids and amounts (the merchant's net-revenue truth) and
 *   goes with customers/redact or shop/redact.
 *
 * Every statement touches at most `batchSize` rows, so a purge never holds SQLite's write lock long
 * enough to delay a webhook; a run stops after `maxBatches` per kind and the next run continues.
 */
import prisma from "~/db/client.server";
import { configValue } from "~/config.server";
import { logger } from "~/logger.server";
import { MAX_EVENT_AGE_MS } from "~/conversions/order-event";
import { deleteInBatches } from "~/models/privacy.server";

export const DEFAULT_RETENTION_DAYS = 90;
/** How often the worker loop purges (per process). */
export const RETENTION_INTERVAL_MS = 10 * 60_000;
const FINISHED_STATUSES = ["delivered", "skipped", "rejected", "expired"] as const;

const DAY_MS = 24 * 3600 * 1000;

/** RETENTION_DAYS (app/config.server.ts: a whole number of days, 8..3650; default 90). Never echoes the value. */
export function retentionDaysFromEnv(env: Record<string, string | undefined> = process.env): number {
  return configValue("RETENTION_DAYS", env);
}

export interface RetentionOptions {
  now: Date;
  retentionDays?: number;
  /** Rows per statement (default 200). */
  batchSize?: number;
  /** Statements per kind of row per run (default 25). */
  maxBatches?: number;
}

export interface RetentionReport {
  events: number;
  receipts: number;
  webhookDeliveries: number;
  /** Finished events whose payload lost its `user` object. */
  userDataRemoved: number;
  /** false when a kind hit `maxBatches` and more is left for the next run. */
  complete: boolean;
}

export async function purgeExpiredData(options: RetentionOptions): Promise<RetentionReport> {
  const days = options.retentionDays ?? retentionDaysFromEnv();
  const batchSize = options.batchSize ?? 200;
  const maxBatches = options.maxBatches ?? 25;
  const cutoff = new Date(options.now.getTime() - days * DAY_MS);
  const userDataCutoff = new Date(options.now.getTime() - MAX_EVENT_AGE_MS);
  const finished = [...FINISHED_STATUSES];
  const limit = batchSize * maxBatches;

  const userDataRemoved = await removeUserData(userDataCutoff, batchSize, maxBatches);
  const events = await deleteInBatches(
    (take) =>
      prisma.conversionEvent.findMany({
        where: { status: { in: finished }, createdAt: { lt: cutoff } },
        select: { id: true },
        take,
        orderBy: { createdAt: "asc" },
      }),
    // The status is checked again at delete time: a row is only ever deleted while finished.
    (ids) => prisma.conversionEvent.deleteMany({ where: { id: { in: ids }, status: { in: finished } } }),
    batchSize,
    maxBatches,
  );
  const receipts = await deleteInBatches(
    (take) => prisma.pixelReceipt.findMany({ where: { receivedAt: { lt: cutoff } }, select: { id: true }, take }),
    (ids) => prisma.pixelReceipt.deleteMany({ where: { id: { in: ids } } }),
    batchSize,
    maxBatches,
  );
  const webhookDeliveries = await deleteInBatches(
    (take) =>
      prisma.webhookDelivery.findMany({
        where: { receivedAt: { lt: cutoff } },
        select: { id: true },
        take,
        orderBy: { receivedAt: "asc" },
      }),
    (ids) => prisma.webhookDelivery.deleteMany({ where: { id: { in: ids } } }),
    batchSize,
    maxBatches,
  );
  const complete = [events, receipts, webhookDeliveries, userDataRemoved].every((n) => n < limit);
  return { events, receipts, webhookDeliveries, userDataRemoved, complete };
}

/** Drops `user` from the payloads of finished events older than OpenAI's window. */
async function removeUserData(olderThan: Date, batchSize: number, maxBatches: number): Promise<number> {
  let changed = 0;
  let after = ""; // id cursor: a row that still matches after the update cannot stall the loop
  for (let batch = 0; batch < maxBatches; batch++) {
    const rows = await prisma.conversionEvent.findMany({
      where: {
        id: { gt: after },
        status: { in: [...FINISHED_STATUSES] },
        createdAt: { lt: olderThan },
        payload: { contains: '"user":' },
      },
      select: { id: true, payload: true },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    await prisma.$transaction(
      rows.map((row) =>
        prisma.conversionEvent.updateMany({
          where: { id: row.id, status: { in: [...FINISHED_STATUSES] } },
          data: { payload: withoutUserData(row.payload) },
        }),
      ),
    );
    changed += rows.length;
    if (rows.length < batchSize) break;
  }
  return changed;
}

/** The payload without its `user` object; an unreadable payload is dropped entirely (it held user data). */
export function withoutUserData(payload: string | null): string | null {
  if (payload === null) return null;
  try {
    const parsed: unknown = JSON.parse(payload);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    const { user: _user, ...rest } = parsed as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return null;
  }
}

let lastRunAt = Number.NEGATIVE_INFINITY;
let running: Promise<RetentionReport | null> | null = null;

/**
 * Called by the worker loop on every pass: purges at most every RETENTION_INTERVAL_MS (sooner when
 * the last run left work behind). Never throws: a failed purge is logged and retried next interval.
 */
export function runRetentionIfDue(
  now: Date = new Date(),
  options: Partial<Omit<RetentionOptions, "now">> = {},
): Promise<RetentionReport | null> {
  if (running) return running;
  if (now.getTime() - lastRunAt < RETENTION_INTERVAL_MS) return Promise.resolve(null);
  lastRunAt = now.getTime();
  running = purgeExpiredData({ now, ...options })
    .then((report) => {
      if (!report.complete) lastRunAt = now.getTime() - RETENTION_INTERVAL_MS + 60_000; // more left: again in a minute
      if (report.events + report.receipts + report.webhookDeliveries + report.userDataRemoved > 0) {
        logger.info({ retention: report }, "retention purge");
      }
      return report;
    })
    .catch((error: unknown) => {
      logger.error(
        { err: error instanceof Error ? `${error.name}: ${error.message}` : String(error) },
        "retention purge failed",
      );
      return null;
    })
    .finally(() => {
      running = null;
    });
  return running;
}

/** Tests only: forget when the last purge ran. */
export function resetRetentionSchedule(): void {
  lastRunAt = Number.NEGATIVE_INFINITY;
}
