/**
 * A refund or cancellation can reach the app before its order (Shopify delivers topics
 * independently and retries a failed delivery for hours), or for an order the app will never see
 * (placed before the app was installed, or never sent). Waiting for it is bounded: re-checks back off
 * with the time already waited (1 minute, then about doubling, at most 1 hour apart), and once
 * ORDER_NOT_SEEN_AFTER_MS has passed the correction ends with the terminal reason `order_not_seen`,
 * which the merchant can read, instead of staying pending for 7 days.
 */
export const ORDER_FIRST_RECHECK_MS = 60_000;
export const ORDER_MAX_RECHECK_MS = 60 * 60_000;
/** Longer than Shopify's own webhook retry schedule (about 4 hours), so a late order still counts. */
export const ORDER_NOT_SEEN_AFTER_MS = 24 * 60 * 60_000;

export type OrderWaitDecision = { action: "hold"; until: Date } | { action: "give_up"; detail: string };

export function waitForUnseenOrder(input: { waitingSince: Date; now: Date }): OrderWaitDecision {
  const waited = Math.max(0, input.now.getTime() - input.waitingSince.getTime());
  if (waited >= ORDER_NOT_SEEN_AFTER_MS) {
    return {
      action: "give_up",
      detail: `the order never reached the app within ${ORDER_NOT_SEEN_AFTER_MS / 3_600_000} hours of this correction`,
    };
  }
  const step = Math.min(ORDER_MAX_RECHECK_MS, Math.max(ORDER_FIRST_RECHECK_MS, waited));
  const deadline = input.waitingSince.getTime() + ORDER_NOT_SEEN_AFTER_MS;
  return { action: "hold", until: new Date(Math.min(input.now.getTime() + step, deadline)) };
}
