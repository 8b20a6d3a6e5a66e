/**
 * The one Prisma client. SQLite (libSQL driver adapter) by default; the adapter keeps Prisma free of
 * downloaded engines so everything runs offline.
 */
import { PrismaClient } from "@prisma/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";

declare global {
  // eslint-disable-next-line no-var
  var __prisma: PrismaClient | undefined;
}

export function createPrismaClient(databaseUrl: string): PrismaClient {
  if (!databaseUrl.startsWith("file:")) {
    throw new Error("DATABASE_URL: only SQLite (file:) is supported by this build");
  }
  return new PrismaClient({ adapter: new PrismaLibSQL({ url: databaseUrl }) });
}

function databaseUrl(): string {
  return process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
}

// One client per process (and per dev-server reload).
const prisma: PrismaClient = (globalThis.__prisma ??= createPrismaClient(databaseUrl()));

export default prisma;

/**
 * SQLite settings for a web process and worker processes sharing one file: WAL lets readers run
 * beside the writer, busy_timeout makes a writer wait for the lock instead of failing at once,
 * synchronous=FULL makes every commit durable before we acknowledge a webhook.
 */
export async function initDatabase(client: PrismaClient = prisma): Promise<void> {
  if (!(process.env.DATABASE_URL ?? "file:").startsWith("file:")) return;
  await client.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$queryRawUnsafe("PRAGMA synchronous = FULL");
}
