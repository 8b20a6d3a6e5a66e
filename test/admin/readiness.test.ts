/**
 * The readiness checklist's decisions, item by item and state by state, from hand-made facts. The
 * rule under test throughout: "ready" only when a fact that was read says so.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buyerDataItem,
  conversionEventItem,
  credentialsItem,
  credentialsRecheckDue,
  CREDENTIALS_FRESH_HOURS,
  deliveryHealthItem,
  pixelRunningItem,
  readinessChecklist,
  sameIdItem,
  summarizeReadiness,
  THEME_EMBED_HANDLE,
  themeEmbedDeepLink,
  themeEmbedItem,
  webPixelItem,
  type ReadinessFacts,
} from "~/admin/readiness";
import { webPixelSettings } from "~/admin/web-pixel.server";

const NOW = new Date("2026-12-02T12:00:00.000Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const EXPECTED = webPixelSettings({
  appUrl: "https://app.example.test",
  shop: "my-store.myshopify.com",
  pixelId: "Pixel12345678",
  browserPixelEnabled: true,
  funnelEvents: ["page_viewed"],
});

/** A shop where everything is set up and has been seen working. */
function healthy(): ReadinessFacts {
  return {
    now: NOW,
    shop: "my-store.myshopify.com",
    appClientId: "client-id-123",
    settings: {
      pixelId: "Pixel12345678",
      hasApiKey: true,
      serverEventsEnabled: true,
      browserPixelEnabled: true,
      enhancedMatching: ["email", "phone"],
      credentialsStatus: "ok",
      credentialsMessage: null,
      credentialsCheckedAt: hoursAgo(2),
      lastDeliveredAt: hoursAgo(1),
      conversionEventConfirmedAt: hoursAgo(100),
    },
    expectedPixelSettings: { ...EXPECTED },
    webPixel: { kind: "found", settings: { ...EXPECTED } },
    recent: {
      webOrders: 40,
      receipts: 30,
      pixel: { pixelSent: 25, both: 24 },
      oppref: { delivered: 36, withOppref: 9, bySource: { receipt: 5, landing_site: 2, note_attributes: 2 } },
      ratio: { deliverable: 38, accepted: 36 },
      buyerData: { withPayload: 40, withEmailOrPhone: 37 },
    },
  };
}

type Patch = { settings?: Partial<ReadinessFacts["settings"]>; recent?: Partial<ReadinessFacts["recent"]> } & Partial<
  Omit<ReadinessFacts, "settings" | "recent">
>;
function facts(patch: Patch = {}): ReadinessFacts {
  const base = healthy();
  return {
    ...base,
    ...patch,
    settings: { ...base.settings, ...patch.settings },
    recent: { ...base.recent, ...patch.recent },
  };
}

/** A fresh install: nothing saved, nothing received. */
function freshInstall(): ReadinessFacts {
  return facts({
    settings: {
      pixelId: null,
      hasApiKey: false,
      credentialsStatus: "unknown",
      credentialsCheckedAt: null,
      lastDeliveredAt: null,
      conversionEventConfirmedAt: null,
    },
    expectedPixelSettings: null,
    webPixel: { kind: "none" },
    recent: {
      webOrders: 0,
      receipts: 0,
      pixel: { pixelSent: 0, both: 0 },
      oppref: { delivered: 0, withOppref: 0, bySource: { receipt: 0, landing_site: 0, note_attributes: 0 } },
      ratio: { deliverable: 0, accepted: 0 },
      buyerData: { withPayload: 0, withEmailOrPhone: 0 },
    },
  });
}

describe("the checklist as a whole", () => {
  it("a healthy shop: all eight ready, in the issue's order", () => {
    const items = readinessChecklist(healthy());
    expect(items.map((i) => i.id)).toEqual([
      "credentials",
      "web_pixel",
      "pixel_running",
      "theme_embed",
      "conversion_event",
      "same_id",
      "buyer_data",
      "delivery_health",
    ]);
    expect(items.map((i) => i.tone)).toEqual(Array(8).fill("ready"));
    expect(summarizeReadiness(items)).toEqual({ total: 8, ready: 8, attention: 0, problem: 0, tone: "ready" });
  });

  it("a fresh install shows nothing green: every item is a problem or not checked yet", () => {
    const items = readinessChecklist(freshInstall());
    expect(items.filter((i) => i.tone === "ready")).toEqual([]);
    expect(items.every((i) => i.action !== null)).toBe(true);
    const summary = summarizeReadiness(items);
    expect(summary.tone).toBe("problem");
    expect(summary.problem + summary.attention).toBe(8);
  });

  it("every item carries at most one action", () => {
    for (const f of [healthy(), freshInstall()])
      for (const item of readinessChecklist(f))
        expect(item.action === null || typeof item.action.label === "string").toBe(true);
  });
});

describe("1. credentials accepted by OpenAI", () => {
  it("ready after a passed check within the freshness window", () => {
    expect(credentialsItem(healthy()).tone).toBe("ready");
  });
  it("ready on a recent 2xx delivery even when the last explicit check is older", () => {
    expect(
      credentialsItem(facts({ settings: { credentialsCheckedAt: hoursAgo(90), lastDeliveredAt: hoursAgo(3) } })).tone,
    ).toBe("ready");
  });
  it("attention when nothing confirmed them within the window (the edge is exclusive beyond it)", () => {
    const stale = facts({
      settings: { credentialsCheckedAt: hoursAgo(CREDENTIALS_FRESH_HOURS + 0.01), lastDeliveredAt: null },
    });
    expect(credentialsItem(stale)).toMatchObject({
      tone: "attention",
      action: { kind: "intent", intent: "recheck_credentials" },
    });
    const edge = facts({
      settings: { credentialsCheckedAt: hoursAgo(CREDENTIALS_FRESH_HOURS), lastDeliveredAt: null },
    });
    expect(credentialsItem(edge).tone).toBe("ready");
  });
  it("attention with OpenAI's words when the check could not be answered", () => {
    const item = credentialsItem(
      facts({
        settings: {
          credentialsStatus: "unknown",
          credentialsMessage: "Couldn't reach OpenAI to check the credentials.",
        },
      }),
    );
    expect(item.tone).toBe("attention");
    expect(item.detail).toContain("Couldn't reach OpenAI");
  });
  it("problem when rejected, with the reason", () => {
    const item = credentialsItem(
      facts({ settings: { credentialsStatus: "rejected", credentialsMessage: "Wrong key type" } }),
    );
    expect(item).toMatchObject({ tone: "problem", detail: "Wrong key type", action: { url: "#connect" } });
  });
  it("problem when a Pixel ID or key is missing", () => {
    expect(credentialsItem(facts({ settings: { hasApiKey: false } }))).toMatchObject({
      tone: "problem",
      label: "Not connected",
    });
    expect(credentialsItem(facts({ settings: { pixelId: null } })).detail).toContain("No Pixel ID");
  });
  it("re-checks at most daily, and an unanswered check again after an hour", () => {
    const s = { pixelId: "p", hasApiKey: true, credentialsStatus: "ok", credentialsMessage: null };
    expect(credentialsRecheckDue({ ...s, credentialsCheckedAt: hoursAgo(23.9) }, NOW)).toBe(false);
    expect(credentialsRecheckDue({ ...s, credentialsCheckedAt: hoursAgo(24) }, NOW)).toBe(true);
    expect(credentialsRecheckDue({ ...s, credentialsCheckedAt: null }, NOW)).toBe(true);
    const unanswered = { ...s, credentialsStatus: "unknown", credentialsMessage: "Couldn't reach OpenAI" };
    expect(credentialsRecheckDue({ ...unanswered, credentialsCheckedAt: hoursAgo(0.5) }, NOW)).toBe(false);
    expect(credentialsRecheckDue({ ...unanswered, credentialsCheckedAt: hoursAgo(1) }, NOW)).toBe(true);
    expect(credentialsRecheckDue({ ...s, hasApiKey: false, credentialsCheckedAt: null }, NOW)).toBe(false);
  });
});

describe("2. web pixel activated with the current settings", () => {
  it("ready when Shopify's pixel carries exactly the saved settings", () => {
    expect(webPixelItem(healthy())).toMatchObject({ tone: "ready", action: null });
  });
  it("problem when a setting differs, naming it, with 'Update the pixel'", () => {
    const item = webPixelItem(facts({ webPixel: { kind: "found", settings: { ...EXPECTED, pixelId: "OldPixel" } } }));
    expect(item).toMatchObject({ tone: "problem", action: { intent: "activate_pixel", label: "Update the pixel" } });
    expect(item.detail).toContain("pixelId");
  });
  it("problem when Shopify has no pixel of this app", () => {
    expect(webPixelItem(facts({ webPixel: { kind: "none" } }))).toMatchObject({
      tone: "problem",
      label: "Not activated",
    });
  });
  it("attention (not green) when Shopify could not be asked", () => {
    expect(webPixelItem(facts({ webPixel: { kind: "error", message: "Access denied" } }))).toMatchObject({
      tone: "attention",
    });
  });
  it("attention without a Pixel ID, and when the matching pixel is switched off by the merchant", () => {
    expect(webPixelItem(facts({ expectedPixelSettings: null })).tone).toBe("attention");
    const off = { ...EXPECTED, enabled: "false" as const };
    expect(
      webPixelItem(
        facts({
          settings: { browserPixelEnabled: false },
          expectedPixelSettings: off,
          webPixel: { kind: "found", settings: off },
        }),
      ),
    ).toMatchObject({ tone: "attention", label: "Switched off" });
  });
});

describe("3. pixel seen running on the storefront", () => {
  it("ready with a receipt in the window", () => {
    expect(pixelRunningItem(healthy()).tone).toBe("ready");
  });
  it("attention before any order (nothing to see yet)", () => {
    expect(pixelRunningItem(facts({ recent: { receipts: 0, webOrders: 0 } }))).toMatchObject({
      tone: "attention",
      label: "No orders yet",
    });
  });
  it("problem when orders came and no receipt did", () => {
    const item = pixelRunningItem(facts({ recent: { receipts: 0, webOrders: 12 } }));
    expect(item).toMatchObject({ tone: "problem" });
    expect(item.action).toMatchObject({ url: "https://admin.shopify.com/store/my-store/settings/customer_events" });
  });
  it("attention when the merchant switched the pixel off", () => {
    expect(pixelRunningItem(facts({ settings: { browserPixelEnabled: false } })).tone).toBe("attention");
  });
});

describe("4. theme app embed on", () => {
  it("ready when recent accepted orders got their oppref from the embed's cart attribute", () => {
    expect(themeEmbedItem(healthy())).toMatchObject({ tone: "ready", action: null });
  });
  it("attention with the one-click deep link when no order shows it", () => {
    const item = themeEmbedItem(
      facts({
        recent: {
          oppref: { ...healthy().recent.oppref, bySource: { receipt: 5, landing_site: 2, note_attributes: 0 } },
        },
      }),
    );
    expect(item).toMatchObject({ tone: "attention", label: "No evidence" });
    expect(item.action).toMatchObject({
      kind: "link",
      external: true,
      url: "https://admin.shopify.com/store/my-store/themes/current/editor?context=apps&activateAppId=client-id-123/oppref-embed",
    });
  });
  it("attention (not checked) before any order", () => {
    expect(themeEmbedItem(freshInstall())).toMatchObject({ tone: "attention", label: "No orders yet" });
  });
  it("the deep link uses the store handle and the app's client id", () => {
    expect(themeEmbedDeepLink("shop-two.myshopify.com", "abc")).toBe(
      "https://admin.shopify.com/store/shop-two/themes/current/editor?context=apps&activateAppId=abc/oppref-embed",
    );
  });
});

describe("5. order_created registered in Ads Manager (manual tick)", () => {
  it("attention until the merchant ticks it, with the tick as the action", () => {
    expect(conversionEventItem(facts({ settings: { conversionEventConfirmedAt: null } }))).toMatchObject({
      tone: "attention",
      label: "Manual step",
      action: { kind: "intent", intent: "confirm_conversion_event" },
    });
  });
  it("ready once ticked, labelled as the merchant's word, with undo", () => {
    expect(conversionEventItem(healthy())).toMatchObject({
      tone: "ready",
      label: "Confirmed by you",
      action: { intent: "undo_confirm_conversion_event" },
    });
  });
});

describe("6. same orders, same id, from browser and server", () => {
  it("ready says 'same id sent by both', never 'counted once'", () => {
    const item = sameIdItem(healthy());
    expect(item).toMatchObject({ tone: "ready", label: "Same id sent by both" });
    expect(`${item.label} ${item.detail}`).not.toMatch(/counted once/i);
  });
  it("attention before the pixel reported any order", () => {
    expect(sameIdItem(facts({ recent: { pixel: { pixelSent: 0, both: 0 } } })).detail).toContain("Not checked yet");
  });
  it("attention when the server has not delivered what the pixel sent", () => {
    expect(sameIdItem(facts({ recent: { pixel: { pixelSent: 3, both: 0 } } }))).toMatchObject({
      tone: "attention",
      action: { url: "/app/events?status=waiting" },
    });
  });
  it("attention when one side is switched off", () => {
    expect(sameIdItem(facts({ settings: { serverEventsEnabled: false } }))).toMatchObject({
      tone: "attention",
      label: "One side only",
    });
    expect(sameIdItem(facts({ settings: { browserPixelEnabled: false } })).tone).toBe("attention");
  });
});

describe("7. buyer data arriving", () => {
  it("ready when recent order events carried an email or phone", () => {
    expect(buyerDataItem(healthy()).tone).toBe("ready");
  });
  it("problem when none did: protected customer data access is probably missing", () => {
    const item = buyerDataItem(facts({ recent: { buyerData: { withPayload: 20, withEmailOrPhone: 0 } } }));
    expect(item.tone).toBe("problem");
    expect(item.detail).toContain("protected customer data");
  });
  it("attention before any order event", () => {
    expect(buyerDataItem(facts({ recent: { buyerData: { withPayload: 0, withEmailOrPhone: 0 } } })).tone).toBe(
      "attention",
    );
  });
  it("attention when the merchant turned email and phone matching off (nothing to check)", () => {
    expect(buyerDataItem(facts({ settings: { enhancedMatching: ["address"] } }))).toMatchObject({
      tone: "attention",
      label: "Matching off",
    });
  });
});

describe("8. oppref coverage and delivery health over 7 days (the alerts' thresholds)", () => {
  it("ready above the accepted-ratio threshold with ad clicks present", () => {
    expect(deliveryHealthItem(healthy()).tone).toBe("ready");
  });
  it("problem below 80% accepted; exactly 80% passes", () => {
    expect(deliveryHealthItem(facts({ recent: { ratio: { deliverable: 10, accepted: 7 } } })).tone).toBe("problem");
    expect(deliveryHealthItem(facts({ recent: { ratio: { deliverable: 10, accepted: 8 } } })).tone).toBe("ready");
  });
  it("attention below the alerts' minimum of 10 orders", () => {
    expect(deliveryHealthItem(facts({ recent: { ratio: { deliverable: 9, accepted: 9 } } }))).toMatchObject({
      tone: "attention",
      label: "Too few orders",
    });
  });
  it("attention when deliveries are fine but no accepted order carried an oppref", () => {
    const recent = healthy().recent;
    expect(deliveryHealthItem(facts({ recent: { oppref: { ...recent.oppref, withOppref: 0 } } }))).toMatchObject({
      tone: "attention",
      label: "No ad clicks",
    });
  });
});

describe("theme embed deep link", () => {
  it("names the app embed block that the extension really ships", () => {
    // A renamed block file would make the merchant's one-click link open the editor on nothing.
    expect(existsSync(`extensions/openai-embed/blocks/${THEME_EMBED_HANDLE}.liquid`)).toBe(true);
  });
});
