-- AlterTable
ALTER TABLE "OrderLedger" ADD COLUMN     "originalGrossMinor" BIGINT,
ADD COLUMN     "observedValueMinor" BIGINT,
ADD COLUMN     "observedValueAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "valueAddedEventName" TEXT NOT NULL DEFAULT 'order_value_added';

-- Until now the gross never changed after checkout: it is the original gross.
UPDATE "OrderLedger" SET "originalGrossMinor" = "grossMinor";
