/**
 * Queue sizes and ages for the metrics endpoint (app/ops/metrics.server.ts), counted from the
 * database on each scrape, so every process reports the same values whichever did the work. Each
 * query walks an index: counts over the leading column of (status, nextAttemptAt) and (nextAttemptAt),
 * the oldest pending event per shop through (shop, status, createdAt), the oldest inbox row by its key.
 */
import { Prisma } from "@prisma/client";
import prisma from "~/db/client.server";
import { QUARANTINED_UNTIL } from "./webhook-inbox.server";

export interface QueueDepths {
  /** Stored webhooks not yet applied (WEBHOOK_ACK=stored), quarantined ones included. */
  inbox: number;
  /** Stored webhooks set aside because no configured key opens them. */
  inboxQuarantined: number;
  /** Age of the oldest stored webhook still waiting to be applied (0 when none): the apply lag. */
  oldestInboxAgeSeconds: number;
  /** Conversion events pending or being sent. */
  outbox: number;
  /** Age of the oldest event still pending (waiting, held or in backoff; 0 when none). */
  oldestPendingAgeSeconds: number;
}

export async function queueDepths(now: Date = new Date()): Promise<QueueDepths> {
  const [inbox, inboxQuarantined, oldestInbox, pending, sending, oldestPending] = await Promise.all([
    prisma.webhookInbox.count(),
    prisma.webhookInbox.count({ where: { nextAttemptAt: { gte: QUARANTINED_UNTIL } } }),
    prisma.webhookInbox.findFirst({
      where: { nextAttemptAt: { lt: QUARANTINED_UNTIL } },
      orderBy: { id: "asc" },
      select: { receivedAt: true },
    }),
    prisma.conversionEvent.count({ where: { status: "pending" } }),
    prisma.conversionEvent.count({ where: { status: "sending" } }),
    oldestPendingCreatedAt(),
  ]);
  const ageOf = (at: Date | null | undefined) => (at ? Math.max(0, (now.getTime() - at.getTime()) / 1000) : 0);
  return {
    inbox,
    inboxQuarantined,
    oldestInboxAgeSeconds: ageOf(oldestInbox?.receivedAt),
    outbox: pending + sending,
    oldestPendingAgeSeconds: ageOf(oldestPending),
  };
}

/**
 * min(createdAt) of pending events, as one index seek per shop instead of a scan of every pending
 * row (a backlog can be a million rows; a scrape comes every 15 s from every process).
 */
async function oldestPendingCreatedAt(): Promise<Date | null> {
  const rows = await prisma.$queryRaw<{ oldest: Date | string | number | null }[]>(Prisma.sql`
    SELECT MIN((SELECT e."createdAt" FROM "ConversionEvent" e
                 WHERE e."shop" = s."shop" AND e."status" = 'pending'
                 ORDER BY e."createdAt" LIMIT 1)) AS "oldest"
      FROM "ShopSettings" s`);
  const oldest = rows[0]?.oldest;
  if (oldest === null || oldest === undefined) return null;
  const at = oldest instanceof Date ? oldest : new Date(oldest);
  return Number.isNaN(at.getTime()) ? null : at;
}
