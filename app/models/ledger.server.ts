/**
 * The per-order ledger: what the order was worth when created, and (see refunds/cancellations)
 * what it is worth now.
 */
import type { Prisma } from "@prisma/client";

export interface OrderLedgerFacts {
  shop: string;
  orderId: string;
  orderDedupId: string;
  orderName: string | null;
  grossMinor: number | null;
  currency: string | null;
  paidAt: Date | null;
  cancelled: { at: Date; reason: string | null } | null;
}

export async function recordOrderInLedger(tx: Prisma.TransactionClient, facts: OrderLedgerFacts): Promise<void> {
  const existing = await tx.orderLedger.findUnique({ where: { shop_orderId: { shop: facts.shop, orderId: facts.orderId } } });
  if (!existing) {
    await tx.orderLedger.create({
      data: {
        shop: facts.shop,
        orderId: facts.orderId,
        orderDedupId: facts.orderDedupId,
        orderName: facts.orderName,
        grossMinor: facts.grossMinor,
        netMinor: facts.grossMinor,
        currency: facts.currency,
        paidAt: facts.paidAt,
        orderSeenAt: new Date(),
      },
    });
    return;
  }
  await tx.orderLedger.update({
    where: { id: existing.id },
    data: {
      orderName: existing.orderName ?? facts.orderName,
      grossMinor: existing.grossMinor ?? facts.grossMinor,
      netMinor: existing.grossMinor === null ? facts.grossMinor : existing.netMinor,
      currency: existing.currency ?? facts.currency,
      paidAt: existing.paidAt ?? facts.paidAt,
      orderSeenAt: existing.orderSeenAt ?? new Date(),
    },
  });
}
