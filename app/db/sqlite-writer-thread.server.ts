/**
 * A SQLite write connection on a thread of its own, for the webhook inbox append.
 *
 * libSQL's driver is synchronous: a commit with `synchronous = FULL` (the fsync that makes an
 * acknowledged webhook durable) blocks whichever thread runs it for 1–2 ms. On the event loop that
 * meant every request waiting behind every commit, and at high webhook rates the loop spent most of
 * its time in fsync (figures: docs/PERFORMANCE.md). Here the statement and its fsync run on a worker thread and
 * the event loop only posts the rows and awaits the answer, which comes after the commit, exactly
 * as before. Waiting for the write lock may also block that thread, not the loop, so SQLite's own
 * busy_timeout can do the waiting — even when the lock is held by a Prisma transaction of this same
 * process, which keeps running on the loop meanwhile.
 *
 * Checkpoints stay out of the acknowledgement path too. By default SQLite checkpoints inside the
 * commit that takes the WAL past 1,000 pages: that commit copies ~4 MB into the database file and
 * fsyncs it, which is slow under load, and every webhook waiting in that group waited as long
 * (docs/PERFORMANCE.md has the measured tail latencies). Here a
 * second thread, with a connection of its own, runs PASSIVE checkpoints (they never block the writer)
 * at most every CHECKPOINT_INTERVAL_MS while appends come in, and the writer's own automatic
 * checkpoint only starts at WAL_AUTOCHECKPOINT_PAGES. It is still needed: with appends arriving
 * back to back, a background checkpoint never finds the WAL idle, so only a checkpoint inside a
 * commit lets the next transaction start the WAL from the beginning again — and by then the
 * background has copied nearly everything, so that one is short.
 *
 * The threads' code is small CommonJS scripts that load the same `libsql` package @libsql/client
 * uses, resolved here; requests, replies and the thread's lifetime are app/lib/request-thread.server.ts.
 */
import { createRequire } from "node:module";
import { startRequestThread } from "~/lib/request-thread.server";

export interface SqliteWriterThread {
  /** Runs one statement (its own transaction); resolves once it is committed. */
  run(sql: string, args: readonly (string | number | null)[]): Promise<void>;
  /** The thread connection's settings as SQLite reports them, and the background checkpoints so far. */
  settings(): Promise<WriterThreadSettings>;
  close(): Promise<void>;
}

interface WriterThreadSettings {
  synchronous: number;
  busyTimeoutMs: number;
  walAutocheckpointPages: number;
  /** Background checkpoints that ran and the WAL frames they copied; null if that thread failed. */
  checkpoints: { runs: number; framesCopied: number } | null;
}

/** How often, at most, the background thread checkpoints while appends come in. */
const CHECKPOINT_INTERVAL_MS = 200;
/** The writer's own (in-commit) checkpoint starts here: ~16 MB of WAL instead of SQLite's 4 MB. */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;

const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsqlPath);
const db = new Database(workerData.path);
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
db.pragma("synchronous = FULL");
db.pragma("secure_delete = ON");
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
let runs = 0;
let framesCopied = 0;
parentPort.on("message", (message) => {
  if (message === "report") return parentPort.postMessage({ runs, framesCopied });
  try {
    // all(): runs the statement to its end, so no read transaction stays open between checkpoints
    const [result] = checkpoint.all();
    runs += 1;
    framesCopied += Math.max(0, Number(result.checkpointed) || 0);
  } catch {
    // Busy (another connection is checkpointing) or an I/O error: the next request, or the
    // writer's own automatic checkpoint, does it.
  }
});
`;

const THREAD_SOURCE = `
const { parentPort, workerData, Worker } = require("node:worker_threads");
const Database = require(workerData.libsqlPath);
const db = new Database(workerData.path);
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
db.pragma("synchronous = FULL");
db.pragma("secure_delete = ON");
db.pragma("wal_autocheckpoint = " + workerData.walAutocheckpointPages);
// Ends with this thread (a worker's own workers are stopped with it). If it fails, appends go on:
// the writer's own automatic checkpoint still bounds the WAL, only later and inside a commit.
const checkpointer = new Worker(workerData.checkpointerSource, { eval: true, workerData });
checkpointer.unref();
let checkpointerAlive = true;
checkpointer.on("error", () => {});
checkpointer.on("exit", () => {
  checkpointerAlive = false;
});
let lastCheckpointAt = 0;
const statements = new Map();
parentPort.on("message", ({ id, sql, args }) => {
  try {
    if (sql === null) {
      const read = (name) => Object.values(db.prepare("PRAGMA " + name).get())[0];
      const own = { synchronous: read("synchronous"), busyTimeoutMs: read("busy_timeout"), walAutocheckpointPages: read("wal_autocheckpoint") };
      const reply = (checkpoints) => {
        checkpointer.off("message", reply);
        checkpointer.off("exit", noReport);
        parentPort.postMessage({ id, reply: { ...own, checkpoints } });
      };
      const noReport = () => reply(null);
      if (!checkpointerAlive) return noReport();
      checkpointer.on("message", reply);
      checkpointer.on("exit", noReport);
      return checkpointer.postMessage("report");
    }
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (statements.size < 32) statements.set(sql, statement);
    }
    statement.run(args);
    parentPort.postMessage({ id });
    const now = Date.now();
    if (checkpointerAlive && now - lastCheckpointAt >= workerData.checkpointIntervalMs) {
      lastCheckpointAt = now;
      checkpointer.postMessage("checkpoint");
    }
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String((error && error.message) || error), code: error && error.code } });
  }
});
`;

/** The file a `file:` DATABASE_URL names, as @libsql/client reads it (`file:./x`, `file:/x`, `file:///x`). */
export function sqlitePathOf(databaseUrl: string): string {
  const withoutQuery = databaseUrl.replace(/\?.*$/, "");
  return decodeURIComponent(withoutQuery.replace(/^file:(\/\/(?=\/))?/, ""));
}

export class SqliteWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "SqliteWriteError";
  }
}

export function startSqliteWriterThread(
  databaseUrl: string,
  options: { busyTimeoutMs: number; walAutocheckpointPages?: number; checkpointIntervalMs?: number },
): SqliteWriterThread {
  const libsqlPath = createRequire(import.meta.url).resolve("libsql");
  // A statement in flight when the thread dies may or may not have committed: its callers get an
  // error (their webhooks a 500, so Shopify delivers them again; the inbox ignores duplicates).
  const thread = startRequestThread<{ sql: string | null; args: readonly unknown[] }, WriterThreadSettings | undefined>(
    {
      name: "SQLite writer thread",
      source: THREAD_SOURCE,
      workerData: () => ({
        libsqlPath,
        path: sqlitePathOf(databaseUrl),
        busyTimeoutMs: options.busyTimeoutMs,
        walAutocheckpointPages: options.walAutocheckpointPages ?? WAL_AUTOCHECKPOINT_PAGES,
        checkpointIntervalMs: options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS,
        checkpointerSource: CHECKPOINTER_SOURCE,
      }),
      toError: (error) => new SqliteWriteError(error.message, error.code),
    },
  );
  return {
    run: async (sql, args) => void (await thread.request({ sql, args })),
    settings: async () => (await thread.request({ sql: null, args: [] }))!,
    close: () => thread.close(),
  };
}
