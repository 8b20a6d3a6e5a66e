/**
 * The outbox table (ConversionEvent): every event we mean to send and every decision not to send.
 * Writes that acknowledge a webhook happen in one transaction with the webhook's idempotency row
 * (group-committed with concurrent webhooks), so a 200 is only ever returned for something on disk.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import prisma, { currentDatabaseProvider } from "~/db/client.server";
import { GroupCommitter } from "~/db/group-commit.server";

export type Tx = Prisma.TransactionClient | PrismaClient;

export interface NewConversionEvent {
  shop: string;
  eventType: string;
  eventName: string;
  eventId: string | null;
  orderId: string | null;
  orderName: string | null;
  orderDedupId: string | null;
  status: "pending" | "skipped";
  skipReason?: string | null;
  lastError?: string | null;
  payload: string | null;
  amountMinor: number | null;
  currency: string | null;
  oppref?: string | null;
  opprefSource?: string | null;
  requiresOptIn?: boolean;
  regionUnknown?: boolean;
  occurredAt: Date;
  expiresAt: Date;
  nextAttemptAt?: Date;
}

export interface WebhookKey {
  shop: string;
  topic: string;
  eventId: string;
  webhookId: string;
}

class DuplicateWebhookError extends Error {
  constructor() {
    super("webhook already processed");
    this.name = "DuplicateWebhookError";
  }
}

/**
 * Records the webhook as seen and runs `work` in the same transaction. Redelivery of the same
 * Shopify event (same X-Shopify-Event-Id) → "duplicate" and nothing else is written.
 *
 * Group commit: concurrent calls share one transaction (app/db/group-commit.server.ts), and each
 * call returns only after that transaction committed. Within it, each webhook's check-and-write runs
 * in arrival order, exactly as if alone, so idempotency and business-key dedupe are unchanged. If the
 * shared transaction fails, every webhook in it is retried in its own transaction: `work` must write
 * only through `tx` (it may run again if a neighbour failed).
 */
export async function withWebhookOnce(
  key: WebhookKey,
  work: (tx: Prisma.TransactionClient) => Promise<void>,
): Promise<"stored" | "duplicate"> {
  try {
    return await webhookCommitter().submit({ key, work });
  } catch (error) {
    if (error instanceof DuplicateWebhookError || isUniqueViolation(error, "WebhookDelivery")) return "duplicate";
    throw error;
  }
}

interface WebhookWork {
  key: WebhookKey;
  work: (tx: Prisma.TransactionClient) => Promise<void>;
}

async function recordOnce(tx: Prisma.TransactionClient, { key, work }: WebhookWork): Promise<"stored" | "duplicate"> {
  const seen = await tx.webhookDelivery.findUnique({
    where: { shop_topic_eventId: { shop: key.shop, topic: key.topic, eventId: key.eventId } },
    select: { id: true },
  });
  if (seen) return "duplicate";
  await tx.webhookDelivery.create({ data: key });
  await work(tx);
  return "stored";
}

declare global {
  // One per process: the Remix build and server.ts's lean webhook path are separate bundles.
  var __webhookCommitter: GroupCommitter<WebhookWork, "stored" | "duplicate"> | undefined;
}

function webhookCommitter(): GroupCommitter<WebhookWork, "stored" | "duplicate"> {
  return (globalThis.__webhookCommitter ??= new GroupCommitter<WebhookWork, "stored" | "duplicate">({
    flush: (items) =>
      prisma.$transaction(
        async (tx) => {
          const results: ("stored" | "duplicate")[] = [];
          for (const item of items) results.push(await recordOnce(tx, item));
          return results;
        },
        // A batch of a hundred webhooks is a few hundred statements: allow for a busy machine.
        { maxWait: 10_000, timeout: 30_000 },
      ),
    // SQLite has one writer: a second concurrent transaction would only wait for the first. And its
    // one connection makes concurrent webhooks' reads (settings) wait while a batch is written, so
    // an idle committer lingers 2 ms for them to catch up.
    concurrency: currentDatabaseProvider() === "postgres" ? 4 : 1,
    lingerMs: currentDatabaseProvider() === "postgres" ? 0 : 2,
    maxBatch: 128,
  }));
}

export function isUniqueViolation(error: unknown, model?: string): boolean {
  const e = error as { code?: string; meta?: { modelName?: string; target?: unknown } };
  if (e?.code !== "P2002") return false;
  return model === undefined || e.meta?.modelName === undefined || e.meta.modelName === model;
}

/**
 * The order's value changed before its order_created went out (an order edit or upsell right after
 * checkout, an orders/updated that came first): the pending row is sent with the new amount instead of
 * a separate value event. Only a row no worker has claimed changes (one conditional update, so a
 * worker claiming it at the same moment either sees the new amount or keeps the old row untouched).
 * Returns whether the row now carries `amountMinor`.
 */
export async function revalueUnsentOrderEvent(
  tx: Tx,
  shop: string,
  orderDedupId: string,
  amountMinor: number,
): Promise<boolean> {
  const row = await tx.conversionEvent.findUnique({
    where: { shop_eventName_eventId: { shop, eventName: "order_created", eventId: orderDedupId } },
    select: { id: true, status: true, payload: true },
  });
  if (!row || row.status !== "pending" || !row.payload) return false;
  const event = JSON.parse(row.payload) as { data?: { amount?: number } };
  if (!event.data || typeof event.data.amount !== "number") return false;
  event.data.amount = amountMinor;
  const { count } = await tx.conversionEvent.updateMany({
    where: { id: row.id, status: "pending", payload: row.payload },
    data: { payload: JSON.stringify(event), amountMinor },
  });
  return count > 0;
}

/**
 * Inserts an event unless one with the same business key (shop + event name + event id) exists:
 * the same order arriving under a different webhook event id must not become a second event.
 */
export async function insertEventOnce(tx: Tx, event: NewConversionEvent): Promise<"created" | "exists"> {
  if (event.eventId !== null) {
    const existing = await tx.conversionEvent.findUnique({
      where: { shop_eventName_eventId: { shop: event.shop, eventName: event.eventName, eventId: event.eventId } },
      select: { id: true },
    });
    if (existing) return "exists";
  }
  await tx.conversionEvent.create({ data: event });
  return "created";
}
