/**
 * Which database DATABASE_URL names:
 *   file:…             SQLite through the libSQL driver adapter (one machine; the default)
 *   postgres(ql)://…   Postgres through the pg driver adapter (production, many instances)
 * The one place that tells them apart: the Prisma client, the driver writer and the raw SQL that
 * differs by dialect all ask here.
 */
import { configValue } from "~/config.server";

export type DatabaseProvider = "sqlite" | "postgres";

export function databaseProvider(databaseUrl: string): DatabaseProvider {
  if (databaseUrl.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return "postgres";
  throw new Error("DATABASE_URL must start with file: (SQLite) or postgres:// / postgresql:// (Postgres)");
}

export function databaseUrl(): string {
  return configValue("DATABASE_URL");
}

export function currentDatabaseProvider(): DatabaseProvider {
  return databaseProvider(databaseUrl());
}

/**
 * The database a given client speaks to: Prisma's own provider name when the client carries it (a
 * client made for another database than DATABASE_URL's, as the benchmarks and some tests make), else
 * DATABASE_URL's.
 */
export function providerOfClient(client: object): DatabaseProvider {
  const provider = (client as { _activeProvider?: string })._activeProvider;
  if (provider) return provider === "postgresql" || provider === "postgres" ? "postgres" : "sqlite";
  return currentDatabaseProvider();
}
