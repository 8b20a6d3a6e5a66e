/**
 * SubscriptionOrder: what is known about an order's place in a subscription (first order or renewal),
 * merged from every signal in whatever order they came (app/conversions/subscription-order.ts decides
 * what they mean). Written inside the webhook's transaction, read by the webhook that decides the
 * order and by the delivery worker.
 */
import type { SubscriptionOrder } from "@prisma/client";
import prisma from "~/db/client.server";
import {
  mergeSubscriptionSignals,
  type SubscriptionRole,
  type SubscriptionSignal,
  type SubscriptionSignalSource,
} from "~/conversions/subscription-order";
import type { Tx } from "./conversion-events.server";

function signalOf(
  row: Pick<SubscriptionOrder, "role" | "source" | "evidence" | "planId"> | null,
): SubscriptionSignal | null {
  if (!row || (row.role !== "first" && row.role !== "renewal")) return null;
  return {
    role: row.role as SubscriptionRole,
    source: row.source as SubscriptionSignalSource,
    evidence: row.evidence,
    planId: row.planId,
  };
}

/**
 * The known signal of one order. Outside a transaction, the lookups made in the same turn of the
 * event loop share one query per shop: a batch of webhooks is planned side by side (one lookup per
 * order webhook, nearly always finding nothing), and one query per webhook through Prisma was a
 * large share of the applier's CPU. Each caller still gets exactly its own order's row.
 */
export async function findSubscriptionSignal(
  shop: string,
  orderId: string,
  db: Tx = prisma,
): Promise<SubscriptionSignal | null> {
  if (db !== prisma)
    return signalOf(await db.subscriptionOrder.findUnique({ where: { shop_orderId: { shop, orderId } } }));
  return new Promise((resolve, reject) => {
    if (queuedLookups === null) {
      queuedLookups = new Map();
      setImmediate(flushLookups);
    }
    const waiters = queuedLookups.get(shop) ?? [];
    waiters.push({ orderId, resolve, reject });
    queuedLookups.set(shop, waiters);
  });
}

interface SignalWaiter {
  orderId: string;
  resolve: (signal: SubscriptionSignal | null) => void;
  reject: (error: unknown) => void;
}
let queuedLookups: Map<string, SignalWaiter[]> | null = null;

function flushLookups(): void {
  const byShop = queuedLookups ?? new Map<string, SignalWaiter[]>();
  queuedLookups = null;
  for (const [shop, waiters] of byShop) {
    const orderIds = [...new Set(waiters.map((w) => w.orderId))];
    findSubscriptionSignals(shop, orderIds).then(
      (found) => waiters.forEach((w) => w.resolve(found.get(w.orderId) ?? null)),
      (error: unknown) => waiters.forEach((w) => w.reject(error)),
    );
  }
}

/** The known signals of many orders of one shop: one query. */
export async function findSubscriptionSignals(
  shop: string,
  orderIds: readonly string[],
  db: Tx = prisma,
): Promise<Map<string, SubscriptionSignal>> {
  const found = new Map<string, SubscriptionSignal>();
  if (orderIds.length === 0) return found;
  const rows = await db.subscriptionOrder.findMany({ where: { shop, orderId: { in: [...orderIds] } } });
  for (const row of rows) {
    const signal = signalOf(row);
    if (signal) found.set(row.orderId, signal);
  }
  return found;
}

/**
 * Merges a fresh signal into what the order already had and stores the result; returns what is now
 * known (the stored signal when the fresh one adds nothing). Runs in the webhook's transaction.
 */
export async function recordSubscriptionSignal(
  tx: Tx,
  shop: string,
  orderId: string,
  fresh: SubscriptionSignal | null,
): Promise<SubscriptionSignal | null> {
  const known = await findSubscriptionSignal(shop, orderId, tx);
  const merged = mergeSubscriptionSignals(known, fresh);
  if (merged === null || merged === known) return merged;
  const data = { role: merged.role, source: merged.source, evidence: merged.evidence, planId: merged.planId };
  await tx.subscriptionOrder.upsert({
    where: { shop_orderId: { shop, orderId } },
    create: { shop, orderId, ...data },
    update: data,
  });
  return merged;
}
