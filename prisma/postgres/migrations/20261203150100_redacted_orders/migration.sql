-- CreateTable
CREATE TABLE "RedactedOrder" (
    "shop" TEXT NOT NULL,
    "orderDedupId" TEXT NOT NULL,
    "redactedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RedactedOrder_pkey" PRIMARY KEY ("shop","orderDedupId")
);

