/**
 * Which database the test suite runs on. SQLite by default; `TEST_DATABASE_PROVIDER=postgres` with
 * `TEST_POSTGRES_URL` (defaults to what scripts/ci/start-postgres.sh prints) runs everything on Postgres.
 */
type TestDatabaseProvider = "sqlite" | "postgres";

const DEFAULT_TEST_POSTGRES_URL = "postgresql://oppref:oppref@127.0.0.1:5432/oppref";
export const POSTGRES_WORKER_IDS = ["0", "1", "2", "3", "4", "5", "6", "7", "8"];

export function testDatabaseProvider(): TestDatabaseProvider {
  return process.env.TEST_DATABASE_PROVIDER === "postgres" ? "postgres" : "sqlite";
}

export function postgresTestSettings() {
  const serverUrl = process.env.TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL;
  const redacted = new URL(serverUrl);
  if (redacted.password) redacted.password = "***";
  return { serverUrl, redactedUrl: redacted.toString() };
}

/** The same server and credentials, another database. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** This vitest worker's database URL. */
export function workerDatabaseUrl(): string {
  const poolId = process.env.VITEST_POOL_ID ?? "0";
  if (testDatabaseProvider() === "postgres") {
    const prefix = process.env.TEST_POSTGRES_DB_PREFIX;
    if (!prefix) throw new Error("TEST_POSTGRES_DB_PREFIX is not set: test/global-setup.ts did not run");
    return withDatabase(postgresTestSettings().serverUrl, `${prefix}_${poolId}`);
  }
  return `file:${process.env.TEST_RUN_DIR}/test-${poolId}.sqlite`;
}
