// Golden vectors for THE order dedup id. These literals were computed once and must never change:
// the web pixel and the server both send them to OpenAI as the event id of `order_created`, and
// OpenAI keeps the first event per id. If one of these assertions fails, do not update the literal:
// the change broke deduplication between browser and server for every existing order.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dedupIdForOrder, derivedEventId, type DedupId } from "../../app/conversions/dedup-id";
import { InvalidOrderIdError } from "../../app/conversions/order-id";

const GOLDEN: Array<[unknown, string]> = [
  [1, "o1_6Oiw2o7edfnibkyEWpYirw"],
  [123, "o1_ohmO4bFNY3L5fPEYdzKy-g"],
  ["123", "o1_ohmO4bFNY3L5fPEYdzKy-g"],
  [123n, "o1_ohmO4bFNY3L5fPEYdzKy-g"],
  [5912345678901, "o1_bPRRbUC0682e86LVd6jEmw"],
  ["5912345678901", "o1_bPRRbUC0682e86LVd6jEmw"],
  ["gid://shopify/Order/123", "o1_ohmO4bFNY3L5fPEYdzKy-g"],
  ["gid://shopify/OrderIdentity/123", "o1_ohmO4bFNY3L5fPEYdzKy-g"],
  ["gid://shopify/Order/5912345678901", "o1_bPRRbUC0682e86LVd6jEmw"],
  [9007199254740991, "o1_JwTIH8r8DfxT1dFE0iW_9Q"],
  ["12345678901234567890", "o1_3MJ2IAo0Pp-pQwVxQk-Zfg"],
];

/** The documented construction, recomputed with node:crypto (independent of Web Crypto and btoa). */
function expectedDedupId(normalized: string): string {
  const digest = createHash("sha256").update(`shopify-order:v1:${normalized}`, "utf8").digest();
  return `o1_${digest.subarray(0, 16).toString("base64url")}`;
}

describe("dedupIdForOrder", () => {
  it.each(GOLDEN)("golden vector for %s", async (input, expected) => {
    expect(await dedupIdForOrder(input)).toBe(expected);
  });

  it("matches the documented construction (sha256 of the namespaced id, 128 bits, base64url)", async () => {
    for (const id of ["1", "123", "5912345678901", "9007199254740991", "12345678901234567890"]) {
      expect(await dedupIdForOrder(id)).toBe(expectedDedupId(id));
    }
  });

  it("gives different orders different ids", async () => {
    const ids = await Promise.all([1, 2, 12, 21, 123, 1234].map((n) => dedupIdForOrder(n)));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ["zero", 0],
    ["negative", -1],
    ["letters", "abc"],
    ["a product gid", "gid://shopify/Product/1"],
    ["a fraction", 1.5],
    ["null", null],
    ["undefined", undefined],
    ["the empty string", ""],
    ["NaN", Number.NaN],
    ["an unsafe integer", 2 ** 53 + 2],
    ["a leading zero", "0123"],
    ["an object", { id: 123 }],
  ])("rejects %s", async (_label, input) => {
    await expect(dedupIdForOrder(input)).rejects.toBeInstanceOf(InvalidOrderIdError);
  });

  it("is URL-safe and fixed-length", async () => {
    for (const [input] of GOLDEN) {
      const id = await dedupIdForOrder(input);
      expect(id).toMatch(/^o1_[A-Za-z0-9_-]{22}$/);
      expect(encodeURIComponent(id)).toBe(id);
    }
  });

  it("does not reveal the order id (OpenAI forbids order ids in pixel URLs)", async () => {
    for (const orderId of ["5912345678901", "9007199254740991", "12345678901234567890", "4000000000001"]) {
      const id = await dedupIdForOrder(orderId);
      expect(id).not.toContain(orderId);
      // Not even a recognisable part of it.
      expect(id).not.toContain(orderId.slice(0, 6));
      expect(id).not.toContain(orderId.slice(-6));
    }
  });
});

describe("derivedEventId", () => {
  const orderDedupId = "o1_bPRRbUC0682e86LVd6jEmw" as DedupId;

  it("golden vectors for a refund and a cancellation", async () => {
    expect(await derivedEventId(orderDedupId, "refund", "929361463")).toBe("r1_SlfXHn2_I3XYsgT4J12Htg");
    expect(await derivedEventId(orderDedupId, "cancel", "cancel")).toBe("c1_-NDcv-mqiooHTHIPYR8Pdw");
  });

  it("matches the documented construction", async () => {
    const digest = createHash("sha256").update(`${orderDedupId}|refund|929361463`).digest();
    expect(await derivedEventId(orderDedupId, "refund", "929361463")).toBe(
      `r1_${digest.subarray(0, 16).toString("base64url")}`,
    );
  });

  it("is stable for the same input and distinct per kind, key and order", async () => {
    const a = await derivedEventId(orderDedupId, "refund", "1");
    expect(await derivedEventId(orderDedupId, "refund", "1")).toBe(a);
    const others = await Promise.all([
      derivedEventId(orderDedupId, "refund", "2"),
      derivedEventId(orderDedupId, "cancel", "1"),
      derivedEventId("o1_ohmO4bFNY3L5fPEYdzKy-g" as DedupId, "refund", "1"),
    ]);
    expect(new Set([a, ...others]).size).toBe(4);
    for (const id of [a, ...others]) expect(encodeURIComponent(id)).toBe(id);
  });

  it("never equals the order's own dedup id", async () => {
    expect(await derivedEventId(orderDedupId, "refund", "1")).not.toBe(orderDedupId);
  });
});
