/**
 * Scratch databases (each test run's, the bench's) are dropped without WITH (FORCE) first, because
 * FORCE fails when autovacuum is busy on them and the user is not a superuser; a client that is
 * still connected is waited for. Postgres only.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { currentDatabaseProvider } from "~/db/client.server";
import { dropPostgresDatabase } from "../../scripts/postgres-databases";
import { postgresTestSettings, withDatabase } from "../helpers/test-database";

describe.skipIf(currentDatabaseProvider() !== "postgres")("dropping a scratch Postgres database", () => {
  it("waits for a client that is still connected, then drops it", async () => {
    const serverUrl = postgresTestSettings().serverUrl;
    const name = `${process.env.TEST_POSTGRES_DB_PREFIX}_drop_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
      const lingering = new pg.Client({ connectionString: withDatabase(serverUrl, name) });
      await lingering.connect();
      // The lingering client leaves only after the first attempts have found it connected.
      let attemptsSeen = 0;
      // It is still served after those attempts (nobody terminated it: no FORCE while waiting).
      const leave = new Promise<void>((resolve, reject) =>
        setTimeout(
          () =>
            void lingering
              .query("SELECT 1 AS still_here")
              .then((r) => {
                expect(r.rows).toEqual([{ still_here: 1 }]);
                return lingering.end();
              })
              .then(resolve, reject),
          600,
        ),
      );
      const dropped = dropPostgresDatabase(admin, name, { attempts: 40, waitMs: 100 }).then(() => void attemptsSeen++);
      await Promise.all([leave, dropped]);
      expect(attemptsSeen).toBe(1);
      const { rows } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      expect(rows).toEqual([]);
      // Dropping what is not there is fine (IF EXISTS).
      await dropPostgresDatabase(admin, name);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  });
});
