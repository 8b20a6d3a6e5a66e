/**
 * Shopify's ids are 64-bit integers written as JSON numbers (Shopify's own sample order is
 * 820982911946154508, above 2^53). `JSON.parse` silently rounds such a number to another id, so
 * every webhook body is read here instead: integers that a JavaScript number cannot hold exactly
 * come back as their decimal text (which every id reader in this core accepts), everything else as
 * `JSON.parse` would return it.
 *
 * A body with no number that long is plain `JSON.parse`. Otherwise, where the runtime gives a
 * reviver the number's source text (V8 11.4+: Node 21+, current browsers), the native parser does
 * it: several times faster than a parser written in JavaScript, and the applier parses every stored
 * webhook. Elsewhere lossless-json (the parser @shopify/shopify-api itself uses for the same
 * reason). test/conversions/webhook-json.test.ts holds both to the same results. One difference is
 * kept on purpose: an object with a duplicate key, which Shopify never signs, keeps its last value as
 * JSON.parse does, where lossless-json refused the body; every reader in this app sees the same
 * parsed value, so no two parts can disagree about it.
 */
import { parse } from "lossless-json";

const INTEGER = /^-?\d+$/;

function exactNumber(text: string): number | string {
  const value = Number(text);
  if (INTEGER.test(text) && !Number.isSafeInteger(value)) return text;
  return value;
}

/** A reviver that is also given the value's source text (where the runtime supports it). */
type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

function parseWithSource(text: string, reviver: SourceReviver): unknown {
  return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
}

const keepBigIntegers: SourceReviver = (_key, value, context) =>
  typeof value === "number" && !Number.isSafeInteger(value) && context?.source && INTEGER.test(context.source)
    ? context.source
    : value;

/** Whether this runtime's JSON.parse gives revivers the source text (read by the test that compares both). */
export const parsesNatively = ((): boolean => {
  let seen = false;
  parseWithSource("1", (_key, value, context) => {
    seen = typeof context?.source === "string";
    return value;
  });
  return seen;
})();

/**
 * A number token of 16 digits or more, where a JSON value can start. Every integer a JavaScript
 * number cannot hold exactly (beyond 2^53, 16 digits) matches; a body without one parses the same
 * with plain JSON.parse. Today's Shopify ids have 13-14 digits, so nearly every real body takes that
 * fast path; Shopify's sample order (18 digits) does not. A match inside a string only costs speed.
 */
const LONG_NUMBER = /(?:^|[:,[])\s*-?\d{16}/;

/** `JSON.parse` that keeps big integers exact (as strings). Throws on invalid JSON, like JSON.parse. */
export function parseWebhookJson(text: string): unknown {
  if (!LONG_NUMBER.test(text)) return JSON.parse(text);
  return parsesNatively ? parseWithSource(text, keepBigIntegers) : parseWebhookJsonPortably(text);
}

/** The same result without the native source access (exported so both can be compared). */
export function parseWebhookJsonPortably(text: string): unknown {
  return parse(text, null, exactNumber);
}
