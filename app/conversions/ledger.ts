/**
 * Net revenue of one order after refunds and cancellation, computed from scratch every time from the
 * full set of corrections, so the result does not depend on the order in which webhooks arrived (a
 * refund can arrive before its order, a cancel before or after the refund that pays it back).
 *
 * Rules:
 * - Refunds are applied in (occurredAt, key) order; each is clamped so net never goes below zero.
 * - A cancellation reverses whatever remains after ALL refunds, whatever their timestamps: Shopify
 *   sends both `orders/cancelled` and `refunds/create` for a cancel that refunds, and that money must
 *   be reversed once, not twice. Only the first cancellation counts; later ones apply 0.
 * - Gross unknown (order not seen yet): nothing can be applied; net is null.
 * - The same key twice (a redelivery) counts once.
 */

export interface LedgerEntryInput {
  key: string;
  kind: "refund" | "cancel";
  requestedMinor: number;
  occurredAt: Date;
}

interface LedgerApplied {
  key: string;
  appliedMinor: number;
  /**
   * True when less than requested was applied: the money was already reversed (by earlier refunds, or
   * for a cancellation by refunds of any time), or a duplicate key. A cancellation may apply MORE than
   * it requested (it takes whatever remains); that is not clamping.
   */
  clamped: boolean;
}

export interface LedgerResult {
  netMinor: number | null;
  /** Sum of the refunds actually applied (cancellation excluded). */
  refundedMinor: number;
  /** One row per input entry, in (occurredAt, key) order. */
  applied: LedgerApplied[];
  fullyReversed: boolean;
}

function requested(entry: LedgerEntryInput): number {
  return Number.isSafeInteger(entry.requestedMinor) && entry.requestedMinor > 0 ? entry.requestedMinor : 0;
}

/** An invalid date sorts last rather than poisoning the sort. */
function timeOf(entry: LedgerEntryInput): number {
  const ms = entry.occurredAt instanceof Date ? entry.occurredAt.getTime() : NaN;
  return Number.isNaN(ms) ? Infinity : ms;
}

function byTimeThenKey(a: LedgerEntryInput, b: LedgerEntryInput): number {
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function computeLedger(input: {
  grossMinor: number | null;
  entries: readonly LedgerEntryInput[];
}): LedgerResult {
  const ordered = [...input.entries].sort(byTimeThenKey);
  const appliedByEntry = new Map<LedgerEntryInput, number>();

  const gross = input.grossMinor;
  if (gross === null || !Number.isSafeInteger(gross) || gross < 0) {
    return {
      netMinor: null,
      refundedMinor: 0,
      applied: ordered.map((entry) => ({ key: entry.key, appliedMinor: 0, clamped: false })),
      fullyReversed: false,
    };
  }

  const seenKeys = new Set<string>();
  const firstOfKey = new Set<LedgerEntryInput>();
  for (const entry of ordered) {
    if (seenKeys.has(entry.key)) continue;
    seenKeys.add(entry.key);
    firstOfKey.add(entry);
  }

  // Refunds first, in time order: each takes at most what remains.
  let remaining = gross;
  let refunded = 0;
  for (const entry of ordered) {
    if (entry.kind !== "refund" || !firstOfKey.has(entry)) continue;
    const applied = Math.min(requested(entry), remaining);
    remaining -= applied;
    refunded += applied;
    appliedByEntry.set(entry, applied);
  }

  // Then the cancellation takes whatever no refund has taken.
  let cancelled = false;
  for (const entry of ordered) {
    if (entry.kind !== "cancel" || !firstOfKey.has(entry) || cancelled) continue;
    cancelled = true;
    appliedByEntry.set(entry, remaining);
    remaining = 0;
  }

  return {
    netMinor: remaining,
    refundedMinor: refunded,
    applied: ordered.map((entry) => {
      const applied = appliedByEntry.get(entry) ?? 0;
      return { key: entry.key, appliedMinor: applied, clamped: applied < requested(entry) };
    }),
    fullyReversed: remaining === 0,
  };
}

/**
 * The order's current gross: what checkout said, plus every recorded change of its value (order
 * edits, post-purchase upsells, exchanges; removals are negative). Never below zero. Refunds are
 * clamped to THIS, so a refund of an upsold item is applied in full.
 */
export function currentGross(originalGrossMinor: number | null, valueDeltasMinor: readonly number[]): number | null {
  if (originalGrossMinor === null) return null;
  const gross = valueDeltasMinor.reduce((sum, delta) => sum + delta, originalGrossMinor);
  return Number.isSafeInteger(gross) ? Math.max(0, gross) : originalGrossMinor;
}
