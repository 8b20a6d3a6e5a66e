/**
 * The webhook inbox table (WebhookInbox), for WEBHOOK_ACK=stored: verified webhooks stored before
 * their 200 and applied moments later (app/webhooks/inbox.server.ts).
 *
 * Appends are group-committed: concurrent webhooks become ONE multi-row INSERT (one commit, one
 * fsync), and each caller's promise settles only after that statement committed. A redelivery of an
 * event that is still waiting (same shop + topic + X-Shopify-Event-Id) adds nothing (ON CONFLICT DO
 * NOTHING); one that arrives after it was applied is stored again and the ingest function's own
 * idempotency (WebhookDelivery) makes it a no-op, exactly like a redelivery without the inbox.
 *
 * Claims lease rows by moving `nextAttemptAt` past the lease, in one conditional UPDATE whose rows are
 * re-checked as still due, so two appliers (processes or hosts) never take the same row; on Postgres
 * the candidates are picked with FOR UPDATE SKIP LOCKED so appliers do not even wait for each other.
 * Raw SQL here is written once for both dialects (quoted identifiers, bound values, RETURNING).
 */
import { Prisma } from "@prisma/client";
import prisma, {
  currentDatabaseProvider,
  openDriverWriter,
  type DriverValue,
  type DriverWriter,
} from "~/db/client.server";
import { GroupCommitter } from "~/db/group-commit.server";
import { decryptSecret, DecryptionError, encryptSecret } from "~/security/encryption.server";
import { keyRing } from "~/security/keyring.server";
import { logger } from "~/logger.server";

export interface InboxWebhook {
  path: string;
  shop: string;
  topic: string;
  eventId: string;
  webhookId: string;
  apiVersion: string;
  triggeredAt: string | null;
  rawBody: string;
}

export interface InboxEntry extends InboxWebhook {
  id: number;
  receivedAt: Date;
  attempts: number;
}

/** What is stored: the webhook with its body encrypted (it holds buyer PII). */
interface NewInboxRow extends Omit<InboxWebhook, "rawBody"> {
  bodyCiphertext: string;
  receivedAt: Date;
}

interface InboxRow extends NewInboxRow {
  id: number | bigint;
  attempts: number | bigint;
}

/** Rows per INSERT: ~10 bound values each, far below SQLite's and Postgres' parameter limits. */
const MAX_ROWS_PER_INSERT = 256;

declare global {
  var __inboxAppendCommitter: GroupCommitter<NewInboxRow, void> | undefined;
  var __inboxAppendWriter: DriverWriter | undefined;
}

const INSERT_COLUMNS = `INSERT INTO "WebhookInbox" ("path", "shop", "topic", "eventId", "webhookId", "apiVersion", "triggeredAt", "bodyCiphertext", "receivedAt", "nextAttemptAt", "attempts") VALUES `;

function appendCommitter(): GroupCommitter<NewInboxRow, void> {
  return (globalThis.__inboxAppendCommitter ??= new GroupCommitter<NewInboxRow, void>({
    flush: async (rows) => {
      // The hot statement of WEBHOOK_ACK=stored goes to the driver, not through Prisma: see
      // openDriverWriter (app/db/client.server.ts) for why and what stays the same.
      const writer = (globalThis.__inboxAppendWriter ??= openDriverWriter());
      const args: DriverValue[] = [];
      for (const r of rows)
        args.push(
          r.path,
          r.shop,
          r.topic,
          r.eventId,
          r.webhookId,
          r.apiVersion,
          r.triggeredAt,
          r.bodyCiphertext,
          r.receivedAt,
          r.receivedAt,
        );
      // One statement is one transaction: when it returns, every row of it is committed.
      await writer.execute(
        `${INSERT_COLUMNS}${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)").join(", ")} ON CONFLICT DO NOTHING`,
        args,
      );
      return rows.map(() => undefined);
    },
    maxBatch: MAX_ROWS_PER_INSERT,
    // One INSERT at a time on both databases. On Postgres 4 at a time measured 10–15 % fewer
    // webhooks/s than 1 (bench, 2026-11-25: 3,111–3,721 vs 4,023–4,063 req/s): smaller batches,
    // more commits and round trips for the same rows; what arrives meanwhile joins the next INSERT.
    concurrency: 1,
    // Webhooks verified in the same millisecond or so share the INSERT instead of the first one
    // going alone (the rest would then wait for its commit anyway).
    lingerMs: 1,
  }));
}

/** Stores a verified webhook durably; resolves once it is committed (then the 200 may go out). */
export async function appendToInbox(webhook: InboxWebhook, now: Date = new Date()): Promise<void> {
  const { rawBody, ...rest } = webhook;
  await appendCommitter().submit({ ...rest, bodyCiphertext: encryptSecret(keyRing(), rawBody), receivedAt: now });
}

/** Takes up to `limit` due rows for `leaseMs`; nobody else gets them until then. */
export async function claimInbox(options: { limit: number; leaseMs: number; now?: Date }): Promise<InboxEntry[]> {
  const now = options.now ?? new Date();
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  const pick = Prisma.sql`SELECT "id" FROM "WebhookInbox" WHERE "nextAttemptAt" <= ${now} ORDER BY "nextAttemptAt" LIMIT ${options.limit}`;
  // Postgres: the locking sub-select runs once (an InitPlan), never once per due row, and the row
  // lock re-checks "due" (see takeRows in app/outbox/claim.server.ts: with `IN (SELECT …)` a stale
  // estimate made the claim take every due row in O(n²)). SQLite: a unary + keeps the re-check off
  // the index, so the picked ids drive the UPDATE.
  const which =
    currentDatabaseProvider() === "postgres"
      ? Prisma.sql`"id" = ANY (ARRAY(${pick} FOR UPDATE SKIP LOCKED))`
      : Prisma.sql`"id" IN (${pick}) AND +"nextAttemptAt" <= ${now}`;
  const rows = await prisma.$queryRaw<InboxRow[]>`
    UPDATE "WebhookInbox"
       SET "nextAttemptAt" = ${leaseUntil}, "attempts" = "attempts" + 1
     WHERE ${which}
    RETURNING "id", "path", "shop", "topic", "eventId", "webhookId", "apiVersion", "triggeredAt", "bodyCiphertext", "receivedAt", "attempts"`;
  const ring = keyRing();
  const entries: InboxEntry[] = [];
  for (const { bodyCiphertext, ...row } of rows) {
    const id = Number(row.id);
    let rawBody: string;
    try {
      rawBody = decryptSecret(ring, bodyCiphertext).plaintext;
    } catch (error) {
      // One row sealed with a key this process lacks must not fail the whole claim (it would, every
      // lease, forever): it is set aside, with why, and the rest of the batch goes on.
      if (!(error instanceof DecryptionError)) throw error;
      await quarantineInboxRow(id, error.message);
      continue;
    }
    entries.push({ ...row, id, attempts: Number(row.attempts), receivedAt: new Date(row.receivedAt), rawBody });
  }
  return entries.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
}

/** Never claimed again by itself: kept, not deleted, so configuring the missing key can still save it. */
export const QUARANTINED_UNTIL = new Date("9999-01-01T00:00:00Z");
const QUARANTINE_PREFIX = "quarantined: ";

async function quarantineInboxRow(id: number, why: string): Promise<void> {
  logger.error({ inboxId: id, err: why }, "inbox webhook cannot be decrypted; quarantined");
  await prisma.webhookInbox.updateMany({
    where: { id },
    data: { nextAttemptAt: QUARANTINED_UNTIL, lastError: `${QUARANTINE_PREFIX}${why}`.slice(0, 500) },
  });
}

/** Quarantined rows become due again (after the missing key was configured). */
export async function releaseQuarantinedInbox(now: Date = new Date()): Promise<number> {
  const { count } = await prisma.webhookInbox.updateMany({
    where: { nextAttemptAt: { gte: QUARANTINED_UNTIL } },
    data: { nextAttemptAt: now, lastError: null },
  });
  return count;
}

/** Applied: gone (the body with its PII included). */
export async function removeFromInbox(ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await prisma.webhookInbox.deleteMany({ where: { id: { in: [...ids] } } });
}

/** Not applied this time: try again at `retryAt`, with the reason kept for the operator. */
export async function retryInboxLater(id: number, retryAt: Date, error: string): Promise<void> {
  await prisma.webhookInbox.updateMany({
    where: { id },
    data: { nextAttemptAt: retryAt, lastError: error.slice(0, 500) },
  });
}

export async function inboxDepth(): Promise<number> {
  return prisma.webhookInbox.count();
}

/**
 * The apply lag: how long the oldest stored webhook (of `shop`, or of any shop) has been waiting to
 * be applied, in ms (0 when there is none). With WEBHOOK_ACK=stored this is how far the app's effects
 * trail the webhooks Shopify was told are received: the admin's status header shows it. A
 * quarantined row counts: it is not applied either. No index on receivedAt (the append is the hot
 * path); a healthy inbox holds a few hundred rows at most, and a shop's are found by its key.
 */
export async function oldestUnappliedAgeMs(now: Date = new Date(), shop?: string): Promise<number> {
  const oldest = await prisma.webhookInbox.aggregate({
    where: shop === undefined ? undefined : { shop },
    _min: { receivedAt: true },
  });
  const at = oldest._min.receivedAt;
  return at ? Math.max(0, now.getTime() - at.getTime()) : 0;
}

/**
 * The shop's stored webhooks, decrypted, a page at a time (customers/redact looks for a buyer's
 * bodies: what identifies them is inside the encrypted body). Rows sealed with a key this process
 * lacks are skipped: they cannot be applied either until that key is configured.
 */
export async function* pendingInboxBodies(
  shop: string,
  pageSize = 200,
): AsyncGenerator<{ id: number; topic: string; rawBody: string }> {
  const ring = keyRing();
  let after = 0;
  for (;;) {
    const rows = await prisma.webhookInbox.findMany({
      where: { shop, id: { gt: after } },
      select: { id: true, topic: true, bodyCiphertext: true },
      orderBy: { id: "asc" },
      take: pageSize,
    });
    for (const row of rows) {
      let rawBody: string;
      try {
        rawBody = decryptSecret(ring, row.bodyCiphertext).plaintext;
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        continue;
      }
      yield { id: Number(row.id), topic: row.topic, rawBody };
    }
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1].id);
  }
}
