import { describe, expect, it } from "vitest";
import { InvalidOrderIdError, normalizeOrderId } from "../../app/conversions/order-id";

describe("normalizeOrderId", () => {
  it.each([
    [123, "123"],
    ["123", "123"],
    ["  123 ", "123"],
    [123n, "123"],
    ["gid://shopify/Order/123", "123"],
    ["gid://shopify/OrderIdentity/123", "123"],
    ["gid://shopify/Order/123?foo=bar", "123"],
    [5912345678901, "5912345678901"],
    ["12345678901234567890", "12345678901234567890"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeOrderId(input)).toBe(expected);
  });

  it.each([
    0,
    -1,
    1.5,
    2 ** 53,
    "abc",
    "",
    "0123",
    "123456789012345678901",
    "gid://shopify/Product/1",
    null,
    undefined,
    {},
    0n,
  ])("rejects %s", (input) => {
    expect(() => normalizeOrderId(input)).toThrow(InvalidOrderIdError);
  });

  it("does not echo long inputs in the error message", () => {
    const long = `x${"a".repeat(200)}`;
    expect(() => normalizeOrderId(long)).toThrow(/…/);
  });
});
