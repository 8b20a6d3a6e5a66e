import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  normalizeCity,
  normalizeCountry,
  normalizeEmail,
  normalizeExternalId,
  normalizeIpAddress,
  normalizeName,
  normalizeObref,
  normalizePhone,
  normalizePostal,
  normalizeRegion,
  normalizeUserAgent,
  sha256Hex,
} from "../../app/conversions/normalize-user";

const nodeSha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

// The cases of /work/shared/reference/openai-normalization-cases.json (minus money), embedded so the
// test runs anywhere; checked against the reference file when it is present.
const REFERENCE = {
  email: [
    ["  Jane.Doe@Example.COM ", "jane.doe@example.com"],
    ["JOHN+ads@Example.co.uk", "john+ads@example.co.uk"],
    ["", null],
    ["not-an-email", null],
  ],
  phone: [
    ["+1 (415) 555-2671", "14155552671"],
    ["+44 20 7946 0958", "442079460958"],
    ["0044 20 7946 0958", "442079460958"],
    ["(415) 555-2671 with order country US", "14155552671"],
    ["030 123456 with order country DE", "4930123456"],
    ["12", null],
  ],
  first_or_last_name: [
    ["José", "josé"],
    ["O'Connor", "oconnor"],
    [" Mary Ann ", "maryann"],
    ["Smith-Jones", "smithjones"],
  ],
  external_id: [["  Cust-001 ", "Cust-001"]],
  country: [
    ["US", "US"],
    ["United States", null],
  ],
} as const;

/** "(415) 555-2671 with order country US" → ["(415) 555-2671", "US"]. */
function phoneCase(input: string): [string, string | null] {
  const match = /^(.*) with order country ([A-Z]{2})$/.exec(input);
  return match ? [match[1], match[2]] : [input, null];
}

describe("reference cases", () => {
  it.each(REFERENCE.email)("email %j → %j", (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });
  it.each(REFERENCE.phone)("phone %j → %j", (input, expected) => {
    const [value, country] = phoneCase(input);
    expect(normalizePhone(value, country)).toBe(expected);
  });
  it.each(REFERENCE.first_or_last_name)("name %j → %j", (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });
  it.each(REFERENCE.external_id)("external id %j → %j", (input, expected) => {
    expect(normalizeExternalId(input)).toBe(expected);
  });
  it.each(REFERENCE.country)("country %j → %j", (input, expected) => {
    expect(normalizeCountry(input)).toBe(expected);
  });

  it("the phone hash matches OpenAI's documented example (758fbf68…17fe0)", async () => {
    const hash = await sha256Hex("14155552671");
    expect(hash.startsWith("758fbf68")).toBe(true);
    expect(hash.endsWith("17fe0")).toBe(true);
    expect(hash).toBe("758fbf68945f21c416814c539ab578876c8d98fb69e6da692def92cd52417fe0");
  });

  const referencePath = "/work/shared/reference/openai-normalization-cases.json";
  it.runIf(existsSync(referencePath))("the embedded cases are exactly the reference's", () => {
    const reference = JSON.parse(readFileSync(referencePath, "utf8"));
    for (const key of Object.keys(REFERENCE) as (keyof typeof REFERENCE)[]) {
      expect(REFERENCE[key]).toEqual(reference[key]);
    }
  });
});

describe("sha256Hex", () => {
  it.each(["", "jane.doe@example.com", "josé", "e\u0301", "🙂 multi-byte ✓", "a".repeat(1000)])(
    "equals node:crypto for %j",
    async (text) => {
      expect(await sha256Hex(text)).toBe(nodeSha256(text));
    },
  );

  it("is lowercase hex of 64 characters", async () => {
    expect(await sha256Hex("x")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hashes the empty string to the well-known digest", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("normalizeEmail", () => {
  it.each([
    ["a@b.co", "a@b.co"],
    ["\tUSER@EXAMPLE.ORG\n", "user@example.org"],
    ["first.last+tag@sub.example.travel", "first.last+tag@sub.example.travel"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each([
    "   ",
    "a@b",
    "@example.com",
    "jane@",
    "jane@@example.com",
    "jane doe@example.com",
    "jane@example.c",
    "jane@.com",
    "jane@example..com",
  ])("rejects %j", (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });

  it.each([null, undefined, 42, {}, ["a@b.co"]])("rejects non-strings (%j)", (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });
});

describe("normalizePhone", () => {
  it.each<[string, string | null | undefined, string | null]>([
    ["+14155552671", null, "14155552671"],
    ["+1 415-555-2671", "DE", "14155552671"], // an explicit country code beats the hint
    ["415.555.2671", "US", "14155552671"],
    ["1 (415) 555-2671", "US", "14155552671"],
    ["011 44 20 7946 0958", "US", "442079460958"], // the US international prefix
    ["0044 20 7946 0958", "US", "442079460958"], // "00" on a US order: ITU prefix fallback
    ["0044 20 7946 0958", "DE", "442079460958"], // "00" is Germany's own prefix
    ["00 1 415 555 2671", "DE", "14155552671"],
    ["020 7946 0958", "GB", "442079460958"],
    ["020 7946 0958", "gb", "442079460958"], // hint case-insensitive
    ["+49 30 123456", null, "4930123456"],
    ["06 12 34 56 78", "FR", "33612345678"],
  ])("%j (country %s) → %j", (input, country, expected) => {
    expect(normalizePhone(input, country)).toBe(expected);
  });

  it.each<[unknown, string | null | undefined]>([
    ["(415) 555-2671", null], // national number and no country to anchor it to
    ["(415) 555-2671", undefined],
    ["4155552671", "United States"], // not an ISO code: treated as no hint
    ["+1 555 555 5555", null], // 555 area code: not a valid US number
    ["+1 415", null], // too short
    ["+999 123 456 789", null], // no such country code
    ["12", "US"],
    ["", "US"],
    ["   ", "US"],
    ["call me maybe", "US"],
    [14155552671, "US"], // numbers are not phone strings
    [null, "US"],
    [undefined, "US"],
  ])("rejects %j (country %s)", (input, country) => {
    expect(normalizePhone(input, country)).toBeNull();
  });

  it("always returns 8-15 digits without a leading zero or plus", () => {
    for (const [input, country] of [
      ["+1 (415) 555-2671", null],
      ["030 123456", "DE"],
      ["+44 20 7946 0958", null],
    ] as const) {
      expect(normalizePhone(input, country)).toMatch(/^[1-9][0-9]{7,14}$/);
    }
  });
});

describe("normalizeName", () => {
  it.each([
    ["JOSÉ", "josé"],
    ["Jose\u0301", "josé"], // decomposed é → NFC composed
    ["Zoë", "zoë"],
    ["Łukasz", "łukasz"],
    ["Müller-Lüdenscheidt", "müllerlüdenscheidt"],
    ["Jean-Luc  Picard", "jeanlucpicard"],
    ["Dr. J. R. R. Tolkien, Jr.", "drjrrtolkienjr"],
    ["李", "李"],
    ["Иван", "иван"],
    ["tab\tand\nnewline", "tabandnewline"],
    ["Anne\u00a0Marie", "annemarie"], // non-breaking space is whitespace
    ["O’Connor", "o’connor"], // typographic apostrophe is not ASCII punctuation: kept, per the rule
    ["R2-D2", "r2d2"], // digits are kept
  ])("%j → %j", (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it("the composed and decomposed forms hash identically", async () => {
    const composed = normalizeName("José") as string;
    const decomposed = normalizeName("Jose\u0301") as string;
    expect(await sha256Hex(decomposed)).toBe(await sha256Hex(composed));
    expect(await sha256Hex(composed)).toBe(nodeSha256("josé"));
  });

  it.each(["", "   ", "-", "'.", null, undefined, 7])("rejects %j", (input) => {
    expect(normalizeName(input)).toBeNull();
  });
});

describe("normalizeExternalId", () => {
  it.each<[unknown, string | null]>([
    ["abc", "abc"],
    ["  ABC-1 ", "ABC-1"], // case kept
    [7012345678901, "7012345678901"],
    [7012345678901n, "7012345678901"],
    ["", null],
    ["   ", null],
    [null, null],
    [1.5, null],
    [{}, null],
  ])("%s → %s", (input, expected) => {
    expect(normalizeExternalId(input)).toBe(expected);
  });
});

describe("normalizeCountry", () => {
  it.each<[unknown, string | null]>([
    ["us", "US"],
    [" gb ", "GB"],
    ["DE", "DE"],
    ["GR", "GR"],
    ["USA", null],
    ["U.S.", null],
    ["ZZ", null], // well-formed, not assigned
    ["XK", null], // Kosovo: user-assigned, not ISO
    ["UK", null], // the ISO code is GB
    ["", null],
    [null, null],
    [840, null],
  ])("%j → %j", (input, expected) => {
    expect(normalizeCountry(input)).toBe(expected);
  });
});

describe("raw address and client fields", () => {
  it("regions, cities and postal codes are trimmed and otherwise untouched", () => {
    expect(normalizeRegion(" CA ")).toBe("CA");
    expect(normalizeCity(" San Francisco ")).toBe("San Francisco");
    expect(normalizePostal(" SW1A 1AA ")).toBe("SW1A 1AA");
    expect(normalizeCity("São Paulo")).toBe("São Paulo");
  });

  it.each([normalizeRegion, normalizeCity, normalizePostal, normalizeUserAgent])(
    "%o drops empty and non-strings",
    (fn) => {
      expect(fn("")).toBeNull();
      expect(fn("  ")).toBeNull();
      expect(fn(null)).toBeNull();
      expect(fn(94103)).toBeNull();
    },
  );

  it.each<[unknown, string | null]>([
    ["1.1.1.1", "1.1.1.1"],
    [" 1.1.1.1 ", "1.1.1.1"],
    ["2606:4700:4700::1111", "2606:4700:4700::1111"],
    ["::ffff:1.1.1.1", "::ffff:1.1.1.1"],
    // Never a buyer's public address: unspecified (Shopify's documentation order), loopback, private,
    // carrier-grade NAT, link-local, unique-local, documentation ranges, multicast, broadcast.
    ["0.0.0.0", null],
    ["::", null],
    ["127.0.0.1", null],
    ["::1", null],
    ["10.1.2.3", null],
    ["172.16.0.9", null],
    ["192.168.1.20", null],
    ["100.64.0.1", null],
    ["169.254.10.10", null],
    ["fe80::1", null],
    ["fd12:3456::1", null],
    ["203.0.113.42", null],
    ["2001:db8::1", null],
    ["224.0.0.1", null],
    ["255.255.255.255", null],
    ["::ffff:10.0.0.1", null],
    ["::ffff:127.0.0.1", null],
    ["256.1.1.1", null],
    ["1.2.3", null],
    ["01.2.3.4", null],
    ["2001:db8:::1", null],
    ["example.com", null],
    ["", null],
    [null, null],
  ])("ip %j → %j", (input, expected) => {
    expect(normalizeIpAddress(input)).toBe(expected);
  });

  it("obref is passed through unchanged (not even trimmed)", () => {
    expect(normalizeObref("ob.1.abc")).toBe("ob.1.abc");
    expect(normalizeObref(" ob ")).toBe(" ob ");
    expect(normalizeObref("")).toBeNull();
    expect(normalizeObref("  ")).toBeNull();
    expect(normalizeObref("x".repeat(513))).toBeNull();
    expect(normalizeObref(5)).toBeNull();
  });
});
