-- AlterTable
ALTER TABLE "ConversionEvent" ADD COLUMN "regionUnknown" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "addresslessOrderCountry" TEXT;
