/**
 * The attribution simulator's pure parts: the seeded population, the cookie clock (Safari's caps) and
 * how one buyer's observations become an outcome. The browser run itself: scripts/simulate.ts, checked
 * by test/sim/simulate-result.test.ts.
 */
import { describe, expect, it } from "vitest";
import { checkTargets, headlineOf, metricsOf, outcomeOf, type BuyerObservation } from "../../sim/attribution-report";
import { ageCookieJar, type JarCookie } from "../../sim/cookie-jar-clock";
import { generateBuyers, type BuyerSpec } from "../../sim/population";

const NOW = 1_796_000_000;
const HOUR = 3600;

function cookie(name: string, value: string, lifetimeSeconds: number): JarCookie {
  return {
    name,
    value,
    domain: "localhost",
    path: "/",
    expires: NOW + lifetimeSeconds,
    httpOnly: false,
    secure: true,
    sameSite: "Lax",
  };
}

describe("population", () => {
  it("is reproducible from its seed and covers every kind the targets name, even in a quick run", () => {
    const a = generateBuyers(100, 7);
    expect(generateBuyers(100, 7)).toEqual(a);
    expect(generateBuyers(100, 8)).not.toEqual(a);
    for (const blocker of ["none", "easyprivacy", "ublock"] as const) {
      const mine = a.filter((b) => b.blocker === blocker);
      for (const consent of ["granted", "none", "denied", "sale_refused", "gpc"] as const)
        expect(mine.some((b) => b.consent === consent)).toBe(true);
      expect(mine.some((b) => b.checkout === "buy_it_now")).toBe(true);
      expect(mine.some((b) => b.browser === "safari" && b.safariTrackerNavigation)).toBe(true);
      expect(mine.some((b) => b.browser === "safari" && !b.safariTrackerNavigation)).toBe(true);
      expect(mine.some((b) => b.timing === "returning" && b.returnAfterHours > 30 * 24)).toBe(true);
      // A refusal that travels in the cart (the embed's _oppref_consent): blockers + cart checkout.
      expect(mine.some((b) => b.consent === "denied" && b.checkout === "cart")).toBe(true);
    }
    expect(a.filter((b) => !b.adDriven).every((b) => b.oppref === null)).toBe(true);
    expect(new Set(a.map((b) => b.oppref).filter(Boolean)).size).toBe(a.filter((b) => b.adDriven).length);
  });
});

describe("cookie clock", () => {
  const jar = [
    cookie("__oppref", "oa_1", 30 * 24 * HOUR),
    cookie("__oppref_at", String(NOW * 1000), 30 * 24 * HOUR),
    cookie("cart", "c1", 14 * 24 * HOUR),
    { ...cookie("_shopify_s", "s1", 1800) },
  ];
  const age = (hours: number, safari: { linkDecorationFromTracker: boolean } | null) =>
    ageCookieJar(jar, { hours, writtenAt: NOW, now: NOW, safari, serverSet: new Set(["cart", "_shopify_s"]) });

  it("moves every cookie's life and the click time back by the gap; expired cookies are gone", () => {
    const later = age(72, null);
    expect(later.map((c) => c.name)).toEqual(["__oppref", "__oppref_at", "cart"]);
    expect(later[0].expires).toBe(NOW + 27 * 24 * HOUR);
    expect(later[1].value).toBe(String((NOW - 72 * HOUR) * 1000));
    expect(age(31 * 24, null).map((c) => c.name)).toEqual([]);
  });

  it("Safari caps script-written cookies at 7 days, 24 hours after link decoration from a tracker; server cookies stay", () => {
    expect(age(6 * 24, { linkDecorationFromTracker: false }).map((c) => c.name)).toEqual([
      "__oppref",
      "__oppref_at",
      "cart",
    ]);
    expect(age(8 * 24, { linkDecorationFromTracker: false }).map((c) => c.name)).toEqual(["cart"]);
    expect(age(20, { linkDecorationFromTracker: true }).map((c) => c.name)).toEqual([
      "__oppref",
      "__oppref_at",
      "cart",
    ]);
    expect(age(25, { linkDecorationFromTracker: true }).map((c) => c.name)).toEqual(["cart"]);
  });
});

describe("outcome of one buyer", () => {
  const spec = (over: Partial<BuyerSpec> = {}): BuyerSpec => ({
    index: 1,
    coverage: false,
    adDriven: true,
    oppref: "oa_click",
    blocker: "ublock",
    consent: "denied",
    region: "US",
    browser: "chromium",
    safariTrackerNavigation: false,
    timing: "same_session",
    returnAfterHours: 0,
    checkout: "cart",
    total: "20.00",
    ...over,
  });
  const observed = (over: Partial<BuyerObservation>): BuyerObservation => ({
    spec: spec(),
    driverError: null,
    blocked: [],
    pixelRan: false,
    order: { orderId: 1, via: "cart", landingSite: "/?oppref=oa_click", noteAttributes: [] },
    receipt: null,
    event: { status: "skipped", skipReason: "consent_denied", oppref: null, opprefSource: null },
    accepted: [],
    pixelTagAccepted: false,
    ...over,
  });
  const refusal = [
    { name: "_oppref_consent", value: "marketing=denied&sale_of_data=allowed&source=consent_cookie&at=1" },
  ];

  it("a refusal carried by the cart attribute reached the app; not sent = correct", () => {
    const out = outcomeOf(observed({ order: { orderId: 1, via: "cart", landingSite: "/", noteAttributes: refusal } }));
    expect(out).toMatchObject({
      allowed: false,
      choiceReachedApp: true,
      choiceVia: "cart",
      correctlyNotSent: true,
      sentAgainstReachedChoice: false,
    });
  });

  it("sent although the refusal reached the app: flagged, and the target check fails", () => {
    const o = observed({
      order: { orderId: 1, via: "cart", landingSite: "/", noteAttributes: refusal },
      event: { status: "delivered", skipReason: null, oppref: "oa_click", opprefSource: "note_attributes" },
      accepted: [{ source: "capi", oppref: "oa_click" }],
    });
    const out = outcomeOf(o);
    expect(out.sentAgainstReachedChoice).toBe(true);
    const m = metricsOf([out], [o]);
    expect(checkTargets(m, {}, 0).find((t) => t.name.includes("against a choice"))?.ok).toBe(false);
  });

  it('"Buy it now" behind a blocker: the refusal could not reach the app, and that is said, not hidden', () => {
    const out = outcomeOf(
      observed({
        order: { orderId: 1, via: "buy_it_now", landingSite: "/?oppref=oa_click", noteAttributes: [] },
        event: { status: "delivered", skipReason: null, oppref: "oa_click", opprefSource: "landing_site" },
        accepted: [{ source: "capi", oppref: "oa_click" }],
      }),
    );
    expect(out.choiceReachedApp).toBe(false);
    expect(out.sentAgainstReachedChoice).toBe(false);
    expect(out.unreachableChoice).toMatch(/pixel sandbox.*Buy it now/);
  });

  it("pixel and server with one id count once (both); two accepted events are a double count", () => {
    const base = {
      spec: spec({ consent: "granted", blocker: "none" }),
      event: { status: "delivered", skipReason: null, oppref: "oa_click", opprefSource: "receipt" },
    };
    const once = outcomeOf(
      observed({ ...base, accepted: [{ source: "pixel", oppref: "oa_click" }], pixelTagAccepted: true }),
    );
    expect(once).toMatchObject({
      countedBy: "both",
      doubleCounted: false,
      opprefAtOpenAi: "pixel",
      inTargetScope: true,
    });
    const twice = outcomeOf(
      observed({
        ...base,
        accepted: [
          { source: "pixel", oppref: "oa_click" },
          { source: "capi", oppref: "oa_click" },
        ],
      }),
    );
    expect(twice.doubleCounted).toBe(true);
  });

  it("a returning Safari buyer past the 24-hour cap is outside the target scope and reported as beyond the lifetime", () => {
    const out = outcomeOf(
      observed({
        spec: spec({
          consent: "granted",
          browser: "safari",
          safariTrackerNavigation: true,
          timing: "returning",
          returnAfterHours: 30,
        }),
        event: { status: "delivered", skipReason: null, oppref: null, opprefSource: "none" },
        accepted: [{ source: "capi", oppref: null }],
      }),
    );
    expect(out).toMatchObject({
      inTargetScope: false,
      beyondCookieLifetime: true,
      opprefAtOpenAi: null,
      countedBy: "server",
    });
  });
});

describe("population-weighted headline", () => {
  it("leaves the coverage buyers out and measures loss and recovery over orders OpenAI may count", () => {
    const row = (coverage: boolean, countedBy: "pixel" | "server" | "both" | "none", allowed = true) => ({
      placed: true,
      allowed,
      countedBy,
      opprefAtOpenAi:
        countedBy === "both" ? ("pixel" as const) : countedBy === "server" ? ("note_attributes" as const) : null,
      spec: { coverage, adDriven: true },
    });
    const h = headlineOf([
      row(true, "none"),
      row(false, "both"),
      row(false, "both"),
      row(false, "both"),
      row(false, "server"),
      row(false, "none", false),
    ]);
    expect(h).toMatchObject({ buyers: 5, allowedOrders: 4, pixelLostShare: 0.25, serverRecoveredShare: 0.25 });
    expect(h.serverLift).toBeCloseTo(1 / 3);
    expect(h).toMatchObject({ opprefShareByPixel: 0.75, opprefShareWithServer: 1 });
  });
});
