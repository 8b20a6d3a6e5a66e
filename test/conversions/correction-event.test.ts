import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildCorrectionEvent, parseCancellation, parseRefund } from "../../app/conversions/correction-event";
import type { DedupId } from "../../app/conversions/dedup-id";
import { FIXTURE_REFUND, makeCancelledOrder, makeOrder, makeRefund } from "../fixtures/orders";

const ORDER_DEDUP_ID = "o1_bPRRbUC0682e86LVd6jEmw" as DedupId; // order 5912345678901

const tx = (kind: string, status: string, amount: unknown, currency: unknown = "USD") => ({
  kind,
  status,
  amount,
  currency,
});

describe("parseRefund", () => {
  it.each([["929361463\u0000x"], ["abc"], [""], [-5], [0], ["gid://shopify/Refund/-1"]])(
    "refuses a refund id that is not a Shopify id: %j",
    (id) => {
      expect(parseRefund(makeRefund({ id })).ok).toBe(false);
    },
  );

  it("accepts numeric, digit-string and gid refund ids alike", () => {
    for (const id of [929361463, "929361463", "gid://shopify/Refund/929361463"]) {
      const result = parseRefund(makeRefund({ id }));
      expect(result.ok && result.refund.refundId).toBe("929361463");
    }
  });

  it("reads the fixture partial refund", () => {
    expect(parseRefund(makeRefund())).toEqual({
      ok: true,
      refund: {
        orderId: "5912345678901",
        refundId: "929361463",
        amountMinor: 3250,
        currency: "USD",
        occurredAt: new Date("2026-11-22T19:03:10Z"),
      },
    });
    expect(FIXTURE_REFUND.amountMinor).toBe(3250);
  });

  it("sums only successful refund transactions", () => {
    const result = parseRefund(
      makeRefund({
        transactions: [
          tx("refund", "success", "10.00"),
          tx("refund", "success", "0.05"),
          tx("refund", "failure", "99.00"),
          tx("refund", "pending", "99.00"),
          tx("sale", "success", "99.00"),
          tx("void", "success", "99.00"),
          tx("refund", "error", "99.00"),
          null,
        ],
      }),
    );
    expect(result.ok && result.refund.amountMinor).toBe(1005);
  });

  it("uses the transactions' currency (presentment, e.g. EUR) and its exponent", () => {
    const eur = parseRefund(makeRefund({ transactions: [tx("refund", "success", "12.34", "eur")] }));
    expect(eur.ok && [eur.refund.amountMinor, eur.refund.currency]).toEqual([1234, "EUR"]);
    const jpy = parseRefund(makeRefund({ transactions: [tx("refund", "success", "1500", "JPY")] }));
    expect(jpy.ok && [jpy.refund.amountMinor, jpy.refund.currency]).toEqual([1500, "JPY"]);
  });

  it("is ok with amount 0 when no money moved (restock-only refund)", () => {
    expect(parseRefund(makeRefund({ transactions: [] }))).toEqual({
      ok: true,
      refund: {
        orderId: "5912345678901",
        refundId: "929361463",
        amountMinor: 0,
        currency: "USD",
        occurredAt: new Date("2026-11-22T19:03:10Z"),
      },
    });
    const noLines = parseRefund(makeRefund({ transactions: undefined, refund_line_items: [] }));
    expect(noLines.ok && [noLines.refund.amountMinor, noLines.refund.currency]).toEqual([0, ""]);
  });

  it("falls back to created_at when processed_at is missing", () => {
    const result = parseRefund(makeRefund({ processed_at: null }));
    expect(result.ok && result.refund.occurredAt).toEqual(new Date("2026-11-22T19:03:11Z"));
  });

  it.each<[string, unknown, string]>([
    ["not an object", null, "not a JSON object"],
    ["no id", makeRefund({ id: undefined }), "id"],
    ["no order id", makeRefund({ order_id: undefined }), "order_id"],
    ["bad order id", makeRefund({ order_id: "abc" }), "order_id"],
    ["no timestamp", makeRefund({ processed_at: undefined, created_at: undefined }), "processed_at/created_at"],
    ["transactions not a list", makeRefund({ transactions: { kind: "refund" } }), "transactions"],
    [
      "mixed currencies",
      makeRefund({ transactions: [tx("refund", "success", "1.00", "USD"), tx("refund", "success", "1.00", "EUR")] }),
      "more than one currency",
    ],
    [
      "missing currency",
      makeRefund({ transactions: [tx("refund", "success", "1.00", null)] }),
      "transactions[0].currency",
    ],
    [
      "unknown currency",
      makeRefund({ transactions: [tx("refund", "success", "1.00", "ZZZ")] }),
      "transactions[0].currency",
    ],
    ["missing amount", makeRefund({ transactions: [tx("refund", "success", undefined)] }), "transactions[0].amount"],
    ["negative amount", makeRefund({ transactions: [tx("refund", "success", "-1.00")] }), "transactions[0].amount"],
    ["too many decimals", makeRefund({ transactions: [tx("refund", "success", "1.001")] }), "transactions[0].amount"],
  ])("rejects %s", (_label, payload, detail) => {
    const result = parseRefund(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toContain(detail);
  });
});

describe("parseCancellation", () => {
  it("reads an orders/cancelled payload", () => {
    expect(parseCancellation(makeCancelledOrder())).toEqual({
      ok: true,
      orderId: "5912345678901",
      cancelledAt: new Date("2026-11-21T14:00:00Z"),
      reason: "customer",
    });
  });

  it("reason is null when absent", () => {
    const result = parseCancellation(makeCancelledOrder({ cancel_reason: null }));
    expect(result.ok && result.reason).toBeNull();
  });

  it.each<[string, unknown, string]>([
    ["not an object", "x", "not a JSON object"],
    ["not cancelled", makeOrder(), "cancelled_at"],
    ["bad cancelled_at", makeCancelledOrder({ cancelled_at: "yesterday" }), "cancelled_at"],
    ["bad id", makeCancelledOrder({ id: -5 }), "id"],
  ])("rejects %s", (_label, payload, detail) => {
    const result = parseCancellation(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toContain(detail);
  });
});

describe("buildCorrectionEvent", () => {
  const base = {
    kind: "refund" as const,
    orderDedupId: ORDER_DEDUP_ID,
    key: "929361463",
    eventName: "order_refunded",
    amountMinor: 3250,
    currency: "USD",
    occurredAt: new Date("2026-11-22T19:03:10Z"),
    sourceUrl: "https://example-shop.myshopify.com/checkouts/thank-you",
  };

  it("builds the exact custom event", async () => {
    expect(await buildCorrectionEvent(base)).toEqual({
      id: "r1_SlfXHn2_I3XYsgT4J12Htg",
      type: "custom",
      custom_event_name: "order_refunded",
      timestamp_ms: Date.parse("2026-11-22T19:03:10Z"),
      action_source: "web",
      source_url: "https://example-shop.myshopify.com/checkouts/thank-you",
      data: { type: "custom", order_ref: ORDER_DEDUP_ID, amount: 3250, currency: "USD" },
    });
  });

  it("derives the id from order, kind and key (stable across retries)", async () => {
    const digest = createHash("sha256")
      .update(`${ORDER_DEDUP_ID}|cancel|cancel`)
      .digest()
      .subarray(0, 16)
      .toString("base64url");
    const cancel = await buildCorrectionEvent({ ...base, kind: "cancel", key: "cancel", eventName: "order_cancelled" });
    expect(cancel.id).toBe(`c1_${digest}`);
    expect(cancel.id).toBe("c1_-NDcv-mqiooHTHIPYR8Pdw");
    expect((await buildCorrectionEvent(base)).id).toBe((await buildCorrectionEvent({ ...base, amountMinor: 1 })).id);
    expect((await buildCorrectionEvent({ ...base, key: "929361464" })).id).not.toBe("r1_SlfXHn2_I3XYsgT4J12Htg");
  });

  it("strips query and fragment from the source URL and upper-cases the currency", async () => {
    const event = await buildCorrectionEvent({
      ...base,
      currency: "usd",
      sourceUrl: "https://shop.example.com/checkouts/thank-you?token=abc#x",
    });
    expect(event.source_url).toBe("https://shop.example.com/checkouts/thank-you");
    expect(event.data.currency).toBe("USD");
  });

  it.each([
    ["a standard event name", { eventName: "order_created" }],
    ["an invalid event name", { eventName: "Order Refunded" }],
    ["a zero amount", { amountMinor: 0 }],
    ["a negative amount", { amountMinor: -100 }],
    ["a fractional amount", { amountMinor: 12.5 }],
    ["an unknown currency", { currency: "ZZZ" }],
    ["an invalid date", { occurredAt: new Date("nope") }],
    ["a relative source URL", { sourceUrl: "/checkouts/thank-you" }],
    ["an empty key", { key: "" }],
  ])("throws on %s", async (_label, overrides) => {
    await expect(buildCorrectionEvent({ ...base, ...overrides })).rejects.toThrow();
  });
});
