/**
 * The part of money.ts the web pixel bundles: which ISO 4217 currencies do NOT have 2 decimals, and the
 * exact decimal → minor-units arithmetic. money.ts (the server) builds its exponents from this very
 * table and converts with this very function, so browser and server can never disagree on an amount;
 * money.ts adds the list of codes that exist, the error messages and formatting.
 * test/conversions/minor-units.test.ts and test/extensions/pixel-money.test.ts check both sides agree
 * for every code money.ts knows. The pixel has no list of existing codes (that would double its size):
 * it gives a well-formed code that is not in money.ts's table 2 decimals, where the server refuses it.
 */

/**
 * ISO 4217 minor-unit exponents other than 2 (list one, including funds codes such as CLF/UYI/UYW),
 * by exponent. Every other code money.ts accepts has exponent 2.
 */
export const NON_TWO_DECIMAL_CURRENCIES: Readonly<Record<0 | 3 | 4, readonly string[]>> = {
  0: [
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "UYI",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
  ],
  3: ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"],
  4: ["CLF", "UYW"],
};

/**
 * The exponent of an upper-case code that HAS a minor unit: 0, 3 or 4 when listed above, else 2.
 * It does not know which codes exist: money.ts does.
 */
export function minorUnitExponent(code: string): number {
  for (const [exponent, codes] of Object.entries(NON_TWO_DECIMAL_CURRENCIES)) {
    if (codes.includes(code)) return Number(exponent);
  }
  return 2;
}

/** Plain non-negative decimal: digits, optionally a dot and more digits. No sign, no exponent. */
const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/** Why an amount has no exact minor-unit value; money.ts words each one as a MoneyError. */
export type MinorUnitsProblem = "not_decimal" | "too_precise" | "too_large";

/**
 * `amount` in integer minor units of a currency with `exponent` decimals, by string arithmetic, never
 * by multiplying floats (`129.99 * 100` is `12998.999999999998`):
 * - strings are trimmed and read digit by digit; extra fractional digits are accepted only when they
 *   are zeros ("4990.00" HUF → 499000; "19.999" EUR → too_precise): rounding money silently would
 *   report revenue the merchant never took;
 * - numbers go through `String(n)`, the shortest decimal that round-trips to the same double, so
 *   129.99 → "129.99" → 12999; non-finite numbers and exponent notation (below 1e-6, from 1e21) fail
 *   the pattern; -0 stringifies to "0", any other negative keeps its sign and fails too;
 * - anything else, and a result beyond Number.MAX_SAFE_INTEGER, is a problem, never a number.
 */
export function exactMinorUnits(amount: unknown, exponent: number): number | MinorUnitsProblem {
  const text = typeof amount === "number" ? String(amount) : typeof amount === "string" ? amount.trim() : "";
  const match = DECIMAL.exec(text);
  if (!match) return "not_decimal";
  const fraction = match[2] ?? "";
  if (/[^0]/.test(fraction.slice(exponent))) return "too_precise";
  // Number() of a digit string rounds to the nearest double; 2^53 is one, so every value above
  // MAX_SAFE_INTEGER still compares above it and no unsafe result slips through.
  const minor = Number(match[1] + fraction.slice(0, exponent).padEnd(exponent, "0"));
  return minor > Number.MAX_SAFE_INTEGER ? "too_large" : minor;
}
