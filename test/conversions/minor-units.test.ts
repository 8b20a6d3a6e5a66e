// app/conversions/minor-units.ts is the part of the currency table and arithmetic the web pixel bundles;
// money.ts (the server) is built on it. These tests pin that the two cannot disagree.
import { describe, expect, it } from "vitest";
import { exactMinorUnits, minorUnitExponent, NON_TWO_DECIMAL_CURRENCIES } from "../../app/conversions/minor-units";
import { KNOWN_CURRENCY_CODES, currencyExponent, toMinorUnits } from "../../app/conversions/money";

const NON_TWO_CODES = Object.values(NON_TWO_DECIMAL_CURRENCIES).flat();

describe("minor-units: the table shared with the web pixel", () => {
  it("gives every code the server knows the server's exponent", () => {
    expect(KNOWN_CURRENCY_CODES.length).toBeGreaterThanOrEqual(160);
    for (const code of KNOWN_CURRENCY_CODES)
      expect([code, minorUnitExponent(code)]).toEqual([code, currencyExponent(code)]);
  });

  it("lists each non-2 code once, and only codes the server knows", () => {
    expect(new Set(NON_TWO_CODES).size).toBe(NON_TWO_CODES.length);
    for (const code of NON_TWO_CODES) expect(KNOWN_CURRENCY_CODES).toContain(code);
    expect(KNOWN_CURRENCY_CODES.filter((code) => currencyExponent(code) !== 2).sort()).toEqual(
      [...NON_TWO_CODES].sort(),
    );
  });

  it.each([
    ["JPY", 0],
    ["KWD", 3],
    ["CLF", 4],
    ["USD", 2],
    ["EUR", 2],
  ])("%s → %i", (code, exponent) => {
    expect(minorUnitExponent(code)).toBe(exponent);
  });
});

describe("exactMinorUnits", () => {
  it.each<[unknown, number, number | string]>([
    ["129.99", 2, 12999],
    [129.99, 2, 12999],
    [1.15, 2, 115],
    [" 4990.00 ", 2, 499000],
    ["8900", 0, 8900],
    ["8900.000", 0, 8900],
    [12.345, 3, 12345],
    ["2", 4, 20000],
    [-0, 2, 0],
    ["90071992547409.91", 2, 9007199254740991],
    ["19.999", 2, "too_precise"],
    [8900.5, 0, "too_precise"],
    ["90071992547409.92", 2, "too_large"],
    ["9".repeat(400), 0, "too_large"],
    [-1, 2, "not_decimal"],
    [Number.NaN, 2, "not_decimal"],
    [Number.POSITIVE_INFINITY, 2, "not_decimal"],
    [1e21, 2, "not_decimal"],
    [1e-7, 2, "not_decimal"],
    ["1e3", 2, "not_decimal"],
    ["", 2, "not_decimal"],
    [null, 2, "not_decimal"],
    [undefined, 2, "not_decimal"],
    [{ amount: "1" }, 2, "not_decimal"],
  ])("%j with %i decimals → %j", (amount, exponent, expected) => {
    expect(exactMinorUnits(amount, exponent)).toBe(expected);
  });

  it("is what toMinorUnits computes, for every code and a spread of amounts", () => {
    const amounts: (string | number)[] = [
      0,
      7,
      0.1,
      1.5,
      129.99,
      12.345,
      1.2345,
      8900.5,
      "0.10",
      "19.999",
      "1.2340",
      "90071992547.40991",
    ];
    for (const code of KNOWN_CURRENCY_CODES) {
      for (const amount of amounts) {
        const shared = exactMinorUnits(amount, minorUnitExponent(code));
        let server: number | string;
        try {
          server = toMinorUnits(code, amount);
        } catch {
          server = "error";
        }
        expect([code, amount, typeof shared === "number" ? shared : "error"]).toEqual([code, amount, server]);
      }
    }
  });
});
