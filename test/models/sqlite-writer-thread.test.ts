/**
 * The SQLite write connection on its own thread (app/db/sqlite-writer-thread.server.ts), used for the
 * webhook inbox append: durable commits (synchronous = FULL), lock waits that happen on the thread,
 * errors that reach the caller, and the file it opens being the one DATABASE_URL names.
 */
import { afterAll, describe, expect, it } from "vitest";
import prisma, { currentDatabaseProvider, SQLITE_BUSY_TIMEOUT_MS } from "~/db/client.server";
import {
  sqlitePathOf,
  SqliteWriteError,
  startSqliteWriterThread,
  WAL_AUTOCHECKPOINT_PAGES,
} from "~/db/sqlite-writer-thread.server";

describe("the file a file: URL names", () => {
  it.each([
    ["file:./prisma/dev.sqlite", "./prisma/dev.sqlite"],
    ["file:/tmp/a b.sqlite", "/tmp/a b.sqlite"],
    ["file:///tmp/x.sqlite", "/tmp/x.sqlite"],
    ["file:/tmp/x.sqlite?connection_limit=1", "/tmp/x.sqlite"],
    ["file:/tmp/caf%C3%A9.sqlite", "/tmp/café.sqlite"],
  ])("%s → %s", (url, path) => {
    expect(sqlitePathOf(url)).toBe(path);
  });
});

describe.skipIf(currentDatabaseProvider() !== "sqlite")("SQLite writer thread", () => {
  const thread = startSqliteWriterThread(process.env.DATABASE_URL!, { busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS });
  const SHOP = "writer-thread.myshopify.com";
  afterAll(async () => {
    await thread.close();
    await prisma.webhookInbox.deleteMany({ where: { shop: { in: [SHOP, `checkpoint-${SHOP}`] } } });
  });

  it("commits durably (synchronous = FULL), waits for the lock on its own thread, checkpoints late in its commits", async () => {
    expect(await thread.settings()).toMatchObject({
      synchronous: 2,
      busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
      walAutocheckpointPages: WAL_AUTOCHECKPOINT_PAGES,
    });
  });

  it("a background thread copies the WAL into the database file while appends come in", async () => {
    const checkpointing = startSqliteWriterThread(process.env.DATABASE_URL!, {
      busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
      checkpointIntervalMs: 0,
    });
    try {
      expect((await checkpointing.settings()).checkpoints).toEqual({ runs: 0, framesCopied: 0 });
      const insert = `INSERT INTO "WebhookInbox" ("path", "shop", "topic", "eventId", "webhookId", "apiVersion", "triggeredAt", "bodyCiphertext", "receivedAt", "nextAttemptAt", "attempts") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`;
      const at = "2026-11-25T00:00:00.000+00:00";
      for (const id of ["c1", "c2", "c3"])
        await checkpointing.run(insert, [
          "/webhooks/orders/create",
          `checkpoint-${SHOP}`,
          "orders/create",
          id,
          "wh",
          "2026-10",
          null,
          "x".repeat(5000),
          at,
          at,
        ]);
      // The report is asked for after the last commit's checkpoint request, so it counts that one.
      const { checkpoints } = await checkpointing.settings();
      expect(checkpoints?.runs).toBe(3);
      expect(checkpoints?.framesCopied).toBeGreaterThan(0);
    } finally {
      await checkpointing.close();
    }
  });

  it("writes to the test database file; a failing statement rejects and the thread goes on", async () => {
    const insert = `INSERT INTO "WebhookInbox" ("path", "shop", "topic", "eventId", "webhookId", "apiVersion", "triggeredAt", "bodyCiphertext", "receivedAt", "nextAttemptAt", "attempts") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`;
    const at = "2026-11-25T00:00:00.000+00:00";
    await thread.run(insert, [
      "/webhooks/orders/create",
      SHOP,
      "orders/create",
      "one",
      "wh",
      "2026-10",
      null,
      "x",
      at,
      at,
    ]);
    const failure = await thread.run(`INSERT INTO "NoSuchTable" VALUES (?)`, [1]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SqliteWriteError);
    expect((failure as Error).message).toMatch(/no such table/i);
    await thread.run(insert, [
      "/webhooks/orders/create",
      SHOP,
      "orders/create",
      "two",
      "wh",
      "2026-10",
      null,
      "x",
      at,
      at,
    ]);
    expect((await prisma.webhookInbox.findMany({ where: { shop: SHOP } })).map((r) => r.eventId).sort()).toEqual([
      "one",
      "two",
    ]);
  });

  it("after close, statements are refused instead of hanging", async () => {
    const other = startSqliteWriterThread(process.env.DATABASE_URL!, { busyTimeoutMs: 100 });
    await other.settings();
    await other.close();
    await expect(other.run("SELECT 1", [])).rejects.toThrow(/closed/);
  });
});
