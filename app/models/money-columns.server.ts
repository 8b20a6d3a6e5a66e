/**
 * Money columns (every `*Minor` column: integer minor units) are BigInt in the schema, so an IDR or
 * VND order above 2^31 minor units fits on every database. Prisma hands them back as `bigint`, raw
 * SQL as `bigint` or `number` (by database and expression); the pure core (app/conversions) works in
 * integer `number` minor units up to Number.MAX_SAFE_INTEGER, the cap `exactMinorUnits` enforces on
 * the way in. This file is the one crossing between the two: rows leave app/models with `number`
 * amounts, and nothing above the cap is ever turned into a number silently.
 *
 * Writes need no conversion: Prisma takes a `number` for a BigInt column, and every amount the app
 * writes is a safe integer from the core.
 */
import type {
  ConversionEvent as ConversionEventRow,
  LedgerEntry as LedgerEntryRow,
  OrderLedger as OrderLedgerRow,
} from "@prisma/client";

/** A stored amount that is not an exact integer `number`: a bug or a hand-edited row, never rounded. */
export class MinorUnitsColumnError extends Error {
  constructor(column: string, value: unknown) {
    super(
      `${column} holds ${typeof value === "bigint" ? `${value}n` : String(value)}, not minor units of at most ${Number.MAX_SAFE_INTEGER}`,
    );
    this.name = "MinorUnitsColumnError";
  }
}

/** One stored amount (bigint from Prisma, bigint | number | numeric text from raw SQL) as exact `number` minor units. */
export function minorUnitsFromColumn(value: bigint | number | string, column = "amount"): number {
  // Number(bigint) rounds above 2^53, but never to a safe integer: the check below catches it.
  const minor = Number(value);
  if (!Number.isSafeInteger(minor)) throw new MinorUnitsColumnError(column, value);
  return minor;
}

export function nullableMinorUnitsFromColumn(value: bigint | number | string | null, column = "amount"): number | null {
  return value === null ? null : minorUnitsFromColumn(value, column);
}

/**
 * A SUM over money columns (the reconciliation's figures, the ledger summary): a total of many
 * orders may pass the cap (two IDR orders at the cap do), and a report must still load, so it is the
 * nearest `number`, and the formatters then print it as raw minor units instead of a currency
 * amount (they only format safe integers). Null (an empty SUM) is 0.
 */
export function minorUnitsTotal(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "bigint") return Number(value);
  // numeric comes back from Postgres as a Decimal (or its text): both read as a decimal string
  return Number(typeof value === "object" ? String(value) : value);
}

type WithNumberMoney<Row, Keys extends keyof Row> = Omit<Row, Keys> & {
  [K in Keys]: null extends Row[K] ? number | null : number;
};

/** What app/models hands out: a ConversionEvent with `number` minor units. */
export type ConversionEvent = WithNumberMoney<ConversionEventRow, "amountMinor">;
type LedgerMoney =
  "grossMinor" | "originalGrossMinor" | "observedValueMinor" | "refundedMinor" | "netMinor" | "cancelledMinor";
export type OrderLedger = WithNumberMoney<OrderLedgerRow, LedgerMoney>;
export type LedgerEntry = WithNumberMoney<LedgerEntryRow, "requestedMinor" | "appliedMinor">;

type Stored<Row, Keys extends keyof Row> = Omit<Row, Keys> & {
  [K in Keys]: null extends Row[K] ? bigint | number | null : bigint | number;
};

export function conversionEventFromRow<Row extends Pick<Stored<ConversionEventRow, "amountMinor">, "amountMinor">>(
  row: Row,
): Omit<Row, "amountMinor"> & { amountMinor: number | null } {
  return { ...row, amountMinor: nullableMinorUnitsFromColumn(row.amountMinor, "ConversionEvent.amountMinor") };
}

export function orderLedgerFromRow(row: Stored<OrderLedgerRow, LedgerMoney>): OrderLedger {
  return {
    ...row,
    grossMinor: nullableMinorUnitsFromColumn(row.grossMinor, "OrderLedger.grossMinor"),
    originalGrossMinor: nullableMinorUnitsFromColumn(row.originalGrossMinor, "OrderLedger.originalGrossMinor"),
    observedValueMinor: nullableMinorUnitsFromColumn(row.observedValueMinor, "OrderLedger.observedValueMinor"),
    refundedMinor: minorUnitsFromColumn(row.refundedMinor, "OrderLedger.refundedMinor"),
    netMinor: nullableMinorUnitsFromColumn(row.netMinor, "OrderLedger.netMinor"),
    cancelledMinor: minorUnitsFromColumn(row.cancelledMinor, "OrderLedger.cancelledMinor"),
  };
}

export function ledgerEntryFromRow(row: Stored<LedgerEntryRow, "requestedMinor" | "appliedMinor">): LedgerEntry {
  return {
    ...row,
    requestedMinor: minorUnitsFromColumn(row.requestedMinor, "LedgerEntry.requestedMinor"),
    appliedMinor: minorUnitsFromColumn(row.appliedMinor, "LedgerEntry.appliedMinor"),
  };
}
