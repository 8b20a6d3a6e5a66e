import { describe, expect, it } from "vitest";
import { computeLedger, type LedgerEntryInput } from "../../app/conversions/ledger";

const at = (day: number) => new Date(Date.UTC(2026, 10, day, 12));
const refund = (key: string, requestedMinor: number, day: number): LedgerEntryInput => ({
  key,
  kind: "refund",
  requestedMinor,
  occurredAt: at(day),
});
const cancel = (day: number, requestedMinor = 0, key = "cancel"): LedgerEntryInput => ({
  key,
  kind: "cancel",
  requestedMinor,
  occurredAt: at(day),
});

/** Every permutation of a small list: the ledger must not care about arrival order. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("computeLedger", () => {
  it("no corrections: net is gross", () => {
    expect(computeLedger({ grossMinor: 12999, entries: [] })).toEqual({
      netMinor: 12999,
      refundedMinor: 0,
      applied: [],
      fullyReversed: false,
    });
  });

  it("partial refunds reduce net in time order", () => {
    expect(computeLedger({ grossMinor: 12999, entries: [refund("r2", 1000, 3), refund("r1", 3250, 2)] })).toEqual({
      netMinor: 8749,
      refundedMinor: 4250,
      applied: [
        { key: "r1", appliedMinor: 3250, clamped: false },
        { key: "r2", appliedMinor: 1000, clamped: false },
      ],
      fullyReversed: false,
    });
  });

  it("clamps refunds so net never goes below zero", () => {
    expect(
      computeLedger({ grossMinor: 5000, entries: [refund("a", 4000, 1), refund("b", 4000, 2), refund("c", 10, 3)] }),
    ).toEqual({
      netMinor: 0,
      refundedMinor: 5000,
      applied: [
        { key: "a", appliedMinor: 4000, clamped: false },
        { key: "b", appliedMinor: 1000, clamped: true },
        { key: "c", appliedMinor: 0, clamped: true },
      ],
      fullyReversed: true,
    });
  });

  it("orders same-time entries by key", () => {
    const result = computeLedger({ grossMinor: 100, entries: [refund("b", 80, 1), refund("a", 80, 1)] });
    expect(result.applied).toEqual([
      { key: "a", appliedMinor: 80, clamped: false },
      { key: "b", appliedMinor: 20, clamped: true },
    ]);
  });

  it("a cancellation reverses what no refund has taken", () => {
    expect(computeLedger({ grossMinor: 12999, entries: [refund("r1", 3250, 2), cancel(3, 12999)] })).toEqual({
      netMinor: 0,
      refundedMinor: 3250,
      applied: [
        { key: "r1", appliedMinor: 3250, clamped: false },
        { key: "cancel", appliedMinor: 9749, clamped: true },
      ],
      fullyReversed: true,
    });
  });

  it("cancel + refund of the same money reverses it once, even when the refund comes later", () => {
    // Shopify sends orders/cancelled AND refunds/create for a cancel that refunds.
    const result = computeLedger({ grossMinor: 12999, entries: [cancel(2), refund("r1", 12999, 3)] });
    expect(result).toEqual({
      netMinor: 0,
      refundedMinor: 12999,
      applied: [
        { key: "cancel", appliedMinor: 0, clamped: false },
        { key: "r1", appliedMinor: 12999, clamped: false },
      ],
      fullyReversed: true,
    });
  });

  it("is independent of the order entries arrive in", () => {
    const entries = [refund("r1", 3000, 2), refund("r2", 2000, 4), cancel(3), refund("r3", 99999, 5)];
    const results = permutations(entries).map((list) => computeLedger({ grossMinor: 12999, entries: list }));
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0].netMinor).toBe(0);
    expect(results[0].refundedMinor).toBe(12999);
    expect(results[0].applied.find((row) => row.key === "cancel")?.appliedMinor).toBe(0);
  });

  it("only the first cancellation applies", () => {
    const result = computeLedger({
      grossMinor: 1000,
      entries: [cancel(2, 1000, "cancel"), cancel(3, 1000, "cancel-2")],
    });
    expect(result.applied).toEqual([
      { key: "cancel", appliedMinor: 1000, clamped: false },
      { key: "cancel-2", appliedMinor: 0, clamped: true },
    ]);
    expect(result.netMinor).toBe(0);
  });

  it("counts a redelivered key once", () => {
    const result = computeLedger({ grossMinor: 1000, entries: [refund("r1", 300, 2), refund("r1", 300, 2)] });
    expect(result.netMinor).toBe(700);
    expect(result.refundedMinor).toBe(300);
    expect(result.applied.map((row) => row.appliedMinor).sort()).toEqual([0, 300]);
  });

  it("ignores negative or non-integer requests", () => {
    const result = computeLedger({ grossMinor: 1000, entries: [refund("neg", -500, 1), refund("frac", 1.5, 2)] });
    expect(result).toEqual({
      netMinor: 1000,
      refundedMinor: 0,
      applied: [
        { key: "neg", appliedMinor: 0, clamped: false },
        { key: "frac", appliedMinor: 0, clamped: false },
      ],
      fullyReversed: false,
    });
  });

  it("gross unknown (refund before its order): nothing applied, net null", () => {
    expect(computeLedger({ grossMinor: null, entries: [refund("r1", 3250, 2), cancel(3)] })).toEqual({
      netMinor: null,
      refundedMinor: 0,
      applied: [
        { key: "r1", appliedMinor: 0, clamped: false },
        { key: "cancel", appliedMinor: 0, clamped: false },
      ],
      fullyReversed: false,
    });
  });

  it("a zero-gross order is fully reversed by definition", () => {
    expect(computeLedger({ grossMinor: 0, entries: [] }).fullyReversed).toBe(true);
  });

  it("does not mutate its input", () => {
    const entries = Object.freeze([refund("b", 1, 2), refund("a", 1, 1)]);
    computeLedger({ grossMinor: 10, entries });
    expect(entries.map((e) => e.key)).toEqual(["b", "a"]);
  });

  it("sorts an invalid date last instead of failing", () => {
    const result = computeLedger({
      grossMinor: 100,
      entries: [{ key: "bad", kind: "refund", requestedMinor: 80, occurredAt: new Date("nope") }, refund("ok", 80, 1)],
    });
    expect(result.applied).toEqual([
      { key: "ok", appliedMinor: 80, clamped: false },
      { key: "bad", appliedMinor: 20, clamped: true },
    ]);
  });
});
