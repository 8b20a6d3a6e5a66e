/**
 * What the reconciliation page and its printed twin (scripts/print-reconciliation.ts) say to the
 * merchant about the figures app/conversions/reconciliation.ts builds: labels, percentages and
 * plain-language summaries.
 */
import type {
  KnownOpprefSource,
  OpprefCoverage,
  Outcome,
  PixelLossFigures,
  ThemeEmbedEstimate,
} from "~/conversions/reconciliation";

export const OUTCOME_LABELS: Record<Outcome, string> = {
  accepted: "Accepted by OpenAI",
  waiting: "Waiting to be sent",
  failed: "Rejected by OpenAI",
  expired: "Expired (older than 7 days)",
  skipped: "Not sent, with a recorded reason",
  other: "Other status",
};

export const OPPREF_SOURCE_LABELS: Record<KnownOpprefSource | "none", string> = {
  receipt: "From the pixel receipt (the __oppref cookie)",
  landing_site: "From the order's landing page URL",
  note_attributes: "From the order's cart attributes",
  none: "No oppref (not from a ChatGPT ad click, or not known)",
};

/** "24.2%"; "–" when undefined. One decimal below 10%, whole numbers are printed without ".0". */
export function formatPercent(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "–";
  const pct = rate * 100;
  const text = pct.toFixed(1);
  return `${text.endsWith(".0") ? text.slice(0, -2) : text}%`;
}

/** Skip reasons of a count map, largest first, then by name (stable output for tests and printouts). */
export function sortedReasons(byReason: Record<string, number>): [string, number][] {
  return Object.entries(byReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export const INDUSTRY_PIXEL_LOSS =
  "Industry estimates say browser pixels lose 20–30% of purchases (ad blockers, browser privacy, closed tabs) and server events recover 15–25%.";

/** Plain-language summary of the measured pixel loss for this shop. */
export function pixelLossSummary(p: PixelLossFigures): string {
  if (p.webOrders === 0) return "No web orders in this period yet, so there is nothing to measure.";
  return (
    `Of ${p.webOrders} web orders, the browser pixel reported ${p.pixelSent} to OpenAI and missed ${p.missedByPixel} ` +
    `(${formatPercent(p.pixelLossRate)}): ${p.pixelBlocked} blocked in the browser, ${p.pixelNotSent} not sent ` +
    `(no consent or pixel off), ${p.noReceipt} with no pixel signal at all. ` +
    `Server events got ${p.serverOnly} of those missed sales counted (${formatPercent(p.serverRecoveryRate)} of all web orders).`
  );
}

export function opprefSummary(o: OpprefCoverage): string {
  if (o.delivered === 0) return "No server events accepted by OpenAI in this period yet.";
  return `${o.withOppref} of ${o.delivered} accepted server events (${formatPercent(o.coverageRate)}) carried an oppref, the click reference OpenAI uses to attribute a sale to an ad.`;
}

/** The theme embed's share of the sales only the server got counted, in words (page and printout). */
export function themeEmbedSummary(e: ThemeEmbedEstimate): string {
  if (e.serverOnlyWithoutReceipt === 0)
    return "No sale in this period was counted from the server without any pixel signal, so there is nothing to estimate for the theme embed.";
  const orders = (n: number) => `${n} ${n === 1 ? "order" : "orders"}`;
  return (
    `About ${orders(e.attributed)} of the ${orders(e.serverOnlyWithoutReceipt)} counted only from the server with no pixel signal ` +
    `(${formatPercent(e.share)}) were attributed to an ad click thanks to the theme embed: their oppref came only from the cart attribute. ` +
    "Without the embed they would have reached OpenAI with no click reference."
  );
}
