-- Pixel receipts: a few candidates per order, one per checkout token (first write no longer wins).
DROP INDEX "PixelReceipt_shop_orderId_key";
CREATE UNIQUE INDEX "PixelReceipt_shop_orderId_checkoutToken_key" ON "PixelReceipt"("shop", "orderId", "checkoutToken");

-- Rate limit counts shared by all app instances (rate-limiter-flexible's Prisma store).
CREATE TABLE "RateLimiterFlexible" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "points" INTEGER NOT NULL,
    "expire" DATETIME
);
