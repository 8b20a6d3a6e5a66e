/**
 * The readiness checklist: "is everything set up so that ChatGPT Ads count my sales?", as eight
 * items, each green (ready), amber (attention) or red (problem) with the one action that fixes it.
 *
 * Pure: every input is a fact gathered elsewhere (app/models/readiness.server.ts reads the database
 * with set-based queries; the loader asks Shopify for the web pixel). The one rule: an item is only
 * "ready" when a fact we actually read says so — anything not checked (no orders yet, Shopify or
 * OpenAI not answering) is amber and says what is missing.
 */
import { ACCEPTED_RATIO_MIN_ORDERS, ACCEPTED_RATIO_THRESHOLD } from "~/conversions/alerts";
import type { OpprefCoverage, PixelLossFigures } from "~/conversions/reconciliation";

export const READINESS_WINDOW_DAYS = 7;
/** A passed connection check (or a 2xx delivery) younger than this keeps item 1 green. */
export const CREDENTIALS_FRESH_HOURS = 26;
/** The loader re-asks OpenAI once the last check is older than this (at most daily). */
export const CREDENTIALS_RECHECK_HOURS = 24;
/** ...or, when the last check got no answer at all, after this (it was not a check). */
export const CREDENTIALS_RETRY_UNANSWERED_HOURS = 1;
/** Item 8's coverage side: at least this many accepted server events carried an oppref. */
export const MIN_EVENTS_WITH_OPPREF = 1;

/**
 * The app embed block's handle: the file name of extensions/openai-embed/blocks/<handle>.liquid, which
 * the theme editor's `activateAppId=<api key>/<handle>` deep link names (a test keeps the two equal).
 */
export const THEME_EMBED_HANDLE = "oppref-embed";

export type ReadinessTone = "ready" | "attention" | "problem";

export type ReadinessItemId =
  | "credentials"
  | "web_pixel"
  | "pixel_running"
  | "theme_embed"
  | "conversion_event"
  | "same_id"
  | "buyer_data"
  | "delivery_health";

/** The one thing to do: follow a link (in the app, or outside it) or post an intent to the settings page. */
export type ReadinessAction =
  | { kind: "link"; label: string; url: string; external: boolean }
  | { kind: "intent"; label: string; intent: ReadinessIntent };

export type ReadinessIntent =
  "recheck_credentials" | "activate_pixel" | "confirm_conversion_event" | "undo_confirm_conversion_event";

export interface ReadinessItem {
  id: ReadinessItemId;
  title: string;
  tone: ReadinessTone;
  /** Two or three words for the badge. */
  label: string;
  /** What was looked at and what it showed. */
  detail: string;
  action: ReadinessAction | null;
}

/** What Shopify's Admin API said about the app's web pixel. */
export type WebPixelFact =
  { kind: "found"; settings: Record<string, unknown> } | { kind: "none" } | { kind: "error"; message: string };

export interface ReadinessFacts {
  now: Date;
  shop: string;
  /** The app's client id (SHOPIFY_API_KEY): the theme editor's deep link activates the embed by it. */
  appClientId: string;
  settings: {
    pixelId: string | null;
    hasApiKey: boolean;
    serverEventsEnabled: boolean;
    browserPixelEnabled: boolean;
    enhancedMatching: readonly string[];
    credentialsStatus: string;
    credentialsMessage: string | null;
    credentialsCheckedAt: Date | null;
    lastDeliveredAt: Date | null;
    conversionEventConfirmedAt: Date | null;
  };
  /** The settings the web pixel should carry now (null without a Pixel ID). */
  expectedPixelSettings: Record<string, string> | null;
  webPixel: WebPixelFact;
  /** Everything below covers the last READINESS_WINDOW_DAYS days. */
  recent: {
    /** order_created rows that are web orders (any outcome). */
    webOrders: number;
    /** Pixel receipts received. */
    receipts: number;
    pixel: Pick<PixelLossFigures, "pixelSent" | "both">;
    oppref: Pick<OpprefCoverage, "delivered" | "withOppref" | "bySource">;
    /** The alerts' accepted ratio (chosen skips left out), over the window. */
    ratio: { deliverable: number; accepted: number };
    /** order_created web events with a stored CAPI payload, and of those, ones carrying a hashed email or phone. */
    buyerData: { withPayload: number; withEmailOrPhone: number };
  };
}

const HOUR_MS = 3_600_000;

// ─── items ───────────────────────────────────────────────────────────────────────────────────────

export function credentialsItem(f: ReadinessFacts): ReadinessItem {
  const s = f.settings;
  const base = { id: "credentials" as const, title: "Pixel ID and Conversions API key accepted by OpenAI" };
  if (!s.pixelId || !s.hasApiKey) {
    return {
      ...base,
      tone: "problem",
      label: "Not connected",
      detail: `No ${!s.pixelId && !s.hasApiKey ? "Pixel ID or Conversions API key" : !s.pixelId ? "Pixel ID" : "Conversions API key"} is saved, so nothing is reported to ChatGPT Ads.`,
      action: { kind: "link", label: "Add your Pixel ID and key", url: "#connect", external: false },
    };
  }
  if (s.credentialsStatus === "rejected") {
    return {
      ...base,
      tone: "problem",
      label: "Rejected",
      detail: s.credentialsMessage ?? "OpenAI refused the Pixel ID or the Conversions API key.",
      action: { kind: "link", label: "Replace the key", url: "#connect", external: false },
    };
  }
  const fresh = (at: Date | null) => at !== null && f.now.getTime() - at.getTime() <= CREDENTIALS_FRESH_HOURS * HOUR_MS;
  if (s.credentialsStatus === "ok" && (fresh(s.credentialsCheckedAt) || fresh(s.lastDeliveredAt))) {
    return {
      ...base,
      tone: "ready",
      label: "Accepted",
      detail:
        "OpenAI accepted them within the last day (a connection check or a delivered event). They are checked again every day and on every save.",
      action: null,
    };
  }
  return {
    ...base,
    tone: "attention",
    label: "Not checked",
    detail:
      s.credentialsStatus === "unknown" && s.credentialsMessage
        ? s.credentialsMessage
        : "OpenAI has not confirmed them in the last day.",
    action: { kind: "intent", label: "Check now", intent: "recheck_credentials" },
  };
}

export function webPixelItem(f: ReadinessFacts): ReadinessItem {
  const base = { id: "web_pixel" as const, title: "Web pixel activated with the current settings" };
  if (!f.expectedPixelSettings) {
    return {
      ...base,
      tone: "attention",
      label: "Needs a Pixel ID",
      detail: "The browser pixel is set up with your Pixel ID, so it waits for one.",
      action: { kind: "link", label: "Add your Pixel ID", url: "#connect", external: false },
    };
  }
  const activate = { kind: "intent" as const, intent: "activate_pixel" as const };
  if (f.webPixel.kind === "error") {
    return {
      ...base,
      tone: "attention",
      label: "Not checked",
      detail: `Shopify didn't say which pixel is active: ${f.webPixel.message}`,
      action: { ...activate, label: "Activate the pixel again" },
    };
  }
  if (f.webPixel.kind === "none") {
    return {
      ...base,
      tone: "problem",
      label: "Not activated",
      detail: "Shopify has no web pixel of this app in your store: no browser pixel runs at checkout.",
      action: { ...activate, label: "Activate the pixel" },
    };
  }
  const differences = pixelSettingDifferences(f.expectedPixelSettings, f.webPixel.settings);
  if (differences.length > 0) {
    return {
      ...base,
      tone: "problem",
      label: "Old settings",
      detail: `The pixel in your store runs with settings that differ from the saved ones (${differences.join(", ")}).`,
      action: { ...activate, label: "Update the pixel" },
    };
  }
  return {
    ...base,
    tone: f.settings.browserPixelEnabled ? "ready" : "attention",
    label: f.settings.browserPixelEnabled ? "Active" : "Switched off",
    detail: f.settings.browserPixelEnabled
      ? "Shopify's Admin API reports this app's web pixel with exactly the saved settings."
      : "The pixel in your store matches your settings, which switch it off: only server events report sales.",
    action: f.settings.browserPixelEnabled
      ? null
      : { kind: "link", label: "Turn the browser pixel on", url: "#delivery", external: false },
  };
}

/** Names of the settings whose values differ (the Admin API returns settings as JSON). */
export function pixelSettingDifferences(expected: Record<string, string>, actual: Record<string, unknown>): string[] {
  return Object.keys(expected)
    .filter((key) => String(actual[key] ?? "") !== expected[key])
    .sort();
}

export function pixelRunningItem(f: ReadinessFacts): ReadinessItem {
  const base = { id: "pixel_running" as const, title: "Pixel seen running on your storefront" };
  const r = f.recent;
  if (!f.settings.browserPixelEnabled) {
    return {
      ...base,
      tone: "attention",
      label: "Switched off",
      detail: "The browser pixel is switched off in your settings, so it cannot run.",
      action: { kind: "link", label: "Turn the browser pixel on", url: "#delivery", external: false },
    };
  }
  if (r.receipts > 0) {
    return {
      ...base,
      tone: "ready",
      label: "Seen",
      detail: `${r.receipts} checkout ${r.receipts === 1 ? "report" : "reports"} from the pixel in the last ${READINESS_WINDOW_DAYS} days.`,
      action: null,
    };
  }
  if (r.webOrders === 0) {
    return {
      ...base,
      tone: "attention",
      label: "No orders yet",
      detail: `Not checked yet: the pixel reports at checkout, and no web order came in during the last ${READINESS_WINDOW_DAYS} days.`,
      action: { kind: "link", label: "Place a test order", url: `https://${f.shop}/`, external: true },
    };
  }
  return {
    ...base,
    tone: "problem",
    label: "Not seen",
    detail: `${r.webOrders} web ${r.webOrders === 1 ? "order" : "orders"} in the last ${READINESS_WINDOW_DAYS} days and no report from the pixel: it may be disconnected in Customer events, or blocked.`,
    action: {
      kind: "link",
      label: "Open Customer events",
      url: `https://admin.shopify.com/store/${storeHandle(f.shop)}/settings/customer_events`,
      external: true,
    },
  };
}

export function themeEmbedItem(f: ReadinessFacts): ReadinessItem {
  const base = { id: "theme_embed" as const, title: "Theme app embed on" };
  const fromEmbed = f.recent.oppref.bySource.note_attributes;
  if (fromEmbed > 0) {
    return {
      ...base,
      tone: "ready",
      label: "Seen in orders",
      detail: `${fromEmbed} accepted ${fromEmbed === 1 ? "order" : "orders"} in the last ${READINESS_WINDOW_DAYS} days carried the ad click reference the embed writes into the cart.`,
      action: null,
    };
  }
  return {
    ...base,
    tone: "attention",
    label: f.recent.webOrders === 0 ? "No orders yet" : "No evidence",
    detail:
      f.recent.webOrders === 0
        ? `Not checked yet: the embed shows up in orders, and there were none in the last ${READINESS_WINDOW_DAYS} days.`
        : `No order in the last ${READINESS_WINDOW_DAYS} days got its ad click reference from the embed's cart attribute (an order whose reference came from the pixel or the landing page does not show it). Turn the embed on in your theme if it isn't.`,
    action: {
      kind: "link",
      label: "Turn on the embed",
      url: themeEmbedDeepLink(f.shop, f.appClientId),
      external: true,
    },
  };
}

/** The theme editor, opened on the app embeds with this app's embed switched on (Shopify's deep link). */
export function themeEmbedDeepLink(shop: string, appClientId: string): string {
  return `https://admin.shopify.com/store/${storeHandle(shop)}/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(appClientId)}/${THEME_EMBED_HANDLE}`;
}

export function conversionEventItem(f: ReadinessFacts): ReadinessItem {
  const base = {
    id: "conversion_event" as const,
    title: "order_created registered as a conversion event in Ads Manager, attached to your campaigns",
  };
  const confirmed = f.settings.conversionEventConfirmedAt;
  if (confirmed) {
    return {
      ...base,
      tone: "ready",
      label: "Confirmed by you",
      detail: `You confirmed this on ${confirmed.toISOString().slice(0, 10)}. OpenAI lets only approved partners read it, so the app takes your word for it.`,
      action: { kind: "intent", label: "Undo", intent: "undo_confirm_conversion_event" },
    };
  }
  return {
    ...base,
    tone: "attention",
    label: "Manual step",
    detail:
      "In OpenAI Ads Manager, register order_created as a conversion event and attach it to your campaigns; then tick it here. The app cannot check this for you: OpenAI lets only approved partners read it.",
    action: { kind: "intent", label: "I've done this", intent: "confirm_conversion_event" },
  };
}

export function sameIdItem(f: ReadinessFacts): ReadinessItem {
  const base = { id: "same_id" as const, title: "Browser and server report the same orders with the same id" };
  const s = f.settings;
  if (!s.serverEventsEnabled || !s.browserPixelEnabled) {
    return {
      ...base,
      tone: "attention",
      label: "One side only",
      detail: `${!s.serverEventsEnabled ? "Server events are" : "The browser pixel is"} switched off, so only one side reports your orders.`,
      action: { kind: "link", label: "Turn both on", url: "#delivery", external: false },
    };
  }
  const { pixelSent, both } = f.recent.pixel;
  if (both > 0) {
    return {
      ...base,
      tone: "ready",
      label: "Same id sent by both",
      detail: `${both} ${both === 1 ? "order" : "orders"} in the last ${READINESS_WINDOW_DAYS} days: the same id sent by both the pixel and the server. OpenAI gives no feedback on how it deduplicates them.`,
      action: null,
    };
  }
  return {
    ...base,
    tone: "attention",
    label: "Not seen yet",
    detail:
      pixelSent === 0
        ? `Not checked yet: no order in the last ${READINESS_WINDOW_DAYS} days was reported by the pixel.`
        : `The pixel reported ${pixelSent} ${pixelSent === 1 ? "order" : "orders"} in the last ${READINESS_WINDOW_DAYS} days that the server has not delivered (yet).`,
    action:
      pixelSent === 0
        ? { kind: "link", label: "Place a test order", url: `https://${f.shop}/`, external: true }
        : { kind: "link", label: "See waiting events", url: "/app/events?status=waiting", external: false },
  };
}

export function buyerDataItem(f: ReadinessFacts): ReadinessItem {
  const base = { id: "buyer_data" as const, title: "Buyer data arriving from Shopify (email, phone)" };
  const matching = f.settings.enhancedMatching;
  if (!matching.includes("email") && !matching.includes("phone")) {
    return {
      ...base,
      tone: "attention",
      label: "Matching off",
      detail: "You turned off email and phone matching, so the app cannot tell whether Shopify sends them.",
      action: { kind: "link", label: "Review matching details", url: "#privacy", external: false },
    };
  }
  const { withPayload, withEmailOrPhone } = f.recent.buyerData;
  if (withPayload === 0) {
    return {
      ...base,
      tone: "attention",
      label: "No orders yet",
      detail: `Not checked yet: no web order event in the last ${READINESS_WINDOW_DAYS} days.`,
      action: { kind: "link", label: "Place a test order", url: `https://${f.shop}/`, external: true },
    };
  }
  if (withEmailOrPhone === 0) {
    return {
      ...base,
      tone: "problem",
      label: "Missing",
      detail: `None of the last ${withPayload} order events carried an email or phone number. The app probably lacks Shopify's protected customer data access, so sales match ad clicks less often.`,
      action: {
        kind: "link",
        label: "Request protected customer data",
        url: "https://shopify.dev/docs/apps/launch/protected-customer-data",
        external: true,
      },
    };
  }
  return {
    ...base,
    tone: "ready",
    label: "Arriving",
    detail: `${withEmailOrPhone} of ${withPayload} order events in the last ${READINESS_WINDOW_DAYS} days carried an email or phone number (hashed before it is sent).`,
    action: null,
  };
}

export function deliveryHealthItem(f: ReadinessFacts): ReadinessItem {
  const base = { id: "delivery_health" as const, title: "Ad click coverage and delivery health (7 days)" };
  const { deliverable, accepted } = f.recent.ratio;
  const report = {
    kind: "link" as const,
    label: "Open reconciliation",
    url: `/app/reconciliation?days=${READINESS_WINDOW_DAYS}`,
    external: false,
  };
  if (deliverable < ACCEPTED_RATIO_MIN_ORDERS) {
    return {
      ...base,
      tone: "attention",
      label: "Too few orders",
      detail: `Not judged yet: ${deliverable} web ${deliverable === 1 ? "order" : "orders"} that could be sent in the last ${READINESS_WINDOW_DAYS} days; it takes ${ACCEPTED_RATIO_MIN_ORDERS}.`,
      action: report,
    };
  }
  const rate = accepted / deliverable;
  const percent = `${Math.round(rate * 100)}%`;
  if (rate < ACCEPTED_RATIO_THRESHOLD) {
    return {
      ...base,
      tone: "problem",
      label: "Low delivery",
      detail: `OpenAI accepted ${accepted} of ${deliverable} web orders that could be sent (${percent}); the threshold is ${Math.round(ACCEPTED_RATIO_THRESHOLD * 100)}%.`,
      action: report,
    };
  }
  const { withOppref, delivered } = f.recent.oppref;
  if (withOppref < MIN_EVENTS_WITH_OPPREF) {
    return {
      ...base,
      tone: "attention",
      label: "No ad clicks",
      detail: `${percent} delivered, but none of the ${delivered} accepted orders carried an ad click reference (oppref). If you run ChatGPT ads, check the pixel and the theme embed.`,
      action: report,
    };
  }
  return {
    ...base,
    tone: "ready",
    label: "Healthy",
    detail: `${percent} of web orders accepted by OpenAI; ${withOppref} of ${delivered} carried an ad click reference.`,
    action: null,
  };
}

// ─── the checklist ───────────────────────────────────────────────────────────────────────────────

export function readinessChecklist(f: ReadinessFacts): ReadinessItem[] {
  return [
    credentialsItem(f),
    webPixelItem(f),
    pixelRunningItem(f),
    themeEmbedItem(f),
    conversionEventItem(f),
    sameIdItem(f),
    buyerDataItem(f),
    deliveryHealthItem(f),
  ];
}

export interface ReadinessSummary {
  total: number;
  ready: number;
  attention: number;
  problem: number;
  tone: ReadinessTone;
}

export function summarizeReadiness(items: readonly ReadinessItem[]): ReadinessSummary {
  const count = (tone: ReadinessTone) => items.filter((i) => i.tone === tone).length;
  const problem = count("problem");
  const attention = count("attention");
  return {
    total: items.length,
    ready: count("ready"),
    attention,
    problem,
    tone: problem > 0 ? "problem" : attention > 0 ? "attention" : "ready",
  };
}

/** "my-store.myshopify.com" → "my-store" (the admin's /store/<handle> path). */
export function storeHandle(shop: string): string {
  return shop.replace(/\.myshopify\.com$/i, "");
}

/** Whether the loader should ask OpenAI again (at most daily; sooner when the last try got no answer). */
export function credentialsRecheckDue(
  s: Pick<
    ReadinessFacts["settings"],
    "pixelId" | "hasApiKey" | "credentialsStatus" | "credentialsCheckedAt" | "credentialsMessage"
  >,
  now: Date,
): boolean {
  if (!s.pixelId || !s.hasApiKey) return false;
  if (!s.credentialsCheckedAt) return true;
  const age = now.getTime() - s.credentialsCheckedAt.getTime();
  const unanswered = s.credentialsStatus === "unknown" && s.credentialsMessage !== null;
  return age >= (unanswered ? CREDENTIALS_RETRY_UNANSWERED_HOURS : CREDENTIALS_RECHECK_HOURS) * HOUR_MS;
}
