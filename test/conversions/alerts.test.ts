import { describe, expect, it } from "vitest";
import {
  ACCEPTED_RATIO_MIN_ORDERS,
  ACCEPTED_RATIO_SETTLE_MINUTES,
  ACCEPTED_RATIO_THRESHOLD,
  ACCEPTED_RATIO_WINDOW_HOURS,
  alertWindows,
  DELIVERY_FAILING_AFTER_MINUTES,
  evaluateAlerts,
  EXPIRY_WARNING_HOURS,
  failingForMinutes,
  formatDuration,
  ratioFromAggregates,
  RECEIPTS_BASELINE_HOURS,
  RECEIPTS_QUIET_HOURS,
  RECEIPTS_QUIET_MIN_ORDERS,
  webOrdersFromAggregates,
  type AlertInputs,
} from "~/conversions/alerts";
import type { EventAggregateRow } from "~/conversions/reconciliation";

const NOW = new Date("2026-11-20T12:00:00.000Z");
const MIN = 60_000;
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MIN);

/** All quiet: no rule fires. */
function calm(patch: Partial<AlertInputs> = {}): AlertInputs {
  return {
    now: NOW,
    credentials: { status: "ok", message: null, checkedAt: ago(60) },
    oldestFailing: null,
    failingCount: 0,
    lastDeliveredAt: ago(1),
    ratio: { deliverable: 100, accepted: 100 },
    receipts: { baseline: 50, quiet: 10, webOrdersQuiet: 12 },
    expiring: { count: 0, earliest: null },
    ...patch,
  };
}

const ids = (inputs: AlertInputs) => evaluateAlerts(inputs).map((a) => a.id);

describe("thresholds", () => {
  it("are the documented values", () => {
    expect(DELIVERY_FAILING_AFTER_MINUTES).toBe(30);
    expect(ACCEPTED_RATIO_WINDOW_HOURS).toBe(6);
    expect(ACCEPTED_RATIO_SETTLE_MINUTES).toBe(30);
    expect(ACCEPTED_RATIO_THRESHOLD).toBe(0.8);
    expect(ACCEPTED_RATIO_MIN_ORDERS).toBe(10);
    expect(RECEIPTS_QUIET_HOURS).toBe(3);
    expect(RECEIPTS_BASELINE_HOURS).toBe(24);
    expect(RECEIPTS_QUIET_MIN_ORDERS).toBe(5);
    expect(EXPIRY_WARNING_HOURS).toBe(24);
  });

  it("a calm shop has no alerts", () => {
    expect(evaluateAlerts(calm())).toEqual([]);
  });
});

describe("credentials rejected", () => {
  it("fires on status rejected only", () => {
    expect(
      ids(calm({ credentials: { status: "rejected", message: "OpenAI answered 401: bad key", checkedAt: ago(5) } })),
    ).toEqual(["credentials_rejected"]);
    expect(ids(calm({ credentials: { status: "unknown", message: null, checkedAt: null } }))).toEqual([]);
    const [alert] = evaluateAlerts(
      calm({ credentials: { status: "rejected", message: "OpenAI answered 401: bad key", checkedAt: ago(5) } }),
    );
    expect(alert.tone).toBe("critical");
    expect(alert.message).toContain("OpenAI answered 401: bad key");
  });
});

describe("delivery failing", () => {
  const failing = (minutes: number, lastDeliveredAt: Date | null = null) =>
    calm({
      oldestFailing: { createdAt: ago(minutes), lastStatus: 503, lastError: "unavailable" },
      failingCount: 4,
      lastDeliveredAt,
    });

  it("fires only after MORE than 30 minutes without success", () => {
    expect(ids(failing(DELIVERY_FAILING_AFTER_MINUTES))).toEqual([]);
    expect(ids(failing(DELIVERY_FAILING_AFTER_MINUTES + 1 / 60_000))).toEqual(["delivery_failing"]); // one millisecond more
    expect(ids(failing(DELIVERY_FAILING_AFTER_MINUTES - 1 / 60_000))).toEqual([]);
  });

  it("counts from the last successful delivery when that is later", () => {
    expect(failingForMinutes(failing(120, ago(10)))).toBeCloseTo(10);
    expect(ids(failing(120, ago(10)))).toEqual([]);
    expect(ids(failing(120, ago(31)))).toEqual(["delivery_failing"]);
    expect(failingForMinutes(failing(45, ago(600)))).toBeCloseTo(45);
    expect(failingForMinutes(calm())).toBeNull();
  });

  it("names the count and OpenAI's last answer", () => {
    const [alert] = evaluateAlerts(failing(95));
    expect(alert.title).toBe("Delivery to OpenAI has been failing for 95 minutes");
    expect(alert.message).toContain("4 events are being retried");
    expect(alert.message).toContain("HTTP 503 (unavailable)");
    const [network] = evaluateAlerts(
      calm({
        oldestFailing: { createdAt: ago(60 * 5), lastStatus: null, lastError: null },
        failingCount: 1,
        lastDeliveredAt: null,
      }),
    );
    expect(network.title).toBe("Delivery to OpenAI has been failing for 5 hours");
    expect(network.message).toContain("1 event is being retried");
    expect(network.message).toContain("no answer (network)");
  });
});

describe("accepted/orders ratio", () => {
  const ratio = (accepted: number, deliverable: number) => ids(calm({ ratio: { accepted, deliverable } }));

  it("fires strictly below 80%", () => {
    expect(ratio(8, 10)).toEqual([]); // exactly 0.8
    expect(ratio(7, 10)).toEqual(["low_accepted_ratio"]);
    expect(ratio(79, 100)).toEqual(["low_accepted_ratio"]);
    expect(ratio(80, 100)).toEqual([]);
    expect(ratio(799, 1000)).toEqual(["low_accepted_ratio"]);
  });

  it("needs at least 10 deliverable orders", () => {
    expect(ratio(0, ACCEPTED_RATIO_MIN_ORDERS - 1)).toEqual([]);
    expect(ratio(0, ACCEPTED_RATIO_MIN_ORDERS)).toEqual(["low_accepted_ratio"]);
    expect(ratio(0, 0)).toEqual([]);
  });

  it("leaves chosen skips out of the denominator and counts failures in it", () => {
    const row = (
      status: string,
      count: number,
      skipReason: string | null = null,
      extra: Partial<EventAggregateRow> = {},
    ): EventAggregateRow => ({
      day: "2026-11-20",
      eventType: "order_created",
      eventName: "",
      status,
      skipReason,
      nonWebSent: false,
      count,
      ...extra,
    });
    const rows = [
      row("delivered", 7),
      row("pending", 1),
      row("rejected", 1, "rejected_by_openai"),
      row("skipped", 1, "not_configured"),
      row("skipped", 1, "malformed_payload"),
      row("expired", 1, "expired"),
      row("skipped", 5, "test_order"),
      row("skipped", 5, "consent_denied"),
      row("skipped", 5, "no_consent_signal"),
      row("skipped", 5, "pos_order"),
      row("delivered", 5, null, { nonWebSent: true }),
      row("delivered", 5, null, { eventType: "custom", eventName: "order_refunded" }),
    ];
    expect(ratioFromAggregates(rows)).toEqual({ deliverable: 12, accepted: 7 });
    expect(webOrdersFromAggregates(rows)).toBe(27);
  });
});

describe("pixel receipts stopped", () => {
  const receipts = (baseline: number, quiet: number, webOrdersQuiet: number) =>
    ids(calm({ receipts: { baseline, quiet, webOrdersQuiet } }));

  it("fires when receipts stopped while at least 5 web orders kept coming", () => {
    expect(receipts(1, 0, RECEIPTS_QUIET_MIN_ORDERS)).toEqual(["receipts_stopped"]);
    expect(receipts(1, 0, RECEIPTS_QUIET_MIN_ORDERS - 1)).toEqual([]);
    expect(receipts(0, 0, 100)).toEqual([]); // never had receipts: nothing stopped
    expect(receipts(40, 1, 100)).toEqual([]); // one receipt in the quiet window: still alive
  });

  it("looks at the 3 hours up to now and the 24 hours before them", () => {
    const w = alertWindows(NOW);
    expect(w.receiptsQuiet.start.toISOString()).toBe("2026-11-20T09:00:00.000Z");
    expect(w.receiptsQuiet.end.toISOString()).toBe("2026-11-20T12:00:00.000Z");
    expect(w.receiptsBaseline.start.toISOString()).toBe("2026-11-19T09:00:00.000Z");
    expect(w.receiptsBaseline.end.toISOString()).toBe("2026-11-20T09:00:00.000Z");
  });
});

describe("events about to expire", () => {
  it("fires for any open event expiring within 24 hours", () => {
    expect(ids(calm({ expiring: { count: 0, earliest: null } }))).toEqual([]);
    const [alert] = evaluateAlerts(calm({ expiring: { count: 1, earliest: new Date(NOW.getTime() + 90 * MIN) } }));
    expect(alert.id).toBe("events_expiring");
    expect(alert.title).toBe("1 unsent event expires within 24 hours");
    expect(alert.message).toContain("the first one expires in 90 minutes");
    const [many] = evaluateAlerts(calm({ expiring: { count: 3, earliest: ago(5) } }));
    expect(many.title).toBe("3 unsent events expire within 24 hours");
    expect(many.message).toContain("the oldest is already past it and can no longer be sent");
    const [edge] = evaluateAlerts(calm({ expiring: { count: 1, earliest: NOW } }));
    expect(edge.message).toContain("already past it");
  });

  it("the horizon is exactly 24 hours ahead; the ratio window ends 30 minutes (plus grace) ago", () => {
    const w = alertWindows(NOW, 120);
    expect(w.expiryHorizon.toISOString()).toBe("2026-11-21T12:00:00.000Z");
    expect(w.ratio.end.toISOString()).toBe("2026-11-20T11:28:00.000Z");
    expect(w.ratio.start.toISOString()).toBe("2026-11-20T05:28:00.000Z");
    expect(alertWindows(NOW, -5).ratio.end.toISOString()).toBe("2026-11-20T11:30:00.000Z");
  });
});

describe("ordering and formatting", () => {
  it("lists every firing alert, most serious first", () => {
    const all = calm({
      credentials: { status: "rejected", message: null, checkedAt: null },
      oldestFailing: { createdAt: ago(300), lastStatus: 500, lastError: null },
      failingCount: 2,
      lastDeliveredAt: null,
      ratio: { deliverable: 20, accepted: 1 },
      receipts: { baseline: 3, quiet: 0, webOrdersQuiet: 9 },
      expiring: { count: 2, earliest: new Date(NOW.getTime() + 60 * MIN) },
    });
    expect(ids(all)).toEqual([
      "credentials_rejected",
      "delivery_failing",
      "low_accepted_ratio",
      "receipts_stopped",
      "events_expiring",
    ]);
    expect(JSON.parse(JSON.stringify(evaluateAlerts(all)))).toEqual(evaluateAlerts(all));
  });

  it("formats durations", () => {
    expect(formatDuration(1)).toBe("1 minute");
    expect(formatDuration(119.9)).toBe("119 minutes");
    expect(formatDuration(120)).toBe("2 hours");
    expect(formatDuration(47 * 60 + 59)).toBe("47 hours");
    expect(formatDuration(48 * 60)).toBe("2 days");
  });
});
