-- AlterTable
ALTER TABLE "ConversionEvent" ADD COLUMN "regionUnknown" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "addresslessOrderCountry" TEXT;

-- AlterTable
ALTER TABLE "PixelReceipt" ADD COLUMN "saleOfData" TEXT;
ALTER TABLE "PixelReceipt" ADD COLUMN "obref" TEXT;
