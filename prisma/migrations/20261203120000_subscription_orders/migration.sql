-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "subscriptionRenewals" TEXT NOT NULL DEFAULT 'skip';

-- CreateTable
CREATE TABLE "SubscriptionOrder" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,
    "planId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "SubscriptionOrder_shop_orderId_key" ON "SubscriptionOrder"("shop", "orderId");
