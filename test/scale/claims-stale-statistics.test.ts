/**
 * Claims stay bounded and run once when Postgres' statistics say nothing is due (the "delivery
 * stalled" of docs/PERFORMANCE.md).
 *
 * Autovacuum analyzes a table at moments of its own choosing. When it last looked while every event
 * was delivered, or not yet due (a seeded backlog, a wave of retries after a 429), the planner
 * estimates that ONE row is due. With the claim written as `"id" IN (SELECT … LIMIT n FOR UPDATE
 * SKIP LOCKED)` it then chose a nested-loop semi-join that ran the locking sub-select again for every
 * due row: each run skipped the rows already taken and locked the next ones, so one claim took EVERY
 * due row, ignoring its limit, in O(due rows²) (20,000 due events: both bench workers inside their
 * first claim for minutes, nothing delivered, nothing logged).
 *
 * Here that statistics state is made on purpose, in a database of this test's own (so no other
 * test's rows or autovacuum can change the estimates): rows analyzed while not yet due, then made
 * due. The claims must take exactly their limit. No timing is involved: the broken plan fails the
 * count, however fast or slow the machine.
 */
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { currentDatabaseProvider } from "~/db/client.server";
import { encryptSecret } from "~/security/encryption.server";
import { keyRing } from "~/security/keyring.server";
import { postgresTestSettings, withDatabase } from "../helpers/test-database";

type ClaimModule = typeof import("~/outbox/claim.server");
type InboxModule = typeof import("~/models/webhook-inbox.server");

const ROWS = 400;
const SHOPS = 4;

describe.skipIf(currentDatabaseProvider() !== "postgres")(
  "claims when the statistics say nothing is due (Postgres)",
  () => {
    const database = `${process.env.TEST_POSTGRES_DB_PREFIX}_claims_${process.pid}`;
    const serverUrl = postgresTestSettings().serverUrl;
    let sql: pg.Client;
    let client: PrismaClient;
    let claims: ClaimModule;
    let inbox: InboxModule;

    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${database}" TEMPLATE "${process.env.TEST_POSTGRES_DB_PREFIX}_template"`);
      } finally {
        await admin.end();
      }
      const url = withDatabase(serverUrl, database);
      sql = new pg.Client({ connectionString: url });
      await sql.connect();
      // Only this test decides when the tables are analyzed.
      await sql.query(`ALTER TABLE "ConversionEvent" SET (autovacuum_enabled = false)`);
      await sql.query(`ALTER TABLE "WebhookInbox" SET (autovacuum_enabled = false)`);

      // The app's own claim functions, on this database: app/db/client.server.ts makes one client per process
      // from DATABASE_URL, so load fresh copies of the modules with the URL pointing here.
      const saved = { url: process.env.DATABASE_URL, prisma: globalThis.__prisma };
      vi.resetModules();
      process.env.DATABASE_URL = url;
      globalThis.__prisma = undefined;
      try {
        client = (await import("~/db/client.server")).default;
        claims = await import("~/outbox/claim.server");
        inbox = await import("~/models/webhook-inbox.server");
      } finally {
        process.env.DATABASE_URL = saved.url;
        globalThis.__prisma = saved.prisma;
        vi.resetModules();
      }
    });

    afterAll(async () => {
      await client?.$disconnect();
      await sql?.end();
      // Nothing of ours is connected any more. A plain DROP also stops an autovacuum worker that may be
      // visiting the database (WITH (FORCE) may not: it runs as a superuser). A database left behind
      // is dropped by the next run's global setup, like every oppref_test_* database.
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${database}"`).catch(() => undefined);
      await admin.end();
    });

    beforeEach(async () => {
      await sql.query(`TRUNCATE "ConversionEvent", "WebhookInbox"`);
    });

    /** What the planner believes about `condition` (its row estimate for a plain SELECT). */
    async function estimatedRows(table: string, condition: string): Promise<number> {
      const { rows } = await sql.query(`EXPLAIN (FORMAT JSON) SELECT "id" FROM "${table}" WHERE ${condition}`);
      return (rows[0]["QUERY PLAN"] as { Plan: { "Plan Rows": number } }[])[0].Plan["Plan Rows"];
    }

    /** ROWS events of SHOPS shops, analyzed while in `status` with `column` an hour ahead, then made due. */
    async function eventsAnalyzedBeforeTheyWereDue(
      status: "pending" | "sending",
      column: "nextAttemptAt" | "leaseUntil",
    ) {
      await sql.query(
        `INSERT INTO "ConversionEvent" ("id", "shop", "eventType", "eventName", "eventId", "status", "payload", "occurredAt", "expiresAt",
         "nextAttemptAt", "leaseOwner", "leaseUntil", "updatedAt")
       SELECT 'stale-' || i, 'stale-' || (i % ${SHOPS}) || '.myshopify.com', 'order_created', 'order_created', 'ev-' || i, $1::text, '{}',
         now(), now() + interval '6 days', now() + interval '1 hour',
         CASE WHEN $1::text = 'sending' THEN 'w-dead:1' END, CASE WHEN $1::text = 'sending' THEN now() + interval '1 hour' END, now()
       FROM generate_series(1, ${ROWS}) AS s(i)`,
        [status],
      );
      await sql.query(`ANALYZE "ConversionEvent"`);
      await sql.query(`UPDATE "ConversionEvent" SET "${column}" = now() - interval '1 minute'`);
    }

    it("a claim of pending events takes at most maxEvents of them, once", async () => {
      await eventsAnalyzedBeforeTheyWereDue("pending", "nextAttemptAt");
      // The scenario: every row is due, the planner believes about one is.
      expect(
        await estimatedRows("ConversionEvent", `"status" = 'pending' AND "nextAttemptAt" <= now()`),
      ).toBeLessThanOrEqual(1);

      const first = await claims.claimDueBatches({ workerId: "stale-stats", now: new Date(), maxEvents: 25 });
      expect(first.flatMap((b) => b.events)).toHaveLength(25);
      expect(await client.conversionEvent.count({ where: { status: "sending" } })).toBe(25);

      // The next claim takes the next rows, none twice.
      const second = await claims.claimDueBatches({ workerId: "stale-stats", now: new Date(), maxEvents: 25 });
      const ids = [...first, ...second].flatMap((b) => b.events.map((e) => e.id));
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(50);
      expect(await client.conversionEvent.count({ where: { status: "pending" } })).toBe(ROWS - 50);
    });

    // The same statement shape takes expired leases. The old statement happened to plan this case well
    // (leaseUntil has no index: its sub-select sorts, and the planner does not rerun a sort per row), so
    // this one pins the new statement's limit rather than reproducing the stall.
    it("a claim of expired leases takes at most maxEvents of them", async () => {
      await eventsAnalyzedBeforeTheyWereDue("sending", "leaseUntil");
      expect(
        await estimatedRows("ConversionEvent", `"status" = 'sending' AND "leaseUntil" < now()`),
      ).toBeLessThanOrEqual(1);

      const batches = await claims.claimDueBatches({ workerId: "stale-stats", now: new Date(), maxEvents: 25 });
      expect(batches.flatMap((b) => b.events)).toHaveLength(25);
      expect(await client.conversionEvent.count({ where: { leaseOwner: { startsWith: "stale-stats:" } } })).toBe(25);
    });

    it("a claim of stored webhooks takes at most its limit", async () => {
      const body = encryptSecret(keyRing(), JSON.stringify({ id: 1 }));
      await sql.query(
        `INSERT INTO "WebhookInbox" ("path", "shop", "topic", "eventId", "webhookId", "apiVersion", "bodyCiphertext", "receivedAt", "nextAttemptAt")
       SELECT '/webhooks/orders/create', 'stale.myshopify.com', 'orders/create', 'ev-' || i, 'wh-' || i, '2026-10', $1, now(), now() + interval '1 hour'
       FROM generate_series(1, ${ROWS}) AS s(i)`,
        [body],
      );
      await sql.query(`ANALYZE "WebhookInbox"`);
      await sql.query(`UPDATE "WebhookInbox" SET "nextAttemptAt" = now() - interval '1 minute'`);
      expect(await estimatedRows("WebhookInbox", `"nextAttemptAt" <= now()`)).toBeLessThanOrEqual(1);

      const claimed = await inbox.claimInbox({ limit: 16, leaseMs: 60_000 });
      expect(claimed).toHaveLength(16);
      expect(await client.webhookInbox.count({ where: { attempts: 1 } })).toBe(16);
    });
  },
);
