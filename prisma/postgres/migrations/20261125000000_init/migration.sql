-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopSettings" (
    "shop" TEXT NOT NULL,
    "pixelId" TEXT,
    "apiKeyCiphertext" TEXT,
    "apiKeyLast4" TEXT,
    "serverEventsEnabled" BOOLEAN NOT NULL DEFAULT true,
    "browserPixelEnabled" BOOLEAN NOT NULL DEFAULT true,
    "pixelFunnelEvents" TEXT NOT NULL DEFAULT '["page_viewed","contents_viewed","items_added","checkout_started"]',
    "nonWebOrders" TEXT NOT NULL DEFAULT 'skip',
    "correctionsEnabled" BOOLEAN NOT NULL DEFAULT true,
    "refundEventName" TEXT NOT NULL DEFAULT 'order_refunded',
    "cancelEventName" TEXT NOT NULL DEFAULT 'order_cancelled',
    "conversionTrigger" TEXT NOT NULL DEFAULT 'orders_create',
    "consentPolicy" TEXT NOT NULL DEFAULT 'regional',
    "enhancedMatching" TEXT NOT NULL DEFAULT '["email","phone","name","external_id","address","client"]',
    "oppRefGraceSeconds" INTEGER NOT NULL DEFAULT 120,
    "credentialsStatus" TEXT NOT NULL DEFAULT 'unknown',
    "credentialsMessage" TEXT,
    "credentialsCheckedAt" TIMESTAMP(3),
    "lastDeliveredAt" TIMESTAMP(3),
    "webPixelId" TEXT,
    "installedScope" TEXT,
    "uninstalledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "webhookId" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversionEvent" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "eventName" TEXT NOT NULL,
    "eventId" TEXT,
    "orderId" TEXT,
    "orderName" TEXT,
    "orderDedupId" TEXT,
    "status" TEXT NOT NULL,
    "skipReason" TEXT,
    "payload" TEXT,
    "amountMinor" INTEGER,
    "currency" TEXT,
    "oppref" TEXT,
    "opprefSource" TEXT,
    "requiresOptIn" BOOLEAN NOT NULL DEFAULT false,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConversionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderLedger" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "orderDedupId" TEXT NOT NULL,
    "orderName" TEXT,
    "currency" TEXT,
    "grossMinor" INTEGER,
    "refundedMinor" INTEGER NOT NULL DEFAULT 0,
    "netMinor" INTEGER,
    "cancelledAt" TIMESTAMP(3),
    "cancelReason" TEXT,
    "cancelledMinor" INTEGER NOT NULL DEFAULT 0,
    "paidAt" TIMESTAMP(3),
    "orderSeenAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderLedger_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerEntry" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "entryKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "requestedMinor" INTEGER NOT NULL,
    "appliedMinor" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT,
    "reason" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PixelReceipt" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "checkoutToken" TEXT,
    "oppref" TEXT,
    "consent" TEXT NOT NULL,
    "pixelStatus" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PixelReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_shop_topic_eventId_key" ON "WebhookDelivery"("shop", "topic", "eventId");

-- CreateIndex
CREATE INDEX "ConversionEvent_status_nextAttemptAt_idx" ON "ConversionEvent"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "ConversionEvent_shop_createdAt_idx" ON "ConversionEvent"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "ConversionEvent_shop_orderId_idx" ON "ConversionEvent"("shop", "orderId");

-- CreateIndex
CREATE INDEX "ConversionEvent_shop_status_createdAt_idx" ON "ConversionEvent"("shop", "status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ConversionEvent_shop_eventName_eventId_key" ON "ConversionEvent"("shop", "eventName", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "OrderLedger_shop_orderId_key" ON "OrderLedger"("shop", "orderId");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_shop_orderId_entryKey_key" ON "LedgerEntry"("shop", "orderId", "entryKey");

-- CreateIndex
CREATE INDEX "PixelReceipt_shop_receivedAt_idx" ON "PixelReceipt"("shop", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "PixelReceipt_shop_orderId_key" ON "PixelReceipt"("shop", "orderId");

