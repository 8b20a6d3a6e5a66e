/**
 * The one Prisma client. DATABASE_URL picks the database:
 *   file:…             SQLite through the libSQL driver adapter (one machine; the default)
 *   postgres(ql)://…   Postgres through the pg driver adapter (production, many instances)
 * Driver adapters keep Prisma free of downloaded engines, so everything runs offline.
 *
 * Prisma generates one client per schema/provider. Both are generated at install (`npm run
 * db:generate`): prisma/schema.prisma → node_modules/.prisma/client (the default `@prisma/client`),
 * prisma/postgres/schema.prisma → node_modules/.prisma/client-postgres. The models are the same
 * (prisma/postgres/schema.prisma is derived from the SQLite one and checked at start-up), so the
 * Postgres client has the same model types and is typed as the default `PrismaClient` everywhere.
 */
import { createRequire } from "node:module";
import { configValue } from "~/config.server";
import { Prisma, PrismaClient } from "@prisma/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import type {
  Client as LibsqlClient,
  Config as LibsqlConfig,
  InStatement,
  ResultSet,
  Transaction,
} from "@libsql/client";
import pg from "pg";
import { startSqliteWriterThread } from "~/db/sqlite-writer-thread.server";

declare global {
  var __prisma: PrismaClient | undefined;
}

export type DatabaseProvider = "sqlite" | "postgres";

export function databaseProvider(databaseUrl: string): DatabaseProvider {
  if (databaseUrl.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return "postgres";
  throw new Error("DATABASE_URL must start with file: (SQLite) or postgres:// / postgresql:// (Postgres)");
}

export function createPrismaClient(databaseUrl: string): PrismaClient {
  if (databaseProvider(databaseUrl) === "postgres") {
    const { PrismaClient: PostgresPrismaClient } = loadPostgresClient();
    const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize() });
    return withoutNulCharacters(new PostgresPrismaClient({ adapter }) as PrismaClient);
  }
  return new PrismaClient({ adapter: new SingleWriterLibSQL({ url: databaseUrl }) });
}

interface GeneratedClientModule {
  PrismaClient: new (options: { adapter: PrismaPg }) => unknown;
  Prisma: {
    dmmf: { datamodel: { models: readonly { name: string; fields: readonly { name: string; type: string }[] }[] } };
    PrismaClientKnownRequestError: unknown;
  };
}

/**
 * The Postgres client is loaded with Node's resolver at run time (not bundled): it is CommonJS that
 * reads its query-compiler WebAssembly from its own folder, exactly like the default client, which
 * both bundlers (Remix/Vite, esbuild) also leave in node_modules. scripts/generate-prisma-clients.mjs
 * generates it and points it at @prisma/client's runtime, so `Prisma.sql`/`Prisma.raw` fragments and
 * `Prisma.PrismaClientKnownRequestError` are the same classes for both databases.
 */
function loadPostgresClient(): GeneratedClientModule {
  const requireFromHere = createRequire(import.meta.url);
  let generated: GeneratedClientModule;
  try {
    generated = requireFromHere(".prisma/client-postgres") as GeneratedClientModule;
  } catch (error) {
    throw new Error(
      "DATABASE_URL is Postgres but the Postgres Prisma client is not generated: run `npm run db:generate` " +
        `(npm install does it)${error instanceof Error ? ` (${error.message.split("\n")[0]})` : ""}`,
    );
  }
  assertSameModels(Prisma.dmmf.datamodel.models, generated.Prisma.dmmf.datamodel.models);
  if (generated.Prisma.PrismaClientKnownRequestError !== Prisma.PrismaClientKnownRequestError) {
    // A bare `prisma generate` leaves the Postgres client with its own runtime copy: `Prisma.sql`
    // fragments would be sent as text and `instanceof` checks would fail. Refuse to start instead.
    throw new Error("The Postgres Prisma client does not share @prisma/client's runtime: run `npm run db:generate`");
  }
  return generated;
}

/** A schema change regenerates the default client; a stale Postgres one would fail on every query. */
function assertSameModels(
  expected: GeneratedClientModule["Prisma"]["dmmf"]["datamodel"]["models"],
  actual: GeneratedClientModule["Prisma"]["dmmf"]["datamodel"]["models"],
) {
  const shape = (models: typeof expected) =>
    models
      .map((m) => `${m.name}(${m.fields.map((f) => `${f.name}:${f.type}`).join(",")})`)
      .sort()
      .join(" ");
  if (shape(expected) !== shape(actual)) {
    throw new Error(
      "The Postgres Prisma client does not match prisma/schema.prisma: run `npm run db:postgres-schema`, " +
        "add the Postgres migration, then `npm run db:generate`",
    );
  }
}

/**
 * Postgres text cannot hold U+0000 (SQLite can): a webhook whose order name or refund id carries one
 * would fail to store, get a 500, and be retried by Shopify for hours. Every string a model query
 * sends is stripped of it (reads and writes alike, so lookups stay consistent with what was stored).
 */
function withoutNulCharacters(client: PrismaClient): PrismaClient {
  return client.$extends({
    query: {
      $allModels: {
        $allOperations({ args, query }) {
          return query(stripNul(args) as typeof args);
        },
      },
    },
  }) as unknown as PrismaClient;
}

function stripNul(value: unknown): unknown {
  if (typeof value === "string") return value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
  if (Array.isArray(value)) return value.map(stripNul);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = stripNul(item);
    return out;
  }
  return value;
}

/** Connections per process (pg pool, DATABASE_POOL_SIZE). Web processes group-commit, so a few go a long way. */
function poolSize(): number {
  return configValue("DATABASE_POOL_SIZE");
}

/**
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
 * synchronous = FULL: a commit is on disk before we acknowledge a webhook. WAL (initDatabase) lets
 * readers run beside the writer.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const SQLITE_BUSY_SPIN_MS = 25;
// secure_delete: erased rows (shop/redact, customers/redact) are overwritten with zeros instead of
// lingering in free pages until reused.
const SQLITE_CONNECTION_PRAGMAS = [
  `PRAGMA busy_timeout = ${SQLITE_BUSY_SPIN_MS}`,
  "PRAGMA synchronous = FULL",
  "PRAGMA secure_delete = ON",
];

class SingleWriterLibSQL extends PrismaLibSQL {
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

function databaseUrl(): string {
  return configValue("DATABASE_URL");
}

// One client per process (and per dev-server reload).
const prisma: PrismaClient = (globalThis.__prisma ??= createPrismaClient(databaseUrl()));

export default prisma;

export function currentDatabaseProvider(): DatabaseProvider {
  return databaseProvider(databaseUrl());
}

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

/**
 * A driver connection of its own, beside Prisma, for ONE hot statement: the webhook inbox append
 * (WEBHOOK_ACK=stored), where each webhook is acknowledged after its commit. Measured on this
 * machine, a 32-row INSERT of ~2.5 KB encrypted bodies costs about 3.8 ms of CPU through Prisma's
 * JS engine (every bound string crosses its query compiler) and 1.3 ms through the driver: some
 * 80 µs per webhook, a quarter of the whole request. Everything else stays on Prisma.
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
