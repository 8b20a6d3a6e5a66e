/**
 * The status header's verdict. The one rule: never "connected" unless OpenAI itself said yes
 * recently — a passed connection check or a 2xx delivery within RECENT_MS.
 */
import { formatDateTime } from "./locale";
import type { ConnectionStatus } from "./types";

export const RECENT_MS = 7 * 24 * 3600 * 1000;

export interface ConnectionFacts {
  pixelId: string | null;
  hasApiKey: boolean;
  serverEventsEnabled: boolean;
  credentialsStatus: string;
  credentialsMessage: string | null;
  credentialsCheckedAt: Date | null;
  lastDeliveredAt: Date | null;
}

export function connectionStatus(facts: ConnectionFacts, now: Date = new Date(), locale?: string): ConnectionStatus {
  const lastCheck = facts.credentialsCheckedAt ? describeTime(facts.credentialsCheckedAt, now, locale) : null;
  const lastDelivery = facts.lastDeliveredAt ? describeTime(facts.lastDeliveredAt, now, locale) : null;
  const base = { lastCheck, lastDelivery };

  if (!facts.pixelId || !facts.hasApiKey) {
    const missing =
      !facts.pixelId && !facts.hasApiKey
        ? "a Pixel ID and a Conversions API key"
        : !facts.pixelId
          ? "a Pixel ID"
          : "a Conversions API key";
    return {
      ...base,
      state: "not_configured",
      title: "Not connected yet",
      detail: `Add ${missing} below and save. Until then, no sales are reported to ChatGPT Ads.`,
    };
  }
  if (facts.credentialsStatus === "undecryptable") {
    return {
      ...base,
      state: "rejected",
      title: "The stored Conversions API key cannot be decrypted",
      detail:
        facts.credentialsMessage ??
        "The server's encryption key changed and the old one is not configured. Enter the API key again.",
    };
  }
  if (facts.credentialsStatus === "rejected") {
    return {
      ...base,
      state: "rejected",
      title: "OpenAI rejected your credentials",
      detail: `${facts.credentialsMessage ?? "The Conversions API key or Pixel ID was refused."} Sales are kept and sent once this is fixed.`,
    };
  }
  const recent = (at: Date | null) => at !== null && now.getTime() - at.getTime() <= RECENT_MS;
  if (facts.credentialsStatus === "ok" && (recent(facts.credentialsCheckedAt) || recent(facts.lastDeliveredAt))) {
    return {
      ...base,
      state: "connected",
      title: "Connected to ChatGPT Ads",
      detail: facts.serverEventsEnabled
        ? "OpenAI accepts your Pixel ID and Conversions API key. Orders are reported as they come in; they show in Ads Manager 24 to 48 hours later, once order_created is registered there as a conversion event."
        : "OpenAI accepts your credentials, but server events are turned off: orders are only reported by the browser pixel.",
    };
  }
  return {
    ...base,
    state: "unverified",
    title: "Connection not verified",
    detail: facts.credentialsMessage
      ? `${facts.credentialsMessage} Send a test event to check again.`
      : "OpenAI has not confirmed these credentials recently. Send a test event to check the connection.",
  };
}

/**
 * "26 Nov 2026, 14:03 UTC (5 minutes ago)" — formatted once, on the server; the date in the
 * merchant's locale when one is given (the relative part stays English).
 */
export function describeTime(at: Date, now: Date = new Date(), locale?: string): string {
  if (locale) return `${formatDateTime(locale, at)} (${relative(now.getTime() - at.getTime())})`;
  const stamp = `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}, ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`;
  return `${stamp} (${relative(now.getTime() - at.getTime())})`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

function relative(ms: number): string {
  if (ms < 0) return "just now";
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return plural(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, "hour");
  return plural(Math.floor(hours / 24), "day");
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"} ago`;
