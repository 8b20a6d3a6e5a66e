/**
 * The reconciliation loader against the real SQLite test database: known rows for a fresh shop —
 * every skip reason, pixel receipts that were sent, blocked, not sent (consent denied), missing and
 * late, non-web orders, duplicates, corrections, ledger refunds and cancellations, rows just outside
 * the range and another shop's rows — and every number checked against a hand count.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { SKIP_REASONS } from "~/conversions/skip-reasons";
import { buildEventFigures } from "~/conversions/reconciliation";
import { themeEmbedSummary } from "~/admin/reconciliation-text";
import { providerOfClient } from "~/db/provider.server";
import { loadReconciliation, queryEventAggregates, queryWebOrderAggregates } from "~/models/reconciliation.server";
import { gatherAlertInputs, loadShopAlerts } from "~/models/alerts.server";
import { printReconciliation } from "../../scripts/print-reconciliation";
import { eventRow, ledgerRow, payloadWith, receiptRow, type EventInput } from "../helpers/reconciliation-rows";

const SHOP = `recon-${randomBytes(4).toString("hex")}.myshopify.com`;
const OTHER = `recon-other-${randomBytes(4).toString("hex")}.myshopify.com`;
const RANGE = { from: "2026-10-01", to: "2026-10-03" };
const at = (iso: string) => new Date(iso);
const min = (date: Date, minutes: number) => new Date(date.getTime() + minutes * 60_000);
const D1 = at("2026-10-01T10:00:00.000Z");
const D2 = at("2026-10-02T10:00:00.000Z");
const D3 = at("2026-10-03T10:00:00.000Z");

/** Reasons that are web-order skips (the others are exclusions or the expired bucket). */
const WEB_SKIP_REASONS = Object.keys(SKIP_REASONS).filter(
  (r) => !["pos_order", "non_web_order", "duplicate", "expired", "subscription_renewal"].includes(r),
);

/** Every shop this file writes rows for; removed afterwards (other suites purge or count globally). */
const shopsUsed = [SHOP, OTHER];

afterAll(async () => {
  const where = { shop: { in: shopsUsed } };
  await prisma.conversionEvent.deleteMany({ where });
  await prisma.pixelReceipt.deleteMany({ where });
  await prisma.orderLedger.deleteMany({ where });
  await prisma.shopSettings.deleteMany({ where });
});

const events: ReturnType<typeof eventRow>[] = [];
const receipts: ReturnType<typeof receiptRow>[] = [];
const ledger: ReturnType<typeof ledgerRow>[] = [];
let orderSeq = 0;

/** An order_created event (+ its ledger row unless `ledgerRow: false`, + an optional receipt). */
function order(
  name: string,
  e: Omit<EventInput, "shop"> & { shop?: string },
  options: {
    gross?: number | null;
    currency?: string;
    ledger?: Partial<ReturnType<typeof ledgerRow>> | false;
    receipt?: Partial<ReturnType<typeof receiptRow>> & { receivedAt: Date };
  } = {},
) {
  const shop = e.shop ?? SHOP;
  const orderId = e.orderId === null ? null : String(7_100_000_000_000 + ++orderSeq);
  const currency = options.currency ?? "USD";
  const gross = options.gross === undefined ? 1000 : options.gross;
  events.push(eventRow({ orderName: name, amountMinor: gross, currency, ...e, shop, orderId }));
  if (orderId !== null && options.ledger !== false)
    ledger.push(ledgerRow({ shop, orderId, grossMinor: gross, netMinor: gross, currency, ...(options.ledger ?? {}) }));
  if (orderId !== null && options.receipt) receipts.push(receiptRow({ shop, orderId, ...options.receipt }));
}

beforeAll(async () => {
  // ── web orders, delivered
  order(
    "A1",
    {
      createdAt: D1,
      status: "delivered",
      deliveredAt: min(D1, 2),
      lastStatus: 200,
      attempts: 1,
      oppref: "op_a1",
      opprefSource: "receipt",
    },
    { gross: 10_000, receipt: { receivedAt: min(D1, -1), pixelStatus: "sent", consent: "granted", oppref: "op_a1" } },
  );
  order(
    "A2",
    {
      createdAt: min(D1, 5),
      status: "delivered",
      deliveredAt: min(D1, 7),
      attempts: 1,
      oppref: "op_a2",
      opprefSource: "landing_site",
    },
    {
      gross: 5000,
      ledger: { refundedMinor: 2000, netMinor: 3000 },
      receipt: { receivedAt: min(D1, 4), pixelStatus: "blocked" },
    },
  );
  order(
    "A3",
    { createdAt: D2, status: "delivered", deliveredAt: min(D2, 2), attempts: 1, oppref: null, opprefSource: "none" },
    { gross: 2000, currency: "EUR", receipt: { receivedAt: min(D2, -1), pixelStatus: "not_sent", consent: "unknown" } },
  );
  order(
    "A4",
    {
      createdAt: min(D2, 1),
      status: "delivered",
      deliveredAt: min(D2, 3),
      attempts: 2,
      oppref: "op_a4",
      opprefSource: "note_attributes",
    },
    { gross: 3000, ledger: { cancelledMinor: 3000, netMinor: 0, cancelledAt: min(D2, 60) } },
  );
  // A5: the pixel's receipt came an hour after the server had already delivered: late.
  order(
    "A5",
    {
      createdAt: D3,
      status: "delivered",
      deliveredAt: min(D3, 2),
      attempts: 1,
      oppref: "op_a5",
      opprefSource: "landing_site",
    },
    { gross: 4000, receipt: { receivedAt: min(D3, 62), pixelStatus: "sent" } },
  );
  order(
    "A6",
    { createdAt: min(D3, 1), status: "delivered", deliveredAt: min(D3, 3), attempts: 1, opprefSource: "none" },
    { gross: 1000 },
  );
  // ── waiting
  order("W1", { createdAt: min(D1, 10), status: "pending", attempts: 0 }, { gross: 1500 });
  order(
    "W2",
    { createdAt: min(D2, 10), status: "pending", attempts: 2, lastStatus: 503, lastError: "unavailable" },
    { gross: 1500, receipt: { receivedAt: min(D2, 9), pixelStatus: "sent" } },
  );
  order("W3", { createdAt: min(D3, 10), status: "sending", attempts: 1 }, { gross: 1000 });
  // ── failed, expired
  order(
    "F1",
    {
      createdAt: min(D2, 20),
      status: "rejected",
      skipReason: "rejected_by_openai",
      attempts: 1,
      lastStatus: 400,
      lastError: "invalid_event: bad",
    },
    { gross: 1200, receipt: { receivedAt: min(D2, 19), pixelStatus: "blocked" } },
  );
  order("E1", { createdAt: min(D1, 30), status: "expired", skipReason: "expired" }, { gross: 800 });
  order("E2", { createdAt: min(D2, 30), status: "skipped", skipReason: "expired" }, { gross: 700 });
  // ── every other skip reason, one web order each (on D3)
  for (const [i, reason] of WEB_SKIP_REASONS.entries()) {
    const createdAt = min(D3, 100 + i);
    if (reason === "malformed_payload") {
      order(
        `S-${reason}`,
        { createdAt, status: "skipped", skipReason: reason, orderId: null, amountMinor: null, currency: null },
        { ledger: false },
      );
    } else if (reason === "test_order") {
      order(
        `S-${reason}`,
        { createdAt, status: "skipped", skipReason: reason },
        { gross: 50_000, receipt: { receivedAt: min(createdAt, -1), pixelStatus: "sent" } },
      );
    } else if (reason === "consent_denied") {
      order(
        `S-${reason}`,
        { createdAt, status: "skipped", skipReason: reason },
        { gross: 100, receipt: { receivedAt: min(createdAt, -1), pixelStatus: "not_sent", consent: "denied" } },
      );
    } else if (reason === "no_consent_signal") {
      // decided 5 minutes after it was recorded; the receipt only came 30 minutes later: late.
      order(
        `S-${reason}`,
        { createdAt, updatedAt: min(createdAt, 5), status: "skipped", skipReason: reason },
        { gross: 100, receipt: { receivedAt: min(createdAt, 35), pixelStatus: "sent" } },
      );
    } else {
      order(`S-${reason}`, { createdAt, status: "skipped", skipReason: reason }, { gross: 100 });
    }
  }
  // ── not web orders
  order("P1", { createdAt: min(D1, 40), status: "skipped", skipReason: "pos_order" }, { gross: 7000 });
  order("N1", { createdAt: min(D2, 40), status: "skipped", skipReason: "non_web_order" }, { gross: 6000 });
  order(
    "NS1",
    {
      createdAt: min(D2, 41),
      status: "delivered",
      deliveredAt: min(D2, 43),
      payload: payloadWith("physical_store"),
      opprefSource: "none",
    },
    { gross: 9000, receipt: { receivedAt: min(D2, 41), pixelStatus: "sent" } },
  );
  order("DU1", { createdAt: min(D3, 40), status: "skipped", skipReason: "duplicate" }, { gross: 100, ledger: false });
  order("SR1", { createdAt: min(D3, 41), status: "skipped", skipReason: "subscription_renewal" }, { gross: 2500 });
  // ── corrections
  events.push(
    eventRow({
      shop: SHOP,
      createdAt: min(D2, 90),
      eventType: "custom",
      eventName: "order_refunded",
      status: "delivered",
      deliveredAt: min(D2, 91),
      amountMinor: 2000,
      currency: "USD",
    }),
  );
  events.push(
    eventRow({
      shop: SHOP,
      createdAt: min(D3, 90),
      eventType: "custom",
      eventName: "order_cancelled",
      status: "delivered",
      deliveredAt: min(D3, 91),
      amountMinor: 3000,
      currency: "USD",
    }),
  );
  events.push(
    eventRow({
      shop: SHOP,
      createdAt: min(D3, 91),
      eventType: "custom",
      eventName: "order_refunded",
      status: "skipped",
      skipReason: "zero_amount",
      amountMinor: 0,
      currency: "USD",
    }),
  );
  events.push(
    eventRow({
      shop: SHOP,
      createdAt: min(D3, 92),
      eventType: "custom",
      eventName: "order_refunded",
      status: "pending",
      amountMinor: 500,
      currency: "USD",
    }),
  );
  // ── just outside the range, and another shop inside it
  order("X1", { createdAt: at("2026-09-30T23:59:59.999Z"), status: "delivered", deliveredAt: D1 }, { gross: 99_000 });
  order("X2", { createdAt: at("2026-10-04T00:00:00.000Z"), status: "delivered", deliveredAt: D3 }, { gross: 99_000 });
  order(
    "O1",
    { shop: OTHER, createdAt: D2, status: "delivered", deliveredAt: D2 },
    { gross: 99_000, receipt: { receivedAt: D2 } },
  );
  // ── receipts for orders Shopify has not told us about
  receipts.push(receiptRow({ shop: SHOP, orderId: "7199000000001", receivedAt: min(D2, 300) })); // counted
  receipts.push(receiptRow({ shop: SHOP, orderId: "7199000000002", receivedAt: at("2026-10-05T08:00:00.000Z") })); // outside the range
  ledger.push(ledgerRow({ shop: SHOP, orderId: "7199000000003", grossMinor: 500, createdAt: D2 })); // orders/paid shop: ledger saw it
  receipts.push(receiptRow({ shop: SHOP, orderId: "7199000000003", receivedAt: min(D2, 301) }));
  ledger.push(ledgerRow({ shop: SHOP, orderId: "7199000000004", grossMinor: null, netMinor: null, orderSeenAt: null })); // refund before order
  receipts.push(receiptRow({ shop: SHOP, orderId: "7199000000004", receivedAt: min(D2, 302) })); // counted
  receipts.push(receiptRow({ shop: OTHER, orderId: "7199000000005", receivedAt: D2 })); // another shop

  await prisma.conversionEvent.createMany({ data: events });
  await prisma.pixelReceipt.createMany({ data: receipts });
  await prisma.orderLedger.createMany({ data: ledger });
});

describe("loadReconciliation on known rows", () => {
  it("speaks the test database's SQL dialect", () => {
    expect(providerOfClient(prisma)).toBe(process.env.TEST_DATABASE_PROVIDER === "postgres" ? "postgres" : "sqlite");
  });

  it("stores the timestamps it was given (the late-receipt checks depend on it)", async () => {
    const row = await prisma.conversionEvent.findFirst({ where: { shop: SHOP, skipReason: "no_consent_signal" } });
    expect(row!.updatedAt.getTime() - row!.createdAt.getTime()).toBe(5 * 60_000);
  });

  it("counts web orders by outcome and every skip reason", async () => {
    const r = await loadReconciliation(SHOP, RANGE, { now: at("2026-10-04T12:00:00Z") });
    const skipped = WEB_SKIP_REASONS.length;
    expect(r.events.orders).toEqual({
      total: 6 + 3 + 1 + 2 + skipped,
      accepted: 6,
      waiting: 3,
      failed: 1,
      expired: 2,
      skipped,
      other: 0,
      skippedByReason: Object.fromEntries(WEB_SKIP_REASONS.map((reason) => [reason, 1])),
    });
    expect(r.events.excluded).toEqual({
      posOrders: 1,
      nonWebOrders: 1,
      nonWebSent: 1,
      duplicates: 1,
      subscriptionRenewals: 1,
    });
    expect(r.events.otherEvents).toBe(0);
  });

  it("counts corrections the same way", async () => {
    const r = await loadReconciliation(SHOP, RANGE);
    expect(r.events.corrections).toEqual({
      total: 4,
      accepted: 2,
      waiting: 1,
      failed: 0,
      expired: 0,
      skipped: 1,
      other: 0,
      skippedByReason: { zero_amount: 1 },
    });
    expect(r.events.correctionsByName.order_refunded).toMatchObject({ total: 3, accepted: 1, waiting: 1, skipped: 1 });
    expect(r.events.correctionsByName.order_cancelled).toMatchObject({ total: 1, accepted: 1 });
  });

  it("buckets by the UTC day the event was recorded, zero-filled", async () => {
    const r = await loadReconciliation(SHOP, RANGE);
    expect(r.events.days.map((d) => d.day)).toEqual(["2026-10-01", "2026-10-02", "2026-10-03"]);
    const [d1, d2, d3] = r.events.days;
    expect(d1.orders).toMatchObject({ total: 4, accepted: 2, waiting: 1, expired: 1, failed: 0, skipped: 0 });
    expect(d2.orders).toMatchObject({ total: 5, accepted: 2, waiting: 1, failed: 1, expired: 1, skipped: 0 });
    expect(d3.orders).toMatchObject({
      total: 3 + WEB_SKIP_REASONS.length,
      accepted: 2,
      waiting: 1,
      skipped: WEB_SKIP_REASONS.length,
    });
    expect(d1.corrections.total).toBe(0);
    expect(d2.corrections).toMatchObject({ total: 1, accepted: 1 });
    expect(d3.corrections).toMatchObject({ total: 3, accepted: 1, waiting: 1, skipped: 1 });
  });

  it("measures pixel loss from receipts: sent, blocked, not sent, none, late", async () => {
    const r = await loadReconciliation(SHOP, RANGE);
    const web = r.events.orders.total;
    // receipts on web orders: A1 sent, A2 blocked, A3 not_sent, A5 sent (late), W2 sent, F1 blocked,
    // test_order sent, consent_denied not_sent/denied, no_consent_signal sent (late).
    expect(r.pixel).toEqual({
      webOrders: web,
      pixelSent: 5,
      pixelBlocked: 2,
      pixelNotSent: 2,
      noReceipt: web - 9,
      consentDenied: 1,
      lateReceipts: 2,
      missedByPixel: web - 5,
      both: 2, // A1, A5
      serverOnly: 4, // A2, A3, A4, A6
      pixelOnly: 3, // W2, test_order, no_consent_signal
      neither: web - 9,
      pixelLossRate: (web - 5) / web,
      serverRecoveryRate: 4 / web,
      recoveredShareOfMissed: 4 / (web - 5),
    });
  });

  it("measures oppref coverage of accepted web orders by source", async () => {
    const r = await loadReconciliation(SHOP, RANGE);
    expect(r.oppref).toEqual({
      delivered: 6,
      withOppref: 4,
      bySource: { receipt: 1, landing_site: 2, note_attributes: 1 },
      otherSource: 0,
      withoutOppref: 2,
      coverageRate: 4 / 6,
    });
  });

  it("puts gross, refunds, cancellations, net and what OpenAI accepted side by side per currency", async () => {
    const r = await loadReconciliation(SHOP, RANGE);
    const otherSkips = WEB_SKIP_REASONS.filter((x) => x !== "test_order" && x !== "malformed_payload").length;
    const usdGross = 10_000 + 5000 + 3000 + 4000 + 1000 + 1500 + 1500 + 1000 + 1200 + 800 + 700 + 100 * otherSkips;
    expect(r.revenue).toEqual([
      {
        currency: "USD",
        orders: 11 + otherSkips,
        unknownAmount: 0,
        grossMinor: usdGross,
        refundedMinor: 2000,
        cancelledMinor: 3000,
        netMinor: usdGross - 2000 - 3000,
        cancelledOrders: 1,
        reportedMinor: 10_000 + 5000 + 3000 + 4000 + 1000,
        correctionsReportedMinor: 5000,
      },
      {
        currency: "EUR",
        orders: 1,
        unknownAmount: 0,
        grossMinor: 2000,
        refundedMinor: 0,
        cancelledMinor: 0,
        netMinor: 2000,
        cancelledOrders: 0,
        reportedMinor: 2000,
        correctionsReportedMinor: 0,
      },
      {
        currency: "unknown",
        orders: 1,
        unknownAmount: 1,
        grossMinor: 0,
        refundedMinor: 0,
        cancelledMinor: 0,
        netMinor: 0,
        cancelledOrders: 0,
        reportedMinor: 0,
        correctionsReportedMinor: 0,
      },
    ]);
  });

  it("counts pixel receipts for orders Shopify has not sent", async () => {
    const r = await loadReconciliation(SHOP, RANGE);
    expect(r.receiptsWithoutOrder).toBe(2);
  });

  it("the SQL web-order filter and the pure one agree", async () => {
    const { start, end } = { start: at("2026-09-01T00:00:00Z"), end: at("2026-11-01T00:00:00Z") };
    const figures = buildEventFigures(await queryEventAggregates(SHOP, start, end), {
      from: "2026-09-01",
      to: "2026-10-31",
    });
    const { pixel: pixelRows } = await queryWebOrderAggregates(SHOP, start, end);
    expect(pixelRows.reduce((s, r) => s + r.count, 0)).toBe(figures.orders.total);
  });

  it("estimates the server-only orders the theme embed's cart attribute got attributed", async () => {
    const r = await loadReconciliation(SHOP, RANGE);
    // Accepted with no receipt: A4 (oppref from note_attributes) and A6 (no oppref).
    expect(r.themeEmbed).toEqual({ attributed: 1, serverOnlyWithoutReceipt: 2, share: 0.5 });
  });

  it("a day range with nothing in it is all zeros", async () => {
    const r = await loadReconciliation(SHOP, { from: "2026-08-01", to: "2026-08-02" });
    expect(r.events.orders.total).toBe(0);
    expect(r.pixel.webOrders).toBe(0);
    expect(r.revenue).toEqual([]);
    expect(r.events.days).toHaveLength(2);
  });

  it("prints the same figures as a text table", async () => {
    const text = await printReconciliation(SHOP, RANGE, { print: false, now: at("2026-10-04T12:00:00Z") });
    expect(text).toContain(`Reconciliation for ${SHOP}, 2026-10-01 to 2026-10-03`);
    expect(text).toMatch(new RegExp(`Web orders received\\s+${6 + 3 + 1 + 2 + WEB_SKIP_REASONS.length}\\n`));
    expect(text).toMatch(/Accepted by OpenAI\s+6\s+/);
    expect(text).toMatch(/Pixel ran, request blocked in the browser\s+2\s/);
    expect(text).toMatch(/Counted only thanks to server events\s+4\s/);
    expect(text).toMatch(/From the pixel receipt \(the __oppref cookie\)\s+1\s/);
    expect(text).toMatch(/Server-only, attributed thanks to the theme embed\s+1\s+50%/);
    expect(text).toContain(themeEmbedSummary({ attributed: 1, serverOnlyWithoutReceipt: 2, share: 0.5 }));
    expect(text).toContain(
      "USD: 22 orders".replace(
        "22",
        String(11 + WEB_SKIP_REASONS.filter((x) => x !== "test_order" && x !== "malformed_payload").length),
      ),
    );
    expect(text).toContain("accepted by OpenAI 230.00 USD");
    expect(text).toMatch(/2026-10-02\s+5\s+2\s+1\s+1\s+1\s+0\s+1/);
    for (const reason of WEB_SKIP_REASONS) expect(text).toContain(`    ${reason}`);
  });
});

describe("alerts from the database", () => {
  const NOW = at("2026-11-20T12:00:00.000Z");
  const ago = (minutes: number) => min(NOW, -minutes);

  it("gathers each rule's inputs from its rows", async () => {
    const shop = `alerts-${randomBytes(4).toString("hex")}.myshopify.com`;
    shopsUsed.push(shop);
    await prisma.shopSettings.create({
      data: {
        shop,
        credentialsStatus: "rejected",
        credentialsMessage: "OpenAI answered 401: invalid key",
        lastDeliveredAt: ago(240),
        oppRefGraceSeconds: 120,
      },
    });
    const rows = [
      // failing since 3 hours (oldest open event with attempts > 0)
      eventRow({
        shop,
        createdAt: ago(180),
        status: "pending",
        attempts: 3,
        lastStatus: 503,
        lastError: "unavailable",
        expiresAt: min(NOW, 60),
      }),
      eventRow({ shop, createdAt: ago(90), status: "sending", attempts: 1, expiresAt: min(NOW, 24 * 60) }), // expires exactly at the horizon
      eventRow({ shop, createdAt: ago(10), status: "pending", attempts: 0, expiresAt: min(NOW, 24 * 60 + 1) }), // just beyond
      // ratio window [392, 32) minutes ago (30 min settle + 120 s grace): 13 deliverable, 3 accepted
      ...Array.from({ length: 3 }, () => eventRow({ shop, createdAt: ago(60), status: "delivered" })),
      ...Array.from({ length: 8 }, () =>
        eventRow({ shop, createdAt: ago(120), status: "rejected", skipReason: "rejected_by_openai" }),
      ),
      eventRow({ shop, createdAt: ago(100), status: "skipped", skipReason: "test_order" }),
      eventRow({ shop, createdAt: ago(100), status: "skipped", skipReason: "pos_order" }),
      eventRow({ shop, createdAt: ago(31), status: "delivered" }), // after the window's end: not counted
    ];
    await prisma.conversionEvent.createMany({ data: rows });
    await prisma.pixelReceipt.createMany({
      data: [
        receiptRow({ shop, orderId: "1", receivedAt: ago(3 * 60 + 1) }), // baseline
        receiptRow({ shop, orderId: "2", receivedAt: ago(27 * 60) }), // baseline's first instant
        receiptRow({ shop, orderId: "3", receivedAt: ago(27 * 60 + 1) }), // before the baseline
      ],
    });

    const inputs = await gatherAlertInputs(shop, { now: NOW });
    expect(inputs.credentials).toEqual({
      status: "rejected",
      message: "OpenAI answered 401: invalid key",
      checkedAt: null,
    });
    expect(inputs.oldestFailing).toEqual({ createdAt: ago(180), lastStatus: 503, lastError: "unavailable" });
    expect(inputs.failingCount).toBe(2);
    expect(inputs.lastDeliveredAt).toEqual(ago(240));
    expect(inputs.ratio).toEqual({ deliverable: 1 + 1 + 3 + 8, accepted: 3 });
    // quiet window = the last 3 hours: rows at 180 min ago (first instant) … 10 min ago are web orders
    expect(inputs.receipts).toEqual({ baseline: 2, quiet: 0, webOrdersQuiet: 1 + 1 + 1 + 3 + 8 + 1 + 1 });
    expect(inputs.expiring).toEqual({ count: 2, earliest: min(NOW, 60) });

    const alerts = await loadShopAlerts(shop, { now: NOW });
    expect(alerts.map((a) => a.id)).toEqual([
      "credentials_rejected",
      "delivery_failing",
      "low_accepted_ratio",
      "receipts_stopped",
      "events_expiring",
    ]);
  });

  it("a shop with no settings and no rows has no alerts", async () => {
    expect(await loadShopAlerts(`alerts-none-${randomBytes(4).toString("hex")}.myshopify.com`, { now: NOW })).toEqual(
      [],
    );
  });
});
