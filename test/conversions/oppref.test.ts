import { describe, expect, it } from "vitest";
import {
  MAX_OPPREF_LENGTH,
  opprefFromNoteAttributes,
  opprefFromUrl,
  pickOppref,
  validOppref,
} from "../../app/conversions/oppref";

describe("opprefFromUrl", () => {
  it.each<[string | null | undefined, string | null]>([
    // Shopify landing_site paths
    ["/products/x?oppref=abc&utm=1", "abc"],
    ["/?oppref=oa_test_click_123", "oa_test_click_123"],
    ["/products/trail-runner-shoe?utm_source=chatgpt&oppref=oa_test_click_123&utm_medium=cpc", "oa_test_click_123"],
    ["?oppref=abc", "abc"],
    ["/products/x", null],
    ["/products/x?utm_source=chatgpt", null],
    // absolute URLs
    ["https://shop.example.com/products/x?oppref=abc", "abc"],
    ["https://shop.example.com/?a=1&oppref=AbC-123_xyz.~", "AbC-123_xyz.~"],
    // the first oppref parameter wins
    ["/p?oppref=first&oppref=second", "first"],
    // standard URLSearchParams decoding (what the browser pixel reads too)
    ["/p?oppref=a%2Fb%3Dc", "a/b=c"],
    ["/p?oppref=a+b", "a b"],
    ["/p?oppref=a%20b%20", "a b "], // never trimmed
    ["/p?oppref=%20abc", " abc"],
    ["/p?oppref=abc==", "abc=="],
    // fragment is not a query
    ["/p#oppref=abc", null],
    ["/p?x=1#oppref=abc", null],
    ["/p?oppref=abc#frag", "abc"],
    // empty and absent
    ["/p?oppref=", null],
    ["/p?oppref", null],
    ["/p?OPPREF=abc", null], // parameter names are case-sensitive
    ["", null],
    [null, null],
    [undefined, null],
  ])("%j → %j", (input, expected) => {
    expect(opprefFromUrl(input)).toBe(expected);
  });

  it("keeps values up to 512 characters and drops longer ones", () => {
    expect(MAX_OPPREF_LENGTH).toBe(512);
    const max = "a".repeat(512);
    expect(opprefFromUrl(`/p?oppref=${max}`)).toBe(max);
    expect(opprefFromUrl(`/p?oppref=${max}a`)).toBeNull();
  });

  it("returns null for unparseable input instead of throwing", () => {
    expect(opprefFromUrl("http://[bad")).toBeNull();
    expect(opprefFromUrl(42 as unknown as string)).toBeNull();
  });
});

describe("opprefFromNoteAttributes", () => {
  it.each<[unknown, string | null]>([
    [[{ name: "oppref", value: "abc" }], "abc"],
    [[{ name: "_oppref", value: "abc" }], "abc"],
    [[{ name: "__oppref", value: "abc" }], "abc"],
    [[{ name: "__OppRef", value: "abc" }], "abc"],
    [[{ name: " oppref ", value: "abc" }], "abc"],
    [
      [
        { name: "gift_note", value: "hi" },
        { name: "oppref", value: " raw value " },
      ],
      " raw value ",
    ],
    [
      [
        { name: "oppref", value: "" },
        { name: "__oppref", value: "second" },
      ],
      "second",
    ],
    [[{ name: "oppref", value: 123 }], null],
    [[{ name: "oppref", value: "x".repeat(513) }], null],
    [[{ name: "opprefx", value: "abc" }], null],
    [[{ name: "___oppref", value: "abc" }], null],
    [[null, "oppref", { value: "abc" }], null],
    [[], null],
    [{ oppref: "abc" }, null],
    [null, null],
    [undefined, null],
  ])("%j → %j", (input, expected) => {
    expect(opprefFromNoteAttributes(input)).toBe(expected);
  });
});

describe("validOppref", () => {
  it("accepts non-empty strings up to 512 chars unchanged", () => {
    expect(validOppref(" a ")).toBe(" a ");
    expect(validOppref("")).toBeNull();
    expect(validOppref(null)).toBeNull();
    expect(validOppref("a".repeat(513))).toBeNull();
  });
});

describe("one validation for every oppref source", () => {
  it("rejects control characters wherever the value came from", () => {
    expect(validOppref("oa\u0000x")).toBeNull();
    expect(validOppref("oa\nx")).toBeNull();
    expect(validOppref("oa\u007fx")).toBeNull();
    expect(opprefFromUrl("/?oppref=oa%00x")).toBeNull();
    expect(opprefFromUrl("/?oppref=oa%0Ax")).toBeNull();
    expect(opprefFromNoteAttributes([{ name: "_oppref", value: "oa\tx" }])).toBeNull();
    expect(validOppref("oa_click_ünïcode ok")).toBe("oa_click_ünïcode ok");
  });
});

describe("pickOppref", () => {
  it("uses receipt › landing_site › cart attribute when click times are not known for two", () => {
    expect(
      pickOppref([
        { source: "note_attributes", value: "c", atMs: 3 },
        { source: "landing_site", value: "b", atMs: null },
        { source: "receipt", value: "a", atMs: null },
      ]),
    ).toEqual({ value: "a", source: "receipt" });
    expect(
      pickOppref([
        { source: "note_attributes", value: "c", atMs: null },
        { source: "landing_site", value: "b", atMs: null },
      ]),
    ).toEqual({ value: "b", source: "landing_site" });
  });

  it("prefers the most recent click when two sources know their click time", () => {
    expect(
      pickOppref([
        { source: "receipt", value: "older", atMs: 1_000 },
        { source: "note_attributes", value: "newer", atMs: 2_000 },
      ]),
    ).toEqual({ value: "newer", source: "note_attributes" });
  });

  it("skips invalid values and says none when nothing is left", () => {
    expect(pickOppref([{ source: "receipt", value: "bad\u0000", atMs: null }])).toEqual({
      value: null,
      source: "none",
    });
  });
});
