/**
 * BackfillJob: "send the last 7 days' orders", one row per shop. The merchant starts it from the
 * settings page; the delivery worker (app/backfill/runner.server.ts) advances it under a lease, so a
 * worker that dies or is redeployed mid-run leaves a row another worker picks up where the cursor
 * says, and two workers never read the same shop's orders at once.
 */
import type { BackfillJob } from "@prisma/client";
import prisma from "~/db/client.server";
import { isUniqueViolation } from "./conversion-events.server";

export type BackfillMode = "pages" | "bulk";

export type { BackfillJob };

export function backfillJobOf(shop: string): Promise<BackfillJob | null> {
  return prisma.backfillJob.findUnique({ where: { shop } });
}

/**
 * Starts the shop's backfill unless one is running or finished: "started" (a new job, or a failed
 * one started again from the beginning) or "exists" (running or done: one backfill per shop).
 */
export async function startBackfillJob(
  shop: string,
  input: { since: Date; acknowledgedAt: Date },
): Promise<{ status: "started" | "exists"; job: BackfillJob }> {
  const fresh = {
    state: "running",
    mode: null,
    since: input.since,
    cursor: null,
    bulkOperationId: null,
    total: null,
    done: 0,
    failureReason: null,
    acknowledgedAt: input.acknowledgedAt,
    leaseOwner: null,
    leaseUntil: null,
    startedAt: input.acknowledgedAt,
    finishedAt: null,
  };
  // A failed job may be started again; the conditional update makes two clicks start it once.
  const restarted = await prisma.backfillJob.updateMany({ where: { shop, state: "failed" }, data: fresh });
  if (restarted.count === 1) return { status: "started", job: (await backfillJobOf(shop))! };
  try {
    const job = await prisma.backfillJob.create({ data: { shop, ...fresh } });
    return { status: "started", job };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return { status: "exists", job: (await backfillJobOf(shop))! };
  }
}

/** One running job whose lease is free or ran out, now leased to `owner`; null when none is. */
export async function claimBackfillJob(owner: string, now: Date, leaseMs: number): Promise<BackfillJob | null> {
  const free = { state: "running", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] };
  const candidates = await prisma.backfillJob.findMany({
    where: free,
    select: { shop: true },
    orderBy: { updatedAt: "asc" },
    take: 5,
  });
  for (const { shop } of candidates) {
    const claimed = await prisma.backfillJob.updateMany({
      where: { shop, ...free },
      data: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) },
    });
    if (claimed.count === 1) return backfillJobOf(shop);
  }
  return null;
}

export interface BackfillProgress {
  mode?: BackfillMode;
  cursor?: string | null;
  bulkOperationId?: string | null;
  total?: number | null;
  done?: number;
}

/**
 * Records progress and extends the lease. False when `owner` no longer holds the job (its lease ran
 * out and another worker took it): the caller stops at once; the other worker goes on from the last
 * progress recorded here.
 */
export async function saveBackfillProgress(
  shop: string,
  owner: string,
  progress: BackfillProgress,
  leaseUntil: Date,
): Promise<boolean> {
  const saved = await prisma.backfillJob.updateMany({
    where: { shop, leaseOwner: owner, state: "running" },
    data: { ...progress, leaseUntil },
  });
  return saved.count === 1;
}

/**
 * Hands the job back until `until` (while Shopify builds the bulk file, after an answer that may go
 * away, or at shutdown). `problem`: what went wrong this time, shown while the job retries.
 */
export async function releaseBackfillJob(shop: string, owner: string, until: Date, problem?: string): Promise<void> {
  await prisma.backfillJob.updateMany({
    where: { shop, leaseOwner: owner, state: "running" },
    data: { leaseOwner: null, leaseUntil: until, failureReason: problem?.slice(0, 500) ?? null },
  });
}

export async function finishBackfillJob(
  shop: string,
  owner: string,
  outcome: { state: "done"; done: number; total: number } | { state: "failed"; reason: string },
  now: Date,
): Promise<void> {
  const data =
    outcome.state === "done"
      ? { state: "done", done: outcome.done, total: outcome.total, failureReason: null }
      : { state: "failed", failureReason: outcome.reason.slice(0, 500) };
  await prisma.backfillJob.updateMany({
    where: { shop, leaseOwner: owner, state: "running" },
    data: { ...data, leaseOwner: null, leaseUntil: null, finishedAt: now },
  });
}
