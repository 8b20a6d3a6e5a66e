import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  clientAddress,
  proxyConfigurationWarning,
  sharedLimiter,
  TokenBucketLimiter,
} from "~/security/rate-limit.server";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms), set: (ms: number) => (now = ms) };
}

describe("TokenBucketLimiter", () => {
  it("allows a burst of `capacity`, then refuses with the wait until the next token", () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 0.5, now: c.now });
    expect([1, 2, 3].map(() => limiter.take("a"))).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
    ]);
    expect(limiter.take("a")).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 2 });
    c.advance(1_000);
    expect(limiter.take("a")).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    c.advance(1_000);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
  });

  it("refills continuously up to capacity, never beyond", () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1, now: c.now });
    limiter.take("k");
    limiter.take("k");
    c.advance(3_600_000);
    expect(limiter.take("k")).toMatchObject({ allowed: true, remaining: 1 });
    expect(limiter.take("k")).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.take("k").allowed).toBe(false);
  });

  it("keeps keys independent", () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1, now: c.now });
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
  });

  it("a clock stepping backwards mints no tokens", () => {
    const c = clock(5_000_000);
    const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1, now: c.now });
    expect(limiter.take("a").allowed).toBe(true);
    c.set(1_000);
    expect(limiter.take("a").allowed).toBe(false);
    c.set(5_000_000);
    expect(limiter.take("a").allowed).toBe(false);
    c.set(5_001_000);
    expect(limiter.take("a").allowed).toBe(true);
  });

  it("bounds memory: at most maxKeys buckets, least recently used evicted first", () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 0.001, maxKeys: 100, now: c.now });
    for (let i = 0; i < 10_000; i++) limiter.take(`ip-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    // Recently used keys are still limited; "ip-0" was evicted long ago and starts afresh.
    limiter.take("ip-9999");
    expect(limiter.take("ip-9999").allowed).toBe(false);
    expect(limiter.take("ip-0")).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("forgets idle buckets that have refilled completely", () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1, now: c.now });
    limiter.take("old-1");
    limiter.take("old-2");
    c.advance(10_000);
    limiter.take("new");
    expect(limiter.size).toBe(1);
    // A single active key is never swept away mid-use.
    for (let i = 0; i < 4; i++) limiter.take("new");
    expect(limiter.take("new").allowed).toBe(false);
  });

  it("rejects nonsense options", () => {
    expect(() => new TokenBucketLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow();
    expect(() => new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0 })).toThrow();
  });
});

describe("clientAddress", () => {
  const req = (headers: Record<string, string>) => new Request("https://app.example.test/", { headers });

  it("without a trusted proxy, ignores X-Forwarded-For and uses the TCP peer, and says so once for readiness", () => {
    expect(proxyConfigurationWarning()).toBeNull();
    expect(clientAddress(req({}), "10.0.0.9")).toBe("10.0.0.9");
    expect(proxyConfigurationWarning()).toBeNull();
    for (const forged of ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) {
      expect(clientAddress(req({ "X-Forwarded-For": forged }), "10.0.0.9")).toBe("10.0.0.9");
    }
    expect(proxyConfigurationWarning()).toMatch(/TRUSTED_PROXY_HOPS/);
    expect(clientAddress(req({ "X-Forwarded-For": "1.1.1.1" }), undefined)).toBeNull();
  });

  it("with n trusted hops, takes the n-th X-Forwarded-For entry from the right", () => {
    expect(clientAddress(req({ "X-Forwarded-For": "1.1.1.1, 2.2.2.2, 3.3.3.3" }), "10.0.0.9", 1)).toBe("3.3.3.3");
    expect(clientAddress(req({ "X-Forwarded-For": "1.1.1.1, 2.2.2.2, 3.3.3.3" }), "10.0.0.9", 2)).toBe("2.2.2.2");
    expect(clientAddress(req({ "X-Forwarded-For": "3.3.3.3" }), "10.0.0.9", 5)).toBe("3.3.3.3");
    expect(clientAddress(req({ "X-Forwarded-For": "2001:db8::1" }), null, 1)).toBe("2001:db8::1");
    expect(clientAddress(req({ "X-Forwarded-For": " , " }), "10.0.0.9", 1)).toBe("10.0.0.9");
    expect(clientAddress(req({}), null, 1)).toBeNull();
  });
});

describe("sharedLimiter (database store)", () => {
  it("two instances share one count: the limit holds across them", async () => {
    const name = `test-${randomUUID()}`;
    const a = sharedLimiter({ name, points: 3, windowSeconds: 60, store: "database" });
    const b = sharedLimiter({ name, points: 3, windowSeconds: 60, store: "database" });
    const allowed: boolean[] = [];
    for (const limiter of [a, b, a, b, a]) allowed.push((await limiter.take("203.0.113.7")).allowed);
    expect(allowed).toEqual([true, true, true, false, false]);
    const refused = await b.take("203.0.113.7");
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await a.take("203.0.113.8")).allowed).toBe(true);
  });
});
