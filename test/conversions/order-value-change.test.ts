import { describe, expect, it } from "vitest";
import { currentGross } from "../../app/conversions/ledger";
import {
  editCause,
  parseOrderEdit,
  parseOrderValue,
  planValueChange,
  valueChangeEventName,
} from "../../app/conversions/order-value-change";

const T = (s: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, s));
const money = (amount: string, currency = "USD") => ({
  shop_money: { amount, currency_code: "USD" },
  presentment_money: { amount, currency_code: currency },
});
const refund = (id: number, amount: string, currency = "USD") => ({
  id,
  order_id: 5001,
  created_at: T(1).toISOString(),
  transactions: [{ kind: "refund", status: "success", amount, currency }],
});

describe("parseOrderEdit", () => {
  it("reads the edit id, the order id (big ids as text) and the commit time", () => {
    const parsed = parseOrderEdit({
      order_edit: {
        id: "78912328793123780",
        order_id: "820982911946154508",
        created_at: T(1).toISOString(),
        committed_at: T(2).toISOString(),
      },
    });
    expect(parsed).toEqual({
      ok: true,
      edit: { editId: "78912328793123780", orderId: "820982911946154508", editedAt: T(2) },
    });
  });

  it("names the missing field, never a value", () => {
    expect(parseOrderEdit({})).toEqual({ ok: false, detail: "order_edit is missing or not an object" });
    expect(parseOrderEdit({ order_edit: { id: 1, order_id: "x", created_at: T(0).toISOString() } })).toEqual({
      ok: false,
      detail: "order_edit.order_id is missing or not a Shopify order id",
    });
    expect(parseOrderEdit({ order_edit: { id: 1, order_id: 2, created_at: "yesterday" } })).toMatchObject({
      ok: false,
    });
  });
});

describe("parseOrderValue", () => {
  it("value sold = current total (presentment money) + the money of the refunds the payload lists", () => {
    const parsed = parseOrderValue({
      id: 5001,
      updated_at: T(3).toISOString(),
      created_at: T(0).toISOString(),
      current_total_price: "70.00",
      current_total_price_set: money("80.00", "EUR"),
      refunds: [refund(1, "15.50", "EUR"), refund(2, "4.50", "EUR")],
    });
    expect(parsed).toEqual({
      ok: true,
      value: { orderId: "5001", soldValueMinor: 10000, currency: "EUR", observedAt: T(3), orderCreatedAt: T(0) },
    });
  });

  it("falls back to current_total_price in the shop currency; a refund that moved no money adds nothing", () => {
    const parsed = parseOrderValue({
      id: 5001,
      updated_at: T(3).toISOString(),
      currency: "JPY",
      current_total_price: "8900",
      refunds: [{ id: 3, order_id: 5001, created_at: T(1).toISOString(), transactions: [] }],
    });
    expect(parsed).toMatchObject({ ok: true, value: { soldValueMinor: 8900, currency: "JPY", orderCreatedAt: null } });
  });

  it("refuses what it cannot read exactly", () => {
    const base = { id: 5001, updated_at: T(3).toISOString(), current_total_price_set: money("10.00") };
    expect(parseOrderValue({ ...base, updated_at: undefined })).toMatchObject({ ok: false, detail: /updated_at/ });
    expect(parseOrderValue({ ...base, current_total_price_set: money("-1.00") })).toMatchObject({ ok: false });
    expect(parseOrderValue({ ...base, refunds: [refund(1, "1.00", "EUR")] })).toEqual({
      ok: false,
      detail: "refunds[0] is in another currency than the order's current total",
    });
    expect(parseOrderValue({ ...base, refunds: "none" })).toEqual({ ok: false, detail: "refunds is not a list" });
    expect(parseOrderValue([])).toMatchObject({ ok: false });
  });
});

describe("planValueChange", () => {
  const observed = (soldValueMinor: number, s: number) => ({ soldValueMinor, at: T(s) });

  it("nothing until the original gross and an observation are both known", () => {
    expect(planValueChange({ originalGrossMinor: null, observed: observed(2, 1), recorded: [], edits: [] })).toBeNull();
    expect(planValueChange({ originalGrossMinor: 1, observed: null, recorded: [], edits: [] })).toBeNull();
  });

  it("the unexplained difference goes to the latest edit committed up to the observation", () => {
    const edits = [
      { editId: "1", editedAt: T(1) },
      { editId: "2", editedAt: T(2) },
      { editId: "3", editedAt: T(9) }, // after the observation: not in it
    ];
    expect(planValueChange({ originalGrossMinor: 1000, observed: observed(1300, 5), recorded: [], edits })).toEqual({
      cause: editCause("2"),
      deltaMinor: 300,
      occurredAt: T(2),
    });
  });

  it("without an untaken edit the update names the change; the same update twice names nothing", () => {
    const recorded = [{ cause: editCause("1"), deltaMinor: 300 }];
    const edits = [{ editId: "1", editedAt: T(1) }];
    expect(planValueChange({ originalGrossMinor: 1000, observed: observed(1200, 5), recorded, edits })).toEqual({
      cause: `update-${T(5).getTime()}`,
      deltaMinor: -100,
      occurredAt: T(5),
    });
    expect(
      planValueChange({
        originalGrossMinor: 1000,
        observed: observed(1250, 5),
        recorded: [...recorded, { cause: `update-${T(5).getTime()}`, deltaMinor: -100 }],
        edits,
      }),
    ).toBeNull();
  });

  it("an observation checkout and the recorded changes explain is no change (redelivery, refunds only)", () => {
    const recorded = [{ cause: editCause("1"), deltaMinor: 300 }];
    expect(planValueChange({ originalGrossMinor: 1000, observed: observed(1300, 5), recorded, edits: [] })).toBeNull();
  });
});

describe("currentGross", () => {
  it("original plus every change, never below zero; unknown while the order is unknown", () => {
    expect(currentGross(12999, [3000, -500])).toBe(15499);
    expect(currentGross(1000, [-2000])).toBe(0);
    expect(currentGross(null, [3000])).toBeNull();
  });
});

describe("valueChangeEventName", () => {
  const defaults = { valueAddedEventName: "order_value_added", refundEventName: "order_refunded" };
  it("added value under the value-added name, removed value like a refund; an invalid stored name falls back", () => {
    expect(valueChangeEventName(1, { valueAddedEventName: "upsell", refundEventName: "refund" }, defaults)).toBe(
      "upsell",
    );
    expect(valueChangeEventName(-1, { valueAddedEventName: "upsell", refundEventName: "refund" }, defaults)).toBe(
      "refund",
    );
    expect(valueChangeEventName(1, { valueAddedEventName: "Bad Name", refundEventName: "refund" }, defaults)).toBe(
      "order_value_added",
    );
  });
});
