/**
 * Money for the Conversions API: `data.amount` is an INTEGER in the currency's ISO 4217 minor unit
 * (USD 129.99 → 12999, JPY 8900 → 8900, KWD 1.234 → 1234). Shopify sends decimal strings and the web
 * pixel sends JS numbers; both are converted by string arithmetic, never by multiplying floats
 * (`129.99 * 100` is `12998.999999999998`). The arithmetic and the non-2 exponents live in
 * ./minor-units.ts, which the web pixel bundles too.
 */
import { exactMinorUnits, NON_TWO_DECIMAL_CURRENCIES } from "./minor-units";

/** An integer amount in a currency's ISO 4217 minor unit. Only `toMinorUnits` mints one. */
export type MinorUnits = number & { readonly __brand: "MinorUnits" };

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyError";
  }
}

/**
 * The active ISO 4217 currency codes (list one, including funds codes such as BOV/CLF/COU/UYI/UYW):
 * the codes below have exponent 2, those in ./minor-units.ts (shared with the web pixel) have 0, 3
 * or 4. Codes whose minor unit is "N.A." (precious metals XAU/XAG/XPD/XPT, XDR, bond-market units,
 * XTS/XXX) are deliberately absent: they cannot carry an amount.
 *
 * Kept although withdrawn or being withdrawn, because shops can still report them: ANG (→ XCG, 2025),
 * BGN (→ EUR, 2026), SLL (→ SLE), ZWL (→ ZWG), CUC. Removed long ago and not accepted: HRK, MRO, STD,
 * VEF, BYR, LTL, LVL, EEK.
 */
const EXPONENT_2 = [
  "AED",
  "AFN",
  "ALL",
  "AMD",
  "ANG",
  "AOA",
  "ARS",
  "AUD",
  "AWG",
  "AZN",
  "BAM",
  "BBD",
  "BDT",
  "BGN",
  "BMD",
  "BND",
  "BOB",
  "BOV",
  "BRL",
  "BSD",
  "BTN",
  "BWP",
  "BYN",
  "BZD",
  "CAD",
  "CDF",
  "CHE",
  "CHF",
  "CHW",
  "CNY",
  "COP",
  "COU",
  "CRC",
  "CUC",
  "CUP",
  "CVE",
  "CZK",
  "DKK",
  "DOP",
  "DZD",
  "EGP",
  "ERN",
  "ETB",
  "EUR",
  "FJD",
  "FKP",
  "GBP",
  "GEL",
  "GHS",
  "GIP",
  "GMD",
  "GTQ",
  "GYD",
  "HKD",
  "HNL",
  "HTG",
  "HUF",
  "IDR",
  "ILS",
  "INR",
  "IRR",
  "JMD",
  "KES",
  "KGS",
  "KHR",
  "KPW",
  "KYD",
  "KZT",
  "LAK",
  "LBP",
  "LKR",
  "LRD",
  "LSL",
  "MAD",
  "MDL",
  "MGA",
  "MKD",
  "MMK",
  "MNT",
  "MOP",
  "MRU",
  "MUR",
  "MVR",
  "MWK",
  "MXN",
  "MXV",
  "MYR",
  "MZN",
  "NAD",
  "NGN",
  "NIO",
  "NOK",
  "NPR",
  "NZD",
  "PAB",
  "PEN",
  "PGK",
  "PHP",
  "PKR",
  "PLN",
  "QAR",
  "RON",
  "RSD",
  "RUB",
  "SAR",
  "SBD",
  "SCR",
  "SDG",
  "SEK",
  "SGD",
  "SHP",
  "SLE",
  "SLL",
  "SOS",
  "SRD",
  "SSP",
  "STN",
  "SVC",
  "SYP",
  "SZL",
  "THB",
  "TJS",
  "TMT",
  "TOP",
  "TRY",
  "TTD",
  "TWD",
  "TZS",
  "UAH",
  "USD",
  "USN",
  "UYU",
  "UZS",
  "VED",
  "VES",
  "WST",
  "XCD",
  "XCG",
  "YER",
  "ZAR",
  "ZMW",
  "ZWG",
  "ZWL",
];

const EXPONENTS: ReadonlyMap<string, number> = new Map<string, number>([
  ...EXPONENT_2.map((code) => [code, 2] as const),
  ...Object.entries(NON_TWO_DECIMAL_CURRENCIES).flatMap(([exponent, codes]) =>
    codes.map((code) => [code, Number(exponent)] as const),
  ),
]);

/** Every currency code `currencyExponent` knows, upper-case, sorted. */
export const KNOWN_CURRENCY_CODES: readonly string[] = Object.freeze([...EXPONENTS.keys()].sort());

/** Upper-cases a 3-letter code; null when it is not a known ISO 4217 code with a minor unit. */
export function normalizeCurrencyCode(code: unknown): string | null {
  if (typeof code !== "string") return null;
  const upper = code.trim().toUpperCase();
  return EXPONENTS.has(upper) ? upper : null;
}

/** The ISO 4217 minor-unit exponent of `code` (case-insensitive), or null for an unknown code. */
export function currencyExponent(code: string): number | null {
  const normalized = normalizeCurrencyCode(code);
  return normalized === null ? null : (EXPONENTS.get(normalized) as number);
}

/**
 * Converts a decimal amount to integer minor units of `currency`.
 *
 * - Strings are parsed digit by digit. Extra fractional digits beyond the currency's exponent are
 *   accepted only when they are zeros ("4990.00" HUF → 499000; "19.999" EUR → MoneyError): rounding
 *   money silently would report revenue the merchant never took.
 * - Numbers (web pixel `MoneyV2.amount`) go through `String(n)`, the shortest decimal that round-trips
 *   to the same double, so 129.99 → "129.99" → 12999 with no drift. Non-finite values and numbers that
 *   stringify in exponent notation (below 1e-6 or from 1e21) are rejected.
 * - Negative, empty, NaN, exponent notation, unknown currency, or a result beyond
 *   Number.MAX_SAFE_INTEGER → MoneyError.
 */
export function toMinorUnits(currency: string, amount: string | number): MinorUnits {
  const code = normalizeCurrencyCode(currency);
  if (code === null) throw new MoneyError(`Unknown or non-monetary currency code: ${describe(currency)}`);
  const exponent = EXPONENTS.get(code) as number;

  if (typeof amount === "number") {
    if (!Number.isFinite(amount)) throw new MoneyError("Amount is not a finite number");
  } else if (typeof amount !== "string") {
    throw new MoneyError(`Amount must be a decimal string or a number, got ${typeof amount}`);
  }
  const minor = exactMinorUnits(amount, exponent);
  switch (minor) {
    case "not_decimal":
      throw new MoneyError("Amount is not a non-negative plain decimal");
    case "too_precise":
      throw new MoneyError(`Amount has more than ${exponent} decimal places for ${code}`);
    case "too_large":
      throw new MoneyError("Amount is too large");
    default:
      return minor as MinorUnits;
  }
}

/** Decimal string of a minor-unit amount, for display ("12999", "USD" → "129.99"). */
export function formatMinorUnits(currency: string, minor: number): string {
  const exponent = currencyExponent(currency);
  if (exponent === null) throw new MoneyError(`Unknown or non-monetary currency code: ${describe(currency)}`);
  if (!Number.isSafeInteger(minor) || minor < 0)
    throw new MoneyError("Minor units must be a non-negative safe integer");
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, "0");
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 16)) : typeof value;
}
