/**
 * The event log on thousands of rows in the real SQLite test database: keyset pages walked both ways
 * (ties on createdAt included), every filter, and the streamed CSV parsed back — escaping, formula
 * neutralization, no payloads or oppref values — through the real routes.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import prisma from "~/db/client.server";
import {
  CSV_COLUMNS,
  csvField,
  csvLine,
  decodeCursor,
  encodeCursor,
  eventLogCsvStream,
  listEventLog,
  parseEventLogFilter,
  type EventLogFilter,
  type EventLogRow,
} from "~/models/event-log.server";
import { eventRow } from "../helpers/reconciliation-rows";

const auth = vi.hoisted(() => ({ shop: "" }));
vi.mock("~/admin/auth.server", () => ({
  authenticateAdmin: async () => ({ shop: auth.shop, graphql: async () => Response.json({}), preview: true }),
  isLocalPreview: () => true,
}));

const SHOP = `eventlog-${randomBytes(4).toString("hex")}.myshopify.com`;
const N = 2500;
const BASE = Date.parse("2026-09-01T00:00:00.000Z");
const SECRET_OPPREF = "op_SECRET_click_ref";
const HASH_MARKER = "f00dfacecafe".repeat(5);
const WEIRD_NAME = '#7,"quoted"\nsecond line';
const FORMULA_NAME = '=HYPERLINK("http://evil.example","x")';
const UNICODE_NAME = "#José-1 ✓";

const STATUSES: { status: string; skipReason?: string }[] = [
  { status: "delivered" },
  { status: "pending" },
  { status: "skipped", skipReason: "test_order" },
  { status: "rejected", skipReason: "rejected_by_openai" },
  { status: "expired", skipReason: "expired" },
  { status: "sending" },
  { status: "skipped", skipReason: "expired" },
  { status: "skipped" },
];

interface Seeded {
  createdAt: Date;
  status: string;
  skipReason: string | null;
  eventType: string;
  orderName: string;
  eventId: string;
}
const seeded: Seeded[] = [];

beforeAll(async () => {
  auth.shop = SHOP;
  const rows = [];
  for (let i = 0; i < N; i++) {
    const { status, skipReason = null } = STATUSES[i % STATUSES.length];
    const eventType = i % 10 === 0 ? "custom" : "order_created";
    // three events per second: ties on createdAt are broken by id
    const createdAt = new Date(BASE + Math.floor(i / 3) * 1000);
    const orderName = i === 7 ? WEIRD_NAME : i === 8 ? FORMULA_NAME : i === 9 ? UNICODE_NAME : `#${1000 + i}`;
    const row = eventRow({
      shop: SHOP,
      createdAt,
      status,
      skipReason,
      eventType,
      eventName: eventType === "custom" ? "order_refunded" : "order_created",
      orderName,
      attempts: status === "pending" ? 2 : status === "delivered" ? 1 : 0,
      lastStatus: status === "pending" ? 503 : status === "delivered" ? 200 : status === "rejected" ? 422 : null,
      lastError:
        status === "rejected"
          ? 'event_timestamp_too_old: The event is too old, "really"'
          : status === "pending"
            ? "unavailable"
            : null,
      amountMinor: 1000 + i,
      currency: i % 2 ? "USD" : "JPY",
      oppref: SECRET_OPPREF,
      opprefSource: status === "delivered" ? "receipt" : null,
      payload: JSON.stringify({ id: "x", action_source: "web", user: { emails_sha256: [HASH_MARKER] } }),
    });
    rows.push(row);
    seeded.push({ createdAt, status, skipReason, eventType, orderName, eventId: row.eventId! });
  }
  await prisma.conversionEvent.createMany({ data: rows });
  // another shop's rows never show
  await prisma.conversionEvent.createMany({
    data: Array.from({ length: 50 }, () =>
      eventRow({ shop: `x-${SHOP}`, createdAt: new Date(BASE), status: "delivered" }),
    ),
  });
});

// Other suites purge or count events across all shops: leave nothing behind.
afterAll(async () => {
  await prisma.conversionEvent.deleteMany({ where: { shop: { in: [SHOP, `x-${SHOP}`] } } });
});

const NO_FILTER: EventLogFilter = { status: null, reason: null, type: null, range: null, search: null };
const TODAY = "2026-11-20";
const filter = (query: string) => parseEventLogFilter(new URLSearchParams(query), TODAY);

async function walk(f: EventLogFilter, limit: number): Promise<EventLogRow[][]> {
  const pages: EventLogRow[][] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await listEventLog(SHOP, f, { after, limit });
    if (pages.length === 0) expect(page.newerCursor).toBeNull();
    else expect(page.newerCursor).not.toBeNull();
    pages.push(page.rows);
    if (!page.olderCursor) break;
    after = page.olderCursor;
  }
  return pages;
}

function expectNewestFirst(rows: EventLogRow[]) {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1];
    const b = rows[i];
    expect(a.recordedAt > b.recordedAt || (a.recordedAt === b.recordedAt && a.id > b.id)).toBe(true);
  }
}

describe("event log pagination", () => {
  it("walks every row exactly once, newest first, ties broken by id", async () => {
    const pages = await walk(NO_FILTER, 100);
    expect(pages).toHaveLength(N / 100);
    const rows = pages.flat();
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => r.id)).size).toBe(N);
    expectNewestFirst(rows);
    expect(rows[0].recordedAt).toBe(new Date(BASE + Math.floor((N - 1) / 3) * 1000).toISOString());
  });

  it("walks back with the newer cursor to the same pages", async () => {
    const forward = await walk(NO_FILTER, 300);
    const last = forward[forward.length - 1];
    expect(last).toHaveLength(N % 300);
    // Start from the last page and go back.
    const back: EventLogRow[][] = [last];
    let before: string | null = encodeCursor({ createdAt: last[0].recordedAt, id: last[0].id });
    while (before) {
      const page = await listEventLog(SHOP, NO_FILTER, { before, limit: 300 });
      back.unshift(page.rows);
      before = page.newerCursor;
    }
    expect(back.map((p) => p.map((r) => r.id))).toEqual(forward.map((p) => p.map((r) => r.id)));
  });

  it("reports the filter's total on every page", async () => {
    const first = await listEventLog(SHOP, NO_FILTER, { limit: 10 });
    expect(first.total).toBe(N);
    const later = await listEventLog(SHOP, NO_FILTER, { after: first.olderCursor, limit: 10 });
    expect(later.total).toBe(N);
    expect(later.rows[0].id).not.toBe(first.rows[0].id);
  });

  it.each([
    ["status=delivered", (s: Seeded) => s.status === "delivered"],
    ["status=waiting", (s: Seeded) => s.status === "pending" || s.status === "sending"],
    ["status=rejected", (s: Seeded) => s.status === "rejected"],
    ["status=expired", (s: Seeded) => s.status === "expired" || (s.status === "skipped" && s.skipReason === "expired")],
    ["status=skipped", (s: Seeded) => s.status === "skipped" && s.skipReason !== "expired"],
    ["reason=test_order", (s: Seeded) => s.skipReason === "test_order"],
    ["type=custom", (s: Seeded) => s.eventType === "custom"],
    [
      "type=order_created&status=waiting",
      (s: Seeded) => s.eventType === "order_created" && (s.status === "pending" || s.status === "sending"),
    ],
    ["from=2026-09-01&to=2026-09-01", (s: Seeded) => s.createdAt.getTime() < BASE + 86_400_000],
    ["q=1234", (s: Seeded) => s.orderName.includes("1234")],
    ["q=%231999", (s: Seeded) => s.orderName.includes("#1999")],
    ["status=bogus&type=nope&reason=made_up", () => true],
  ])("filters %s (walked in pages of 37)", async (query, match) => {
    const expected = seeded.filter(match).map((s) => s.eventId);
    const pages = await walk(filter(query), 37);
    const rows = pages.flat();
    expect(rows.map((r) => r.dedupId).sort()).toEqual([...expected].sort());
    expectNewestFirst(rows);
    const first = await listEventLog(SHOP, filter(query), { limit: 37 });
    expect(first.total).toBe(expected.length);
  });

  it("ignores cursors it did not make", async () => {
    const first = await listEventLog(SHOP, NO_FILTER, { limit: 5 });
    for (const bad of [
      "garbage",
      encodeCursor({ createdAt: "yesterday", id: "x" }),
      "A".repeat(500),
      Buffer.from("2026-09-01T00:00:00.000Z|bad id!").toString("base64url"),
    ]) {
      const page = await listEventLog(SHOP, NO_FILTER, { after: bad, limit: 5 });
      expect(page.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    }
    expect(decodeCursor(encodeCursor({ createdAt: new Date(BASE), id: "abc_1-2" }))).toEqual({
      createdAt: new Date(BASE),
      id: "abc_1-2",
    });
  });

  it("shows OpenAI's answer and the amount in the currency's unit", async () => {
    const { rows } = await listEventLog(SHOP, filter("status=rejected&type=order_created"), { limit: 1 });
    expect(rows[0].answer).toBe('Rejected (HTTP 422): event_timestamp_too_old: The event is too old, "really"');
    expect(rows[0].amount).toMatch(/^(\d+\.\d{2} USD|\d+ JPY)$/);
  });
});

// ─── CSV ─────────────────────────────────────────────────────────────────────────────────────────

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || record.length) throw new Error("CSV does not end with CRLF");
  return records;
}

/** The body exactly as sent (Response.text() would drop the byte order mark). */
async function readAll(body: ReadableStream<Uint8Array> | Response): Promise<string> {
  const bytes = await (body instanceof Response ? body : new Response(body)).arrayBuffer();
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
}

describe("CSV", () => {
  it("escapes fields per RFC 4180 and neutralizes spreadsheet formulas", () => {
    expect(csvField(null)).toBe("");
    expect(csvField(42)).toBe("42");
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField("  =1+1")).toBe("'  =1+1");
    expect(csvField("\uFF1D1+1")).toBe("'\uFF1D1+1");
    expect(csvField("|cmd")).toBe("'|cmd");
    expect(csvField("a-b")).toBe("a-b");
    expect(csvField(" plain")).toBe(" plain");
    expect(csvField('=A1,"b"')).toBe('"\'=A1,""b"""');
    expect(csvLine(["a", null, 3])).toBe("a,,3\r\n");
  });

  it("streams every row of the filter in keyset batches, same order as the log, no payloads or opprefs", async () => {
    const text = await readAll(eventLogCsvStream(SHOP, NO_FILTER, { batchSize: 333 }));
    expect(text.startsWith("\uFEFF")).toBe(true);
    expect(text).not.toContain(HASH_MARKER);
    expect(text).not.toContain(SECRET_OPPREF);
    expect(text).not.toContain("emails_sha256");
    const [header, ...records] = parseCsv(text.slice(1));
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(records).toHaveLength(N);
    expect(records.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    const pages = (await walk(NO_FILTER, 200)).flat();
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(records.map((r) => r[col("dedup_id")])).toEqual(pages.map((r) => r.dedupId));

    const byName = new Map(records.map((r) => [r[col("order_name")], r]));
    expect(byName.has(WEIRD_NAME)).toBe(true);
    expect(byName.has(UNICODE_NAME)).toBe(true);
    expect(byName.has(`'${FORMULA_NAME}`)).toBe(true);
    const weird = byName.get(WEIRD_NAME)!;
    expect(weird[col("status")]).toBe("skipped"); // i = 7 → STATUSES[7]
    expect(weird[col("openai_answer")]).toBe("Not sent: No reason was recorded.");
  });

  it("writes amounts as decimals of the currency's unit and the answer in words", async () => {
    const text = await readAll(
      eventLogCsvStream(SHOP, filter("status=rejected&type=order_created"), { batchSize: 50 }),
    );
    const [header, ...records] = parseCsv(text.slice(1));
    const expected = seeded.filter((s) => s.status === "rejected" && s.eventType === "order_created").length;
    expect(records).toHaveLength(expected);
    const row = Object.fromEntries(header.map((h, i) => [h, records[0][i]]));
    expect(row.status).toBe("rejected");
    expect(row.outcome).toBe("failed");
    expect(row.last_http_status).toBe("422");
    expect(row.openai_answer).toBe('Rejected (HTTP 422): event_timestamp_too_old: The event is too old, "really"');
    expect(row.currency === "USD" ? /^\d+\.\d{2}$/.test(row.amount) : /^\d+$/.test(row.amount)).toBe(true);
    expect(row.recorded_at).toMatch(/^2026-09-\d\dT/);
  });

  it("an empty filter gives just the header", async () => {
    const text = await readAll(eventLogCsvStream(SHOP, filter("q=no-such-order")));
    expect(parseCsv(text.slice(1))).toEqual([[...CSV_COLUMNS]]);
  });
});

describe("routes", () => {
  it("GET /app/events/csv streams the current filter as an attachment", async () => {
    const { loader } = await import("~/routes/app.events.csv");
    const response = (await loader({
      request: new Request("https://app.example.test/app/events/csv?status=waiting&from=2026-09-01&to=2026-09-30"),
      params: {},
      context: {},
    })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(
      `attachment; filename="openai-events-${SHOP.replace(".myshopify.com", "")}-2026-09-01_2026-09-30.csv"`,
    );
    const text = await readAll(response);
    expect(text.startsWith("\uFEFF")).toBe(true);
    const records = parseCsv(text.slice(1));
    expect(records.length - 1).toBe(seeded.filter((s) => s.status === "pending" || s.status === "sending").length);
  });

  it("GET /app/events returns a page with cursors and the filter's query", async () => {
    const { loader } = await import("~/routes/app.events");
    const data = await loader({
      request: new Request("https://app.example.test/app/events?type=custom&q=10"),
      params: {},
      context: {},
    });
    const expected = seeded.filter((s) => s.eventType === "custom" && s.orderName.includes("10"));
    expect(data.page.total).toBe(expected.length);
    expect(data.query).toBe("type=custom&q=10");
    expect(data.page.rows.every((r) => r.eventType === "custom")).toBe(true);
  });

  it("GET /app/reconciliation returns the report for the authenticated shop", async () => {
    const { loader } = await import("~/routes/app.reconciliation");
    const data = await loader({
      request: new Request("https://app.example.test/app/reconciliation?from=2026-09-01&to=2026-09-30"),
      params: {},
      context: {},
    });
    expect(data.report.shop).toBe(SHOP);
    expect(data.report.range).toEqual({ from: "2026-09-01", to: "2026-09-30" });
    const webOrders = seeded.filter((s) => s.eventType === "order_created").length;
    expect(data.report.events.orders.total).toBe(webOrders);
    expect(data.report.events.corrections.total).toBe(N - webOrders);
  });
});
