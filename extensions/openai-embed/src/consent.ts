/**
 * The buyer's privacy choice as the theme embed sees it, reduced to what the cart attribute
 * `_oppref_consent` carries. Pure functions: the browser glue (embed.ts) reads the signals and hands
 * them in, so every rule here is unit-tested without a browser.
 *
 * Sources, best first:
 * 1. privacy_api: Shopify's Customer Privacy API (`window.Shopify.customerPrivacy`), when it loaded.
 * 2. consent_cookie: Shopify's first-party `_tracking_consent` cookie, read with the same two formats
 *    Shopify's own consent-tracking-api script accepts (JSON version "2.1", compact version "3").
 *    That script is what the filter lists block; the cookie is set by Shopify's storefront responses
 *    and stays readable. Any other shape is ignored (not guessed at).
 * 3. gpc: `navigator.globalPrivacyControl === true`, an opt-out of sale/sharing. It also overrides
 *    sale_of_data to "refused" whichever source answered.
 * 4. region: the storefront's country outside the opt-in region (EEA, UK, Switzerland): nothing is
 *    known about the buyer's choice, Shopify's own default there is "allowed".
 *
 * A buyer in an opt-in region (or whose country is unknown) without a recorded choice gets NOTHING
 * written: `decideConsent` returns null.
 */

export type MarketingChoice = "granted" | "denied" | "unknown";
export type SaleOfDataChoice = "allowed" | "refused" | "unknown";
export type ConsentSource = "privacy_api" | "consent_cookie" | "gpc" | "region" | "none";

export interface StorefrontConsent {
  marketing: MarketingChoice;
  saleOfData: SaleOfDataChoice;
  source: ConsentSource;
}

/** What the Customer Privacy API or the consent cookie says. */
export interface ConsentReading {
  /** Effective marketing permission (Shopify's `marketingAllowed()`; region defaults included). */
  marketing: boolean;
  /** Effective sale-of-data permission (`saleOfDataAllowed()`), null when not readable. */
  saleOfData: boolean | null;
  /** Whether the buyer recorded a marketing choice (accepted or declined), not just a default. */
  chosen: boolean;
  /** Shopify's region code for the buyer (e.g. "FRIDF", "USCA"), "" when unknown. */
  region: string;
}

/** The subset of `window.Shopify.customerPrivacy` used here (consent-tracking-api v0.x). */
export interface CustomerPrivacyApi {
  marketingAllowed?: () => unknown;
  saleOfDataAllowed?: () => unknown;
  currentVisitorConsent?: () => { marketing?: unknown } | null | undefined;
  getRegion?: () => unknown;
}

/** The Customer Privacy API's answer, or null when it does not give a boolean marketing answer. */
export function readPrivacyApi(api: CustomerPrivacyApi | null | undefined): ConsentReading | null {
  try {
    const marketing = api?.marketingAllowed?.();
    if (typeof marketing !== "boolean") return null;
    const sale = api?.saleOfDataAllowed?.();
    const recorded = api?.currentVisitorConsent?.()?.marketing;
    const region = api?.getRegion?.();
    return {
      marketing,
      saleOfData: typeof sale === "boolean" ? sale : null,
      // currentVisitorConsent().marketing: "yes" | "no" once chosen, "" (or "no_interaction") before.
      chosen: recorded === "yes" || recorded === "no",
      region: typeof region === "string" ? region : "",
    };
  } catch {
    return null;
  }
}

/** A cookie value percent-decoded; null when absent or not decodable. */
export function decodeCookie(raw: string | null | undefined): string | null {
  try {
    return raw == null ? null : decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * Shopify's `_tracking_consent` cookie (its value decoded by decodeCookie), or null when its
 * shape is not one of the two Shopify's consent script reads:
 * - "2.1": JSON `{"v":"2.1","con":{"CMP":{"m":"1"|"0"|"",...}},"purposes":{"m":bool,"t":bool,...},"region":"FRIDF",...}`
 *   where `purposes` are the effective permissions (`marketingAllowed()` returns `purposes.m`, the sale of
 *   data `purposes.t`) and `con.CMP.m` is the recorded choice ("1" yes, "0" no, "" none).
 * - "3": `3<letters>_<region>_<t|f banner>_<t|f sale-of-data region>_<consent id>[_<json>]`: a purpose is
 *   allowed when its capital letter appears in <letters> (M marketing, S sale of data), and the part
 *   before the first "." holds the recorded choices (capital = yes, lower case = no, absent = none).
 */
export function parseTrackingConsentCookie(text: string | null | undefined): ConsentReading | null {
  if (!text) return null;
  if (text[0] === "{") {
    let parsed: {
      v?: unknown;
      con?: { CMP?: { m?: unknown } };
      purposes?: { m?: unknown; t?: unknown };
      region?: unknown;
    };
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    const cmp = parsed?.con?.CMP;
    const purposes = parsed?.purposes;
    if (parsed?.v !== "2.1" || !cmp || typeof purposes?.m !== "boolean") return null;
    return {
      marketing: purposes.m,
      saleOfData: typeof purposes.t === "boolean" ? purposes.t : null,
      chosen: cmp.m === "1" || cmp.m === "0",
      region: typeof parsed.region === "string" ? parsed.region : "",
    };
  }
  const fields = text.slice(1).split("_");
  const letters = fields[0];
  if (text[0] !== "3" || fields.length < 5 || !/^[a-zA-Z.]*$/.test(letters) || !/^[tf]$/.test(fields[2] + ""))
    return null;
  const choices = letters.split(".")[0];
  return {
    marketing: letters.includes("M"),
    saleOfData: letters.includes("S"),
    chosen: /m/i.test(choices),
    region: fields[1],
  };
}

/**
 * The server's OPT_IN_COUNTRIES (app/conversions/consent.ts: EEA, UK, Switzerland) as one string of
 * two-letter codes — a Set of strings costs this script ~60 bytes gzip more. A unit test keeps the two equal.
 */
export const OPT_IN_COUNTRY_CODES = "ATBEBGHRCYCZDKEEFIFRDEGRHUIEITLVLTLUMTNLPLPTROSKSIESSEISLINOGBCH";

/** True for an opt-in country; an unknown country counts as opt-in (we cannot show it is not). */
export function inOptInRegion(region: string, storefrontCountry: string): boolean {
  const country = (region.slice(0, 2) || storefrontCountry).toUpperCase();
  return !/^[A-Z]{2}$/.test(country) || new RegExp("^(..)*" + country).test(OPT_IN_COUNTRY_CODES);
}

export interface ConsentSignals {
  api: ConsentReading | null;
  cookie: ConsentReading | null;
  /** navigator.globalPrivacyControl === true */
  gpc: boolean;
  /** The storefront's country (Liquid `localization.country.iso_code`), "" when unknown. */
  country: string;
}

/** The decision to record, or null: write nothing at all (opt-in region, no recorded choice). */
export function decideConsent(signals: ConsentSignals): StorefrontConsent | null {
  const reading = signals.api ?? signals.cookie;
  const optIn = inOptInRegion(reading?.region ?? "", signals.country);
  if (reading) {
    if (optIn && !reading.chosen) return null;
    return {
      marketing: reading.marketing ? "granted" : "denied",
      saleOfData: signals.gpc || reading.saleOfData === false ? "refused" : reading.saleOfData ? "allowed" : "unknown",
      source: signals.api ? "privacy_api" : "consent_cookie",
    };
  }
  if (signals.gpc) return { marketing: "unknown", saleOfData: "refused", source: "gpc" };
  if (optIn) return null;
  return { marketing: "unknown", saleOfData: "unknown", source: "region" };
}

/**
 * Whether the click reference may be kept and written: marketing granted (or, by region, not
 * refused where Shopify's default is "allowed"), and the sale of data not refused.
 */
export function clickRefAllowed(consent: StorefrontConsent | null): boolean {
  if (!consent || consent.saleOfData === "refused") return false;
  return consent.marketing === "granted" || (consent.marketing === "unknown" && consent.source === "region");
}

/** `_oppref_consent` without its `at`: `marketing=…&sale_of_data=…&source=…` (URLSearchParams text). */
function consentPrefix(consent: StorefrontConsent): string {
  // Fixed tokens only: nothing to percent-encode.
  return `marketing=${consent.marketing}&sale_of_data=${consent.saleOfData}&source=${consent.source}`;
}

/** `_oppref_consent`: `marketing=…&sale_of_data=…&source=…&at=<ms>`, `at` being when it was first written. */
export function consentAttribute(consent: StorefrontConsent, at: number): string {
  return `${consentPrefix(consent)}&at=${at}`;
}

/** Same decision as an existing `_oppref_consent` value written by this embed (its `at` aside)? */
export function sameConsent(attribute: string, consent: StorefrontConsent): boolean {
  return attribute.startsWith(consentPrefix(consent) + "&at=");
}
