-- Money in minor units and the inbox's id become 64-bit: INTEGER stops at 2^31 - 1 (an IDR order of
-- 21,474,836.48 already overflows it). Each ALTER rewrites its table under an exclusive lock: run it
-- in a quiet moment on a large database.

-- AlterTable
ALTER TABLE "ConversionEvent" ALTER COLUMN "amountMinor" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "OrderLedger" ALTER COLUMN "grossMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "refundedMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "netMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "cancelledMinor" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "LedgerEntry" ALTER COLUMN "requestedMinor" SET DEFAULT 0,
ALTER COLUMN "requestedMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "appliedMinor" SET DATA TYPE BIGINT;

-- AlterTable: SERIAL → BIGSERIAL is the column's type and its sequence's (Prisma would write
-- "SET DATA TYPE BIGSERIAL", which is not a type Postgres accepts).
ALTER TABLE "WebhookInbox" ALTER COLUMN "id" SET DATA TYPE BIGINT;
ALTER SEQUENCE "WebhookInbox_id_seq" AS BIGINT;
