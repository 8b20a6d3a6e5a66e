/**
 * A driver connection of its own, beside Prisma, for ONE hot statement: the webhook inbox append
 * (WEBHOOK_ACK=stored), where each webhook is acknowledged after its commit. Through Prisma's JS
 * engine every bound string crosses its query compiler, which costs about three times the driver's
 * CPU for a batch of encrypted bodies (docs/PERFORMANCE.md has the figures). Everything else stays
 * on Prisma.
 *
 * Same databases, same safety rules: SQLite gets a connection with synchronous = FULL on a thread
 * of its own (the commit is durable before the promise resolves, and its fsync no longer blocks the
 * event loop); being a separate connection, a Prisma transaction that is open meanwhile can never
 * swallow (or roll back) these rows. Postgres gets a connection of its own (a pool of one by default:
 * the group committer writes one INSERT at a time).
 *
 * `sql` uses `?` placeholders (numbered for Postgres here) and must not contain a literal `?`.
 * Dates are written exactly as the Prisma adapters write them, so comparisons with rows Prisma
 * wrote (SQLite keeps DateTime as text) stay right.
 */
import pg from "pg";
import { startSqliteWriterThread } from "./sqlite-writer-thread.server";
import { databaseProvider, databaseUrl } from "./provider.server";
import { SQLITE_BUSY_TIMEOUT_MS } from "./sqlite-connection.server";

export type DriverValue = string | number | null | Date;

export interface DriverWriter {
  /** Runs one statement in its own transaction; resolves once it is committed. */
  execute(sql: string, args: readonly DriverValue[]): Promise<void>;
  close(): Promise<void>;
}

export function openDriverWriter(options: { databaseUrl?: string; connections?: number } = {}): DriverWriter {
  const url = options.databaseUrl ?? databaseUrl();
  if (databaseProvider(url) === "postgres") {
    const pool = new pg.Pool({ connectionString: url, max: options.connections ?? 1, allowExitOnIdle: true });
    // An idle connection that drops (server restart) must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    return {
      async execute(sql, args) {
        let n = 0;
        const numbered = sql.replace(/\?/g, () => `$${++n}`);
        await pool.query(
          numbered,
          args.map((v) => (v instanceof Date ? postgresTimestamp(v) : v)),
        );
      },
      close: () => pool.end(),
    };
  }
  // On a thread of its own, so the commit's fsync and any wait for the write lock never block the
  // event loop (app/db/sqlite-writer-thread.server.ts).
  const thread = startSqliteWriterThread(url, { busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS });
  return {
    execute: (sql, args) =>
      thread.run(
        sql,
        args.map((v) => (v instanceof Date ? sqliteTimestamp(v) : v)),
      ),
    close: () => thread.close(),
  };
}

/** What @prisma/adapter-libsql writes for a DateTime (ISO 8601, "+00:00"). */
export function sqliteTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

/** What @prisma/adapter-pg writes for a timestamp(3) column: UTC, no zone. */
export function postgresTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}
