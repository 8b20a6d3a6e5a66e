/**
 * A ceiling on the request-body bytes held in memory at once, across all requests of one endpoint.
 *
 * Why: the per-request cap (5 MB for webhooks) bounds one request, not a hundred. Verifying an HMAC
 * needs the whole body, and an unauthenticated client decides how many bodies it sends at once; 100
 * concurrent 5 MB forged bodies took the process past 2.8 GB. With a budget, a body is read only if
 * its bytes fit in what is left; the rest are refused (503 + Retry-After) before they are read.
 */
export interface BodyBudget {
  /** Takes `bytes` from the budget; false (and nothing taken) when they do not fit. */
  tryTake(bytes: number): boolean;
  /** Gives back bytes taken earlier. */
  giveBack(bytes: number): void;
  inUse(): number;
}

export function createBodyBudget(limitBytes: number): BodyBudget {
  let used = 0;
  return {
    tryTake(bytes) {
      if (bytes < 0 || used + bytes > limitBytes) return false;
      used += bytes;
      return true;
    },
    giveBack(bytes) {
      used = Math.max(0, used - bytes);
    },
    inUse: () => used,
  };
}
