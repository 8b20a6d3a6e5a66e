-- AlterTable
ALTER TABLE "OrderLedger" ADD COLUMN "originalGrossMinor" BIGINT;
ALTER TABLE "OrderLedger" ADD COLUMN "observedValueMinor" BIGINT;
ALTER TABLE "OrderLedger" ADD COLUMN "observedValueAt" DATETIME;

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "valueAddedEventName" TEXT NOT NULL DEFAULT 'order_value_added';

-- Until now the gross never changed after checkout: it is the original gross.
UPDATE "OrderLedger" SET "originalGrossMinor" = "grossMinor";
