import { describe, expect, it } from "vitest";
import { parseWebhookJson } from "../../app/conversions/webhook-json";

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
});
