/** What the readiness probe (app/ops/readiness.server.ts) asks the database. */
import type { PrismaClient } from "@prisma/client";
import prisma from "~/db/client.server";

/** Migrations Prisma recorded as applied (finished, not rolled back); throws when the table is missing. */
export async function appliedMigrationNames(client: PrismaClient = prisma): Promise<string[]> {
  const rows = await client.$queryRaw<{ migration_name: string }[]>`
    SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
  return rows.map((r) => r.migration_name);
}

/**
 * The key ids named by stored encryption envelopes ("v1.<8-char key id>.…": app/security/encryption.server.ts):
 * Conversions API keys and inbox bodies. A value whose key is not configured can never be read.
 */
export async function storedEncryptionKeyIds(client: PrismaClient = prisma): Promise<string[]> {
  const rows = await client.$queryRaw<{ keyId: string }[]>`
    SELECT DISTINCT substr("apiKeyCiphertext", 4, 8) AS "keyId" FROM "ShopSettings" WHERE "apiKeyCiphertext" IS NOT NULL
    UNION
    SELECT DISTINCT substr("bodyCiphertext", 4, 8) AS "keyId" FROM "WebhookInbox"`;
  return rows.map((r) => r.keyId);
}
