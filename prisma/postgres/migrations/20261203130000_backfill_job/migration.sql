-- CreateTable
CREATE TABLE "BackfillJob" (
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "mode" TEXT,
    "since" TIMESTAMP(3) NOT NULL,
    "cursor" TEXT,
    "bulkOperationId" TEXT,
    "total" INTEGER,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failureReason" TEXT,
    "acknowledgedAt" TIMESTAMP(3) NOT NULL,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackfillJob_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "BackfillJob_state_leaseUntil_idx" ON "BackfillJob"("state", "leaseUntil");
