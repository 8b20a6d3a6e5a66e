/**
 * Shopify's ids are 64-bit integers written as JSON numbers (Shopify's own sample order is
 * 820982911946154508, above 2^53). `JSON.parse` silently rounds such a number to another id, so
 * every webhook body is read here instead: integers that a JavaScript number cannot hold exactly
 * come back as their decimal text (which every id reader in this core accepts), everything else as
 * `JSON.parse` would return it. lossless-json is the parser @shopify/shopify-api itself uses for
 * the same reason.
 */
import { parse } from "lossless-json";

const INTEGER = /^-?\d+$/;

function exactNumber(text: string): number | string {
  const value = Number(text);
  if (INTEGER.test(text) && !Number.isSafeInteger(value)) return text;
  return value;
}

/** `JSON.parse` that keeps big integers exact (as strings). Throws on invalid JSON, like JSON.parse. */
export function parseWebhookJson(text: string): unknown {
  return parse(text, null, exactNumber);
}
