/**
 * The theme embed's consent rules (extensions/openai-embed/src/consent.ts): Shopify's consent cookie in
 * the two formats Shopify's own consent script reads, and the decision written as `_oppref_consent`.
 */
import { describe, expect, it } from "vitest";
import { OPT_IN_COUNTRIES } from "~/conversions/consent";
import {
  clickRefAllowed,
  consentAttribute,
  decideConsent,
  decodeCookie,
  inOptInRegion,
  OPT_IN_COUNTRY_CODES,
  parseTrackingConsentCookie,
  readPrivacyApi,
  sameConsent,
  type ConsentReading,
} from "../../extensions/openai-embed/src/consent";
import { trackingConsentCookieV21 } from "../../sim/storefront";

describe("Shopify's _tracking_consent cookie", () => {
  it("reads version 2.1 (JSON): effective purposes, the recorded choice and the region", () => {
    expect(
      parseTrackingConsentCookie(
        decodeCookie(trackingConsentCookieV21({ choice: "0", marketing: false, saleOfData: false, region: "FRIDF" })),
      ),
    ).toEqual({ marketing: false, saleOfData: false, chosen: true, region: "FRIDF" });
    expect(
      parseTrackingConsentCookie(
        decodeCookie(trackingConsentCookieV21({ choice: "", marketing: true, saleOfData: true, region: "USCA" })),
      ),
    ).toEqual({ marketing: true, saleOfData: true, chosen: false, region: "USCA" });
  });

  it("reads version 3 (compact): capital letters allow, the part before '.' holds the choices", () => {
    expect(parseTrackingConsentCookie("3AMPS_DEBE_f_f_abc")).toEqual({
      marketing: true,
      saleOfData: true,
      chosen: true,
      region: "DEBE",
    });
    expect(parseTrackingConsentCookie("3amps_DEBE_f_f_abc")).toEqual({
      marketing: false,
      saleOfData: false,
      chosen: true,
      region: "DEBE",
    });
    // No choice recorded (nothing before the "."), region defaults after it.
    expect(parseTrackingConsentCookie("3.AMPS_USNY_f_t_abc_{}")).toEqual({
      marketing: true,
      saleOfData: true,
      chosen: false,
      region: "USNY",
    });
  });

  it("ignores every other shape instead of guessing", () => {
    for (const value of [
      null,
      "",
      "not-json",
      '{"v":"2.0","con":{"CMP":{"m":"1"}},"purposes":{"m":true}}',
      '{"v":"2.1","purposes":{"m":true}}',
      '{"v":"2.1","con":{"CMP":{}},"purposes":{"m":"yes"}}',
      "{broken",
      "3AMPS",
      "3AM!PS_DE_f_f_x",
      "3AMPS_DE_maybe_f_x",
      "4AMPS_DE_f_f_x",
    ]) {
      expect(parseTrackingConsentCookie(value), String(value)).toBeNull();
    }
    expect(decodeCookie("%E0%A4%A")).toBeNull();
  });
});

describe("the Customer Privacy API's answer", () => {
  it("reads marketingAllowed, saleOfDataAllowed, the recorded choice and the region", () => {
    expect(
      readPrivacyApi({
        marketingAllowed: () => false,
        saleOfDataAllowed: () => true,
        currentVisitorConsent: () => ({ marketing: "no" }),
        getRegion: () => "DEBE",
      }),
    ).toEqual({ marketing: false, saleOfData: true, chosen: true, region: "DEBE" });
    expect(readPrivacyApi({ marketingAllowed: () => true })).toEqual({
      marketing: true,
      saleOfData: null,
      chosen: false,
      region: "",
    });
  });

  it("is no answer when missing, throwing or not boolean", () => {
    expect(readPrivacyApi(undefined)).toBeNull();
    expect(readPrivacyApi({})).toBeNull();
    expect(readPrivacyApi({ marketingAllowed: () => "yes" })).toBeNull();
    expect(
      readPrivacyApi({
        marketingAllowed: () => {
          throw new Error("boom");
        },
      }),
    ).toBeNull();
  });
});

describe("the decision", () => {
  const reading = (r: Partial<ConsentReading>): ConsentReading => ({
    marketing: true,
    saleOfData: true,
    chosen: true,
    region: "",
    ...r,
  });

  it("the opt-in country list is the server's", () => {
    const codes = OPT_IN_COUNTRY_CODES.match(/../g)!;
    expect(new Set(codes)).toEqual(new Set(OPT_IN_COUNTRIES));
    expect(codes).toHaveLength(OPT_IN_COUNTRIES.size);
    for (const country of OPT_IN_COUNTRIES) expect(inOptInRegion("", country)).toBe(true);
    // Letters that straddle two codes ("EB" in "BEBG", "KE" in "DKEE") are not a country in the list.
    for (const country of ["US", "CA", "JP", "EB", "KE", "GH", "SS"]) expect(inOptInRegion("", country)).toBe(false);
    // An unknown country counts as opt-in; the buyer's region beats the storefront's country.
    expect(inOptInRegion("", "")).toBe(true);
    expect(inOptInRegion("FRIDF", "US")).toBe(true);
    expect(inOptInRegion("USCA", "DE")).toBe(false);
  });

  it("privacy API first, then the cookie; GPC always refuses the sale of data", () => {
    const api = reading({ marketing: true, saleOfData: true });
    const cookie = reading({ marketing: false, saleOfData: false });
    expect(decideConsent({ api, cookie, gpc: false, country: "US" })).toEqual({
      marketing: "granted",
      saleOfData: "allowed",
      source: "privacy_api",
    });
    expect(decideConsent({ api: null, cookie, gpc: false, country: "US" })).toEqual({
      marketing: "denied",
      saleOfData: "refused",
      source: "consent_cookie",
    });
    expect(decideConsent({ api, cookie: null, gpc: true, country: "US" })).toEqual({
      marketing: "granted",
      saleOfData: "refused",
      source: "privacy_api",
    });
    expect(decideConsent({ api: null, cookie: null, gpc: true, country: "DE" })).toEqual({
      marketing: "unknown",
      saleOfData: "refused",
      source: "gpc",
    });
    expect(decideConsent({ api: reading({ saleOfData: null }), cookie: null, gpc: false, country: "US" })).toEqual({
      marketing: "granted",
      saleOfData: "unknown",
      source: "privacy_api",
    });
  });

  it("writes nothing in an opt-in region without a recorded choice", () => {
    const unchosen = reading({ chosen: false, marketing: false, saleOfData: false });
    expect(decideConsent({ api: unchosen, cookie: null, gpc: false, country: "DE" })).toBeNull();
    expect(
      decideConsent({ api: null, cookie: reading({ chosen: false, region: "FRIDF" }), gpc: false, country: "US" }),
    ).toBeNull();
    expect(decideConsent({ api: null, cookie: null, gpc: false, country: "FR" })).toBeNull();
    expect(decideConsent({ api: null, cookie: null, gpc: false, country: "" })).toBeNull();
    // Outside it, the region itself is the (weakest) source.
    expect(decideConsent({ api: null, cookie: null, gpc: false, country: "US" })).toEqual({
      marketing: "unknown",
      saleOfData: "unknown",
      source: "region",
    });
    // A recorded choice in the opt-in region is written, whatever it is.
    expect(
      decideConsent({ api: reading({ region: "DEBE", marketing: false }), cookie: null, gpc: false, country: "" }),
    ).toEqual({
      marketing: "denied",
      saleOfData: "allowed",
      source: "privacy_api",
    });
  });

  it("keeps the click reference only when marketing and the sale of data allow it", () => {
    expect(clickRefAllowed(null)).toBe(false);
    expect(clickRefAllowed({ marketing: "granted", saleOfData: "allowed", source: "privacy_api" })).toBe(true);
    expect(clickRefAllowed({ marketing: "granted", saleOfData: "unknown", source: "consent_cookie" })).toBe(true);
    expect(clickRefAllowed({ marketing: "granted", saleOfData: "refused", source: "privacy_api" })).toBe(false);
    expect(clickRefAllowed({ marketing: "denied", saleOfData: "allowed", source: "privacy_api" })).toBe(false);
    expect(clickRefAllowed({ marketing: "unknown", saleOfData: "unknown", source: "region" })).toBe(true);
    expect(clickRefAllowed({ marketing: "unknown", saleOfData: "refused", source: "gpc" })).toBe(false);
    expect(clickRefAllowed({ marketing: "unknown", saleOfData: "unknown", source: "consent_cookie" })).toBe(false);
  });

  it("formats _oppref_consent as URLSearchParams text and compares it without its time", () => {
    const consent = { marketing: "denied", saleOfData: "refused", source: "privacy_api" } as const;
    const text = consentAttribute(consent, 1764650000000);
    expect(text).toBe("marketing=denied&sale_of_data=refused&source=privacy_api&at=1764650000000");
    expect(Object.fromEntries(new URLSearchParams(text))).toEqual({
      marketing: "denied",
      sale_of_data: "refused",
      source: "privacy_api",
      at: "1764650000000",
    });
    expect(sameConsent(text, consent)).toBe(true);
    expect(sameConsent(text, { ...consent, source: "consent_cookie" })).toBe(false);
    expect(sameConsent("", consent)).toBe(false);
  });
});
