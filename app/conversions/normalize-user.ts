/**
 * OpenAI's documented normalization of matching data, one function per kind of value. Each takes
 * whatever a payload carried (`unknown`) and returns the normalized string, or null when the value is
 * absent or invalid and must not be sent. Hashing is separate (`sha256Hex`) so the normalized form can
 * be tested against the worked cases in openai-normalization-cases.json.
 *
 * Pure and browser-safe: ./sha256.ts for SHA-256, libphonenumber-js (min metadata) for phones.
 */
import { isPublicIpAddress } from "./public-ip";
import { sha256Bytes } from "./sha256";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";

/** Lowercase hex SHA-256 of the UTF-8 bytes of `text` (./sha256.ts: Node, browsers, workers). */
export async function sha256Hex(text: string): Promise<string> {
  let hex = "";
  for (const byte of await sha256Bytes(text)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function nonEmptyString(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const trimmed = raw.trim();
  return trimmed === "" ? null : trimmed;
}

// ── email ────────────────────────────────────────────────────────────────────────────────────────
/**
 * `local@domain.tld`: no whitespace, exactly one `@`, a dot in the domain with a 2+ letter TLD. A
 * sanity check, not RFC 5322: it only has to keep obvious garbage ("not-an-email", "n/a") out.
 */
const EMAIL = /^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]{2,}$/u;

/** trim + lowercase, then shape check. */
export function normalizeEmail(raw: unknown): string | null {
  const value = nonEmptyString(raw);
  if (value === null) return null;
  const lowered = value.toLowerCase();
  return EMAIL.test(lowered) ? lowered : null;
}

// ── phone ────────────────────────────────────────────────────────────────────────────────────────
/**
 * E.164 digits without `+` (country code first, no leading zeros, 8-15 digits), e.g.
 * "+1 (415) 555-2671" → "14155552671"; null when the number cannot be validated.
 *
 * Numbers without a country code are read as national numbers of `countryHint` (the order's country).
 * A leading "00" is the ITU international prefix used by most of the world: when the hint's own rules
 * do not make the number valid (e.g. "0044 …" on a US order, where the prefix would be 011) it is
 * retried as "+…". Without a "+", a "00" prefix or a hint there is nothing to anchor the country code
 * to, so the value is dropped rather than guessed.
 *
 * Min metadata on purpose: it validates fixed-line and mobile numbers alike (the "mobile" metadata
 * rejects landlines such as "+44 20 7946 0958") and stays small enough for a browser bundle.
 */
export function normalizePhone(raw: unknown, countryHint?: string | null): string | null {
  const value = nonEmptyString(raw);
  if (value === null) return null;
  const hint = normalizeCountry(countryHint);

  const candidates: Array<[string, CountryCode | undefined]> = [];
  if (value.startsWith("+")) {
    candidates.push([value, undefined]);
  } else {
    if (hint !== null) candidates.push([value, hint as CountryCode]);
    const compact = value.replace(/[\s().-]/g, "");
    if (/^00[1-9]/.test(compact)) candidates.push([`+${compact.slice(2)}`, undefined]);
  }

  for (const [text, country] of candidates) {
    const digits = validE164Digits(text, country);
    if (digits !== null) return digits;
  }
  return null;
}

function validE164Digits(text: string, country: CountryCode | undefined): string | null {
  let parsed;
  try {
    parsed = parsePhoneNumberFromString(text, country ? { defaultCountry: country } : undefined);
  } catch {
    return null; // unknown default country in the metadata, or otherwise unparseable
  }
  if (!parsed || !parsed.isValid()) return null;
  const digits = parsed.number.replace(/^\+/, "");
  return /^[1-9][0-9]{7,14}$/.test(digits) ? digits : null;
}

// ── names ────────────────────────────────────────────────────────────────────────────────────────
/** Whitespace (Unicode) and ASCII punctuation: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ */
const NAME_STRIP = /[\s!-/:-@[-`{-~]/gu;

/**
 * Lowercase, remove whitespace and ASCII punctuation, keep everything else (non-ASCII letters such as
 * "é" stay): "José" → "josé", "O'Connor" → "oconnor", " Mary Ann " → "maryann". NFC first so that a
 * decomposed "é" (e + U+0301) hashes like the composed one. Non-ASCII punctuation (e.g. the typographic
 * apostrophe ’) is kept, because OpenAI's documented rule only removes ASCII punctuation.
 */
export function normalizeName(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const normalized = raw.normalize("NFC").toLowerCase().replace(NAME_STRIP, "").normalize("NFC");
  return normalized === "" ? null : normalized;
}

// ── external id ──────────────────────────────────────────────────────────────────────────────────
/** trim only (case is kept: ids are case-sensitive). Numbers (Shopify customer ids) become strings. */
export function normalizeExternalId(raw: unknown): string | null {
  if (typeof raw === "number") return Number.isSafeInteger(raw) ? String(raw) : null;
  if (typeof raw === "bigint") return raw.toString();
  return nonEmptyString(raw);
}

// ── address ──────────────────────────────────────────────────────────────────────────────────────
/**
 * Officially assigned ISO 3166-1 alpha-2 codes. A bare `[A-Z]{2}` check is not enough: one invalid
 * value can make OpenAI reject the whole event. "XK" (Kosovo), which Shopify uses, is user-assigned and
 * not ISO: it is dropped rather than risked.
 */
const ISO_3166_ALPHA2 = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS " +
    "BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE " +
    "EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM " +
    "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC " +
    "LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA " +
    "NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO " +
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

/** ISO 3166-1 alpha-2, upper-case ("us" → "US"); names such as "United States" → null. */
export function normalizeCountry(raw: unknown): string | null {
  const value = nonEmptyString(raw);
  if (value === null) return null;
  const upper = value.toUpperCase();
  return ISO_3166_ALPHA2.has(upper) ? upper : null;
}

/** Regions, cities and postal codes are sent raw: trimmed, empty dropped, nothing else changed. */
export function normalizeRegion(raw: unknown): string | null {
  return nonEmptyString(raw);
}

export function normalizeCity(raw: unknown): string | null {
  return nonEmptyString(raw);
}

export function normalizePostal(raw: unknown): string | null {
  return nonEmptyString(raw);
}

// ── client ───────────────────────────────────────────────────────────────────────────────────────
const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

/**
 * A literal IPv4 or IPv6 address (raw) that can be a buyer's on the public internet; anything else
 * (not an address, or unspecified/loopback/private/link-local/reserved: ./public-ip.ts) → null so it
 * cannot spoil the event or name the wrong person.
 */
export function normalizeIpAddress(raw: unknown): string | null {
  const value = nonEmptyString(raw);
  if (value === null) return null;
  let literal = false;
  if (IPV4.test(value)) literal = true;
  else if (value.includes(":") && /^[0-9A-Fa-f:.]+$/.test(value)) {
    // The WHATWG URL parser is a complete IPv6 validator available in every runtime we target.
    try {
      new URL(`http://[${value}]/`);
      literal = true;
    } catch {
      literal = false;
    }
  }
  return literal && isPublicIpAddress(value) ? value : null;
}

/** Raw user agent, trimmed; empty → null. */
export function normalizeUserAgent(raw: unknown): string | null {
  return nonEmptyString(raw);
}

/** Raw `__obref` cookie value: passed through unchanged (not trimmed), empty or blank → null. */
export function normalizeObref(raw: unknown): string | null {
  if (typeof raw !== "string" || raw.trim() === "" || raw.length > 512) return null;
  return raw;
}
