/**
 * What the theme app embed writes into the cart, as Shopify hands it back in an order's
 * `note_attributes` (names starting with "_" are hidden from the buyer at checkout):
 *   `_oppref`          the click reference (same validation as every oppref source: ./oppref.ts)
 *   `_oppref_at`       click time, Unix ms as a decimal string
 *   `_oppref_consent`  the buyer's choice as URLSearchParams text, e.g.
 *                      `marketing=denied&sale_of_data=refused&source=privacy_api&at=1764650000000`
 * Unknown or malformed values read as "no signal", never as consent.
 */
import { validOppref } from "./oppref";

export type MarketingChoice = "granted" | "denied" | "unknown";
export type SaleOfDataChoice = "allowed" | "refused" | "unknown";

export interface BuyerChoice {
  marketing: MarketingChoice;
  saleOfData: SaleOfDataChoice;
  /** Where the embed read it: privacy_api | consent_cookie | gpc | region | none. */
  source: string;
  atMs: number | null;
}

export interface CartSignals {
  oppref: string | null;
  opprefAtMs: number | null;
  choice: BuyerChoice | null;
}

const SOURCES = new Set(["privacy_api", "consent_cookie", "gpc", "region", "none"]);

function attribute(attrs: unknown, wanted: string): string | null {
  if (!Array.isArray(attrs)) return null;
  for (const attr of attrs) {
    if (typeof attr !== "object" || attr === null) continue;
    const { name, value } = attr as { name?: unknown; value?: unknown };
    if (typeof name === "string" && name.trim().toLowerCase() === wanted && typeof value === "string") return value;
  }
  return null;
}

/** A positive Unix-ms time written as plain decimal digits; anything else → null. */
export function parseUnixMs(value: string | null | undefined): number | null {
  if (typeof value !== "string" || !/^[1-9][0-9]{0,15}$/.test(value.trim())) return null;
  const ms = Number(value.trim());
  return Number.isSafeInteger(ms) ? ms : null;
}

export function parseBuyerChoice(text: string | null): BuyerChoice | null {
  if (text === null || text.length > 512) return null;
  const params = new URLSearchParams(text);
  const marketing = params.get("marketing");
  const sale = params.get("sale_of_data");
  const source = params.get("source");
  const choice: BuyerChoice = {
    marketing: marketing === "granted" || marketing === "denied" ? marketing : "unknown",
    saleOfData: sale === "allowed" || sale === "refused" ? sale : "unknown",
    source: source !== null && SOURCES.has(source) ? source : "none",
    atMs: parseUnixMs(params.get("at")),
  };
  return choice.marketing === "unknown" && choice.saleOfData === "unknown" ? null : choice;
}

export function cartSignalsOf(noteAttributes: unknown): CartSignals {
  return {
    oppref: validOppref(attribute(noteAttributes, "_oppref")),
    opprefAtMs: parseUnixMs(attribute(noteAttributes, "_oppref_at")),
    choice: parseBuyerChoice(attribute(noteAttributes, "_oppref_consent")),
  };
}
