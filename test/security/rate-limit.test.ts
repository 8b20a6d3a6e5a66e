import { describe, expect, it } from "vitest";
import { clientIp, TokenBucketLimiter } from "~/security/rate-limit.server";

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

describe("clientIp", () => {
  const req = (headers: Record<string, string>) => new Request("https://app.example.test/", { headers });

  it("takes the address appended by the nearest proxy (right-most X-Forwarded-For entry)", () => {
    expect(clientIp(req({ "X-Forwarded-For": "1.1.1.1, 2.2.2.2, 3.3.3.3" }))).toBe("3.3.3.3");
    expect(clientIp(req({ "X-Forwarded-For": "1.1.1.1, 2.2.2.2, 3.3.3.3" }), 2)).toBe("2.2.2.2");
    expect(clientIp(req({ "X-Forwarded-For": "3.3.3.3" }), 5)).toBe("3.3.3.3");
    expect(clientIp(req({ "X-Forwarded-For": "2001:db8::1" }))).toBe("2001:db8::1");
  });

  it("falls back to X-Real-IP, else null", () => {
    expect(clientIp(req({ "X-Real-IP": " 4.4.4.4 " }))).toBe("4.4.4.4");
    expect(clientIp(req({}))).toBeNull();
    expect(clientIp(req({ "X-Forwarded-For": " , " }))).toBeNull();
  });
});
