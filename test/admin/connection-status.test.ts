import { describe, expect, it } from "vitest";
import { connectionStatus, describeTime, RECENT_MS, type ConnectionFacts } from "~/admin/connection-status";
import { explainCapiAnswer } from "~/admin/capi-answers";
import { classifyResponse } from "~/openai/capi-client";

const NOW = new Date("2026-11-25T14:00:00Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

const configured: ConnectionFacts = {
  pixelId: "px12345678",
  hasApiKey: true,
  serverEventsEnabled: true,
  credentialsStatus: "ok",
  credentialsMessage: null,
  credentialsCheckedAt: ago(60_000),
  lastDeliveredAt: null,
};

describe("connectionStatus: never green unless OpenAI said yes recently", () => {
  it("is connected after a recent passed check, or a recent delivery", () => {
    expect(connectionStatus(configured, NOW).state).toBe("connected");
    expect(
      connectionStatus({ ...configured, credentialsCheckedAt: ago(RECENT_MS * 3), lastDeliveredAt: ago(3600_000) }, NOW)
        .state,
    ).toBe("connected");
  });

  it("is not green when the last yes is old, or the status is unknown", () => {
    expect(connectionStatus({ ...configured, credentialsCheckedAt: ago(RECENT_MS + 1) }, NOW).state).toBe("unverified");
    expect(connectionStatus({ ...configured, credentialsCheckedAt: null }, NOW).state).toBe("unverified");
    expect(
      connectionStatus({ ...configured, credentialsStatus: "unknown", lastDeliveredAt: ago(1000) }, NOW).state,
    ).toBe("unverified");
  });

  it("shows a rejection with OpenAI's explanation, and what is missing when not configured", () => {
    const rejected = connectionStatus(
      { ...configured, credentialsStatus: "rejected", credentialsMessage: "Wrong key type." },
      NOW,
    );
    expect(rejected).toMatchObject({ state: "rejected", title: "OpenAI rejected your credentials" });
    expect(rejected.detail).toContain("Wrong key type.");
    expect(connectionStatus({ ...configured, hasApiKey: false }, NOW)).toMatchObject({
      state: "not_configured",
      detail: expect.stringContaining("a Conversions API key"),
    });
    expect(connectionStatus({ ...configured, pixelId: null, hasApiKey: false }, NOW).detail).toContain(
      "a Pixel ID and a Conversions API key",
    );
  });

  it("formats times once, in UTC, with a relative hint", () => {
    expect(describeTime(ago(5 * 60_000), NOW)).toBe("25 Nov 2026, 13:55 UTC (5 minutes ago)");
    expect(describeTime(ago(3 * 24 * 3600_000), NOW)).toBe("22 Nov 2026, 14:00 UTC (3 days ago)");
    expect(connectionStatus({ ...configured, lastDeliveredAt: ago(3600_000) }, NOW).lastDelivery).toBe(
      "25 Nov 2026, 13:00 UTC (1 hour ago)",
    );
  });
});

describe("explainCapiAnswer: the merchant's words for each class of answer", () => {
  const answer = (status: number | null, body: unknown = null) => explainCapiAnswer(classifyResponse(status, body));

  it("maps 2xx, 401, 403, no answer, 5xx and 400", () => {
    expect(answer(200)).toMatchObject({ verdict: "ok" });
    expect(answer(401).message).toMatch(
      /^Wrong key type — use a Conversions API key from OpenAI Ads Manager, not an Advertiser API key\./,
    );
    expect(answer(401)).toMatchObject({ verdict: "rejected" });
    expect(answer(403)).toMatchObject({
      verdict: "rejected",
      message: expect.stringContaining("doesn't belong to this key"),
    });
    expect(answer(null, "fetch failed")).toMatchObject({
      verdict: "unknown",
      message: expect.stringContaining("Couldn't reach OpenAI"),
    });
    expect(answer(503)).toMatchObject({ verdict: "unknown", message: expect.stringContaining("busy or unavailable") });
    expect(answer(400, { error: { message: "Invalid event", code: "invalid_event" } })).toMatchObject({
      verdict: "unknown",
      message: "OpenAI refused the check request (HTTP 400). OpenAI said: “Invalid event”",
    });
  });
});

describe("settings options", () => {
  it("offer exactly the matching fields the CAPI mapping knows", async () => {
    const { MATCHING_OPTIONS } = await import("~/admin/settings-options");
    const { ALL_MATCHING_FIELDS } = await import("~/conversions/matching");
    expect(MATCHING_OPTIONS.map((o) => o.value)).toEqual(ALL_MATCHING_FIELDS);
  });
});
