import { describe, expect, it } from "vitest";
import {
  OPT_IN_COUNTRIES,
  consentDecision,
  requiresOptInConsent,
  type ReceiptConsent,
} from "../../app/conversions/consent";
import type { ShopPolicy } from "../../app/conversions/shop-policy";

describe("OPT_IN_COUNTRIES", () => {
  it("is the 30 EEA countries plus the UK and Switzerland", () => {
    const eu27 = [
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
    ];
    expect(eu27).toHaveLength(27);
    expect([...OPT_IN_COUNTRIES].sort()).toEqual([...eu27, "IS", "LI", "NO", "GB", "CH"].sort());
    expect(OPT_IN_COUNTRIES.size).toBe(32);
  });
});

describe("requiresOptInConsent", () => {
  it.each<[(string | null | undefined)[], boolean]>([
    [["US"], false],
    [["US", "CA"], false],
    [["DE"], true],
    [["US", "DE"], true], // billing US, shipping Germany
    [["de"], true],
    [[" GB "], true],
    [["CH"], true],
    [["NO"], true],
    [["TR"], false],
    [[null, "US"], false],
    [[null, "FR"], true],
    // no known country: cannot show the buyer is outside the opt-in region
    [[], true],
    [[null, undefined], true],
    [["", "  "], true],
  ])("%j → %s", (countries, expected) => {
    expect(requiresOptInConsent(countries)).toBe(expected);
  });
});

describe("consentDecision", () => {
  const policies: ShopPolicy["consentPolicy"][] = ["regional", "send", "skip"];
  const SEND = { send: true };
  const DENIED = { send: false, reason: "consent_denied" };
  const NO_SIGNAL = { send: false, reason: "no_consent_signal" };

  it.each(policies.flatMap((policy) => [true, false].map((requiresOptIn) => [policy, requiresOptIn] as const)))(
    "an explicit denial always wins (policy %s, opt-in %s)",
    (policy, requiresOptIn) => {
      expect(consentDecision({ receiptConsent: "denied", requiresOptIn, policy })).toEqual(DENIED);
    },
  );

  it.each(policies.flatMap((policy) => [true, false].map((requiresOptIn) => [policy, requiresOptIn] as const)))(
    "an explicit grant always sends (policy %s, opt-in %s)",
    (policy, requiresOptIn) => {
      expect(consentDecision({ receiptConsent: "granted", requiresOptIn, policy })).toEqual(SEND);
    },
  );

  it.each<[ReceiptConsent | null, ShopPolicy["consentPolicy"], boolean, object]>([
    [null, "send", true, SEND],
    [null, "send", false, SEND],
    [null, "skip", true, NO_SIGNAL],
    [null, "skip", false, NO_SIGNAL],
    [null, "regional", true, NO_SIGNAL],
    [null, "regional", false, SEND],
    ["unknown", "send", true, SEND],
    ["unknown", "skip", false, NO_SIGNAL],
    ["unknown", "regional", true, NO_SIGNAL],
    ["unknown", "regional", false, SEND],
  ])("receipt %s, policy %s, opt-in %s", (receiptConsent, policy, requiresOptIn, expected) => {
    expect(consentDecision({ receiptConsent, requiresOptIn, policy })).toEqual(expected);
  });

  it("fails closed on an unknown stored policy", () => {
    const policy = "sometimes" as unknown as ShopPolicy["consentPolicy"];
    expect(consentDecision({ receiptConsent: null, requiresOptIn: false, policy })).toEqual(NO_SIGNAL);
  });
});
