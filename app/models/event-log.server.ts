/**
 * The event log: every ConversionEvent of a shop, newest first, filtered by outcome, type, skip reason,
 * recorded day range and order name; paginated with a keyset cursor on (createdAt, id) so page 1 000
 * costs what page 1 does; and the same filter exported as a streamed CSV.
 *
 * What leaves the database is an explicit column list: never the payload (hashed user data), never the
 * oppref value, never the raw order id.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import prisma from "~/db/client.server";
import {
  describeOpenAiAnswer,
  formatMoney,
  outcomeOf,
  WAITING_STATUSES,
  type Outcome,
} from "~/conversions/reconciliation";
import { parseDayRange, rangeBounds, type DayRange } from "~/conversions/day-range";
import { formatMinorUnits } from "~/conversions/money";
import { conversionEventFromRow } from "./money-columns.server";
import { isSkipReason } from "~/conversions/skip-reasons";

type Db = Pick<PrismaClient, "conversionEvent">;

// ─── filter ──────────────────────────────────────────────────────────────────────────────────────

/** Outcome filters, named like the reconciliation buckets so the page's figures link here. */
const STATUS_FILTERS = ["delivered", "waiting", "rejected", "expired", "skipped"] as const;
type StatusFilter = (typeof STATUS_FILTERS)[number];
const TYPE_FILTERS = ["order_created", "custom"] as const;
type TypeFilter = (typeof TYPE_FILTERS)[number];

export interface EventLogFilter {
  status: StatusFilter | null;
  /** A skip reason (implies skipped or expired rows). */
  reason: string | null;
  type: TypeFilter | null;
  /** Recorded (createdAt) UTC days; null = all time. */
  range: DayRange | null;
  /** Part of an order name ("1001" finds "#1001"). */
  search: string | null;
}

const MAX_SEARCH_LENGTH = 64;

/** Reads the filter from a URL's query; unknown values are ignored rather than rejected. */
export function parseEventLogFilter(params: URLSearchParams, today: string): EventLogFilter {
  const status = params.get("status");
  const type = params.get("type");
  const reason = params.get("reason");
  const search = (params.get("q") ?? "").trim().slice(0, MAX_SEARCH_LENGTH);
  const hasRange = params.has("from") || params.has("to") || params.has("days");
  return {
    status: (STATUS_FILTERS as readonly string[]).includes(status ?? "") ? (status as StatusFilter) : null,
    reason: reason && isSkipReason(reason) ? reason : null,
    type: (TYPE_FILTERS as readonly string[]).includes(type ?? "") ? (type as TypeFilter) : null,
    range: hasRange
      ? parseDayRange({ from: params.get("from"), to: params.get("to"), days: params.get("days") }, today)
      : null,
    search: search === "" ? null : search,
  };
}

/** The filter as query parameters (the CSV link and pagination links carry it). */
export function filterToSearchParams(filter: EventLogFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.status) params.set("status", filter.status);
  if (filter.reason) params.set("reason", filter.reason);
  if (filter.type) params.set("type", filter.type);
  if (filter.range) {
    params.set("from", filter.range.from);
    params.set("to", filter.range.to);
  }
  if (filter.search) params.set("q", filter.search);
  return params;
}

const STATUS_WHERE: Record<StatusFilter, Prisma.ConversionEventWhereInput> = {
  delivered: { status: "delivered" },
  waiting: { status: { in: [...WAITING_STATUSES] } },
  rejected: { status: "rejected" },
  expired: { OR: [{ status: "expired" }, { status: "skipped", skipReason: "expired" }] },
  // `not` alone would drop rows with a NULL reason (SQL three-valued logic).
  skipped: { status: "skipped", OR: [{ skipReason: null }, { skipReason: { not: "expired" } }] },
};

function eventLogWhere(shop: string, filter: EventLogFilter): Prisma.ConversionEventWhereInput {
  const and: Prisma.ConversionEventWhereInput[] = [{ shop }];
  if (filter.status) and.push(STATUS_WHERE[filter.status]);
  if (filter.reason) and.push({ skipReason: filter.reason });
  if (filter.type) and.push({ eventType: filter.type });
  if (filter.range) {
    const { start, end } = rangeBounds(filter.range);
    and.push({ createdAt: { gte: start, lt: end } });
  }
  if (filter.search) and.push({ orderName: { contains: filter.search } });
  return { AND: and };
}

// ─── rows ────────────────────────────────────────────────────────────────────────────────────────

const LOG_SELECT = {
  id: true,
  createdAt: true,
  occurredAt: true,
  deliveredAt: true,
  status: true,
  skipReason: true,
  eventType: true,
  eventName: true,
  eventId: true,
  orderName: true,
  amountMinor: true,
  currency: true,
  attempts: true,
  lastStatus: true,
  lastError: true,
  opprefSource: true,
} satisfies Prisma.ConversionEventSelect;

type LogRecord = Prisma.ConversionEventGetPayload<{ select: typeof LOG_SELECT }>;

/** One line of the log, JSON-safe (the page receives it as loader data). */
export interface EventLogRow {
  id: string;
  recordedAt: string;
  occurredAt: string;
  deliveredAt: string | null;
  status: string;
  outcome: Outcome;
  skipReason: string | null;
  eventType: string;
  eventName: string;
  /** The id OpenAI deduplicates on (events[].id; the pixel's event_id for orders). */
  dedupId: string | null;
  orderName: string | null;
  amount: string | null;
  amountMinor: number | null;
  currency: string | null;
  attempts: number;
  lastStatus: number | null;
  /** OpenAI's answer (or the recorded reason for not sending), in words. */
  answer: string;
  opprefSource: string | null;
}

function toRow(record: LogRecord): EventLogRow {
  // bigint → number here, so the loader data (JSON) and the CSV carry plain numbers
  const r = conversionEventFromRow(record);
  return {
    id: r.id,
    recordedAt: r.createdAt.toISOString(),
    occurredAt: r.occurredAt.toISOString(),
    deliveredAt: r.deliveredAt ? r.deliveredAt.toISOString() : null,
    status: r.status,
    outcome: outcomeOf(r.status, r.skipReason),
    skipReason: r.skipReason,
    eventType: r.eventType,
    eventName: r.eventName,
    dedupId: r.eventId,
    orderName: r.orderName,
    amount: r.amountMinor !== null && r.currency ? formatMoney(r.currency, r.amountMinor) : null,
    amountMinor: r.amountMinor,
    currency: r.currency,
    attempts: r.attempts,
    lastStatus: r.lastStatus,
    answer: describeOpenAiAnswer(r),
    opprefSource: r.opprefSource,
  };
}

// ─── keyset pagination ───────────────────────────────────────────────────────────────────────────

interface CursorKey {
  createdAt: Date;
  id: string;
}

export function encodeCursor(key: { createdAt: Date | string; id: string }): string {
  const at = typeof key.createdAt === "string" ? key.createdAt : key.createdAt.toISOString();
  return Buffer.from(`${at}|${key.id}`, "utf8").toString("base64url");
}

/** null for anything that is not a cursor this code made (the first page is shown instead). */
export function decodeCursor(cursor: string | null | undefined): CursorKey | null {
  if (!cursor || cursor.length > 200) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!match) return null;
  const createdAt = new Date(match[1]);
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id: match[2] };
}

function olderThan(key: CursorKey): Prisma.ConversionEventWhereInput {
  return { OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }] };
}

function newerThan(key: CursorKey): Prisma.ConversionEventWhereInput {
  return { OR: [{ createdAt: { gt: key.createdAt } }, { createdAt: key.createdAt, id: { gt: key.id } }] };
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

export interface EventLogPage {
  rows: EventLogRow[];
  /** Rows matching the filter, all pages. */
  total: number;
  /** Pass as `before` to get the newer page; null on the newest page. */
  newerCursor: string | null;
  /** Pass as `after` to get the older page; null on the oldest page. */
  olderCursor: string | null;
}

/**
 * One page, newest first. `after`: rows older than that cursor; `before`: rows newer than it (the
 * previous page). Neither: the newest rows.
 */
export async function listEventLog(
  shop: string,
  filter: EventLogFilter,
  page: { after?: string | null; before?: string | null; limit?: number } = {},
  db: Db = prisma,
): Promise<EventLogPage> {
  const limit = Math.min(Math.max(1, Math.floor(page.limit ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
  const base = eventLogWhere(shop, filter);
  const after = decodeCursor(page.after);
  const before = after ? null : decodeCursor(page.before);

  const total = await db.conversionEvent.count({ where: base });
  if (before) {
    const found = await db.conversionEvent.findMany({
      where: { AND: [base, newerThan(before)] },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: limit + 1,
      select: LOG_SELECT,
    });
    const hasNewer = found.length > limit;
    const rows = found.slice(0, limit).reverse();
    return {
      rows: rows.map(toRow),
      total,
      newerCursor: hasNewer && rows.length > 0 ? encodeCursor(rows[0]) : null,
      olderCursor: rows.length > 0 ? encodeCursor(rows[rows.length - 1]) : null,
    };
  }
  const found = await db.conversionEvent.findMany({
    where: after ? { AND: [base, olderThan(after)] } : base,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: LOG_SELECT,
  });
  const hasOlder = found.length > limit;
  const rows = found.slice(0, limit);
  return {
    rows: rows.map(toRow),
    total,
    newerCursor: after && rows.length > 0 ? encodeCursor(rows[0]) : null,
    olderCursor: hasOlder ? encodeCursor(rows[rows.length - 1]) : null,
  };
}

// ─── CSV ─────────────────────────────────────────────────────────────────────────────────────────

export const CSV_COLUMNS = [
  "recorded_at",
  "occurred_at",
  "status",
  "outcome",
  "skip_reason",
  "event_type",
  "event_name",
  "dedup_id",
  "order_name",
  "amount",
  "currency",
  "attempts",
  "last_http_status",
  "openai_answer",
  "delivered_at",
  "oppref_source",
] as const;

/**
 * Text a spreadsheet would run as a formula or a DDE command: starting with = + - @ | tab or CR, also
 * after leading whitespace (spreadsheets trim it) and in the full-width forms ＝＋－＠ (some
 * spreadsheets fold them to ASCII). `\s` covers spaces, NBSP, the ideographic space and the BOM.
 */
const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@|\uFF1D\uFF0B\uFF0D\uFF20])/;

/**
 * One RFC 4180 field: quoted (with quotes doubled) when it holds a comma, quote, CR or LF. Text that a
 * spreadsheet would run as a formula (FORMULA_START) gets a leading apostrophe first.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** The amount as a plain decimal in the currency's unit ("129.99"); raw minor units for an unknown code. */
function amountDecimal(row: EventLogRow): string | null {
  if (row.amountMinor === null || !row.currency) return null;
  try {
    return formatMinorUnits(row.currency, row.amountMinor);
  } catch {
    return String(row.amountMinor);
  }
}

function csvRecord(row: EventLogRow): string {
  return csvLine([
    row.recordedAt,
    row.occurredAt,
    row.status,
    row.outcome,
    row.skipReason,
    row.eventType,
    row.eventName,
    row.dedupId,
    row.orderName,
    amountDecimal(row),
    row.currency,
    row.attempts,
    row.lastStatus,
    row.answer,
    row.deliveredAt,
    row.opprefSource,
  ]);
}

const CSV_BATCH_SIZE = 1000;

/**
 * The filter's rows as CSV, newest first, read in keyset batches as the client consumes the stream
 * (memory stays flat for any size). Starts with a UTF-8 byte order mark so spreadsheets read
 * non-ASCII order names correctly.
 */
export function eventLogCsvStream(
  shop: string,
  filter: EventLogFilter,
  options: { db?: Db; batchSize?: number } = {},
): ReadableStream<Uint8Array> {
  const db = options.db ?? prisma;
  const batchSize = Math.max(1, options.batchSize ?? CSV_BATCH_SIZE);
  const base = eventLogWhere(shop, filter);
  const encoder = new TextEncoder();
  let cursor: CursorKey | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(CSV_COLUMNS)}`));
        return;
      }
      const batch: LogRecord[] = await db.conversionEvent.findMany({
        where: cursor ? { AND: [base, olderThan(cursor)] } : base,
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: batchSize,
        select: LOG_SELECT,
      });
      if (batch.length > 0) {
        controller.enqueue(encoder.encode(batch.map((r) => csvRecord(toRow(r))).join("")));
        const last = batch[batch.length - 1];
        cursor = { createdAt: last.createdAt, id: last.id };
      }
      if (batch.length < batchSize) controller.close();
    },
  });
}

export function csvFileName(shop: string, filter: EventLogFilter): string {
  const store = shop.replace(/\.myshopify\.com$/, "").replace(/[^a-z0-9-]/gi, "");
  const span = filter.range ? `${filter.range.from}_${filter.range.to}` : "all";
  return `openai-events-${store}-${span}.csv`;
}
