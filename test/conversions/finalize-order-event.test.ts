import { describe, expect, it } from "vitest";
import type { CapiEvent } from "../../app/conversions/capi-event";
import { finalizeOrderCreated } from "../../app/conversions/finalize-order-event";
import type { OpprefSource } from "../../app/conversions/oppref";
import { MAX_EVENT_AGE_MS } from "../../app/conversions/order-event";
import { DEFAULT_SHOP_POLICY, type ShopPolicy } from "../../app/conversions/shop-policy";

const T0 = Date.parse("2026-11-20T15:15:30Z"); // order placed
const CREATED = new Date(T0 + 2_000); // event row written by the webhook 2 s later
const GRACE = DEFAULT_SHOP_POLICY.opprefGraceMs;

function event(overrides: Partial<CapiEvent> = {}): CapiEvent {
  return {
    id: "o1_bPRRbUC0682e86LVd6jEmw",
    type: "order_created",
    timestamp_ms: T0,
    action_source: "web",
    source_url: "https://example-shop.myshopify.com/checkouts/thank-you",
    oppref: "from_landing",
    user: { emails_sha256: ["ab".repeat(32)], countries: ["US"] },
    data: {
      type: "contents",
      amount: 12999,
      currency: "USD",
      contents: [{ id: "1", content_type: "product", quantity: 1 }],
    },
    ...overrides,
  };
}

function withoutOppref(): CapiEvent {
  const e = event();
  delete e.oppref;
  return e;
}

function input(
  overrides: {
    event?: CapiEvent;
    opprefSource?: OpprefSource;
    requiresOptIn?: boolean;
    receipt?: Parameters<typeof finalizeOrderCreated>[0]["receipt"];
    orderFullyReversed?: boolean;
    now?: Date;
    policy?: Partial<ShopPolicy>;
  } = {},
) {
  return {
    event: overrides.event ?? event(),
    opprefSource: overrides.opprefSource ?? ("landing_site" as OpprefSource),
    requiresOptIn: overrides.requiresOptIn ?? false,
    receipt: overrides.receipt === undefined ? null : overrides.receipt,
    orderFullyReversed: overrides.orderFullyReversed ?? false,
    eventCreatedAt: CREATED,
    now: overrides.now ?? new Date(CREATED.getTime() + 1_000),
    policy: { ...DEFAULT_SHOP_POLICY, ...overrides.policy },
  };
}

const AFTER_GRACE = new Date(CREATED.getTime() + GRACE);

describe("finalizeOrderCreated", () => {
  it("sends the event as built when it has an oppref and no consent question", () => {
    expect(finalizeOrderCreated(input())).toEqual({ action: "send", event: event(), opprefSource: "landing_site" });
  });

  it("the receipt's oppref wins over landing_site and note_attributes", () => {
    for (const source of ["landing_site", "note_attributes"] as const) {
      const result = finalizeOrderCreated(
        input({ opprefSource: source, receipt: { oppref: "from_cookie", consent: "granted" } }),
      );
      expect(result).toEqual({ action: "send", event: event({ oppref: "from_cookie" }), opprefSource: "receipt" });
    }
  });

  it("keeps the event's oppref when the receipt has none", () => {
    const result = finalizeOrderCreated(
      input({ opprefSource: "note_attributes", receipt: { oppref: null, consent: "granted" } }),
    );
    expect(result).toEqual({ action: "send", event: event(), opprefSource: "note_attributes" });
  });

  it("never sends an empty oppref", () => {
    const result = finalizeOrderCreated(
      input({ event: withoutOppref(), opprefSource: "none", receipt: { oppref: "", consent: "granted" } }),
    );
    expect(result.action).toBe("send");
    if (result.action === "send") {
      expect("oppref" in result.event).toBe(false);
      expect(result.opprefSource).toBe("none");
    }
  });

  it("returns a new event and does not mutate the input", () => {
    const original = event();
    const snapshot = structuredClone(original);
    const result = finalizeOrderCreated(
      input({ event: original, receipt: { oppref: "from_cookie", consent: "granted" } }),
    );
    expect(original).toEqual(snapshot);
    if (result.action !== "send") throw new Error("expected send");
    expect(result.event).not.toBe(original);
    expect(result.event.data).not.toBe(original.data);
    expect(result.event.user).not.toBe(original.user);
  });

  describe("hold for the pixel receipt", () => {
    it("holds an event without oppref until the grace period ends", () => {
      expect(finalizeOrderCreated(input({ event: withoutOppref(), opprefSource: "none" }))).toEqual({
        action: "hold",
        until: new Date(CREATED.getTime() + GRACE),
      });
    });

    it("sends without oppref once the grace period is over", () => {
      const result = finalizeOrderCreated(input({ event: withoutOppref(), opprefSource: "none", now: AFTER_GRACE }));
      expect(result).toEqual({ action: "send", event: withoutOppref(), opprefSource: "none" });
    });

    it("does not hold once a receipt has arrived", () => {
      const result = finalizeOrderCreated(
        input({ event: withoutOppref(), opprefSource: "none", receipt: { oppref: null, consent: "granted" } }),
      );
      expect(result.action).toBe("send");
    });

    it("holds an opt-in-region order without a consent signal, instead of skipping it at once", () => {
      expect(finalizeOrderCreated(input({ requiresOptIn: true }))).toEqual({
        action: "hold",
        until: new Date(CREATED.getTime() + GRACE),
      });
      // ...and sends it when the receipt brings consent
      expect(
        finalizeOrderCreated(input({ requiresOptIn: true, receipt: { oppref: null, consent: "granted" } })).action,
      ).toBe("send");
    });

    it("does not hold when the receipt could not change anything", () => {
      // has an oppref, no consent question
      expect(finalizeOrderCreated(input()).action).toBe("send");
    });

    it("uses the policy's grace period", () => {
      expect(finalizeOrderCreated(input({ event: withoutOppref(), policy: { opprefGraceMs: 0 } })).action).toBe("send");
      expect(finalizeOrderCreated(input({ event: withoutOppref(), policy: { opprefGraceMs: 60_000 } }))).toEqual({
        action: "hold",
        until: new Date(CREATED.getTime() + 60_000),
      });
    });

    it("does not hold past the 7-day window", () => {
      const old = event({ timestamp_ms: CREATED.getTime() - MAX_EVENT_AGE_MS + 1_000 });
      delete old.oppref;
      expect(finalizeOrderCreated(input({ event: old })).action).toBe("send");
    });
  });

  describe("skips", () => {
    it("skips an order cancelled or fully refunded before delivery, before anything else", () => {
      const result = finalizeOrderCreated(
        input({ orderFullyReversed: true, receipt: { oppref: "x", consent: "denied" } }),
      );
      expect(result).toMatchObject({ action: "skip", reason: "cancelled_before_send" });
    });

    it("honours an explicit denial under every policy", () => {
      for (const consentPolicy of ["regional", "send", "skip"] as const) {
        const result = finalizeOrderCreated(
          input({ receipt: { oppref: "from_cookie", consent: "denied" }, policy: { consentPolicy } }),
        );
        expect(result).toMatchObject({ action: "skip", reason: "consent_denied" });
      }
    });

    it("skips an opt-in-region order without a signal after the grace period", () => {
      const result = finalizeOrderCreated(input({ requiresOptIn: true, now: AFTER_GRACE }));
      expect(result).toMatchObject({ action: "skip", reason: "no_consent_signal" });
    });

    it("skips immediately when a receipt arrived with an unknown signal in an opt-in region", () => {
      const result = finalizeOrderCreated(input({ requiresOptIn: true, receipt: { oppref: "x", consent: "unknown" } }));
      expect(result).toMatchObject({ action: "skip", reason: "no_consent_signal" });
    });

    it("policy 'skip' needs a signal everywhere; policy 'send' needs none", () => {
      expect(finalizeOrderCreated(input({ now: AFTER_GRACE, policy: { consentPolicy: "skip" } }))).toMatchObject({
        action: "skip",
        reason: "no_consent_signal",
      });
      expect(finalizeOrderCreated(input({ requiresOptIn: true, policy: { consentPolicy: "send" } })).action).toBe(
        "send",
      );
    });

    it("skips events older than 7 days", () => {
      const now = new Date(T0 + MAX_EVENT_AGE_MS + 1);
      expect(finalizeOrderCreated(input({ now }))).toMatchObject({ action: "skip", reason: "expired" });
      expect(finalizeOrderCreated(input({ now: new Date(T0 + MAX_EVENT_AGE_MS) })).action).toBe("send");
    });

    it("gives a detail with every skip", () => {
      const result = finalizeOrderCreated(input({ receipt: { oppref: null, consent: "denied" } }));
      expect(result.action === "skip" && result.detail.length).toBeGreaterThan(10);
    });
  });
});

describe("finalizeOrderCreated: an order without an address", () => {
  it("is skipped as region_unknown, not as a buyer in an opt-in region", () => {
    const decision = finalizeOrderCreated({
      ...input({ requiresOptIn: true, now: AFTER_GRACE }),
      regionUnknown: true,
    });
    expect(decision).toMatchObject({ action: "skip", reason: "region_unknown" });
  });

  it("a real opt-in-region buyer keeps no_consent_signal, and a granted receipt sends either", () => {
    expect(finalizeOrderCreated(input({ requiresOptIn: true, now: AFTER_GRACE }))).toMatchObject({
      reason: "no_consent_signal",
    });
    const granted = finalizeOrderCreated({
      ...input({ requiresOptIn: true, receipt: { oppref: null, consent: "granted" } }),
      regionUnknown: true,
    });
    expect(granted.action).toBe("send");
  });
});

describe("finalizeOrderCreated: the receipt's sale-of-data choice and OpenAI's browser id", () => {
  it("a receipt reporting a refused sale of data skips the order with its own reason", () => {
    const decision = finalizeOrderCreated(
      input({ receipt: { oppref: "op_r", consent: "granted", saleOfData: "refused", obref: "ob.1.x" } }),
    );
    expect(decision).toMatchObject({ action: "skip", reason: "sale_of_data_refused" });
  });

  it("adds the receipt's obref raw as user.obref with consent and client matching on", () => {
    const receipt = { oppref: null, consent: "granted" as const, saleOfData: "allowed" as const, obref: " ob.1.Raw " };
    const sent = finalizeOrderCreated(input({ receipt }));
    expect(sent.action === "send" && sent.event.user?.obref).toBe(" ob.1.Raw ");
    const noClient = finalizeOrderCreated(input({ receipt, policy: { enhancedMatching: ["email"] } }));
    expect(noClient.action === "send" && noClient.event.user?.obref).toBeUndefined();
    const absent = finalizeOrderCreated(input({ receipt: { ...receipt, obref: null } }));
    expect(absent.action === "send" && absent.event.user?.obref).toBeUndefined();
    const revoked = finalizeOrderCreated(input({ receipt: { ...receipt, consent: "denied" } }));
    expect(revoked).toMatchObject({ action: "skip", reason: "consent_denied" });
  });
});
