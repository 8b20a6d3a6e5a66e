import { describe, expect, it } from "vitest";
import {
  buildEventFigures,
  buildOpprefCoverage,
  buildPixelLoss,
  buildReconciliationReport,
  buildRevenue,
  buildThemeEmbedEstimate,
  describeOpenAiAnswer,
  formatMoney,
  OUTCOMES,
  orderRowKind,
  outcomeOf,
  receiptClass,
  skipReasonText,
  type EventAggregateRow,
  type PixelAggregateRow,
} from "~/conversions/reconciliation";
import { dayCount, daysOf, lastDays, parseDayRange, rangeBounds } from "~/conversions/day-range";
import { formatPercent, pixelLossSummary, sortedReasons, themeEmbedSummary } from "~/admin/reconciliation-text";
import { SKIP_REASONS } from "~/conversions/skip-reasons";

const RANGE = { from: "2026-11-01", to: "2026-11-03" };

function ev(partial: Partial<EventAggregateRow> & Pick<EventAggregateRow, "status" | "count">): EventAggregateRow {
  return {
    day: "2026-11-01",
    eventType: "order_created",
    eventName: "",
    skipReason: null,
    nonWebSent: false,
    ...partial,
  };
}

function px(partial: Partial<PixelAggregateRow> & Pick<PixelAggregateRow, "count">): PixelAggregateRow {
  return {
    delivered: false,
    opprefSource: null,
    hasOppref: false,
    pixelStatus: null,
    consent: null,
    lateReceipt: false,
    ...partial,
  };
}

describe("day ranges", () => {
  it("parses from/to, swaps a reversed range and clamps the future to today", () => {
    expect(parseDayRange({ from: "2026-11-01", to: "2026-11-03" }, "2026-11-20")).toEqual({
      from: "2026-11-01",
      to: "2026-11-03",
    });
    expect(parseDayRange({ from: "2026-11-03", to: "2026-11-01" }, "2026-11-20")).toEqual({
      from: "2026-11-01",
      to: "2026-11-03",
    });
    expect(parseDayRange({ from: "2026-11-18", to: "2026-12-30" }, "2026-11-20")).toEqual({
      from: "2026-11-18",
      to: "2026-11-20",
    });
    expect(parseDayRange({ from: "2026-12-01", to: "2026-12-30" }, "2026-11-20")).toEqual({
      from: "2026-11-20",
      to: "2026-11-20",
    });
  });

  it("falls back to `days`, then to the last 30 days, for missing or invalid input", () => {
    expect(parseDayRange({ days: "7" }, "2026-11-20")).toEqual({ from: "2026-11-14", to: "2026-11-20" });
    expect(parseDayRange({ days: "1" }, "2026-11-20")).toEqual({ from: "2026-11-20", to: "2026-11-20" });
    for (const bad of [
      {},
      { days: "0" },
      { days: "-3" },
      { days: "abc" },
      { days: "2.5" },
      { from: "2026-02-30", to: "2026-03-01" },
      { from: "2026-11-01" },
    ]) {
      expect(parseDayRange(bad, "2026-11-20")).toEqual({ from: "2026-10-22", to: "2026-11-20" });
    }
  });

  it("shortens a range longer than 366 days, keeping its end", () => {
    expect(parseDayRange({ from: "2020-01-01", to: "2026-11-20" }, "2026-11-20")).toEqual({
      from: "2025-11-20",
      to: "2026-11-20",
    });
    expect(parseDayRange({ days: "5000" }, "2026-11-20")).toEqual({ from: "2025-11-20", to: "2026-11-20" });
    expect(dayCount(parseDayRange({ days: "366" }, "2026-11-20"))).toBe(366);
  });

  it("bounds are [midnight UTC of from, midnight UTC after to)", () => {
    const { start, end } = rangeBounds(RANGE);
    expect(start.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(end.toISOString()).toBe("2026-11-04T00:00:00.000Z");
    expect(daysOf(RANGE)).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    expect(daysOf({ from: "2028-02-28", to: "2028-03-01" })).toEqual(["2028-02-28", "2028-02-29", "2028-03-01"]);
    expect(lastDays("2026-01-02", 3)).toEqual({ from: "2025-12-31", to: "2026-01-02" });
  });
});

describe("outcomes", () => {
  it("puts every status into exactly one bucket", () => {
    expect(outcomeOf("delivered", null)).toBe("accepted");
    expect(outcomeOf("pending", null)).toBe("waiting");
    expect(outcomeOf("sending", null)).toBe("waiting");
    expect(outcomeOf("held", null)).toBe("waiting");
    expect(outcomeOf("rejected", "rejected_by_openai")).toBe("failed");
    expect(outcomeOf("expired", "expired")).toBe("expired");
    expect(outcomeOf("skipped", "expired")).toBe("expired");
    expect(outcomeOf("skipped", "test_order")).toBe("skipped");
    expect(outcomeOf("skipped", null)).toBe("skipped");
    expect(outcomeOf("blocked", null)).toBe("other");
    expect(outcomeOf("", null)).toBe("other");
  });

  it("classifies order rows against the web-order definition", () => {
    expect(orderRowKind({ status: "skipped", skipReason: "pos_order", nonWebSent: false })).toBe("posOrders");
    expect(orderRowKind({ status: "skipped", skipReason: "non_web_order", nonWebSent: false })).toBe("nonWebOrders");
    expect(orderRowKind({ status: "skipped", skipReason: "duplicate", nonWebSent: false })).toBe("duplicates");
    expect(orderRowKind({ status: "delivered", skipReason: null, nonWebSent: true })).toBe("nonWebSent");
    expect(orderRowKind({ status: "pending", skipReason: null, nonWebSent: false })).toBe("web");
    expect(orderRowKind({ status: "skipped", skipReason: "test_order", nonWebSent: false })).toBe("web");
  });
});

describe("buildEventFigures", () => {
  const rows: EventAggregateRow[] = [
    ev({ status: "delivered", count: 10 }),
    ev({ day: "2026-11-02", status: "delivered", count: 5 }),
    ev({ status: "pending", count: 2 }),
    ev({ status: "sending", count: 1 }),
    ev({ status: "rejected", skipReason: "rejected_by_openai", count: 1 }),
    ev({ status: "expired", skipReason: "expired", count: 1 }),
    ev({ day: "2026-11-03", status: "skipped", skipReason: "expired", count: 2 }),
    ev({ status: "skipped", skipReason: "test_order", count: 3 }),
    ev({ day: "2026-11-03", status: "skipped", skipReason: "consent_denied", count: 4 }),
    ev({ status: "skipped", skipReason: null, count: 1 }),
    ev({ status: "mystery", count: 1 }),
    // not web orders
    ev({ status: "skipped", skipReason: "pos_order", count: 6 }),
    ev({ status: "skipped", skipReason: "non_web_order", count: 2 }),
    ev({ status: "delivered", nonWebSent: true, count: 3 }),
    ev({ status: "skipped", skipReason: "duplicate", count: 1 }),
    // corrections
    ev({ eventType: "custom", eventName: "order_refunded", status: "delivered", count: 4 }),
    ev({ eventType: "custom", eventName: "order_refunded", status: "skipped", skipReason: "zero_amount", count: 1 }),
    ev({ day: "2026-11-02", eventType: "custom", eventName: "order_cancelled", status: "pending", count: 2 }),
    // outside the range's days (still counted in totals: the query decides the range)
    ev({ day: "2026-10-31", status: "delivered", count: 1 }),
    ev({ eventType: "something_else", status: "delivered", count: 9 }),
    ev({ status: "delivered", count: 0 }),
  ];
  const f = buildEventFigures(rows, RANGE);

  it("counts web orders by outcome, with every bucket adding up to the total", () => {
    expect(f.orders).toEqual({
      total: 32,
      accepted: 16,
      waiting: 3,
      failed: 1,
      expired: 3,
      skipped: 8,
      other: 1,
      skippedByReason: { test_order: 3, consent_denied: 4, unknown: 1 },
    });
    const sum = OUTCOMES.reduce((s, o) => s + f.orders[o], 0);
    expect(sum).toBe(f.orders.total);
    expect(Object.values(f.orders.skippedByReason).reduce((a, b) => a + b, 0)).toBe(f.orders.skipped);
  });

  it("keeps non-web orders and duplicates out of web orders, counted apart", () => {
    expect(f.excluded).toEqual({
      posOrders: 6,
      nonWebOrders: 2,
      nonWebSent: 3,
      duplicates: 1,
      subscriptionRenewals: 0,
    });
    expect(f.otherEvents).toBe(9);
  });

  it("counts corrections with the same buckets, also per event name", () => {
    expect(f.corrections).toMatchObject({
      total: 7,
      accepted: 4,
      waiting: 2,
      skipped: 1,
      skippedByReason: { zero_amount: 1 },
    });
    expect(f.correctionsByName.order_refunded).toMatchObject({ total: 5, accepted: 4, skipped: 1 });
    expect(f.correctionsByName.order_cancelled).toMatchObject({ total: 2, waiting: 2 });
  });

  it("has one zero-filled entry per day, oldest first", () => {
    expect(f.days.map((d) => d.day)).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    expect(f.days[0].orders).toMatchObject({
      total: 20,
      accepted: 10,
      waiting: 3,
      failed: 1,
      expired: 1,
      skipped: 4,
      other: 1,
    });
    expect(f.days[1].orders).toMatchObject({ total: 5, accepted: 5 });
    expect(f.days[1].corrections).toMatchObject({ total: 2, waiting: 2 });
    expect(f.days[2].orders).toMatchObject({
      total: 6,
      expired: 2,
      skipped: 4,
      skippedByReason: { consent_denied: 4 },
    });
    const empty = buildEventFigures([], RANGE);
    expect(empty.days.every((d) => d.orders.total === 0 && d.corrections.total === 0)).toBe(true);
    expect(empty.orders.total).toBe(0);
  });
});

describe("buildPixelLoss", () => {
  const rows: PixelAggregateRow[] = [
    px({
      delivered: true,
      pixelStatus: "sent",
      consent: "granted",
      hasOppref: true,
      opprefSource: "receipt",
      count: 50,
    }),
    px({
      delivered: true,
      pixelStatus: "sent",
      consent: "granted",
      hasOppref: true,
      opprefSource: "receipt",
      lateReceipt: true,
      count: 2,
    }),
    px({
      delivered: true,
      pixelStatus: "blocked",
      consent: "granted",
      hasOppref: true,
      opprefSource: "landing_site",
      count: 8,
    }),
    px({ delivered: false, pixelStatus: "blocked", consent: "granted", count: 2 }),
    px({ delivered: true, pixelStatus: "not_sent", consent: "unknown", count: 5 }),
    px({ delivered: false, pixelStatus: "not_sent", consent: "denied", count: 6 }),
    px({ delivered: true, pixelStatus: null, hasOppref: true, opprefSource: "note_attributes", count: 12 }),
    px({ delivered: true, pixelStatus: null, opprefSource: "none", count: 3 }),
    px({ delivered: false, pixelStatus: null, count: 4 }),
    px({ delivered: false, pixelStatus: "sent", consent: "granted", count: 7 }),
    px({ delivered: true, pixelStatus: "weird", consent: "denied", lateReceipt: true, count: 1 }),
  ];
  const p = buildPixelLoss(rows);

  it("splits web orders by what the pixel receipt said", () => {
    expect(p).toMatchObject({
      webOrders: 100,
      pixelSent: 59,
      pixelBlocked: 10,
      pixelNotSent: 12,
      noReceipt: 19,
      consentDenied: 7,
      lateReceipts: 3,
      missedByPixel: 41,
    });
    expect(p.pixelSent + p.pixelBlocked + p.pixelNotSent + p.noReceipt).toBe(p.webOrders);
  });

  it("derives what only the server got counted", () => {
    expect(p).toMatchObject({ both: 52, serverOnly: 29, pixelOnly: 7, neither: 12 });
    expect(p.both + p.serverOnly + p.pixelOnly + p.neither).toBe(p.webOrders);
    expect(p.pixelLossRate).toBeCloseTo(0.41);
    expect(p.serverRecoveryRate).toBeCloseTo(0.29);
    expect(p.recoveredShareOfMissed).toBeCloseTo(29 / 41);
    expect(pixelLossSummary(p)).toBe(
      "Of 100 web orders, the browser pixel reported 59 to OpenAI and missed 41 (41%): 10 blocked in the browser, 12 not sent (no consent or pixel off), 19 with no pixel signal at all. Server events got 29 of those missed sales counted (29% of all web orders).",
    );
  });

  it("has no rates without orders", () => {
    const empty = buildPixelLoss([]);
    expect(empty).toMatchObject({
      webOrders: 0,
      pixelLossRate: null,
      serverRecoveryRate: null,
      recoveredShareOfMissed: null,
    });
    expect(pixelLossSummary(empty)).toMatch(/No web orders/);
  });

  it("treats an unknown pixel status as not sent, and null as no receipt", () => {
    expect(receiptClass(null)).toBe("none");
    expect(receiptClass("sent")).toBe("sent");
    expect(receiptClass("blocked")).toBe("blocked");
    expect(receiptClass("not_sent")).toBe("not_sent");
    expect(receiptClass("weird")).toBe("not_sent");
  });

  it("measures oppref coverage of accepted server events by source", () => {
    expect(buildOpprefCoverage(rows)).toEqual({
      delivered: 81,
      withOppref: 72,
      bySource: { receipt: 52, landing_site: 8, note_attributes: 12 },
      otherSource: 0,
      withoutOppref: 9,
      coverageRate: 72 / 81,
    });
    expect(
      buildOpprefCoverage([px({ delivered: true, hasOppref: true, opprefSource: "martian", count: 2 })]),
    ).toMatchObject({ withOppref: 2, otherSource: 2 });
    expect(buildOpprefCoverage([]).coverageRate).toBeNull();
  });
});

describe("buildThemeEmbedEstimate", () => {
  it("counts server-only orders without a receipt whose oppref came only from the cart attribute", () => {
    const rows = [
      // counted: accepted, no receipt, oppref from the theme embed's cart attribute
      px({ delivered: true, pixelStatus: null, hasOppref: true, opprefSource: "note_attributes", count: 12 }),
      // same pool, other sources or none
      px({ delivered: true, pixelStatus: null, hasOppref: true, opprefSource: "landing_site", count: 4 }),
      px({ delivered: true, pixelStatus: null, opprefSource: "none", count: 4 }),
      // a receipt arrived (even one saying blocked): not in the pool
      px({ delivered: true, pixelStatus: "blocked", hasOppref: true, opprefSource: "note_attributes", count: 5 }),
      px({ delivered: true, pixelStatus: "sent", hasOppref: true, opprefSource: "note_attributes", count: 6 }),
      // not accepted: OpenAI did not count it, so nothing was attributed
      px({ delivered: false, pixelStatus: null, count: 9 }),
      // a source recorded without an oppref value is not an attribution
      px({ delivered: true, pixelStatus: null, hasOppref: false, opprefSource: "note_attributes", count: 0 }),
    ];
    const e = buildThemeEmbedEstimate(rows);
    expect(e).toEqual({ attributed: 12, serverOnlyWithoutReceipt: 20, share: 0.6 });
    expect(themeEmbedSummary(e)).toBe(
      "About 12 orders of the 20 orders counted only from the server with no pixel signal (60%) were attributed to an ad click thanks to the theme embed: their oppref came only from the cart attribute. Without the embed they would have reached OpenAI with no click reference.",
    );
  });

  it("ignores a recorded source without an oppref, and says when there is nothing to estimate", () => {
    expect(
      buildThemeEmbedEstimate([
        px({ delivered: true, pixelStatus: null, hasOppref: false, opprefSource: "note_attributes", count: 3 }),
      ]),
    ).toEqual({ attributed: 0, serverOnlyWithoutReceipt: 3, share: 0 });
    const none = buildThemeEmbedEstimate([px({ delivered: true, pixelStatus: "sent", count: 3 })]);
    expect(none).toEqual({ attributed: 0, serverOnlyWithoutReceipt: 0, share: null });
    expect(themeEmbedSummary(none)).toMatch(/nothing to estimate/);
    expect(themeEmbedSummary({ attributed: 1, serverOnlyWithoutReceipt: 1, share: 1 })).toMatch(
      /^About 1 order of the 1 order counted/,
    );
  });
});

describe("buildRevenue", () => {
  it("merges per currency (case-insensitively, null → unknown), largest gross first", () => {
    const zero = {
      orders: 0,
      unknownAmount: 0,
      grossMinor: 0,
      refundedMinor: 0,
      cancelledMinor: 0,
      netMinor: 0,
      cancelledOrders: 0,
      reportedMinor: 0,
      correctionsReportedMinor: 0,
    };
    const revenue = buildRevenue([
      { ...zero, currency: "EUR", orders: 2, grossMinor: 5000, netMinor: 5000, reportedMinor: 5000 },
      {
        ...zero,
        currency: "USD",
        orders: 3,
        grossMinor: 30000,
        refundedMinor: 2500,
        cancelledMinor: 10000,
        netMinor: 17500,
        cancelledOrders: 1,
        reportedMinor: 20000,
      },
      { ...zero, currency: "usd", correctionsReportedMinor: 2500 },
      { ...zero, currency: null, orders: 1, unknownAmount: 1 },
    ]);
    expect(revenue.map((r) => r.currency)).toEqual(["USD", "EUR", "unknown"]);
    expect(revenue[0]).toEqual({
      currency: "USD",
      orders: 3,
      unknownAmount: 0,
      grossMinor: 30000,
      refundedMinor: 2500,
      cancelledMinor: 10000,
      netMinor: 17500,
      cancelledOrders: 1,
      reportedMinor: 20000,
      correctionsReportedMinor: 2500,
    });
    expect(revenue[2]).toMatchObject({ orders: 1, unknownAmount: 1 });
  });

  it("formats money in the currency's minor unit, tolerating unknown codes", () => {
    expect(formatMoney("USD", 12999)).toBe("129.99 USD");
    expect(formatMoney("JPY", 8900)).toBe("8900 JPY");
    expect(formatMoney("KWD", 1234)).toBe("1.234 KWD");
    expect(formatMoney("unknown", 55)).toBe("55 (minor units) unknown");
  });
});

describe("texts", () => {
  it("formats percentages", () => {
    expect(formatPercent(null)).toBe("–");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(0.25)).toBe("25%");
    expect(formatPercent(0.2424)).toBe("24.2%");
    expect(formatPercent(1)).toBe("100%");
    expect(formatPercent(Number.NaN)).toBe("–");
  });

  it("explains every skip reason in the merchant's words", () => {
    for (const [reason, text] of Object.entries(SKIP_REASONS)) expect(skipReasonText(reason)).toBe(text);
    expect(skipReasonText("unknown")).toBe("No reason was recorded.");
    expect(skipReasonText("brand_new")).toBe("Recorded reason: brand_new.");
    expect(sortedReasons({ b: 2, a: 2, c: 5, z: 0 })).toEqual([
      ["c", 5],
      ["a", 2],
      ["b", 2],
    ]);
  });

  it("describes OpenAI's answer for each outcome", () => {
    const base = { skipReason: null, attempts: 1, lastStatus: null, lastError: null };
    expect(describeOpenAiAnswer({ ...base, status: "delivered", lastStatus: 200 })).toBe("Accepted (HTTP 200)");
    expect(
      describeOpenAiAnswer({
        ...base,
        status: "rejected",
        lastStatus: 422,
        lastError: "event_timestamp_too_old: too old",
      }),
    ).toBe("Rejected (HTTP 422): event_timestamp_too_old: too old");
    expect(describeOpenAiAnswer({ ...base, status: "pending", attempts: 0 })).toBe("Not sent yet");
    expect(
      describeOpenAiAnswer({ ...base, status: "pending", attempts: 3, lastStatus: 503, lastError: "unavailable" }),
    ).toBe("Will retry (last answer HTTP 503): unavailable");
    expect(describeOpenAiAnswer({ ...base, status: "pending", attempts: 2, lastError: "fetch failed" })).toBe(
      "Will retry: fetch failed",
    );
    expect(describeOpenAiAnswer({ ...base, status: "skipped", skipReason: "test_order" })).toBe(
      `Not sent: ${SKIP_REASONS.test_order}`,
    );
    expect(describeOpenAiAnswer({ ...base, status: "expired", skipReason: "expired" })).toBe(
      `Not sent: ${SKIP_REASONS.expired}`,
    );
  });
});

describe("buildReconciliationReport", () => {
  it("puts the pieces together with a JSON-safe timestamp", () => {
    const report = buildReconciliationReport({
      shop: "s.myshopify.com",
      range: RANGE,
      generatedAt: new Date("2026-11-04T10:00:00Z"),
      events: [ev({ status: "delivered", count: 2 })],
      pixel: [px({ delivered: true, pixelStatus: "sent", count: 2 })],
      revenue: [],
      receiptsWithoutOrder: 3,
    });
    expect(report.generatedAt).toBe("2026-11-04T10:00:00.000Z");
    expect(report.events.orders.accepted).toBe(2);
    expect(report.pixel.both).toBe(2);
    expect(report.themeEmbed).toEqual({ attributed: 0, serverOnlyWithoutReceipt: 0, share: null });
    expect(report.receiptsWithoutOrder).toBe(3);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe("subscription orders in the reconciliation", () => {
  const f = buildEventFigures(
    [
      ev({ status: "delivered", count: 5 }),
      ev({ status: "skipped", skipReason: "subscription_renewal", count: 4 }),
      ev({ eventType: "custom", eventName: "subscription_renewed", status: "delivered", count: 3 }),
      ev({
        eventType: "custom",
        eventName: "subscription_renewed",
        status: "skipped",
        skipReason: "no_consent_signal",
        count: 1,
      }),
      ev({ eventType: "subscription_created", status: "delivered", count: 2 }),
      ev({ eventType: "custom", eventName: "order_refunded", status: "delivered", count: 1 }),
    ],
    RANGE,
  );

  it("counts renewals apart from web orders and their reports apart from corrections", () => {
    expect(f.orders.total).toBe(5);
    expect(f.excluded.subscriptionRenewals).toBe(4);
    expect(f.subscriptions.renewals).toBe(4);
    expect(f.subscriptions.renewalsReported).toMatchObject({ total: 4, accepted: 3, skipped: 1 });
    expect(f.subscriptions.created).toMatchObject({ total: 2, accepted: 2 });
    expect(f.corrections.total).toBe(1);
    expect(Object.keys(f.correctionsByName)).toEqual(["order_refunded"]);
    expect(f.otherEvents).toBe(0);
  });
});
