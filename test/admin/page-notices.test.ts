/**
 * What the reconciliation page and the event log say on a fresh install or a broken connection
 * (app/admin/page-notices.ts), from the same verdicts the setup page's status header uses.
 */
import { describe, expect, it } from "vitest";
import { connectionStatus, type ConnectionFacts } from "~/admin/connection-status";
import { emptyEventLog, emptyReconciliation, setupNotice } from "~/admin/page-notices";

const NOW = new Date("2026-12-02T12:00:00Z");
const facts = (overrides: Partial<ConnectionFacts> = {}): ConnectionFacts => ({
  pixelId: "PixelE2e1234",
  hasApiKey: true,
  serverEventsEnabled: true,
  credentialsStatus: "ok",
  credentialsMessage: null,
  credentialsCheckedAt: new Date(NOW.getTime() - 60_000),
  lastDeliveredAt: null,
  ...overrides,
});
const notice = (f: ConnectionFacts, alertShown = false) => setupNotice(connectionStatus(f, NOW), alertShown);

describe("connection banner", () => {
  it("none when OpenAI accepted the credentials recently", () => {
    expect(notice(facts())).toEqual({ connection: "connected", banner: null });
  });

  it("a fresh install: not connected, says which values are missing and links to setup", () => {
    const n = notice(facts({ pixelId: null, hasApiKey: false, credentialsStatus: "unknown" }));
    expect(n.connection).toBe("not_configured");
    expect(n.banner).toMatchObject({
      tone: "warning",
      title: "ChatGPT Ads is not connected yet",
      action: { url: "/app" },
    });
    expect(n.banner!.body).toMatch(/^Until you add your Pixel ID and Conversions API key on the setup page/);
    expect(n.banner!.body).not.toContain("below");
  });

  it("OpenAI unreachable: the recorded reason, and that orders are kept", () => {
    const n = notice(
      facts({
        credentialsStatus: "unknown",
        credentialsMessage:
          "Couldn't reach OpenAI to check the credentials. fetch failed. Check again in a few minutes.",
      }),
    );
    expect(n.connection).toBe("unverified");
    expect(n.banner).toMatchObject({ tone: "warning", title: "OpenAI has not confirmed the connection" });
    expect(n.banner!.body).toMatch(/^Couldn't reach OpenAI/);
    expect(n.banner!.body).toContain("Orders are kept and sent once OpenAI answers");
  });

  it("a rejected key: left to the layout's alert when it shows one, said here otherwise (undecryptable)", () => {
    const rejected = facts({ credentialsStatus: "rejected", credentialsMessage: "Wrong key type (HTTP 401)" });
    expect(notice(rejected, true)).toEqual({ connection: "rejected", banner: null });
    const undecryptable = notice(facts({ credentialsStatus: "undecryptable" }), false);
    expect(undecryptable.banner).toMatchObject({
      tone: "critical",
      title: "The stored Conversions API key cannot be decrypted",
    });
  });
});

describe("empty states", () => {
  const range = { from: "2026-11-19", to: "2026-12-02" };

  it("reconciliation: names the period, and what to do depends on the connection", () => {
    const fresh = emptyReconciliation("not_configured", range);
    expect(fresh.heading).toBe("No web orders from 2026-11-19 to 2026-12-02");
    expect(fresh.body).toMatch(/^Connect ChatGPT Ads first/);
    expect(fresh.action).toEqual({ content: "Go to setup", url: "/app" });
    const connected = emptyReconciliation("connected", range);
    expect(connected.body).toMatch(/^Nothing to measure yet/);
    expect(connected.action).toBeNull();
    expect(emptyReconciliation("unverified", range).action).toEqual({ content: "Check the connection", url: "/app" });
  });

  it("event log: what will appear here, and the next step", () => {
    expect(emptyEventLog("not_configured")).toMatchObject({
      heading: "No events recorded yet",
      action: { content: "Go to setup" },
    });
    expect(emptyEventLog("connected")).toMatchObject({ action: { content: "Send a test event", url: "/app" } });
  });
});
