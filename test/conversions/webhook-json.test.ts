import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseWebhookJson, parseWebhookJsonPortably, parsesNatively } from "../../app/conversions/webhook-json";

const FIXTURES = path.join(process.cwd(), "test", "fixtures", "shopify");

describe("parseWebhookJson", () => {
  it("keeps 64-bit ids exact (JSON.parse rounds Shopify's sample order id to another order)", () => {
    const text = '{"id":820982911946154508,"customer":{"id":115310627314723954},"n":450789469,"price":"1.50"}';
    expect(String(JSON.parse(text).id)).not.toBe("820982911946154508");
    expect(parseWebhookJson(text)).toEqual({
      id: "820982911946154508",
      customer: { id: "115310627314723954" },
      n: 450789469,
      price: "1.50",
    });
  });

  it("returns what JSON.parse returns for everything else", () => {
    const text = '{"a":[1,-2,0,1.5,1e3,-0.25,null,true,"x"],"b":{"c":45.41634},"max":9007199254740991}';
    expect(parseWebhookJson(text)).toEqual(JSON.parse(text));
  });

  it("throws on invalid JSON, like JSON.parse", () => {
    expect(() => parseWebhookJson("{")).toThrow();
    expect(() => parseWebhookJson("")).toThrow();
  });

  // The applier parses with the runtime's native parser where it can; a difference from the portable
  // parser would change an id or an amount depending on the Node version.
  it("parses natively on this project's Node, with the same results as the portable parser", () => {
    expect(parsesNatively).toBe(true);
    const edge =
      '{"a":-820982911946154508,"b":9007199254740993,"c":9007199254740992,"d":1e30,"e":-0,"f":0.1,"g":[{"h":18446744073709551615}],"i":"820982911946154508"}';
    expect(parseWebhookJson(edge)).toEqual(parseWebhookJsonPortably(edge));
    expect(parseWebhookJson(edge)).toMatchObject({
      a: "-820982911946154508",
      b: "9007199254740993",
      c: "9007199254740992",
      d: 1e30,
    });
  });

  it.each(readdirSync(FIXTURES).filter((f) => f.endsWith(".json")))(
    "reads Shopify's published payload %s the same way with either parser",
    (file) => {
      const text = readFileSync(path.join(FIXTURES, file), "utf8");
      expect(parseWebhookJson(text)).toEqual(parseWebhookJsonPortably(text));
    },
  );

  it("finds a long integer wherever JSON lets a number start (the fast path must never round one)", () => {
    for (const text of [
      "9007199254740993",
      " -9007199254740993",
      "[1,\n  9007199254740993]",
      '{"a" :\t9007199254740993}',
      '{"a":[{"b":[0, 12345678901234567]}]}',
    ]) {
      expect(JSON.stringify(parseWebhookJson(text))).toContain('"');
      expect(parseWebhookJson(text)).toEqual(parseWebhookJsonPortably(text));
    }
    // 15 digits and fewer, fractions and exponents are numbers either way.
    const small = '{"a":123456789012345,"b":1.5,"c":1e21,"d":"12345678901234567"}';
    expect(parseWebhookJson(small)).toEqual({ a: 123456789012345, b: 1.5, c: 1e21, d: "12345678901234567" });
  });

  it("throws on invalid JSON with either parser", () => {
    for (const bad of ["{", "", "[1,]", '{"a":01}', "NaN"]) {
      expect(() => parseWebhookJson(bad)).toThrow();
      expect(() => parseWebhookJsonPortably(bad)).toThrow();
    }
  });
});
