-- CreateTable
CREATE TABLE "WebhookInbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "path" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "apiVersion" TEXT NOT NULL,
    "triggeredAt" TEXT,
    "bodyCiphertext" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "nextAttemptAt" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT
);

-- CreateIndex
CREATE INDEX "WebhookInbox_nextAttemptAt_idx" ON "WebhookInbox"("nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookInbox_shop_topic_eventId_key" ON "WebhookInbox"("shop", "topic", "eventId");

