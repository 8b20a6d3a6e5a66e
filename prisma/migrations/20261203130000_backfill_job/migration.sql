-- CreateTable
CREATE TABLE "BackfillJob" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "mode" TEXT,
    "since" DATETIME NOT NULL,
    "cursor" TEXT,
    "bulkOperationId" TEXT,
    "total" INTEGER,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failureReason" TEXT,
    "acknowledgedAt" DATETIME NOT NULL,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "BackfillJob_state_leaseUntil_idx" ON "BackfillJob"("state", "leaseUntil");
