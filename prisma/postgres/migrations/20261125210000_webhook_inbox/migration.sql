-- CreateTable
CREATE TABLE "WebhookInbox" (
    "id" SERIAL NOT NULL,
    "path" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "apiVersion" TEXT NOT NULL,
    "triggeredAt" TEXT,
    "bodyCiphertext" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "WebhookInbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookInbox_nextAttemptAt_idx" ON "WebhookInbox"("nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookInbox_shop_topic_eventId_key" ON "WebhookInbox"("shop", "topic", "eventId");

