/**
 * The merchant's admin locale for numbers, money and dates. Shopify passes it as `locale` in the
 * embedded app's URL ("fr", "pt-BR"); anything missing or unknown falls back to English. Text stays
 * English. Every formatter here is deterministic for a given locale (dates are UTC, labelled so), so
 * the server's HTML and the browser's first render agree.
 */
import { currencyExponent, formatMinorUnits } from "~/conversions/money";

export const FALLBACK_LOCALE = "en";

/** A supported, canonical BCP 47 tag from Shopify's `locale` parameter, or "en". */
export function adminLocale(raw: string | null | undefined): string {
  if (!raw || raw.length > 35) return FALLBACK_LOCALE;
  try {
    const [canonical] = Intl.getCanonicalLocales(raw.replace(/_/g, "-"));
    const [supported] = Intl.NumberFormat.supportedLocalesOf([canonical]);
    return supported ?? FALLBACK_LOCALE;
  } catch {
    return FALLBACK_LOCALE;
  }
}

/** The locale of a request: its own `locale` parameter, else the one the page was opened with. */
export function localeFromUrl(url: string | URL): string {
  return adminLocale(new URL(url).searchParams.get("locale"));
}

export function formatCount(locale: string, value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** "42 %" (fr), "42%" (en); one decimal below 10%. "—" when there is nothing to divide. */
export function formatRate(locale: string, rate: number | null): string {
  // One decimal at most, like the printed report (scripts/print-reconciliation.ts), so the page and
  // the demo's printout show the same figure.
  if (rate === null || !Number.isFinite(rate)) return "–";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(rate);
}

/**
 * Minor units as the locale writes money ("1 234,50 €"). The decimal string is built from the
 * integer (no floating point); an unknown currency falls back to the core's plain form.
 */
export function formatMoneyMinor(locale: string, currency: string, minor: number): string {
  const exponent = currencyExponent(currency);
  if (exponent === null || !Number.isSafeInteger(minor)) {
    try {
      return `${formatMinorUnits(currency, minor)} ${currency}`;
    } catch {
      return `${minor} (minor units) ${currency}`;
    }
  }
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, "0");
  const decimal = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  try {
    const format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    // Intl accepts exact decimal strings (ECMA-402 NumberFormat v3).
    return format.format(`${negative ? "-" : ""}${decimal}` as unknown as number);
  } catch {
    return `${negative ? "-" : ""}${decimal} ${currency}`;
  }
}

/** "2 déc. 2026, 14:03 UTC" — always in UTC, so it reads the same on the server and in the browser. */
export function formatDateTime(locale: string, at: Date | string): string {
  const date = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  const text = new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  }).format(date);
  return `${text} UTC`;
}

/** A UTC day ("2026-12-02") as the locale writes a date ("2 déc. 2026"). */
export function formatDay(locale: string, day: string): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(
    date,
  );
}
