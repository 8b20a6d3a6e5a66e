-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN "rejectedReason" TEXT;

-- CreateIndex
CREATE INDEX "OrderLedger_orderId_idx" ON "OrderLedger"("orderId");

