/**
 * The effects of MANY webhooks in ONE transaction, with a handful of set-based statements.
 *
 * Applying one webhook through Prisma's models costs about ten queries (idempotency row, ledger read,
 * write and recompute, event dedupe and insert), each ~150-300 µs of JS query-engine CPU. Here a
 * batch costs the same few statements whatever its size:
 *
 *   1. INSERT "WebhookDelivery" … ON CONFLICT DO NOTHING RETURNING   idempotency: the rows returned
 *      are the webhooks seen for the first time; the others are redeliveries and change nothing.
 *   2. SELECT "OrderLedger" WHERE "orderId" IN (…)                  every ledger row of the batch's
 *      order ids, in any shop (FOR UPDATE on Postgres), so "already seen under another shop" and
 *      the ledger recompute see the committed state.
 *   3. SELECT "LedgerEntry" WHERE "shop" IN (…) AND "orderId" IN (…) their refunds and cancellations.
 *   -  (in memory) each webhook, in arrival order, against that state: exactly what the per-webhook
 *      code did against the database, so a second delivery of an event or a refund before its order
 *      inside one batch behaves as it would in two transactions.
 *   4. INSERT "OrderLedger" … ON CONFLICT ("shop", "orderId") DO UPDATE   new and changed ledgers.
 *   5. INSERT "LedgerEntry" … ON CONFLICT (…) DO UPDATE SET "appliedMinor"   new and re-applied entries.
 *   6. INSERT "ConversionEvent" … ON CONFLICT DO NOTHING             the outbox rows; an event whose
 *      business key (shop, event name, event id) exists is not inserted twice.
 *   7. DELETE "WebhookInbox" WHERE "id" IN (…)                       (stored webhooks) applied rows
 *      leave the inbox in the same commit, so a crash can neither lose nor repeat them.
 *   (rare) UPDATE "WebhookDelivery" SET "rejectedReason"             webhooks refused by a rule.
 *
 * Concurrency. SQLite: the transaction starts with BEGIN IMMEDIATE, so nothing else writes between
 * the reads and the writes. Postgres (READ COMMITTED, several appliers): the ledger rows read are
 * locked; a ledger or entry another transaction inserted meanwhile makes statement 4 or 5 update
 * nothing for it (`WHERE id = excluded.id`), which is detected and fails the whole transaction —
 * the caller applies the batch again, on the new state. Events and idempotency rows rely on their
 * unique keys (ON CONFLICT waits for the other transaction, then skips).
 *
 * Raw SQL is written once for both dialects: quoted identifiers, bound values, ON CONFLICT,
 * RETURNING. Timestamps are bound as Dates, which both adapters write exactly as Prisma's models do.
 */
import { Prisma } from "@prisma/client";
import type { LedgerEntry, OrderLedger } from "./money-columns.server";
import { randomBytes } from "node:crypto";
import prisma, { currentDatabaseProvider, postgresTimestamp, sqliteTimestamp } from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import type { NewConversionEvent, WebhookKey } from "./conversion-events.server";
import {
  recomputedLedger,
  sortEntries,
  type NewLedgerEntry,
  type OrderLedgerFacts,
  type OrderLedgerView,
} from "./ledger.server";

type Tx = Prisma.TransactionClient;

/** A write of this batch found a row another transaction wrote since it was read: apply again. */
export class ConcurrentBatchWriteError extends Error {
  constructor(what: string) {
    super(`${what} changed by another transaction during the batch; the batch is applied again`);
    this.name = "ConcurrentBatchWriteError";
  }
}

const orderKey = (shop: string, orderId: string) => `${shop}\u0000${orderId}`;
const deliveryKey = (k: Pick<WebhookKey, "shop" | "topic" | "eventId">) =>
  `${k.shop}\u0000${k.topic}\u0000${k.eventId}`;

/**
 * The ledgers and outbox rows of one batch, in memory, with the operations the per-topic code uses
 * (the same names and rules as app/models/ledger.server.ts and insertEventOnce). Loaded by
 * `loadBatchState`, written by `writeBatchState`.
 */
export class WebhookBatchState {
  private readonly ledgers = new Map<string, OrderLedger>();
  private readonly entries = new Map<string, LedgerEntry[]>();
  /** shops that have a ledger row for an order id (committed or made in this batch) */
  private readonly shopsByOrderId = new Map<string, Set<string>>();
  private readonly dirtyLedgers = new Set<OrderLedger>();
  private readonly dirtyEntries = new Set<LedgerEntry>();
  private readonly newRowIds = new Set<string>();
  readonly events: NewConversionEvent[] = [];
  private readonly eventKeys = new Set<string>();

  constructor(ledgers: OrderLedger[], entries: LedgerEntry[]) {
    for (const ledger of ledgers) this.addLedger(ledger);
    for (const entry of entries) {
      const key = orderKey(entry.shop, entry.orderId);
      if (!this.ledgers.has(key)) continue; // an entry always has its ledger row; ignore strays
      this.entries.get(key)!.push(entry);
    }
  }

  private addLedger(ledger: OrderLedger) {
    const key = orderKey(ledger.shop, ledger.orderId);
    this.ledgers.set(key, ledger);
    if (!this.entries.has(key)) this.entries.set(key, []);
    const shops = this.shopsByOrderId.get(ledger.orderId) ?? new Set<string>();
    shops.add(ledger.shop);
    this.shopsByOrderId.set(ledger.orderId, shops);
  }

  /**
   * The other shop an order id was already seen under, or null. An id this shop already holds is
   * its own (accepted before), whoever else might hold it.
   */
  orderIdSeenElsewhere(shop: string, orderId: string): string | null {
    const shops = this.shopsByOrderId.get(orderId);
    if (!shops || shops.has(shop)) return null;
    return [...shops][0] ?? null;
  }

  /**
   * recordOrderInLedger: the gross (first writer wins), then any early corrections and value changes
   * applied. True when an orders/updated was observed before the order (its value change is settled
   * after the batch commits: app/webhooks/order-changes.server.ts).
   */
  recordOrderInLedger(facts: OrderLedgerFacts): boolean {
    const key = orderKey(facts.shop, facts.orderId);
    const existing = this.ledgers.get(key);
    const now = new Date();
    if (!existing) {
      const ledger: OrderLedger = {
        id: newRowId(),
        shop: facts.shop,
        orderId: facts.orderId,
        orderDedupId: facts.orderDedupId,
        orderName: facts.orderName,
        checkoutToken: facts.checkoutToken ?? null,
        currency: facts.currency,
        grossMinor: facts.grossMinor,
        originalGrossMinor: facts.grossMinor,
        observedValueMinor: null,
        observedValueAt: null,
        refundedMinor: 0,
        netMinor: facts.grossMinor,
        cancelledAt: null,
        cancelReason: null,
        cancelledMinor: 0,
        paidAt: facts.paidAt,
        orderSeenAt: now,
        createdAt: now,
        updatedAt: now,
      };
      this.newRowIds.add(ledger.id);
      this.addLedger(ledger);
      this.dirtyLedgers.add(ledger);
    } else {
      // A placeholder (refund or cancel before the order) has no gross or currency yet: the order's
      // own webhook fills them; later order webhooks change nothing but paidAt.
      existing.orderName ??= facts.orderName;
      existing.checkoutToken ??= facts.checkoutToken ?? null;
      // The gross is recomputed below: checkout's (first writer wins) plus any value change that came first.
      existing.originalGrossMinor ??= facts.grossMinor;
      existing.currency ??= facts.currency;
      existing.paidAt ??= facts.paidAt;
      existing.orderSeenAt ??= now;
      existing.updatedAt = now;
      this.dirtyLedgers.add(existing);
    }
    const view = this.recomputeLedger(facts.shop, facts.orderId);
    return view !== null && view.ledger.observedValueAt !== null;
  }

  /** ensureLedgerRow: the order's row, a placeholder (gross unknown) when a correction comes first. */
  async ensureLedgerRow(shop: string, orderId: string): Promise<OrderLedger> {
    const existing = this.ledgers.get(orderKey(shop, orderId));
    if (existing) return existing;
    const now = new Date();
    const ledger: OrderLedger = {
      id: newRowId(),
      shop,
      orderId,
      orderDedupId: await dedupIdForOrder(orderId),
      orderName: null,
      checkoutToken: null,
      currency: null,
      grossMinor: null,
      originalGrossMinor: null,
      observedValueMinor: null,
      observedValueAt: null,
      refundedMinor: 0,
      netMinor: null,
      cancelledAt: null,
      cancelReason: null,
      cancelledMinor: 0,
      paidAt: null,
      orderSeenAt: null,
      createdAt: now,
      updatedAt: now,
    };
    this.newRowIds.add(ledger.id);
    this.addLedger(ledger);
    this.dirtyLedgers.add(ledger);
    return ledger;
  }

  /** recordLedgerEntry: one entry per Shopify identity; a second delivery finds it and changes nothing. */
  recordLedgerEntry(entry: NewLedgerEntry): { status: "created" | "exists"; entry: LedgerEntry } {
    const list = this.entries.get(orderKey(entry.shop, entry.orderId));
    if (!list) throw new Error("recordLedgerEntry before ensureLedgerRow");
    const existing = list.find((e) => e.entryKey === entry.entryKey);
    if (existing) return { status: "exists", entry: existing };
    const created: LedgerEntry = {
      id: newRowId(),
      shop: entry.shop,
      orderId: entry.orderId,
      entryKey: entry.entryKey,
      kind: entry.kind,
      requestedMinor: entry.requestedMinor,
      appliedMinor: 0,
      currency: entry.currency,
      reason: entry.reason,
      occurredAt: entry.occurredAt,
      createdAt: new Date(),
    };
    this.newRowIds.add(created.id);
    list.push(created);
    this.dirtyEntries.add(created);
    return { status: "created", entry: created };
  }

  /** recomputeLedger: net, refunded, cancelled and every entry's applied amount from all facts. */
  recomputeLedger(shop: string, orderId: string): OrderLedgerView | null {
    const key = orderKey(shop, orderId);
    const ledger = this.ledgers.get(key);
    if (!ledger) return null;
    const entries = this.entries.get(key)!;
    const { ledgerFields, changedEntries } = recomputedLedger(ledger, entries);
    for (const entry of changedEntries) this.dirtyEntries.add(entry);
    Object.assign(ledger, ledgerFields, { updatedAt: new Date() });
    this.dirtyLedgers.add(ledger);
    return { ledger: { ...ledger }, entries: sortEntries(entries).map((e) => ({ ...e })) };
  }

  /**
   * insertEventOnce: queued unless this batch already queued the same business key; one that was
   * committed before is skipped by the INSERT itself (ON CONFLICT DO NOTHING).
   */
  insertEventOnce(event: NewConversionEvent): void {
    if (event.eventId !== null) {
      const key = `${event.shop}\u0000${event.eventName}\u0000${event.eventId}`;
      if (this.eventKeys.has(key)) return;
      this.eventKeys.add(key);
    }
    this.events.push(event);
  }

  /** What writeBatchState writes. */
  pending() {
    return {
      ledgers: [...this.dirtyLedgers].map((row) => ({ row, isNew: this.newRowIds.has(row.id) })),
      entries: [...this.dirtyEntries],
      events: this.events,
    };
  }
}

/**
 * Statement 1: the idempotency rows, inserted unless present. Returns the keys seen for the first
 * time (callers pass each key once).
 */
export async function recordDeliveries(tx: Tx, keys: readonly WebhookKey[]): Promise<Set<string>> {
  const fresh = new Set<string>();
  const now = new Date();
  for (const chunk of chunks(keys, 1000)) {
    const rows = await tx.$queryRaw<{ shop: string; topic: string; eventId: string }[]>`
      INSERT INTO "WebhookDelivery" ("id", "shop", "topic", "eventId", "webhookId", "receivedAt")
      ${fromJsonRows(
        "WebhookDelivery",
        ["id", "shop", "topic", "eventId", "webhookId", "receivedAt"],
        chunk.map((k) => ({
          id: newRowId(),
          shop: k.shop,
          topic: k.topic,
          eventId: k.eventId,
          webhookId: k.webhookId,
          receivedAt: now,
        })),
      )}
      ON CONFLICT DO NOTHING
      RETURNING "shop", "topic", "eventId"`;
    for (const row of rows) fresh.add(deliveryKey(row));
  }
  return fresh;
}

export function deliveryKeyOf(key: Pick<WebhookKey, "shop" | "topic" | "eventId">): string {
  return deliveryKey({ shop: text(key.shop), topic: text(key.topic), eventId: text(key.eventId) });
}

/** Statements 2 and 3: the ledgers (every shop) and entries of these order ids. */
export async function loadBatchState(
  tx: Tx,
  orders: readonly { shop: string; orderId: string }[],
): Promise<WebhookBatchState> {
  const orderIds = [...new Set(orders.map((o) => text(o.orderId)))];
  if (orderIds.length === 0) return new WebhookBatchState([], []);
  const lock = currentDatabaseProvider() === "postgres" ? Prisma.sql`ORDER BY "id" FOR UPDATE` : Prisma.empty;
  const ledgers: OrderLedger[] = [];
  for (const chunk of chunks(orderIds, 1000)) {
    ledgers.push(
      ...(await tx.$queryRaw<OrderLedger[]>`
        SELECT * FROM "OrderLedger" WHERE "orderId" IN (${Prisma.join(chunk)}) ${lock}`),
    );
  }
  const mine = ledgers.filter((l) => orders.some((o) => o.shop === l.shop));
  const entries: LedgerEntry[] = [];
  if (mine.length > 0) {
    const shops = [...new Set(mine.map((l) => l.shop))];
    for (const chunk of chunks([...new Set(mine.map((l) => l.orderId))], 1000)) {
      entries.push(
        ...(await tx.$queryRaw<LedgerEntry[]>`
          SELECT * FROM "LedgerEntry" WHERE "shop" IN (${Prisma.join(shops)}) AND "orderId" IN (${Prisma.join(chunk)})`),
      );
    }
  }
  return new WebhookBatchState(ledgers.map(asLedger), entries.map(asEntry));
}

export const LEDGER_COLUMNS = [
  "id",
  "shop",
  "orderId",
  "orderDedupId",
  "orderName",
  "checkoutToken",
  "currency",
  "grossMinor",
  "originalGrossMinor",
  "observedValueMinor",
  "observedValueAt",
  "refundedMinor",
  "netMinor",
  "cancelledAt",
  "cancelReason",
  "cancelledMinor",
  "paidAt",
  "orderSeenAt",
  "createdAt",
  "updatedAt",
] as const;
export const ENTRY_COLUMNS = [
  "id",
  "shop",
  "orderId",
  "entryKey",
  "kind",
  "requestedMinor",
  "appliedMinor",
  "currency",
  "reason",
  "occurredAt",
  "createdAt",
] as const;
export const EVENT_COLUMNS = [
  "id",
  "shop",
  "eventType",
  "eventName",
  "eventId",
  "orderId",
  "orderName",
  "orderDedupId",
  "status",
  "skipReason",
  "lastError",
  "payload",
  "amountMinor",
  "currency",
  "oppref",
  "opprefSource",
  "requiresOptIn",
  "regionUnknown",
  "occurredAt",
  "expiresAt",
  "attempts",
  "nextAttemptAt",
  "createdAt",
  "updatedAt",
] as const;

/** Statements 4-6: everything the batch changed. */
export async function writeBatchState(tx: Tx, state: WebhookBatchState): Promise<void> {
  const { ledgers, entries, events } = state.pending();
  for (const chunk of chunks(ledgers, 1000)) {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO "OrderLedger" (${columnList(LEDGER_COLUMNS)})
      ${fromJsonRows(
        "OrderLedger",
        LEDGER_COLUMNS,
        chunk.map(({ row }) => row),
      )}
      ON CONFLICT ("shop", "orderId") DO UPDATE SET
        "orderName" = excluded."orderName", "checkoutToken" = excluded."checkoutToken", "currency" = excluded."currency",
        "grossMinor" = excluded."grossMinor", "originalGrossMinor" = excluded."originalGrossMinor",
        "observedValueMinor" = excluded."observedValueMinor", "observedValueAt" = excluded."observedValueAt",
        "refundedMinor" = excluded."refundedMinor", "netMinor" = excluded."netMinor",
        "cancelledAt" = excluded."cancelledAt", "cancelReason" = excluded."cancelReason",
        "cancelledMinor" = excluded."cancelledMinor", "paidAt" = excluded."paidAt", "orderSeenAt" = excluded."orderSeenAt",
        "updatedAt" = excluded."updatedAt"
      WHERE "OrderLedger"."id" = excluded."id"
      RETURNING "id"`;
    if (rows.length !== chunk.length) throw new ConcurrentBatchWriteError("an order ledger");
  }
  for (const chunk of chunks(entries, 1000)) {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO "LedgerEntry" (${columnList(ENTRY_COLUMNS)})
      ${fromJsonRows("LedgerEntry", ENTRY_COLUMNS, chunk)}
      ON CONFLICT ("shop", "orderId", "entryKey") DO UPDATE SET "appliedMinor" = excluded."appliedMinor"
      WHERE "LedgerEntry"."id" = excluded."id"
      RETURNING "id"`;
    if (rows.length !== chunk.length) throw new ConcurrentBatchWriteError("a ledger entry");
  }
  const now = new Date();
  for (const chunk of chunks(events, 1000)) {
    await tx.$executeRaw`
      INSERT INTO "ConversionEvent" (${columnList(EVENT_COLUMNS)})
      ${fromJsonRows(
        "ConversionEvent",
        EVENT_COLUMNS,
        chunk.map((e) => ({
          ...e,
          id: newRowId(),
          skipReason: e.skipReason ?? null,
          lastError: e.lastError ?? null,
          oppref: e.oppref ?? null,
          opprefSource: e.opprefSource ?? null,
          requiresOptIn: e.requiresOptIn ?? false,
          regionUnknown: e.regionUnknown ?? false,
          attempts: 0,
          nextAttemptAt: e.nextAttemptAt ?? now,
          createdAt: now,
          updatedAt: now,
        })),
      )}
      ON CONFLICT DO NOTHING`;
  }
}

type JsonCell = string | number | bigint | boolean | null | Date;

/**
 * Money and ids may be numbers or bigints (64-bit columns): JSON has no bigint, so one beyond 2^53 is
 * written as its decimal text, which both databases convert by the column's type.
 */
function jsonInteger(value: number | bigint): number | string {
  if (typeof value === "number") return value;
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}

/**
 * `SELECT <columns> FROM <the rows>`, the rows bound as ONE JSON text parameter: Prisma's raw
 * queries cost ~7 µs of CPU per bound value (its query compiler sees each one), so a 256-row INSERT
 * of 23 columns would spend ~40 ms on binding alone; one JSON parameter costs a JSON.stringify.
 * SQLite reads it with json_each/json_extract (timestamps written in the adapter's own format,
 * booleans as 0/1); Postgres with json_populate_recordset over the table's own row type, so every
 * value is converted by the column's type (a timestamp(3) takes the UTC text as is, like the pg
 * adapter writes it).
 */
function fromJsonRows(table: string, columns: readonly string[], rows: readonly object[]): Prisma.Sql {
  const postgres = currentDatabaseProvider() === "postgres";
  const json = JSON.stringify(
    rows.map((row) => {
      const out: Record<string, JsonCell> = {};
      for (const column of columns) {
        const value = (row as Record<string, JsonCell | undefined>)[column] ?? null;
        out[column] =
          value instanceof Date
            ? postgres
              ? postgresTimestamp(value)
              : sqliteTimestamp(value)
            : typeof value === "boolean" && !postgres
              ? Number(value)
              : typeof value === "string"
                ? text(value)
                : typeof value === "bigint"
                  ? jsonInteger(value)
                  : value;
      }
      return out;
    }),
  );
  if (postgres) {
    return Prisma.sql`SELECT ${Prisma.raw(columns.map((c) => `r."${c}"`).join(", "))} FROM json_populate_recordset(NULL::${Prisma.raw(`"${table}"`)}, ${json}::json) AS r`;
  }
  // `WHERE true`: SQLite's grammar needs it before an upsert's ON CONFLICT after a SELECT.
  return Prisma.sql`SELECT ${Prisma.raw(columns.map((c) => `json_extract(value, '$.${c}')`).join(", "))} FROM json_each(${json}) WHERE true`;
}

function columnList(columns: readonly string[]): Prisma.Sql {
  return Prisma.raw(columns.map((c) => `"${c}"`).join(", "));
}

/** The (rare) webhooks a rule refused: their idempotency rows say why. */
export async function recordRejections(
  tx: Tx,
  rejections: readonly { key: WebhookKey; reason: string }[],
): Promise<void> {
  for (const { key, reason } of rejections) {
    await tx.$executeRaw`
      UPDATE "WebhookDelivery" SET "rejectedReason" = ${text(reason.slice(0, 500))}
       WHERE "shop" = ${text(key.shop)} AND "topic" = ${text(key.topic)} AND "eventId" = ${text(key.eventId)}`;
  }
}

/** Statement 7: stored webhooks applied by this transaction leave the inbox with it. */
export async function removeAppliedFromInbox(tx: Tx, inboxIds: readonly number[]): Promise<void> {
  for (const chunk of chunks(inboxIds, 1000)) {
    await tx.$executeRaw`DELETE FROM "WebhookInbox" WHERE "id" IN (${Prisma.join(chunk)})`;
  }
}

/** One transaction for a batch (SQLite: BEGIN IMMEDIATE; a big batch on a busy machine gets time). */
export function inBatchTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(work, { maxWait: 10_000, timeout: 30_000 });
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────────

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Postgres text cannot hold U+0000 (the Prisma client strips it from model queries; raw statements
 * must do it themselves), so such a value is stored without it, as the models store it.
 */
function text<T extends string | null>(value: T): T {
  if (value === null || !value.includes("\u0000") || currentDatabaseProvider() !== "postgres") return value;
  return value.replaceAll("\u0000", "") as T;
}

let rowSequence = 0;
const processTag = randomBytes(6).toString("hex");
/**
 * A primary key like Prisma's cuid(): "c" + time + a per-process counter + a random per-process
 * tag, so keys made in one process sort in creation order (the delivery worker breaks createdAt ties
 * by id) and keys of two processes never collide. No randomness per key: it showed in profiles.
 */
function newRowId(): string {
  rowSequence = (rowSequence + 1) % 2_176_782_336;
  return `c${Date.now().toString(36).padStart(9, "0")}${rowSequence.toString(36).padStart(6, "0")}${processTag}`;
}

/** Raw rows carry the driver's number types; the models' are plain numbers. */
function asLedger(row: OrderLedger): OrderLedger {
  return {
    ...row,
    grossMinor: row.grossMinor === null ? null : Number(row.grossMinor),
    originalGrossMinor: row.originalGrossMinor === null ? null : Number(row.originalGrossMinor),
    observedValueMinor: row.observedValueMinor === null ? null : Number(row.observedValueMinor),
    netMinor: row.netMinor === null ? null : Number(row.netMinor),
    refundedMinor: Number(row.refundedMinor),
    cancelledMinor: Number(row.cancelledMinor),
  };
}

function asEntry(row: LedgerEntry): LedgerEntry {
  return { ...row, requestedMinor: Number(row.requestedMinor), appliedMinor: Number(row.appliedMinor) };
}
