-- Money in minor units becomes 64-bit (BigInt in the schema). SQLite stores any INTEGER in up to 8 bytes
-- already, so this only renames the declared type to BIGINT, which is what Prisma's BigInt maps to.
-- Column by column (add, copy, drop, rename) instead of Prisma's usual table rebuild: a rebuild
-- copies a fixed column list, so it would drop columns and indexes that other migrations add to the
-- same tables. No money column is indexed, so each one can be dropped in place.

-- ConversionEvent.amountMinor
ALTER TABLE "ConversionEvent" ADD COLUMN "amountMinor__bigint" BIGINT;
UPDATE "ConversionEvent" SET "amountMinor__bigint" = "amountMinor";
ALTER TABLE "ConversionEvent" DROP COLUMN "amountMinor";
ALTER TABLE "ConversionEvent" RENAME COLUMN "amountMinor__bigint" TO "amountMinor";

-- OrderLedger.grossMinor
ALTER TABLE "OrderLedger" ADD COLUMN "grossMinor__bigint" BIGINT;
UPDATE "OrderLedger" SET "grossMinor__bigint" = "grossMinor";
ALTER TABLE "OrderLedger" DROP COLUMN "grossMinor";
ALTER TABLE "OrderLedger" RENAME COLUMN "grossMinor__bigint" TO "grossMinor";

-- OrderLedger.refundedMinor
ALTER TABLE "OrderLedger" ADD COLUMN "refundedMinor__bigint" BIGINT NOT NULL DEFAULT 0;
UPDATE "OrderLedger" SET "refundedMinor__bigint" = "refundedMinor";
ALTER TABLE "OrderLedger" DROP COLUMN "refundedMinor";
ALTER TABLE "OrderLedger" RENAME COLUMN "refundedMinor__bigint" TO "refundedMinor";

-- OrderLedger.netMinor
ALTER TABLE "OrderLedger" ADD COLUMN "netMinor__bigint" BIGINT;
UPDATE "OrderLedger" SET "netMinor__bigint" = "netMinor";
ALTER TABLE "OrderLedger" DROP COLUMN "netMinor";
ALTER TABLE "OrderLedger" RENAME COLUMN "netMinor__bigint" TO "netMinor";

-- OrderLedger.cancelledMinor
ALTER TABLE "OrderLedger" ADD COLUMN "cancelledMinor__bigint" BIGINT NOT NULL DEFAULT 0;
UPDATE "OrderLedger" SET "cancelledMinor__bigint" = "cancelledMinor";
ALTER TABLE "OrderLedger" DROP COLUMN "cancelledMinor";
ALTER TABLE "OrderLedger" RENAME COLUMN "cancelledMinor__bigint" TO "cancelledMinor";

-- LedgerEntry.requestedMinor
ALTER TABLE "LedgerEntry" ADD COLUMN "requestedMinor__bigint" BIGINT NOT NULL DEFAULT 0;
UPDATE "LedgerEntry" SET "requestedMinor__bigint" = "requestedMinor";
ALTER TABLE "LedgerEntry" DROP COLUMN "requestedMinor";
ALTER TABLE "LedgerEntry" RENAME COLUMN "requestedMinor__bigint" TO "requestedMinor";

-- LedgerEntry.appliedMinor
ALTER TABLE "LedgerEntry" ADD COLUMN "appliedMinor__bigint" BIGINT NOT NULL DEFAULT 0;
UPDATE "LedgerEntry" SET "appliedMinor__bigint" = "appliedMinor";
ALTER TABLE "LedgerEntry" DROP COLUMN "appliedMinor";
ALTER TABLE "LedgerEntry" RENAME COLUMN "appliedMinor__bigint" TO "appliedMinor";
