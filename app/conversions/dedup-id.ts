/**
 * THE dedup id of an order: the value sent as the pixel's `event_id` and as the Conversions API
 * `events[].id` for `order_created`. OpenAI keeps the first event per (pixel, type, id), so both
 * sides must compute exactly this, forever. The web pixel bundles this very file.
 *
 * Opaque because OpenAI forbids order ids in pixel URLs: a SHA-256 digest (./sha256.ts: the same
 * bytes in Node, browsers and the web pixel worker) of a versioned, namespaced input, base64url without
 * padding, truncated to 128 bits. Changing ANY of this changes every id: the golden vectors in
 * test/conversions/dedup-id.test.ts exist to make that impossible by accident.
 */
import { normalizeOrderId, type NormalizedOrderId } from "./order-id";
import { sha256Bytes } from "./sha256";

export type DedupId = string & { readonly __brand: "DedupId" };

const NAMESPACE = "shopify-order:v1:";
const PREFIX = "o1_";

export async function dedupIdForOrder(orderId: unknown): Promise<DedupId> {
  return dedupIdForNormalizedOrder(normalizeOrderId(orderId));
}

/** The same id from an already normalized order id (the web pixel has one; it skips the check). */
export async function dedupIdForNormalizedOrder(normalized: NormalizedOrderId): Promise<DedupId> {
  const digest = await sha256Bytes(NAMESPACE + normalized);
  return (PREFIX + base64Url(digest.subarray(0, 16))) as DedupId;
}

/**
 * Deterministic id for an event derived from an order (a refund correction, a cancellation):
 * retries and webhook redeliveries must reuse it, so it is a digest of the order's dedup id and
 * the thing being corrected, never a random value.
 */
export async function derivedEventId(orderDedupId: DedupId, kind: string, key: string): Promise<string> {
  const digest = await sha256Bytes(`${orderDedupId}|${kind}|${key}`);
  return `${kind.slice(0, 1)}1_${base64Url(digest.subarray(0, 16))}`;
}

/** base64url without padding. Exported for the web pixel's random event ids (one copy in the bundle). */
export function base64Url(bytes: Uint8Array): string {
  // btoa exists in Node >= 16, browsers and web workers alike.
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
