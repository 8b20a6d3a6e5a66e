import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  KNOWN_CURRENCY_CODES,
  MoneyError,
  currencyExponent,
  formatMinorUnits,
  normalizeCurrencyCode,
  toMinorUnits,
} from "../../app/conversions/money";

// The money cases of /work/shared/reference/openai-normalization-cases.json, embedded so the test runs
// anywhere; the last test checks the copy against the reference when that file is present.
const REFERENCE_CASES: Array<[string, string, number | null]> = [
  ["USD", "129.99", 12999],
  ["USD", "0.10", 10],
  ["USD", "5", 500],
  ["JPY", "8900", 8900],
  ["KRW", "15000", 15000],
  ["CLP", "9990", 9990],
  ["ISK", "1500", 1500],
  ["KWD", "12.345", 12345],
  ["BHD", "0.500", 500],
  ["HUF", "4990.00", 499000],
  ["EUR", "19.999", null],
  ["USD", "-5.00", null],
  ["USD", "abc", null],
];

describe("toMinorUnits: reference cases", () => {
  it.each(REFERENCE_CASES)("%s %s → %s", (currency, amount, expected) => {
    if (expected === null) {
      expect(() => toMinorUnits(currency, amount)).toThrow(MoneyError);
    } else {
      expect(toMinorUnits(currency, amount)).toBe(expected);
    }
  });

  const referencePath = "/work/shared/reference/openai-normalization-cases.json";
  it.runIf(existsSync(referencePath))("the embedded cases are exactly the reference's", () => {
    const reference = JSON.parse(readFileSync(referencePath, "utf8"));
    expect(REFERENCE_CASES).toEqual(reference.money_to_minor_units);
  });
});

describe("toMinorUnits: decimal strings", () => {
  it.each([
    // JPY: no minor unit
    ["JPY", "0", 0],
    ["JPY", "1", 1],
    ["JPY", "8900.0", 8900],
    ["JPY", "8900.000", 8900],
    // USD: cents
    ["USD", "0", 0],
    ["USD", "0.01", 1],
    ["USD", "0.1", 10],
    ["USD", "1.5", 150],
    ["USD", "129.990", 12999],
    ["USD", "007.50", 750],
    ["USD", "90071992547409.91", 9007199254740991],
    // KWD: fils (3)
    ["KWD", "1.234", 1234],
    ["KWD", "1.2", 1200],
    ["KWD", "0.005", 5],
    ["KWD", "7", 7000],
    // 4-decimal units of account
    ["CLF", "1.2345", 12345],
    ["UYW", "2", 20000],
  ])("%s %s → %i", (currency, amount, expected) => {
    expect(toMinorUnits(currency, amount)).toBe(expected);
  });

  it.each([
    ["JPY", "8900.5", "fraction on a 0-exponent currency"],
    ["USD", "0.001", "third decimal on USD"],
    ["KWD", "1.2345", "fourth decimal on KWD"],
    ["USD", "", "empty"],
    ["USD", "   ", "blank"],
    ["USD", "NaN", "NaN"],
    ["USD", "Infinity", "Infinity"],
    ["USD", "1e3", "exponent notation"],
    ["USD", "1E-2", "exponent notation"],
    ["USD", "+5", "explicit sign"],
    ["USD", "-0.01", "negative"],
    ["USD", "1,000.00", "thousands separator"],
    ["USD", "12,50", "decimal comma"],
    ["USD", ".5", "no integer part"],
    ["USD", "5.", "dangling dot"],
    ["USD", "0x10", "hex"],
    ["USD", "1 000", "inner space"],
    ["USD", "90071992547409.92", "beyond Number.MAX_SAFE_INTEGER"],
    ["XXX", "1.00", "unknown currency"],
    ["XAU", "1.00", "no minor unit (gold)"],
    ["US", "1.00", "malformed code"],
    ["", "1.00", "empty code"],
  ])("%s %j throws (%s)", (currency, amount) => {
    expect(() => toMinorUnits(currency, amount)).toThrow(MoneyError);
  });

  it("accepts surrounding whitespace in the amount and any case in the code", () => {
    expect(toMinorUnits("usd", " 129.99 ")).toBe(12999);
    expect(toMinorUnits(" kwd ", "1.234")).toBe(1234);
  });

  it("throws a MoneyError for non-string, non-number amounts", () => {
    expect(() => toMinorUnits("USD", null as unknown as string)).toThrow(MoneyError);
    expect(() => toMinorUnits("USD", { amount: "1" } as unknown as string)).toThrow(MoneyError);
  });

  it("does not echo the amount in the error", () => {
    try {
      toMinorUnits("USD", "secret-ish-123");
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain("secret-ish-123");
    }
  });
});

describe("toMinorUnits: numbers (web pixel MoneyV2.amount)", () => {
  it.each([
    ["USD", 129.99, 12999],
    ["USD", 0.1, 10],
    ["USD", 0.29, 29], // 0.29 * 100 === 28.999999999999996
    ["USD", 1.15, 115], // 1.15 * 100 === 114.99999999999999
    ["USD", 4.35, 435], // 4.35 * 100 === 434.99999999999994
    ["USD", 19.99, 1999],
    ["USD", 5, 500],
    ["USD", 0, 0],
    ["USD", -0, 0],
    ["JPY", 8900, 8900],
    ["KWD", 12.345, 12345],
    ["KWD", 1.005, 1005],
    ["BHD", 0.5, 500],
  ])("%s %d → %i", (currency, amount, expected) => {
    expect(toMinorUnits(currency, amount)).toBe(expected);
  });

  it("float multiplication would have drifted for these (the reason for string arithmetic)", () => {
    expect(0.29 * 100).not.toBe(29);
    expect(1.15 * 100).not.toBe(115);
  });

  it.each([
    ["USD", Number.NaN],
    ["USD", Number.POSITIVE_INFINITY],
    ["USD", Number.NEGATIVE_INFINITY],
    ["USD", -1],
    ["USD", 12.345], // three decimals on USD
    ["JPY", 0.5],
    ["USD", 1e21], // String() gives "1e+21"
    ["USD", 1e-7], // String() gives "1e-7"
    ["USD", Number.MAX_SAFE_INTEGER], // × 100 is beyond the safe range
  ])("%s %d throws", (currency, amount) => {
    expect(() => toMinorUnits(currency, amount)).toThrow(MoneyError);
  });

  it("always returns a safe integer", () => {
    for (const cents of [0, 1, 99, 12999, 123456789]) {
      const amount = cents / 100;
      const minor = toMinorUnits("USD", amount);
      expect(Number.isSafeInteger(minor)).toBe(true);
      expect(minor).toBe(cents);
    }
  });
});

describe("currencyExponent", () => {
  it.each([
    ["USD", 2],
    ["usd", 2],
    ["EUR", 2],
    ["GBP", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["CLP", 0],
    ["ISK", 0],
    ["VND", 0],
    ["XOF", 0],
    ["XPF", 0],
    ["UGX", 0],
    ["KWD", 3],
    ["BHD", 3],
    ["JOD", 3],
    ["OMR", 3],
    ["TND", 3],
    ["IQD", 3],
    ["LYD", 3],
    ["CLF", 4],
    ["UYW", 4],
    ["HUF", 2],
    ["IDR", 2],
    ["COP", 2],
    ["TWD", 2],
    ["XCG", 2],
    ["SLE", 2],
    ["ZWG", 2],
    ["VED", 2],
  ])("%s → %i", (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it.each(["XXX", "XTS", "XAU", "XAG", "XDR", "HRK", "MRO", "VEF", "ABC", "", "US", "USDX"])("%j → null", (code) => {
    expect(currencyExponent(code)).toBeNull();
  });

  it("has a complete table: every currency the runtime's Intl knows, except retired/no-minor-unit codes", () => {
    const intl = Intl.supportedValuesOf("currency");
    const notIso = new Set(["HRK", "XDR", "XSU"]); // retired (HRK) or without a minor unit
    const missing = intl.filter((code) => !notIso.has(code) && currencyExponent(code) === null);
    expect(missing).toEqual([]);
    expect(KNOWN_CURRENCY_CODES.length).toBeGreaterThanOrEqual(160);
    for (const code of KNOWN_CURRENCY_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
  });

  it("normalizeCurrencyCode upper-cases known codes and rejects the rest", () => {
    expect(normalizeCurrencyCode(" eur ")).toBe("EUR");
    expect(normalizeCurrencyCode("Euro")).toBeNull();
    expect(normalizeCurrencyCode(978)).toBeNull();
  });
});

describe("formatMinorUnits", () => {
  it.each([
    ["USD", 12999, "129.99"],
    ["USD", 5, "0.05"],
    ["USD", 0, "0.00"],
    ["JPY", 8900, "8900"],
    ["KWD", 1234, "1.234"],
    ["CLF", 12345, "1.2345"],
  ])("%s %i → %s", (currency, minor, expected) => {
    expect(formatMinorUnits(currency, minor)).toBe(expected);
    expect(toMinorUnits(currency, expected)).toBe(minor);
  });

  it("rejects negative, fractional and unknown input", () => {
    expect(() => formatMinorUnits("USD", -1)).toThrow(MoneyError);
    expect(() => formatMinorUnits("USD", 1.5)).toThrow(MoneyError);
    expect(() => formatMinorUnits("XXX", 1)).toThrow(MoneyError);
  });
});
