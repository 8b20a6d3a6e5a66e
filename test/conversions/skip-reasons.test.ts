import { describe, expect, it } from "vitest";
import { SKIP_REASONS, isSkipReason, type SkipReason } from "../../app/conversions/skip-reasons";

describe("SKIP_REASONS", () => {
  it("has exactly the agreed reasons", () => {
    expect(Object.keys(SKIP_REASONS).sort()).toEqual(
      [
        "test_order",
        "pos_order",
        "non_web_order",
        "disabled",
        "expired",
        "malformed_payload",
        "consent_denied",
        "no_consent_signal",
        "region_unknown",
        "sale_of_data_refused",
        "order_not_seen",
        "cancelled_before_send",
        "rejected_by_openai",
        "corrections_disabled",
        "duplicate",
        "not_configured",
        "uninstalled",
        "zero_amount",
        "order_not_counted",
        "already_reversed",
        "subscription_renewal",
        "included_in_order",
      ].sort(),
    );
  });

  it("describes each reason in a short sentence for merchants", () => {
    for (const [reason, description] of Object.entries(SKIP_REASONS)) {
      expect(description, reason).toMatch(/^[A-Z].{10,}\.$/);
      expect(description.length, reason).toBeLessThanOrEqual(140);
      expect(description, reason).not.toMatch(/_/); // no raw identifiers shown to merchants
    }
  });

  it("isSkipReason recognizes only the listed keys", () => {
    const reason: SkipReason = "expired";
    expect(isSkipReason(reason)).toBe(true);
    expect(isSkipReason("toString")).toBe(false);
    expect(isSkipReason("sent")).toBe(false);
    expect(isSkipReason(undefined)).toBe(false);
  });
});
