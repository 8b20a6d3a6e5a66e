/**
 * The shop's settings as the browser may see them. An explicit allow-list of columns: a secret column
 * added to the table later can never leak by accident. The key shows only as `hasApiKey` + last 4.
 */
import type { ShopSettings } from "@prisma/client";
import { parseMatchingFields } from "~/conversions/matching";
import { DEFAULT_SHOP_POLICY } from "~/conversions/shop-policy";
import { ALL_FUNNEL_EVENTS, type FunnelEvent } from "./settings-options";
import type { PublicSettings } from "./types";

/** What the page shows for a shop that has never saved: the schema's defaults, nothing connected. */
const DEFAULT_PUBLIC_SETTINGS: PublicSettings = Object.freeze({
  pixelId: "",
  hasApiKey: false,
  apiKeyLast4: null,
  serverEventsEnabled: true,
  browserPixelEnabled: true,
  pixelFunnelEvents: [...ALL_FUNNEL_EVENTS],
  nonWebOrders: DEFAULT_SHOP_POLICY.nonWebOrders,
  correctionsEnabled: DEFAULT_SHOP_POLICY.correctionsEnabled,
  refundEventName: DEFAULT_SHOP_POLICY.refundEventName,
  cancelEventName: DEFAULT_SHOP_POLICY.cancelEventName,
  valueAddedEventName: DEFAULT_SHOP_POLICY.valueAddedEventName,
  conversionTrigger: DEFAULT_SHOP_POLICY.conversionTrigger,
  consentPolicy: DEFAULT_SHOP_POLICY.consentPolicy,
  addresslessOrders: "opt_in_region",
  addresslessOrderCountry: "",
  enhancedMatching: [...DEFAULT_SHOP_POLICY.enhancedMatching],
  subscriptionRenewals: DEFAULT_SHOP_POLICY.subscriptionRenewals,
}) as PublicSettings;

export function publicSettings(row: ShopSettings | null): PublicSettings {
  if (!row) return { ...DEFAULT_PUBLIC_SETTINGS };
  return {
    pixelId: row.pixelId ?? "",
    hasApiKey: row.apiKeyCiphertext !== null,
    apiKeyLast4: row.apiKeyCiphertext !== null ? row.apiKeyLast4 : null,
    serverEventsEnabled: row.serverEventsEnabled,
    browserPixelEnabled: row.browserPixelEnabled,
    pixelFunnelEvents: parseFunnelEvents(row.pixelFunnelEvents),
    nonWebOrders: row.nonWebOrders === "send" ? "send" : "skip",
    correctionsEnabled: row.correctionsEnabled,
    refundEventName: row.refundEventName,
    cancelEventName: row.cancelEventName,
    valueAddedEventName: row.valueAddedEventName,
    conversionTrigger: row.conversionTrigger === "orders_paid" ? "orders_paid" : "orders_create",
    consentPolicy: row.consentPolicy === "send" || row.consentPolicy === "skip" ? row.consentPolicy : "regional",
    // The same rule as the order pipeline (policyFromSettings): only a two-letter code counts.
    addresslessOrders: isCountryCode(row.addresslessOrderCountry) ? "shop_country" : "opt_in_region",
    addresslessOrderCountry: isCountryCode(row.addresslessOrderCountry) ? row.addresslessOrderCountry : "",
    enhancedMatching: parseMatchingFields(row.enhancedMatching),
    subscriptionRenewals: row.subscriptionRenewals === "send" ? "send" : "skip",
  };
}

function isCountryCode(value: string | null): value is string {
  return /^[A-Z]{2}$/.test(value ?? "");
}

/** Stored JSON list → known funnel events, in the page's order. Tolerant of bad JSON (→ none). */
function parseFunnelEvents(json: string): FunnelEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  return Array.isArray(parsed) ? ALL_FUNNEL_EVENTS.filter((event) => parsed.includes(event)) : [];
}
