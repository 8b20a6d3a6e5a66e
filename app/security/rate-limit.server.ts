/**
 * A small in-memory token-bucket rate limiter for the app's public (unauthenticated) endpoints.
 *
 * Each key (an IP, a shop) has a bucket of `capacity` tokens that refills continuously at
 * `refillPerSecond`; a request takes one token or is refused with how long until one is back
 * (`Retry-After`). Memory is bounded: at most `maxKeys` buckets, least recently used evicted first,
 * and buckets that have refilled completely (they carry no information) are swept as we go.
 *
 * Per process: with N app instances the effective limit is N times higher. That is acceptable for
 * what this guards (write amplification and storage growth), not for quotas that must be exact.
 */

export interface TokenBucketOptions {
  /** Burst size: requests allowed at once from a full bucket. */
  capacity: number;
  /** Sustained rate. */
  refillPerSecond: number;
  /** Bound on remembered keys (default 10 000). */
  maxKeys?: number;
  /** Milliseconds clock; injectable for tests. Read on every call, never cached. */
  now?: () => number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** 0 when allowed; otherwise whole seconds (≥ 1) until the request would be allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) {
      throw new Error("TokenBucketLimiter needs capacity >= 1 and refillPerSecond > 0");
    }
    this.capacity = options.capacity;
    this.refillPerMs = options.refillPerSecond / 1000;
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
    this.now = options.now ?? (() => Date.now());
  }

  /** Takes one token for `key` if there is one. */
  take(key: string): RateLimitDecision {
    const now = this.now();
    const bucket = this.refilled(key, now);
    // Re-insert: Map iteration order is insertion order, so the first entry is the least recently used.
    this.buckets.delete(key);
    this.sweep(now);
    this.buckets.set(key, bucket);

    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    const waitMs = (1 - bucket.tokens) / this.refillPerMs;
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Number of remembered keys (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.capacity, updatedAt: now };
    // A clock that steps backwards must not mint tokens.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.refillPerMs);
    bucket.updatedAt = Math.max(bucket.updatedAt, now);
    return bucket;
  }

  private sweep(now: number): void {
    // Over the bound (counting the key about to be re-inserted): drop the least recently used.
    while (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
    // Opportunistically drop up to two idle buckets that are full again: forgetting them changes nothing.
    let checked = 0;
    for (const [key, bucket] of this.buckets) {
      if (checked++ >= 2) break;
      const elapsed = Math.max(0, now - bucket.updatedAt);
      if (bucket.tokens + elapsed * this.refillPerMs >= this.capacity) this.buckets.delete(key);
      else break; // later entries were used more recently
    }
  }
}

/**
 * The client IP as seen by the nearest trusted reverse proxy: the `trustedHops`-th entry from the
 * RIGHT of `X-Forwarded-For` (entries further left are whatever the client claimed and can be
 * forged). Falls back to `X-Real-IP`. null when the request carries neither (e.g. no proxy).
 */
export function clientIp(request: Request, trustedHops = 1): string | null {
  const forwarded = request.headers.get("x-forwarded-for");
  if (forwarded) {
    const hops = forwarded
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean);
    const ip = hops[Math.max(0, hops.length - Math.max(1, trustedHops))];
    if (ip) return ip.slice(0, 64);
  }
  const real = request.headers.get("x-real-ip")?.trim();
  return real ? real.slice(0, 64) : null;
}
