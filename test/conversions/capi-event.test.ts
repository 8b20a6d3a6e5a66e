import { describe, expect, it } from "vitest";
import {
  CUSTOM_EVENT_NAME_PATTERN,
  STANDARD_EVENT_DATA_TYPE,
  isStandardEventName,
  isValidCustomEventName,
} from "../../app/conversions/capi-event";

describe("STANDARD_EVENT_DATA_TYPE", () => {
  it("maps exactly the ten standard events to their data type", () => {
    expect(STANDARD_EVENT_DATA_TYPE).toEqual({
      page_viewed: "contents",
      contents_viewed: "contents",
      items_added: "contents",
      checkout_started: "contents",
      order_created: "contents",
      lead_created: "customer_action",
      registration_completed: "customer_action",
      appointment_scheduled: "customer_action",
      subscription_created: "plan_enrollment",
      trial_started: "plan_enrollment",
    });
  });

  it("cannot be changed at runtime", () => {
    expect(Object.isFrozen(STANDARD_EVENT_DATA_TYPE)).toBe(true);
  });

  it("isStandardEventName does not match inherited object keys", () => {
    expect(isStandardEventName("order_created")).toBe(true);
    expect(isStandardEventName("toString")).toBe(false);
    expect(isStandardEventName("custom")).toBe(false);
  });
});

describe("custom event names", () => {
  it("the pattern is OpenAI's documented one", () => {
    expect(CUSTOM_EVENT_NAME_PATTERN.source).toBe("^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$");
  });

  it.each(["order_refunded", "order_cancelled", "a", "9", "ab", "a-b_c", "x".repeat(64), "refund2"])(
    "accepts %j",
    (name) => {
      expect(isValidCustomEventName(name)).toBe(true);
    },
  );

  it.each([
    "",
    "x".repeat(65),
    "Order_Refunded",
    "_refund",
    "refund_",
    "-refund",
    "refund-",
    "order refunded",
    "order.refunded",
    "remboursé",
    // standard names are not custom names
    "order_created",
    "page_viewed",
    "trial_started",
  ])("rejects %j", (name) => {
    expect(isValidCustomEventName(name)).toBe(false);
  });
});
