-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "conversionEventConfirmedAt" TIMESTAMP(3);
