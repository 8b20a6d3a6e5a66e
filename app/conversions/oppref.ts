/**
 * `oppref` is the opaque click reference OpenAI appends to ad landing URLs (`?oppref=...`). It is
 * passed to the Conversions API unchanged: never trimmed, never invented, omitted when unknown.
 *
 * Decoding choice: the value is read with `URLSearchParams`, i.e. exactly the string a browser's
 * `new URL(href).searchParams.get("oppref")` returns (percent-escapes decoded, "+" read as a space).
 * That is how the official browser SDK and the web pixel read it from `document.location`, so the
 * server-side value taken from Shopify's `landing_site` matches the pixel's byte for byte. Nothing else
 * is done to it.
 */

export type OpprefSource = "receipt" | "landing_site" | "note_attributes" | "none";

/** Longer values are not click references we issued; they are dropped rather than truncated. */
export const MAX_OPPREF_LENGTH = 512;

const PLACEHOLDER_BASE = "https://placeholder.invalid/";

/**
 * A usable oppref value: a non-empty string of at most 512 characters without control characters,
 * unchanged. THE rule for every source (pixel receipt, landing_site, cart attributes, the pixel's
 * cookie): a decoded `%00` or `%0A` in a landing URL is no click reference OpenAI issued.
 */
export function validOppref(value: unknown): string | null {
  if (typeof value !== "string" || value === "" || value.length > MAX_OPPREF_LENGTH) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return null;
  return value;
}

/**
 * The first `oppref` query parameter of an absolute URL or of a Shopify `landing_site` path
 * ("/products/x?oppref=abc&utm_source=chatgpt"); null when absent, empty, too long or unparseable.
 * A fragment is not a query: `#oppref=x` is ignored.
 */
export function opprefFromUrl(urlOrPath: string | null | undefined): string | null {
  if (typeof urlOrPath !== "string" || urlOrPath === "") return null;
  let url: URL;
  try {
    url = new URL(urlOrPath, PLACEHOLDER_BASE);
  } catch {
    return null;
  }
  return validOppref(url.searchParams.get("oppref"));
}

const NOTE_ATTRIBUTE_NAMES = new Set(["oppref", "_oppref", "__oppref"]);

/**
 * Shopify `note_attributes: [{ name, value }]` (cart attributes a storefront script may have set).
 * The first entry named oppref / _oppref / __oppref (case-insensitive name) with a usable value wins.
 */
export function opprefFromNoteAttributes(attrs: unknown): string | null {
  if (!Array.isArray(attrs)) return null;
  for (const attr of attrs) {
    if (typeof attr !== "object" || attr === null) continue;
    const { name, value } = attr as { name?: unknown; value?: unknown };
    if (typeof name !== "string" || !NOTE_ATTRIBUTE_NAMES.has(name.trim().toLowerCase())) continue;
    const oppref = validOppref(value);
    if (oppref !== null) return oppref;
  }
  return null;
}

export interface OpprefCandidate {
  source: Exclude<OpprefSource, "none">;
  value: string | null;
  /** When the buyer clicked, if this source knows it (the theme embed's `_oppref_at`). */
  atMs: number | null;
}

const PRECEDENCE: Exclude<OpprefSource, "none">[] = ["receipt", "landing_site", "note_attributes"];

/**
 * One oppref out of several sources. When two or more usable values carry a click time, the most
 * recent click wins (a buyer who clicked a second ad came from that one); otherwise the fixed
 * precedence receipt › landing_site › cart attribute decides. Values are re-validated here.
 */
export function pickOppref(candidates: readonly OpprefCandidate[]): { value: string | null; source: OpprefSource } {
  const usable = candidates
    .map((candidate) => ({ ...candidate, value: validOppref(candidate.value) }))
    .filter((candidate): candidate is OpprefCandidate & { value: string } => candidate.value !== null);
  const timed = usable.filter((candidate) => candidate.atMs !== null);
  if (timed.length >= 2) {
    const latest = timed.reduce((a, b) => ((b.atMs as number) > (a.atMs as number) ? b : a));
    return { value: latest.value, source: latest.source };
  }
  for (const source of PRECEDENCE) {
    const found = usable.find((candidate) => candidate.source === source);
    if (found) return { value: found.value, source: found.source };
  }
  return { value: null, source: "none" };
}
