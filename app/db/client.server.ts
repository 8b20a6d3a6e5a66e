/**
 * The one Prisma client of the process, for DATABASE_URL (app/db/provider.server.ts says which
 * database that is), and the start-up check. The pieces live beside it, one concern per file:
 * prisma-client.server.ts (making a client), sqlite-connection.server.ts (SQLite's single writer),
 * driver-writer.server.ts (the inbox's driver connection); the names other rooms use are re-exported
 * here so that `~/db/client.server` stays the one door into the database.
 */
import type { PrismaClient } from "@prisma/client";
import { createPrismaClient } from "./prisma-client.server";
import { currentDatabaseProvider, databaseUrl } from "./provider.server";
import { SQLITE_CONNECTION_PRAGMAS } from "./sqlite-connection.server";

export { createPrismaClient } from "./prisma-client.server";
export { currentDatabaseProvider } from "./provider.server";
export { SQLITE_BUSY_TIMEOUT_MS } from "./sqlite-connection.server";
export {
  openDriverWriter,
  postgresTimestamp,
  sqliteTimestamp,
  type DriverValue,
  type DriverWriter,
} from "./driver-writer.server";

declare global {
  var __prisma: PrismaClient | undefined;
}

// One client per process (and per dev-server reload).
const prisma: PrismaClient = (globalThis.__prisma ??= createPrismaClient(databaseUrl()));

export default prisma;

/**
 * Start-up check and file-level settings. SQLite: WAL lets readers run beside the writer (the mode
 * is stored in the file); the per-connection pragmas are applied by the client above. Postgres:
 * nothing to set, but connect now so a wrong URL stops start-up instead of the first webhook.
 */
export async function initDatabase(client: PrismaClient = prisma): Promise<void> {
  if (currentDatabaseProvider() === "postgres") {
    await client.$queryRawUnsafe("SELECT 1");
    return;
  }
  for (const pragma of SQLITE_CONNECTION_PRAGMAS) await client.$queryRawUnsafe(pragma);
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
}
