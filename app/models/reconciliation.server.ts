/**
 * The reconciliation read model: a handful of GROUP BY queries over one shop's rows in a range, each
 * returning a few dozen aggregate rows; the figures themselves are built by the pure
 * app/conversions/reconciliation.ts (definitions live there).
 *
 * Speed: every query starts from an index range scan on (shop, createdAt) of ConversionEvent (or
 * (shop, receivedAt) of PixelReceipt) and joins receipts and ledger rows by their unique
 * (shop, orderId) keys, so the cost follows the shop's rows in the range, not the table's size
 * (bench/reconciliation-bench.ts measures it). The range's event rows are read twice: once for the
 * outcome counts (and correction amounts), once for everything joined to web orders.
 *
 * Raw SQL, written once for SQLite and Postgres: identifiers are double-quoted, values are bound,
 * the only dialect difference is how a timestamp becomes a UTC day. Counts come back as number
 * (SQLite) or bigint (Postgres); sums of the BIGINT money columns as bigint (SQLite) or numeric
 * (Postgres, a Decimal): both are normalized (minorUnitsTotal).
 */
import { Prisma, type PrismaClient } from "@prisma/client";
import prisma from "~/db/client.server";
import { providerOfClient, type DatabaseProvider } from "~/db/provider.server";
import {
  buildReconciliationReport,
  type EventAggregateRow,
  type PixelAggregateRow,
  type ReconciliationReport,
  type RevenueAggregateRow,
} from "~/conversions/reconciliation";
import { rangeBounds, type DayRange } from "~/conversions/day-range";
import { SUBSCRIPTION_RENEWED_EVENT } from "~/conversions/subscription-order";
import { minorUnitsTotal } from "./money-columns.server";
import { DEFAULT_SHOP_POLICY } from "~/conversions/shop-policy";

export type Db = Pick<PrismaClient, "$queryRaw">;

export interface QueryOptions {
  db?: Db;
  now?: Date;
}

/** The UTC day of a timestamp column as "YYYY-MM-DD". SQLite stores Prisma DateTimes as ISO text. */
function utcDayOf(column: string, dialect: DatabaseProvider): Prisma.Sql {
  return dialect === "postgres"
    ? Prisma.raw(`to_char(${column}, 'YYYY-MM-DD')`)
    : Prisma.raw(`substr(${column}, 1, 10)`);
}

/**
 * An order_created row whose stored CAPI event says it is not a web order (the merchant chose to send
 * POS/draft orders). The payload is JSON.stringify output (no spaces), and `action_source` exists
 * only at the top level of an event, so a LIKE is exact and reads the same in both dialects. (The
 * row is read for its status anyway; the LIKE itself costs little next to that read.)
 */
function nonWebSentSql(alias: string): string {
  return `(${alias}."eventType" = 'order_created' AND ${alias}."payload" IS NOT NULL AND ${alias}."payload" LIKE '%"action!_source":"%' ESCAPE '!' AND ${alias}."payload" NOT LIKE '%"action!_source":"web"%' ESCAPE '!')`;
}

/** SQL twin of `orderRowKind(row) === "web"` for order_created rows (kept in step by the model tests). */
function webOrderSql(alias: string): string {
  return `(NOT (${alias}."status" = 'skipped' AND COALESCE(${alias}."skipReason", '') IN ('pos_order', 'non_web_order', 'duplicate', 'subscription_renewal')) AND NOT ${nonWebSentSql(alias)})`;
}

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

const ZERO_REVENUE = {
  orders: 0,
  unknownAmount: 0,
  grossMinor: 0,
  refundedMinor: 0,
  cancelledMinor: 0,
  netMinor: 0,
  cancelledOrders: 0,
  reportedMinor: 0,
  correctionsReportedMinor: 0,
};

/** A count: bigint | number | string | null → number. */
function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

// ─── queries ─────────────────────────────────────────────────────────────────────────────────────

/**
 * ConversionEvent rows recorded in [start, end), grouped by UTC day, type, status and reason; plus, in
 * the same pass, the amounts OpenAI accepted in correction (custom) events per currency.
 */
async function queryEventPass(
  shop: string,
  start: Date,
  end: Date,
  db: Db,
): Promise<{ events: EventAggregateRow[]; corrections: RevenueAggregateRow[] }> {
  const dialect = providerOfClient(db);
  // Value ADDED after checkout (order edits, upsells: app/webhooks/order-changes.server.ts) is a custom
  // event too, but it adds to the sale: it is not money reported back.
  // (One uncorrelated subquery: evaluated once, not per row.)
  const valueAddedName = Prisma.sql`COALESCE((SELECT s."valueAddedEventName" FROM "ShopSettings" s WHERE s."shop" = ${shop}), ${DEFAULT_SHOP_POLICY.valueAddedEventName})`;
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT ${utcDayOf(`e."createdAt"`, dialect)} AS "day",
           e."eventType" AS "eventType",
           CASE WHEN e."eventType" = 'custom' THEN e."eventName" ELSE '' END AS "eventName",
           e."status" AS "status",
           e."skipReason" AS "skipReason",
           CASE WHEN ${Prisma.raw(nonWebSentSql("e"))} THEN 1 ELSE 0 END AS "nonWebSent",
           CASE WHEN e."eventType" = 'custom' AND e."status" = 'delivered' THEN e."currency" END AS "correctionCurrency",
           COUNT(*) AS "n",
           SUM(CASE WHEN e."eventType" = 'custom' AND e."status" = 'delivered' AND e."eventName" <> ${valueAddedName} THEN COALESCE(e."amountMinor", 0) ELSE 0 END) AS "correctionMinor"
      FROM "ConversionEvent" e
     WHERE e."shop" = ${shop} AND e."createdAt" >= ${start} AND e."createdAt" < ${end}
     GROUP BY 1, 2, 3, 4, 5, 6, 7`;
  const events: EventAggregateRow[] = rows.map((r) => ({
    day: String(r.day),
    eventType: String(r.eventType),
    eventName: String(r.eventName ?? ""),
    status: String(r.status),
    skipReason: text(r.skipReason),
    nonWebSent: num(r.nonWebSent) === 1,
    count: num(r.n),
  }));
  const corrections: RevenueAggregateRow[] = rows
    // Renewal reports are not corrections: their amounts are no refund of anything.
    .filter((r) => r.eventType === "custom" && r.status === "delivered" && r.eventName !== SUBSCRIPTION_RENEWED_EVENT)
    .map((r) => ({
      ...ZERO_REVENUE,
      currency: text(r.correctionCurrency),
      correctionsReportedMinor: minorUnitsTotal(r.correctionMinor),
    }));
  return { events, corrections };
}

/** ConversionEvent rows recorded in [start, end), grouped by UTC day, type, status and reason. */
export async function queryEventAggregates(
  shop: string,
  start: Date,
  end: Date,
  db: Db = prisma,
): Promise<EventAggregateRow[]> {
  return (await queryEventPass(shop, start, end, db)).events;
}

/**
 * One pass over the range's web orders, each joined with its pixel receipt and its ledger row (by
 * shop + order id, whenever they arrived): the pixel-loss and oppref rows, and the revenue rows
 * (test orders left out of revenue: their money is not real).
 */
export async function queryWebOrderAggregates(
  shop: string,
  start: Date,
  end: Date,
  db: Db = prisma,
): Promise<{ pixel: PixelAggregateRow[]; revenue: RevenueAggregateRow[] }> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT CASE WHEN e."status" = 'delivered' THEN 1 ELSE 0 END AS "delivered",
           CASE WHEN e."status" = 'delivered' THEN e."opprefSource" END AS "opprefSource",
           CASE WHEN e."status" = 'delivered' AND e."oppref" IS NOT NULL AND e."oppref" <> '' THEN 1 ELSE 0 END AS "hasOppref",
           r."pixelStatus" AS "pixelStatus",
           r."consent" AS "consent",
           CASE WHEN r."receivedAt" IS NOT NULL AND (
                  (e."status" = 'delivered' AND e."deliveredAt" IS NOT NULL AND r."receivedAt" > e."deliveredAt")
               OR (e."status" = 'skipped' AND e."skipReason" IN ('no_consent_signal', 'region_unknown') AND r."receivedAt" > e."updatedAt"))
                THEN 1 ELSE 0 END AS "late",
           CASE WHEN e."status" = 'skipped' AND e."skipReason" = 'test_order' THEN 1 ELSE 0 END AS "testOrder",
           COALESCE(l."currency", e."currency") AS "currency",
           COUNT(*) AS "n",
           SUM(CASE WHEN l."grossMinor" IS NULL THEN 1 ELSE 0 END) AS "unknownAmount",
           SUM(CASE WHEN l."grossMinor" IS NOT NULL THEN l."grossMinor" ELSE 0 END) AS "grossMinor",
           SUM(CASE WHEN l."grossMinor" IS NOT NULL THEN l."refundedMinor" ELSE 0 END) AS "refundedMinor",
           SUM(CASE WHEN l."grossMinor" IS NOT NULL THEN l."cancelledMinor" ELSE 0 END) AS "cancelledMinor",
           SUM(CASE WHEN l."grossMinor" IS NOT NULL THEN COALESCE(l."netMinor", l."grossMinor") ELSE 0 END) AS "netMinor",
           SUM(CASE WHEN l."cancelledAt" IS NOT NULL THEN 1 ELSE 0 END) AS "cancelledOrders",
           SUM(CASE WHEN e."status" = 'delivered' THEN COALESCE(e."amountMinor", 0) ELSE 0 END) AS "reportedMinor"
      FROM "ConversionEvent" e
      LEFT JOIN "OrderLedger" l ON l."shop" = e."shop" AND l."orderId" = e."orderId"
      -- only the believed receipt (its token is the order's): at most one row, forgeries never count
      LEFT JOIN "PixelReceipt" r ON r."shop" = e."shop" AND r."orderId" = e."orderId" AND r."checkoutToken" = l."checkoutToken"
     WHERE e."shop" = ${shop} AND e."eventType" = 'order_created'
       AND e."createdAt" >= ${start} AND e."createdAt" < ${end}
       AND ${Prisma.raw(webOrderSql("e"))}
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`;
  const pixel: PixelAggregateRow[] = rows.map((r) => ({
    delivered: num(r.delivered) === 1,
    opprefSource: text(r.opprefSource),
    hasOppref: num(r.hasOppref) === 1,
    pixelStatus: text(r.pixelStatus),
    consent: text(r.consent),
    lateReceipt: num(r.late) === 1,
    count: num(r.n),
  }));
  const revenue: RevenueAggregateRow[] = rows
    .filter((r) => num(r.testOrder) === 0)
    .map((r) => ({
      currency: text(r.currency),
      orders: num(r.n),
      unknownAmount: num(r.unknownAmount),
      grossMinor: minorUnitsTotal(r.grossMinor),
      refundedMinor: minorUnitsTotal(r.refundedMinor),
      cancelledMinor: minorUnitsTotal(r.cancelledMinor),
      netMinor: minorUnitsTotal(r.netMinor),
      cancelledOrders: num(r.cancelledOrders),
      reportedMinor: minorUnitsTotal(r.reportedMinor),
      correctionsReportedMinor: 0,
    }));
  return { pixel, revenue };
}

/**
 * Orders with pixel receipts received in [start, end) that Shopify never told us about (no event for the
 * order, no ledger row that saw it): the pixel fired but the order webhook is missing (so far). The
 * event check comes first: it is answered by the (shop, orderId) index alone.
 */
async function queryReceiptsWithoutOrder(shop: string, start: Date, end: Date, db: Db = prisma): Promise<number> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT COUNT(DISTINCT r."orderId") AS "n"
      FROM "PixelReceipt" r
     WHERE r."shop" = ${shop} AND r."receivedAt" >= ${start} AND r."receivedAt" < ${end}
       AND NOT EXISTS (SELECT 1 FROM "ConversionEvent" e WHERE e."shop" = r."shop" AND e."orderId" = r."orderId")
       AND NOT EXISTS (SELECT 1 FROM "OrderLedger" l WHERE l."shop" = r."shop" AND l."orderId" = r."orderId" AND l."orderSeenAt" IS NOT NULL)`;
  return num(rows[0]?.n);
}

/** Pixel receipts received in [start, end): the alerts' "is the pixel still talking" signal. */
export async function countReceipts(shop: string, start: Date, end: Date, db: Db = prisma): Promise<number> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT COUNT(*) AS "n" FROM "PixelReceipt" r
     WHERE r."shop" = ${shop} AND r."receivedAt" >= ${start} AND r."receivedAt" < ${end}`;
  return num(rows[0]?.n);
}

// ─── the page's loader ───────────────────────────────────────────────────────────────────────────

/** Every figure of the reconciliation page (and of `scripts/print-reconciliation.ts`) for a range. */
export async function loadReconciliation(
  shop: string,
  range: DayRange,
  options: QueryOptions = {},
): Promise<ReconciliationReport> {
  const db = options.db ?? prisma;
  const { start, end } = rangeBounds(range);
  // One after the other: SQLite serves one query at a time on a connection anyway, and this keeps
  // the page's load on a shared Postgres pool to a single connection.
  const { events, corrections } = await queryEventPass(shop, start, end, db);
  const webOrders = await queryWebOrderAggregates(shop, start, end, db);
  const receiptsWithoutOrder = await queryReceiptsWithoutOrder(shop, start, end, db);
  return buildReconciliationReport({
    shop,
    range,
    generatedAt: options.now ?? new Date(),
    events,
    pixel: webOrders.pixel,
    revenue: [...webOrders.revenue, ...corrections],
    receiptsWithoutOrder,
  });
}
