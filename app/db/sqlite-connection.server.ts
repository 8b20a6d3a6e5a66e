/**
 * The SQLite connection Prisma's libSQL adapter uses: one writer at a time, waiting for the lock
 * without blocking the event loop.
 *
 * SQLite allows one writer at a time per file; the web process and any `npm run worker` processes
 * share the file. Three rules make that safe instead of "database is locked" errors:
 *  - a writer that finds the file locked WAITS for up to SQLITE_BUSY_TIMEOUT_MS, then fails (a
 *    webhook then gets a 500 and Shopify delivers it again). The libSQL driver is synchronous, so
 *    SQLite's own busy_timeout would freeze the whole process (every request, health checks) while
 *    it waits: here each attempt waits at most SQLITE_BUSY_SPIN_MS inside SQLite and the rest of the
 *    wait is asynchronous retries (nothing had been written when SQLITE_BUSY is returned);
 *  - the per-connection pragmas are applied to every connection this client opens (see below), not
 *    once at start-up;
 *  - write transactions start with BEGIN IMMEDIATE (the adapter asks for DEFERRED): a deferred
 *    transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT, which no waiting can
 *    fix, when another process committed in between. Every interactive transaction here writes.
 * synchronous = FULL: a commit is on disk before we acknowledge a webhook. WAL (initDatabase in client.server.ts)
 * lets readers run beside the writer.
 */
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import type {
  Client as LibsqlClient,
  Config as LibsqlConfig,
  InStatement,
  ResultSet,
  Transaction,
} from "@libsql/client";

export const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const SQLITE_BUSY_SPIN_MS = 25;
export // secure_delete: erased rows (shop/redact, customers/redact) are overwritten with zeros instead of
// lingering in free pages until reused.
const SQLITE_CONNECTION_PRAGMAS = [
  `PRAGMA busy_timeout = ${SQLITE_BUSY_SPIN_MS}`,
  "PRAGMA synchronous = FULL",
  "PRAGMA secure_delete = ON",
];

export class SingleWriterLibSQL extends PrismaLibSQL {
  override createClient(config: LibsqlConfig): LibsqlClient {
    return singleWriterClient(() => super.createClient(config));
  }
}

function isBusy(error: unknown): boolean {
  const e = error as { code?: string; rawCode?: number; message?: string };
  return e?.code === "SQLITE_BUSY" || e?.rawCode === 5 || /SQLITE_BUSY|database is locked/i.test(e?.message ?? "");
}

/**
 * A libSQL client that waits for the write lock without blocking the event loop, and runs
 * transactions on its one connection.
 *
 * BUSY: a statement that SQLite answered BUSY is left unfinished on its connection by the driver, and
 * an unfinished statement makes a later COMMIT on that connection fail ("SQL statements in
 * progress"), so after BUSY the connection is closed and a fresh one (with the pragmas) takes its
 * place before the next try.
 *
 * Transactions: libSQL's own `transaction()` hands the connection to the transaction and opens a
 * new one for the client, with SQLite's defaults and never closing the old one: a connection (and
 * its page cache, until garbage collection) per transaction, which made a busy worker's memory grow
 * by hundreds of MB. Prisma's adapter already gives a transaction the client to itself (its mutex is
 * held from BEGIN to COMMIT), so here BEGIN IMMEDIATE … COMMIT simply run on the client's connection.
 * After a rollback the connection is replaced, so that nothing a failed statement left behind
 * outlives its transaction.
 */
function singleWriterClient(open: () => LibsqlClient): LibsqlClient {
  let current = open();
  const configure = async (client: LibsqlClient) => {
    for (const pragma of SQLITE_CONNECTION_PRAGMAS) await client.execute(pragma);
  };
  // The local client opens its first connection synchronously, so this runs before any query.
  let ready = configure(current);
  const renew = async () => {
    try {
      current.close();
    } catch {
      // already closed
    }
    current = open();
    ready = configure(current);
    await ready;
  };
  async function whileBusy<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
    for (let i = 0; ; i++) {
      await ready;
      try {
        return await attempt();
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        await renew();
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, 2 ** i)));
      }
    }
  }
  async function transaction(): Promise<Transaction> {
    await whileBusy(() => current.execute("BEGIN IMMEDIATE"));
    const connection = current;
    let open = true;
    const end = async (sql: "COMMIT" | "ROLLBACK") => {
      if (!open) return;
      open = false;
      try {
        await connection.execute(sql);
      } finally {
        if (sql === "ROLLBACK" && connection === current) await renew();
      }
    };
    const tx = {
      execute: (stmt: InStatement) => connection.execute(stmt),
      batch: async (stmts: InStatement[]) => {
        const results: ResultSet[] = [];
        for (const stmt of stmts) results.push(await connection.execute(stmt));
        return results;
      },
      executeMultiple: (sql: string) => connection.executeMultiple(sql),
      commit: () => end("COMMIT"),
      rollback: () => end("ROLLBACK"),
      close: () => void end("ROLLBACK"),
      get closed() {
        return !open;
      },
    };
    return tx as unknown as Transaction;
  }
  return new Proxy(current, {
    get(_target, property) {
      if (property === "transaction") return transaction;
      if (property === "execute" || property === "batch") {
        return (...args: unknown[]) =>
          whileBusy(() => (current[property] as (...a: unknown[]) => Promise<unknown>).apply(current, args));
      }
      const value = Reflect.get(current, property, current);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
