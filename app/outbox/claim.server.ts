/**
 * Claiming due events with a lease. A worker marks rows `sending` with a unique lease token and a
 * lease expiry in ONE conditional UPDATE, then reads back exactly the rows it took. Two workers
 * racing for the same rows cannot both win, and a worker that dies mid-batch leaves rows whose lease
 * runs out: the next claim takes them again. Redelivery after a crash is safe because the event ids
 * never change (OpenAI keeps the first).
 *
 * Why it is safe with many workers (processes or hosts) on one database:
 *  - on Postgres the candidates are picked with FOR UPDATE SKIP LOCKED, so concurrent workers take
 *    disjoint rows instead of queueing behind each other's locks. Taking the row lock re-evaluates
 *    "still due" on the newest version of each row (READ COMMITTED's EvalPlanQual): a row another
 *    worker claimed and committed first fails that re-check and is skipped, a row it is claiming
 *    right now is locked and skipped, so every id picked is due and locked by this statement;
 *  - on SQLite the statement runs under the single write lock, and the UPDATE re-checks "still due"
 *    on every row it changes.
 * Both candidate queries follow the (status, nextAttemptAt) index with a LIMIT, so a claim costs the
 * same with 100 or 1 M queued rows, and rows are read back by primary key, never by scanning.
 *
 * The picked ids must be computed ONCE per claim, whatever the planner thinks (see takeRows).
 */
import { Prisma, type ConversionEvent as ConversionEventRow } from "@prisma/client";
import prisma, { currentDatabaseProvider } from "~/db/client.server";
import { chunked } from "~/lib/chunk";
import { conversionEventFromRow, type ConversionEvent } from "~/models/money-columns.server";

export const DEFAULT_LEASE_MS = 60_000;
let claimSequence = 0;

export interface ClaimedBatch {
  shop: string;
  leaseToken: string;
  events: ConversionEvent[];
}

export async function claimDueBatches(options: {
  workerId: string;
  now: Date;
  leaseMs?: number;
  maxEvents?: number;
  maxPerShop?: number;
}): Promise<ClaimedBatch[]> {
  const { workerId, now } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxEvents = options.maxEvents ?? 2000;
  const maxPerShop = options.maxPerShop ?? 1000;
  const leaseToken = `${workerId}:${++claimSequence}`;
  const leaseUntil = new Date(now.getTime() + leaseMs);

  // Leases that ran out first (their worker died), then pending rows in due order.
  const taken = await takeRows({ kind: "expired", now, leaseToken, leaseUntil, limit: maxEvents });
  if (taken.length < maxEvents)
    taken.push(...(await takeRows({ kind: "pending", now, leaseToken, leaseUntil, limit: maxEvents - taken.length })));
  if (taken.length === 0) return [];

  // In due order (RETURNING has none), split by shop, at most maxPerShop per batch.
  taken.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
  const byShop = new Map<string, ConversionEvent[]>();
  for (const row of taken) {
    const rows = byShop.get(row.shop);
    if (rows) rows.push(row);
    else byShop.set(row.shop, [row]);
  }
  const batches: ClaimedBatch[] = [];
  for (const [shop, events] of byShop) {
    for (const slice of chunked(events, maxPerShop)) batches.push({ shop, leaseToken, events: slice });
  }
  return batches;
}

/** Gives a claimed batch back unsent (the worker is stopping): due again at once for any worker. */
export async function releaseClaimedBatch(batch: ClaimedBatch): Promise<void> {
  const ids = batch.events.map((e) => e.id);
  for (let i = 0; i < ids.length; i += 500) {
    await prisma.conversionEvent.updateMany({
      where: { id: { in: ids.slice(i, i + 500) }, leaseOwner: batch.leaseToken, status: "sending" },
      data: { status: "pending", leaseOwner: null, leaseUntil: null },
    });
  }
}

/**
 * One conditional UPDATE … RETURNING *: exactly the rows this statement took, as they now are. Both
 * drivers map the columns to the model's types (Date, boolean) like a findMany would; reading them
 * back in a second query cost a quarter of the worker's database time per event delivered.
 */
async function takeRows(args: {
  kind: "pending" | "expired";
  now: Date;
  leaseToken: string;
  leaseUntil: Date;
  limit: number;
}): Promise<ConversionEvent[]> {
  const { now, leaseToken, leaseUntil, limit } = args;
  const set = Prisma.sql`"status" = 'sending', "leaseOwner" = ${leaseToken}, "leaseUntil" = ${leaseUntil}, "updatedAt" = ${new Date()}`;
  const due = (col: (name: string) => Prisma.Sql) =>
    args.kind === "pending"
      ? Prisma.sql`${col("status")} = 'pending' AND ${col("nextAttemptAt")} <= ${now}`
      : Prisma.sql`${col("status")} = 'sending' AND ${col("leaseUntil")} < ${now}`;
  const plain = (name: string) => Prisma.raw(`"${name}"`);
  const order = args.kind === "pending" ? Prisma.sql`"nextAttemptAt"` : Prisma.sql`"leaseUntil"`;

  if (currentDatabaseProvider() === "postgres") {
    // ARRAY(sub-select) is an InitPlan: the locking sub-select runs exactly once, then the UPDATE
    // finds the picked rows by primary key. With `"id" IN (SELECT … LIMIT … FOR UPDATE SKIP LOCKED)`
    // the planner may instead put the sub-select on the inner side of a nested-loop semi-join and run
    // it again for every due row: that happens whenever its statistics say (almost) no row is due,
    // e.g. autovacuum analyzed the table while every event was delivered or not yet due. Each rerun
    // skips the rows already updated and locks the next ones, so the claim then takes EVERY due row
    // (the LIMIT no longer bounds it) in O(due rows²): 20,000 due events kept both bench workers
    // inside their first claim for minutes (docs/PERFORMANCE.md). No re-check outside the
    // sub-select either: the row lock already re-checked "due" (see the top of this file), and an
    // indexed condition there would let a stale estimate drive the UPDATE from the due index again.
    return (
      await prisma.$queryRaw<ConversionEventRow[]>`
      UPDATE "ConversionEvent" SET ${set}
       WHERE "id" = ANY (ARRAY(SELECT "id" FROM "ConversionEvent" WHERE ${due(plain)} ORDER BY ${order} LIMIT ${limit} FOR UPDATE SKIP LOCKED))
      RETURNING *`
    ).map(conversionEventFromRow);
  }
  // SQLite evaluates `IN (SELECT …)` once into a temporary index. The outer re-check must not drive
  // the UPDATE: SQLite would walk every due row of the index and test it against the picked ids (a
  // claim then costs O(queue)); a unary + keeps it off the index, so the picked ids (primary key)
  // are the ones looked at.
  return (
    await prisma.$queryRaw<ConversionEventRow[]>`
    UPDATE "ConversionEvent" SET ${set}
     WHERE "id" IN (SELECT "id" FROM "ConversionEvent" WHERE ${due(plain)} ORDER BY ${order} LIMIT ${limit})
       AND ${due((name) => Prisma.raw(`+"${name}"`))}
    RETURNING *`
  ).map(conversionEventFromRow);
}
