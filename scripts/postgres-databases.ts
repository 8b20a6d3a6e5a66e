/**
 * Dropping a scratch Postgres database (the test run's and the bench's) reliably.
 *
 * `DROP DATABASE … WITH (FORCE)` terminates every session on it, but a user that is not a superuser
 * may not terminate an autovacuum worker, so it fails exactly when autovacuum is busy on a big table
 * (the bench's million queued events). A plain `DROP DATABASE` makes autovacuum leave by itself; it
 * fails only while a client is still connected — typically a process we just killed whose backend
 * has not noticed yet — so it is retried for a few seconds before falling back to FORCE.
 */
import type pg from "pg";

const OBJECT_IN_USE = "55006";

export async function dropPostgresDatabase(
  admin: pg.Client,
  name: string,
  options: { attempts?: number; waitMs?: number } = {},
): Promise<void> {
  const attempts = options.attempts ?? 20;
  const quoted = `"${name.replaceAll('"', '""')}"`;
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoted}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== OBJECT_IN_USE) throw error;
      if (attempt >= attempts) {
        await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, options.waitMs ?? 250));
    }
  }
}
