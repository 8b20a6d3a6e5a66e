/**
 * The outbox table (ConversionEvent): every event we mean to send and every decision not to send.
 * Writes that acknowledge a webhook happen in one transaction with the webhook's idempotency row,
 * so a 200 is only ever returned for something that is on disk.
 */
import type { ConversionEvent, Prisma, PrismaClient } from "@prisma/client";
import prisma from "~/db.server";

export type { ConversionEvent };
export type Tx = Prisma.TransactionClient | PrismaClient;

export type EventStatus = "pending" | "sending" | "delivered" | "rejected" | "expired" | "skipped";
export const OPEN_STATUSES: readonly EventStatus[] = ["pending", "sending"];

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

export class DuplicateWebhookError extends Error {
  constructor() {
    super("webhook already processed");
    this.name = "DuplicateWebhookError";
  }
}

/**
 * Records the webhook as seen and runs `work` in the same transaction. Redelivery of the same
 * Shopify event (same X-Shopify-Event-Id) → "duplicate" and nothing else is written.
 */
export async function withWebhookOnce(
  key: WebhookKey,
  work: (tx: Prisma.TransactionClient) => Promise<void>,
): Promise<"stored" | "duplicate"> {
  try {
    await prisma.$transaction(async (tx) => {
      const seen = await tx.webhookDelivery.findUnique({
        where: { shop_topic_eventId: { shop: key.shop, topic: key.topic, eventId: key.eventId } },
        select: { id: true },
      });
      if (seen) throw new DuplicateWebhookError();
      await tx.webhookDelivery.create({ data: key });
      await work(tx);
    });
    return "stored";
  } catch (error) {
    if (error instanceof DuplicateWebhookError || isUniqueViolation(error, "WebhookDelivery")) return "duplicate";
    throw error;
  }
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

export function isUniqueViolation(error: unknown, model?: string): boolean {
  const e = error as { code?: string; meta?: { modelName?: string; target?: unknown } };
  if (e?.code !== "P2002") return false;
  return model === undefined || e.meta?.modelName === undefined || e.meta.modelName === model;
}

export async function findEvent(shop: string, eventName: string, eventId: string) {
  return prisma.conversionEvent.findUnique({ where: { shop_eventName_eventId: { shop, eventName, eventId } } });
}

export async function eventsForOrder(shop: string, orderId: string) {
  return prisma.conversionEvent.findMany({ where: { shop, orderId }, orderBy: { createdAt: "asc" } });
}

export async function countEventsByStatus(shop?: string): Promise<Record<string, number>> {
  const rows = await prisma.conversionEvent.groupBy({
    by: ["status"],
    where: shop ? { shop } : undefined,
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}
