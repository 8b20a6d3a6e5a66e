/**
 * A small in-memory token-bucket rate limiter for the app's public (unauthenticated) endpoints.
 *
 * Each key (an IP, a shop) has a bucket of `capacity` tokens that refills continuously at
 * `refillPerSecond`; a request takes one token or is refused with how long until one is back
 * (`Retry-After`). Memory is bounded: at most `maxKeys` buckets, least recently used evicted first,
 * and buckets that have refilled completely (they carry no information) are swept as we go.
 *
 * TokenBucketLimiter is per process. `sharedLimiter` below is what the public endpoints use: on
 * Postgres (several app instances) its counts live in the database, so the limit holds across
 * instances; on SQLite (one host, one web process) it is this in-memory bucket.
 */
import { RateLimiterMemory, RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import prisma, { currentDatabaseProvider } from "~/db/client.server";
import { logger } from "~/logger.server";

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

/** What the public endpoints call: one decision per key, possibly shared with other instances. */
export interface Limiter {
  take(key: string): Promise<RateLimitDecision>;
}

export interface SharedLimiterOptions {
  /** Distinguishes this limiter's keys from other limiters' in the shared table. */
  name: string;
  /** Requests allowed per window. */
  points: number;
  windowSeconds: number;
  /** "database": counts in the RateLimiterFlexible table; "memory": this process only. Default: database on Postgres. */
  store?: "database" | "memory";
  /** Bound on remembered keys of the in-memory store. */
  maxKeys?: number;
}

/**
 * A limiter whose counts all instances share when the app runs on Postgres (rate-limiter-flexible's
 * Prisma store: fixed windows, counted by an atomic increment in the database). If the database
 * cannot answer, an in-memory limiter of the same size decides for this process (the library's
 * "insurance" limiter) rather than failing the request or letting everything through.
 */
export function sharedLimiter(options: SharedLimiterOptions): Limiter {
  const store = options.store ?? (currentDatabaseProvider() === "postgres" ? "database" : "memory");
  if (store === "memory") {
    const bucket = new TokenBucketLimiter({
      capacity: options.points,
      refillPerSecond: options.points / options.windowSeconds,
      maxKeys: options.maxKeys,
    });
    return { take: async (key) => bucket.take(key) };
  }
  const limiter = new RateLimiterPrisma({
    storeClient: prisma,
    tableName: "rateLimiterFlexible",
    keyPrefix: options.name,
    points: options.points,
    duration: options.windowSeconds,
    insuranceLimiter: new RateLimiterMemory({ points: options.points, duration: options.windowSeconds }),
  });
  return {
    async take(key) {
      try {
        const res = await limiter.consume(key);
        return { allowed: true, remaining: res.remainingPoints, retryAfterSeconds: 0 };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return {
          allowed: false,
          remaining: 0,
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
    },
  };
}

/**
 * The client address to rate limit on. Without a trusted proxy (`trustedHops` 0, the default) it is
 * the TCP peer's address: `X-Forwarded-For` is whatever the client wrote, and trusting it let one
 * client rotate through as many buckets as it liked. With `trustedHops` = n reverse proxies in front
 * of the app (each appends the address it saw), the client is the n-th entry from the RIGHT; entries
 * further left are the client's own claims. Fewer entries than hops: the leftmost one (the proxies
 * before it added nothing forgeable). null when there is nothing to key on.
 */
export function clientAddress(
  request: Request,
  socketAddress: string | null | undefined,
  trustedHops = 0,
): string | null {
  const forwarded = request.headers.get("x-forwarded-for");
  if (trustedHops > 0) {
    const hops = (forwarded ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean);
    const ip = hops[Math.max(0, hops.length - trustedHops)];
    if (ip) return ip.slice(0, 64);
  } else if (forwarded) {
    noteUntrustedForwardedFor();
  }
  return socketAddress ? socketAddress.slice(0, 64) : null;
}

const UNTRUSTED_FORWARDED_FOR_WARNING =
  "requests carry X-Forwarded-For but TRUSTED_PROXY_HOPS is 0: rate limits key on the proxy's address, so every buyer behind it shares one bucket. Set TRUSTED_PROXY_HOPS to the number of reverse proxies in front of the app.";

let forwardedForSeen = false;
function noteUntrustedForwardedFor(): void {
  if (forwardedForSeen) return;
  forwardedForSeen = true;
  logger.warn({ setting: "TRUSTED_PROXY_HOPS" }, UNTRUSTED_FORWARDED_FOR_WARNING);
}

/** For readiness checks: the proxy misconfiguration seen so far in this process, or null. */
export function proxyConfigurationWarning(): string | null {
  return forwardedForSeen ? UNTRUSTED_FORWARDED_FOR_WARNING : null;
}
