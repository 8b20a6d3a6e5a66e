import { describe, expect, it } from "vitest";
import { ALL_MATCHING_FIELDS } from "../../app/conversions/matching";
import { DEFAULT_SHOP_POLICY } from "../../app/conversions/shop-policy";
import { isValidCustomEventName } from "../../app/conversions/capi-event";

describe("DEFAULT_SHOP_POLICY", () => {
  it("is the agreed default", () => {
    expect(DEFAULT_SHOP_POLICY).toEqual({
      serverEventsEnabled: true,
      nonWebOrders: "skip",
      enhancedMatching: ALL_MATCHING_FIELDS,
      consentPolicy: "regional",
      correctionsEnabled: true,
      refundEventName: "order_refunded",
      cancelEventName: "order_cancelled",
      valueAddedEventName: "order_value_added",
      conversionTrigger: "orders_create",
      opprefGraceMs: 300_000,
      addresslessOrderCountry: null,
      subscriptionRenewals: "skip",
    });
  });

  it("uses valid custom event names for corrections", () => {
    expect(isValidCustomEventName(DEFAULT_SHOP_POLICY.refundEventName)).toBe(true);
    expect(isValidCustomEventName(DEFAULT_SHOP_POLICY.cancelEventName)).toBe(true);
    expect(isValidCustomEventName(DEFAULT_SHOP_POLICY.valueAddedEventName)).toBe(true);
  });

  it("cannot be mutated by accident (copy it with a spread)", () => {
    expect(Object.isFrozen(DEFAULT_SHOP_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SHOP_POLICY.enhancedMatching)).toBe(true);
    expect(DEFAULT_SHOP_POLICY.enhancedMatching).not.toBe(ALL_MATCHING_FIELDS);
    const custom = { ...DEFAULT_SHOP_POLICY, nonWebOrders: "send" as const };
    expect(custom.nonWebOrders).toBe("send");
    expect(DEFAULT_SHOP_POLICY.nonWebOrders).toBe("skip");
  });
});
