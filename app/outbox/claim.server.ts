/**
 * Claiming due events with a lease. A worker marks rows `sending` with a unique lease token and a
 * lease expiry in ONE conditional UPDATE, then reads back exactly the rows carrying its token. Two
 * workers racing for the same rows cannot both win (the UPDATE re-checks the condition), and a
 * worker that dies mid-batch leaves rows whose lease runs out: the next claim takes them again.
 * Redelivery after a crash is safe because the event ids never change (OpenAI keeps the first).
 */
import type { ConversionEvent } from "@prisma/client";
import prisma from "~/db.server";

export const DEFAULT_LEASE_MS = 60_000;
let claimSequence = 0;

function dueWhere(now: Date) {
  return {
    OR: [
      { status: "pending", nextAttemptAt: { lte: now } },
      { status: "sending", leaseUntil: { lt: now } },
    ],
  };
}

export interface ClaimedBatch {
  shop: string;
  leaseToken: string;
  events: ConversionEvent[];
}

export async function claimDueBatches(options: {
  workerId: string;
  now: Date;
  leaseMs?: number;
  maxEvents?: number;
  maxPerShop?: number;
}): Promise<ClaimedBatch[]> {
  const { workerId, now } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const due = await prisma.conversionEvent.findMany({
    where: dueWhere(now),
    select: { id: true, shop: true },
    orderBy: { nextAttemptAt: "asc" },
    take: options.maxEvents ?? 2000,
  });
  const byShop = new Map<string, string[]>();
  for (const row of due) {
    const ids = byShop.get(row.shop) ?? [];
    if (ids.length < (options.maxPerShop ?? 1000)) ids.push(row.id);
    byShop.set(row.shop, ids);
  }
  const batches: ClaimedBatch[] = [];
  for (const [shop, ids] of byShop) {
    const leaseToken = `${workerId}:${++claimSequence}`;
    await prisma.conversionEvent.updateMany({
      where: { id: { in: ids }, ...dueWhere(now) },
      data: { status: "sending", leaseOwner: leaseToken, leaseUntil: new Date(now.getTime() + leaseMs) },
    });
    const events = await prisma.conversionEvent.findMany({ where: { leaseOwner: leaseToken, status: "sending" } });
    if (events.length > 0) batches.push({ shop, leaseToken, events });
  }
  return batches;
}
