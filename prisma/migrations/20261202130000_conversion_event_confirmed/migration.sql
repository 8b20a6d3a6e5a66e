-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "conversionEventConfirmedAt" DATETIME;
