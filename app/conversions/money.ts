/**
 * Money for the Conversions API: `data.amount` is an INTEGER in the currency's ISO 4217 minor unit
 * (USD 129.99 → 12999, JPY 8900 → 8900, KWD 1.234 → 1234). Shopify sends decimal strings and the web
 * pixel sends JS numbers; both are converted by string arithmetic, never by multiplying floats
 * (`129.99 * 100` is `12998.999999999998`).
 */

/** An integer amount in a currency's ISO 4217 minor unit. Only `toMinorUnits` mints one. */
export type MinorUnits = number & { readonly __brand: "MinorUnits" };

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyError";
  }
}

/**
 * ISO 4217 minor-unit exponents of the active currency codes (list one, including funds codes such
 * as BOV/CLF/COU/UYI/UYW). Codes whose minor unit is "N.A." (precious metals XAU/XAG/XPD/XPT, XDR,
 * bond-market units, XTS/XXX) are deliberately absent: they cannot carry an amount.
 * Everything not listed under 0, 3 or 4 has exponent 2.
 *
 * Kept although withdrawn or being withdrawn, because shops can still report them: ANG (→ XCG, 2025),
 * BGN (→ EUR, 2026), SLL (→ SLE), ZWL (→ ZWG), CUC. Removed long ago and not accepted: HRK, MRO, STD,
 * VEF, BYR, LTL, LVL, EEK.
 */
const EXPONENT_0 = [
  "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
  "XAF", "XOF", "XPF",
];
const EXPONENT_3 = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const EXPONENT_4 = ["CLF", "UYW"];
const EXPONENT_2 = [
  "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
  "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF",
  "CHW", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN",
  "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG",
  "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
  "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
  "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP",
  "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
  "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD",
  "TWD", "TZS", "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR",
  "ZMW", "ZWG", "ZWL",
];

const EXPONENTS: ReadonlyMap<string, number> = new Map<string, number>([
  ...EXPONENT_0.map((code) => [code, 0] as const),
  ...EXPONENT_2.map((code) => [code, 2] as const),
  ...EXPONENT_3.map((code) => [code, 3] as const),
  ...EXPONENT_4.map((code) => [code, 4] as const),
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

/** Plain non-negative decimal: digits, optionally a dot and more digits. No sign, no exponent. */
const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

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

  let text: string;
  if (typeof amount === "number") {
    if (!Number.isFinite(amount)) throw new MoneyError("Amount is not a finite number");
    // -0 stringifies to "0"; any other negative keeps its sign and fails the pattern below.
    text = String(amount);
  } else if (typeof amount === "string") {
    text = amount.trim();
  } else {
    throw new MoneyError(`Amount must be a decimal string or a number, got ${typeof amount}`);
  }

  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyError("Amount is not a non-negative plain decimal");
  const whole = match[1];
  const fraction = match[2] ?? "";

  const kept = fraction.slice(0, exponent);
  const dropped = fraction.slice(exponent);
  if (/[^0]/.test(dropped)) {
    throw new MoneyError(`Amount has more than ${exponent} decimal places for ${code}`);
  }

  const minor = BigInt(whole + kept.padEnd(exponent, "0"));
  if (minor > MAX_SAFE) throw new MoneyError("Amount is too large");
  return Number(minor) as MinorUnits;
}

/** Decimal string of a minor-unit amount, for display ("12999", "USD" → "129.99"). */
export function formatMinorUnits(currency: string, minor: number): string {
  const exponent = currencyExponent(currency);
  if (exponent === null) throw new MoneyError(`Unknown or non-monetary currency code: ${describe(currency)}`);
  if (!Number.isSafeInteger(minor) || minor < 0) throw new MoneyError("Minor units must be a non-negative safe integer");
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, "0");
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 16)) : typeof value;
}
