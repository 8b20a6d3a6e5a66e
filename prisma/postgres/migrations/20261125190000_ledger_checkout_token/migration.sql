-- AlterTable
ALTER TABLE "OrderLedger" ADD COLUMN     "checkoutToken" TEXT;

