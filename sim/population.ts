/**
 * Who the simulated buyers are: an ASSUMPTION, written down and seeded, not a measurement. Every share
 * below is a weight the simulator draws from (`npm run simulate -- --population <file.json>` replaces
 * any of them); the result says how this app's own code behaves for each kind of buyer, and the overall
 * figures are only as representative as these weights. Sources for the defaults, where there are any,
 * are in docs/SIGNAL.md.
 */
import { seededRandom } from "../test/helpers/seeded-random";

export type Blocker = "none" | "easyprivacy" | "ublock";
/**
 * granted / denied: a recorded banner choice (Shopify's `_tracking_consent` cookie);
 * sale_refused: marketing accepted, sale/sharing of data refused (a US state privacy-law opt-out link);
 * gpc: Global Privacy Control on, no banner choice; none: no choice recorded (region default).
 */
export type Consent = "granted" | "denied" | "sale_refused" | "gpc" | "none";
export type Timing = "same_session" | "returning";
export type BrowserKind = "chromium" | "safari";
export type Checkout = "cart" | "buy_it_now";
/** The storefront market and the buyer's address: US (no opt-in law) or an EEA country (opt-in). */
export type Region = "US" | "DE";

export interface BuyerSpec {
  index: number;
  /** One of the fixed buyers every run starts with (coverage), not drawn from the population's weights. */
  coverage: boolean;
  /** Came from a ChatGPT ad (`?oppref=` on the landing page) or not (organic: no oppref anywhere). */
  adDriven: boolean;
  oppref: string | null;
  blocker: Blocker;
  consent: Consent;
  region: Region;
  browser: BrowserKind;
  /** Safari only: the ad click was a link-decorated navigation from a domain ITP classifies as a tracker. */
  safariTrackerNavigation: boolean;
  timing: Timing;
  /** Returning buyers: hours between the ad click and the purchase visit. */
  returnAfterHours: number;
  checkout: Checkout;
  /** The order total, decimal string. */
  total: string;
}

type Weights<K extends string> = Record<K, number>;

export interface Population {
  adDrivenShare: number;
  blocker: Weights<Blocker>;
  consent: Weights<Consent>;
  region: Weights<Region>;
  browser: Weights<BrowserKind>;
  /** Of Safari buyers: share whose click ITP treats as link decoration from a classified tracker (24 h cap). */
  safariTrackerNavigationShare: number;
  timing: Weights<Timing>;
  /** Returning buyers: [from, to) hours after the click, weighted. */
  returnAfter: { fromHours: number; toHours: number; weight: number }[];
  checkout: Weights<Checkout>;
}

export const DEFAULT_POPULATION: Population = {
  adDrivenShare: 0.9,
  blocker: { none: 0.6, easyprivacy: 0.15, ublock: 0.25 },
  consent: { granted: 0.45, none: 0.25, denied: 0.12, sale_refused: 0.08, gpc: 0.1 },
  region: { US: 0.7, DE: 0.3 },
  browser: { chromium: 0.65, safari: 0.35 },
  safariTrackerNavigationShare: 0.5,
  timing: { same_session: 0.6, returning: 0.4 },
  returnAfter: [
    { fromHours: 2, toHours: 20, weight: 0.3 },
    { fromHours: 30, toHours: 6 * 24, weight: 0.35 },
    { fromHours: 8 * 24, toHours: 28 * 24, weight: 0.25 },
    { fromHours: 32 * 24, toHours: 45 * 24, weight: 0.1 },
  ],
  checkout: { cart: 0.7, buy_it_now: 0.3 },
};

function pick<K extends string>(random: () => number, weights: Weights<K>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [key, weight] of entries) {
    r -= weight;
    if (r < 0) return key;
  }
  return entries[entries.length - 1][0];
}

/**
 * `count` buyers drawn from `population` with `seed`. The first buyers are one of every kind the
 * targets are about (each blocker × consent, each timing, Safari caps, "Buy it now"), so even a quick
 * run covers them; the rest are drawn at random.
 */
export function generateBuyers(count: number, seed: number, population: Population = DEFAULT_POPULATION): BuyerSpec[] {
  const random = seededRandom(seed);
  const buyers: BuyerSpec[] = [];
  const coverage = coverageBuyers();
  for (let index = 0; index < count; index++) {
    const forced = coverage[index];
    const adDriven = forced ? (forced.adDriven ?? true) : random() < population.adDrivenShare;
    const browser = forced?.browser ?? pick(random, population.browser);
    const timing = forced?.timing ?? pick(random, population.timing);
    const band = pick(
      random,
      Object.fromEntries(population.returnAfter.map((b, i) => [String(i), b.weight])) as Weights<string>,
    );
    const { fromHours, toHours } = population.returnAfter[Number(band)];
    const drawnHours = Math.round(fromHours + random() * (toHours - fromHours));
    const safariTrackerNavigation = browser === "safari" && random() < population.safariTrackerNavigationShare;
    buyers.push({
      index,
      coverage: forced !== undefined,
      adDriven,
      oppref: adDriven ? `oa_sim_${seed}_${index}_${Math.floor(random() * 1e9).toString(36)}` : null,
      blocker: forced?.blocker ?? pick(random, population.blocker),
      consent: forced?.consent ?? pick(random, population.consent),
      region: forced?.region ?? pick(random, population.region),
      browser,
      safariTrackerNavigation: forced?.safariTrackerNavigation ?? safariTrackerNavigation,
      timing,
      returnAfterHours: timing === "same_session" ? 0 : (forced?.returnAfterHours ?? drawnHours),
      checkout: forced?.checkout ?? pick(random, population.checkout),
      total: (19 + Math.floor(random() * 180) + Math.floor(random() * 100) / 100).toFixed(2),
    });
  }
  return buyers;
}

/** One buyer per situation the targets name, in a fixed order (partial specs; the rest is drawn). */
function coverageBuyers(): Partial<BuyerSpec>[] {
  const out: Partial<BuyerSpec>[] = [];
  for (const blocker of ["none", "easyprivacy", "ublock"] as const) {
    for (const consent of ["granted", "none", "denied", "sale_refused", "gpc"] as const) {
      out.push({ blocker, consent, region: "US", browser: "chromium", timing: "same_session", checkout: "cart" });
    }
    out.push({
      blocker,
      consent: "granted",
      region: "DE",
      browser: "chromium",
      timing: "same_session",
      checkout: "cart",
    });
    out.push({ blocker, consent: "none", region: "DE", browser: "chromium", timing: "same_session", checkout: "cart" });
    out.push({
      blocker,
      consent: "denied",
      region: "DE",
      browser: "chromium",
      timing: "same_session",
      checkout: "cart",
    });
    out.push({
      blocker,
      consent: "granted",
      region: "US",
      browser: "chromium",
      timing: "same_session",
      checkout: "buy_it_now",
    });
    out.push({
      blocker,
      consent: "denied",
      region: "US",
      browser: "chromium",
      timing: "same_session",
      checkout: "buy_it_now",
    });
    out.push({
      blocker,
      consent: "granted",
      region: "US",
      browser: "chromium",
      timing: "returning",
      returnAfterHours: 72,
      checkout: "cart",
    });
    out.push({
      blocker,
      consent: "granted",
      region: "US",
      browser: "chromium",
      timing: "returning",
      returnAfterHours: 40 * 24,
      checkout: "cart",
    });
    const safari = {
      blocker,
      consent: "granted",
      region: "US",
      browser: "safari",
      timing: "returning",
      checkout: "cart",
    } as const;
    out.push({ ...safari, safariTrackerNavigation: false, returnAfterHours: 5 * 24 });
    out.push({ ...safari, safariTrackerNavigation: false, returnAfterHours: 9 * 24 });
    out.push({ ...safari, safariTrackerNavigation: true, returnAfterHours: 12 });
    out.push({ ...safari, safariTrackerNavigation: true, returnAfterHours: 48 });
    out.push({
      blocker,
      adDriven: false,
      consent: "granted",
      region: "US",
      browser: "chromium",
      timing: "same_session",
      checkout: "cart",
    });
  }
  return out;
}
