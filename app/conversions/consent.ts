/**
 * Consent: whether an order event may be sent, given the pixel receipt's consent signal (if any), the
 * buyer's region and the merchant's policy. An explicit "denied" always wins.
 */
import type { ShopPolicy } from "./shop-policy";

/**
 * Countries where marketing tracking needs prior opt-in: the 30 EEA states (27 EU + Iceland,
 * Liechtenstein, Norway), the United Kingdom and Switzerland. ISO 3166-1 alpha-2 (Greece is "GR").
 */
export const OPT_IN_COUNTRIES: ReadonlySet<string> = new Set([
  // EU 27
  "AT",
  "BE",
  "BG",
  "HR",
  "CY",
  "CZ",
  "DK",
  "EE",
  "FI",
  "FR",
  "DE",
  "GR",
  "HU",
  "IE",
  "IT",
  "LV",
  "LT",
  "LU",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SK",
  "SI",
  "ES",
  "SE",
  // rest of the EEA
  "IS",
  "LI",
  "NO",
  // outside the EEA, same opt-in rules
  "GB",
  "CH",
]);

/**
 * True when any of the buyer's known countries (billing, shipping) is an opt-in country.
 *
 * Also true when NO country is known at all: without a country we cannot show the buyer is outside
 * the opt-in region, and wrongly sending is worse than wrongly waiting for a consent signal.
 */
export function requiresOptInConsent(countries: readonly (string | null | undefined)[]): boolean {
  let anyKnown = false;
  for (const raw of countries) {
    if (typeof raw !== "string" || raw.trim() === "") continue;
    anyKnown = true;
    if (OPT_IN_COUNTRIES.has(raw.trim().toUpperCase())) return true;
  }
  return !anyKnown;
}

/** The pixel receipt's consent signal: "unknown" when the pixel ran but could not tell. */
export type ReceiptConsent = "granted" | "denied" | "unknown";

export type ConsentDecision = { send: true } | { send: false; reason: "consent_denied" | "no_consent_signal" };

export function consentDecision(input: {
  receiptConsent: ReceiptConsent | null;
  requiresOptIn: boolean;
  policy: ShopPolicy["consentPolicy"];
}): ConsentDecision {
  if (input.receiptConsent === "denied") return { send: false, reason: "consent_denied" };
  if (input.receiptConsent === "granted") return { send: true };
  // No receipt, or a receipt without a usable signal.
  switch (input.policy) {
    case "send":
      return { send: true };
    case "skip":
      return { send: false, reason: "no_consent_signal" };
    case "regional":
      return input.requiresOptIn ? { send: false, reason: "no_consent_signal" } : { send: true };
    default:
      // An unknown stored policy value: fail closed.
      return { send: false, reason: "no_consent_signal" };
  }
}
