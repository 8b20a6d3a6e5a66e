/**
 * The per-order ledger: what the order was worth when created (gross), every refund and the
 * cancellation (LedgerEntry rows, one per Shopify refund id and one for the cancel), and what it is
 * worth now (net).
 *
 * Webhooks arrive in any order and more than once, so nothing here is incremental: every write
 * stores a fact (the gross, or one entry keyed by its Shopify identity) and then `recomputeLedger`
 * recalculates the whole order from ALL its facts with the pure `computeLedger`
 * (app/conversions/ledger.ts). A refund that arrives before its order is stored against a
 * placeholder row (gross unknown, net null) and applied the moment the order's gross is recorded.
 */
import { Prisma, type PrismaClient } from "@prisma/client";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { computeLedger, currentGross, type LedgerEntryInput } from "~/conversions/ledger";
import {
  ledgerEntryFromRow,
  minorUnitsTotal,
  orderLedgerFromRow,
  type LedgerEntry,
  type OrderLedger,
} from "./money-columns.server";

export type { LedgerEntry, OrderLedger };
type Tx = Prisma.TransactionClient | PrismaClient;

export interface OrderLedgerFacts {
  shop: string;
  orderId: string;
  orderDedupId: string;
  orderName: string | null;
  /** the order's checkout_token: pixel receipts must carry the same one to be believed */
  checkoutToken?: string | null;
  grossMinor: number | null;
  currency: string | null;
  paidAt: Date | null;
  /**
   * Not used to write a cancellation: that is the orders/cancelled webhook's job (it always comes,
   * and it is the one that creates the correction event). Kept for the callers' convenience.
   */
  cancelled: { at: Date; reason: string | null } | null;
}

/**
 * orders/create and orders/paid: record the original gross (first writer wins), then apply any early
 * corrections and value changes. Returns the recomputed ledger.
 */
export async function recordOrderInLedger(
  tx: Prisma.TransactionClient,
  facts: OrderLedgerFacts,
): Promise<OrderLedgerView> {
  const existing = await tx.orderLedger.findUnique({
    where: { shop_orderId: { shop: facts.shop, orderId: facts.orderId } },
  });
  if (!existing) {
    await tx.orderLedger.create({
      data: {
        shop: facts.shop,
        orderId: facts.orderId,
        orderDedupId: facts.orderDedupId,
        orderName: facts.orderName,
        checkoutToken: facts.checkoutToken ?? null,
        grossMinor: facts.grossMinor,
        originalGrossMinor: facts.grossMinor,
        netMinor: facts.grossMinor,
        currency: facts.currency,
        paidAt: facts.paidAt,
        orderSeenAt: new Date(),
      },
    });
  } else {
    // A placeholder (refund or cancel before the order) has no gross or currency yet: the order's
    // own webhook fills them; later order webhooks (orders/paid after orders/create) change nothing
    // but paidAt.
    await tx.orderLedger.update({
      where: { id: existing.id },
      data: {
        orderName: existing.orderName ?? facts.orderName,
        checkoutToken: existing.checkoutToken ?? facts.checkoutToken ?? null,
        originalGrossMinor: existing.originalGrossMinor ?? facts.grossMinor,
        currency: existing.currency ?? facts.currency,
        paidAt: existing.paidAt ?? facts.paidAt,
        orderSeenAt: existing.orderSeenAt ?? new Date(),
      },
    });
  }
  return (await recomputeLedger(tx, facts.shop, facts.orderId))!;
}

/**
 * The ledger row of an order, created as a placeholder (gross unknown) when a refund or a
 * cancellation arrives first. The dedup id is computed from the order id by THE dedup function, so
 * it is the same value the order webhook will record.
 */
export async function ensureLedgerRow(tx: Tx, shop: string, orderId: string): Promise<OrderLedger> {
  const existing = await tx.orderLedger.findUnique({ where: { shop_orderId: { shop, orderId } } });
  if (existing) return orderLedgerFromRow(existing);
  const orderDedupId = await dedupIdForOrder(orderId);
  return orderLedgerFromRow(
    await tx.orderLedger.create({ data: { shop, orderId, orderDedupId, grossMinor: null, netMinor: null } }),
  );
}

export interface NewLedgerEntry {
  shop: string;
  orderId: string;
  /** `refund:<Shopify refund id>`, `cancel`, `edit:<order edit id>` or `value:<cause>` */
  entryKey: string;
  /**
   * refund/cancel: corrections. edit: an orders/edited fact (no money). value: a change of the
   * order's value after checkout (app/conversions/order-value-change.ts).
   */
  kind: "refund" | "cancel" | "edit" | "value";
  /**
   * refunds: the money of the successful refund transactions; cancel: 0 (it takes what remains);
   * edit: 0; value: the SIGNED change (+ added, - removed)
   */
  requestedMinor: number;
  currency: string | null;
  /** the cancel reason (Shopify's code); null for refunds */
  reason: string | null;
  occurredAt: Date;
}

export function refundEntryKey(refundId: string): string {
  return `refund:${refundId}`;
}
export const CANCEL_ENTRY_KEY = "cancel";
export function editEntryKey(editId: string): string {
  return `edit:${editId}`;
}
export function valueEntryKey(cause: string): string {
  return `value:${cause}`;
}
/** The cause of a value entry (`edit-<id>` / `update-<ms>`): the key its event id is derived from. */
export function valueCauseOf(entry: Pick<LedgerEntry, "entryKey">): string {
  return entry.entryKey.replace(/^value:/, "");
}
/** Refund and cancel entries: the ones that correct the order (and clamp at its gross). */
export function isCorrectionEntry(entry: Pick<LedgerEntry, "kind">): boolean {
  return entry.kind === "refund" || entry.kind === "cancel";
}

/** The key `derivedEventId` uses for an entry: the refund id, or "cancel". */
export function correctionKeyOf(entry: Pick<LedgerEntry, "kind" | "entryKey">): string {
  return entry.kind === "refund" ? entry.entryKey.replace(/^refund:/, "") : CANCEL_ENTRY_KEY;
}

/**
 * Stores one entry once: the same Shopify refund delivered again (even under a new webhook event id)
 * finds its row and changes nothing. Returns the stored row either way.
 */
export async function recordLedgerEntry(
  tx: Tx,
  entry: NewLedgerEntry,
): Promise<{ status: "created" | "exists"; entry: LedgerEntry }> {
  const where = { shop_orderId_entryKey: { shop: entry.shop, orderId: entry.orderId, entryKey: entry.entryKey } };
  const existing = await tx.ledgerEntry.findUnique({ where });
  if (existing) return { status: "exists", entry: ledgerEntryFromRow(existing) };
  const created = await tx.ledgerEntry.create({
    data: {
      shop: entry.shop,
      orderId: entry.orderId,
      entryKey: entry.entryKey,
      kind: entry.kind,
      requestedMinor: entry.requestedMinor,
      currency: entry.currency,
      reason: entry.reason,
      occurredAt: entry.occurredAt,
    },
  });
  return { status: "created", entry: ledgerEntryFromRow(created) };
}

/**
 * A refund in another currency than the order's gross cannot be subtracted from it (Shopify refunds
 * in the order's presentment currency, so this is a defensive rule): such an entry is kept, applies 0
 * and its correction is not sent.
 */
export function entryCurrencyMismatch(
  ledger: Pick<OrderLedger, "currency">,
  entry: Pick<LedgerEntry, "kind" | "currency">,
): boolean {
  return entry.kind === "refund" && !!entry.currency && !!ledger.currency && entry.currency !== ledger.currency;
}

/**
 * orders/updated: the order's value sold (before refunds) as of `at`. The latest observation wins,
 * so an older update delivered late (or again) changes nothing. Returns whether it was stored.
 */
export async function recordObservedValue(
  tx: Tx,
  ledgerId: string,
  observed: { soldValueMinor: number; at: Date },
): Promise<boolean> {
  // One conditional update: two updates of the same order applied at once cannot leave the older one.
  const { count } = await tx.orderLedger.updateMany({
    where: { id: ledgerId, OR: [{ observedValueAt: null }, { observedValueAt: { lt: observed.at } }] },
    data: { observedValueMinor: observed.soldValueMinor, observedValueAt: observed.at },
  });
  return count > 0;
}

export interface OrderLedgerView {
  ledger: OrderLedger;
  /** in application order: (occurredAt, entryKey) */
  entries: LedgerEntry[];
}

/**
 * Recalculates net, refunded, cancelled and every entry's appliedMinor from the gross and all
 * entries. Idempotent; order of arrival does not matter (see computeLedger's rules: refunds in time
 * order, each clamped to what remains; the cancellation takes whatever no refund took, so a cancel
 * that also refunds reverses the money once).
 */
export async function recomputeLedger(tx: Tx, shop: string, orderId: string): Promise<OrderLedgerView | null> {
  const row = await tx.orderLedger.findUnique({ where: { shop_orderId: { shop, orderId } } });
  if (!row) return null;
  const ledger = orderLedgerFromRow(row);
  const entries = (await tx.ledgerEntry.findMany({ where: { shop, orderId } })).map(ledgerEntryFromRow);
  const { ledgerFields, changedEntries } = recomputedLedger(ledger, entries);
  for (const entry of changedEntries) {
    await tx.ledgerEntry.update({ where: { id: entry.id }, data: { appliedMinor: entry.appliedMinor } });
  }
  const updated = await tx.orderLedger.update({ where: { id: ledger.id }, data: ledgerFields });
  return { ledger: orderLedgerFromRow(updated), entries: sortEntries(entries) };
}

/** What recomputeLedger writes on the ledger row. */
export type RecomputedLedgerFields = Pick<
  OrderLedger,
  "grossMinor" | "netMinor" | "refundedMinor" | "cancelledMinor" | "cancelledAt" | "cancelReason"
>;

/**
 * recomputeLedger's rule on rows already loaded (the batch applier keeps a batch's ledgers in
 * memory): sets every entry's appliedMinor in place and returns the ledger's new figures and the
 * entries whose appliedMinor changed. The gross is the CURRENT one: checkout's plus every value
 * change (edits, upsells, exchanges), and refunds and cancellations are clamped to it.
 */
export function recomputedLedger(
  ledger: OrderLedger,
  entries: LedgerEntry[],
): { ledgerFields: RecomputedLedgerFields; changedEntries: LedgerEntry[] } {
  const usable = entries.filter((entry) => isCorrectionEntry(entry) && !entryCurrencyMismatch(ledger, entry));
  const inputs: LedgerEntryInput[] = usable.map((entry) => ({
    key: entry.entryKey,
    kind: entry.kind === "cancel" ? "cancel" : "refund",
    requestedMinor: entry.requestedMinor,
    occurredAt: entry.occurredAt,
  }));
  const values = entries.filter((entry) => entry.kind === "value");
  const grossMinor = currentGross(
    ledger.originalGrossMinor,
    values.map((entry) => entry.requestedMinor),
  );
  const result = computeLedger({ grossMinor, entries: inputs });
  // Keys are unique per order (database constraint), so the key identifies the entry. A value
  // change applies exactly what it says.
  const appliedByKey = new Map<string, number>(result.applied.map((row) => [row.key, row.appliedMinor]));
  for (const entry of values) appliedByKey.set(entry.entryKey, entry.requestedMinor);

  const changedEntries: LedgerEntry[] = [];
  for (const entry of entries) {
    const applied = appliedByKey.get(entry.entryKey) ?? 0;
    if (entry.appliedMinor !== applied) {
      entry.appliedMinor = applied;
      changedEntries.push(entry);
    }
  }
  const cancel = entries
    .filter((entry) => entry.kind === "cancel")
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())[0];
  const cancelledMinor = entries
    .filter((entry) => entry.kind === "cancel")
    .reduce((sum, entry) => sum + entry.appliedMinor, 0);
  return {
    ledgerFields: {
      grossMinor,
      netMinor: result.netMinor,
      refundedMinor: result.refundedMinor,
      cancelledMinor,
      cancelledAt: cancel ? cancel.occurredAt : null,
      cancelReason: cancel ? cancel.reason : null,
    },
    changedEntries,
  };
}

/** In application order: (occurredAt, entryKey). */
export function sortEntries(entries: LedgerEntry[]): LedgerEntry[] {
  return [...entries].sort((a, b) => {
    const dt = a.occurredAt.getTime() - b.occurredAt.getTime();
    if (dt !== 0) return dt;
    return a.entryKey < b.entryKey ? -1 : a.entryKey > b.entryKey ? 1 : 0;
  });
}

/** Ledgers of many orders of one shop (one raw query, like findPixelReceipts and for the same reason). */
export async function findOrderLedgers(shop: string, orderIds: readonly string[]): Promise<OrderLedger[]> {
  if (orderIds.length === 0) return [];
  const rows = await prisma.$queryRaw<
    Parameters<typeof orderLedgerFromRow>[0][]
  >`SELECT * FROM "OrderLedger" WHERE "shop" = ${shop} AND "orderId" IN (${Prisma.join(orderIds)})`;
  return rows.map(orderLedgerFromRow);
}

/** One order's ledger and entries (event log, send-time decisions). Null when nothing is known. */
export async function ledgerForOrder(shop: string, orderId: string, tx: Tx = prisma): Promise<OrderLedgerView | null> {
  const ledger = await tx.orderLedger.findUnique({ where: { shop_orderId: { shop, orderId } } });
  if (!ledger) return null;
  const entries = await tx.ledgerEntry.findMany({ where: { shop, orderId } });
  return { ledger: orderLedgerFromRow(ledger), entries: sortEntries(entries.map(ledgerEntryFromRow)) };
}

interface LedgerCurrencyTotals {
  currency: string;
  /** orders whose gross is known */
  orders: number;
  grossMinor: number;
  /** refunds actually applied (clamped amounts, never more than gross) */
  refundedMinor: number;
  /** what cancellations reversed beyond the refunds */
  cancelledMinor: number;
  /** gross - refunded - cancelled */
  netMinor: number;
}

export interface LedgerSummary {
  /** one row per currency, sorted by code; amounts in that currency's minor units (never mixed) */
  currencies: LedgerCurrencyTotals[];
  /** orders with refunds or a cancellation recorded whose order webhook has not arrived yet */
  awaitingOrder: number;
}

/**
 * Net revenue per currency for the reconciliation view: orders whose order webhook was received
 * (`orderSeenAt`) in [from, to). Refunds and cancellations count with their order, whenever they
 * happened, so the figures say what the orders of that period are worth today.
 */
export async function ledgerSummary(shop: string, range: { from: Date; to: Date }): Promise<LedgerSummary> {
  const inRange = { gte: range.from, lt: range.to };
  const [groups, awaitingOrder] = await Promise.all([
    prisma.orderLedger.groupBy({
      by: ["currency"],
      where: { shop, grossMinor: { not: null }, currency: { not: null }, orderSeenAt: inRange },
      _count: { _all: true },
      _sum: { grossMinor: true, refundedMinor: true, cancelledMinor: true, netMinor: true },
    }),
    // A row that only an orders/updated created (no correction waits on it) is not "awaiting" anything.
    prisma.orderLedger.count({ where: { shop, orderSeenAt: null, createdAt: inRange, observedValueAt: null } }),
  ]);
  const currencies = groups
    .map((group) => ({
      currency: group.currency as string,
      orders: group._count._all,
      grossMinor: minorUnitsTotal(group._sum.grossMinor),
      refundedMinor: minorUnitsTotal(group._sum.refundedMinor),
      cancelledMinor: minorUnitsTotal(group._sum.cancelledMinor),
      netMinor: minorUnitsTotal(group._sum.netMinor),
    }))
    .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
  return { currencies, awaitingOrder };
}
