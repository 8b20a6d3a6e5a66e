/**
 * What the attribution simulator measured, per buyer and summed per kind of buyer: pure functions over
 * what the browser, the app's database and the OpenAI stand-in recorded (scripts/simulate.ts gathers
 * them). Nothing here decides what the app should have done from the app's own answer: "allowed" and
 * "within the cookie's lifetime" come from the buyer's specification alone.
 */
import { scriptCookieLifetimeSeconds } from "./cookie-jar-clock";
import type { BuyerSpec } from "./population";

export type OpprefSourceAtOpenAi = "pixel" | "receipt" | "landing_site" | "note_attributes";

/** What was observed for one buyer. */
export interface BuyerObservation {
  spec: BuyerSpec;
  /** The browser run failed: the buyer has no order (counted, never hidden). */
  driverError: string | null;
  blocked: string[];
  pixelRan: boolean;
  order: {
    orderId: number;
    via: "cart" | "buy_it_now";
    landingSite: string;
    noteAttributes: { name: string; value: string }[];
  } | null;
  receipt: { consent: string; saleOfData: string | null; oppref: string | null } | null;
  /** The app's order_created row. */
  event: { status: string; skipReason: string | null; oppref: string | null; opprefSource: string | null } | null;
  /** order_created events OpenAI's stand-in accepted under this order's dedup id (first wins). */
  accepted: { source: "pixel" | "capi"; oppref: string | null }[];
  /** The pixel's order_created image tag reached OpenAI and was answered 200. */
  pixelTagAccepted: boolean;
}

export interface BuyerOutcome {
  index: number;
  group: string;
  placed: boolean;
  /** Marketing allowed (a recorded yes, or no choice outside opt-in regions) and the sale of data not refused. */
  allowed: boolean;
  countedBy: "pixel" | "server" | "both" | "none";
  /** More than one order_created counted at OpenAI for this order. */
  doubleCounted: boolean;
  opprefAtOpenAi: OpprefSourceAtOpenAi | null;
  /** OpenAI holds an oppref that is not this buyer's click. */
  wrongOppref: boolean;
  /** Ad-driven, allowed, and bought while the click could still be known (see inTargetScope). */
  inTargetScope: boolean;
  /** The click's cookie had expired by the purchase visit (returning buyers past the cookie's lifetime). */
  beyondCookieLifetime: boolean;
  /** For buyers who did not allow it: did their refusal reach the app (receipt or cart attribute)? */
  choiceReachedApp: boolean | null;
  /** Which carried the refusal to the app: the pixel's receipt, the cart attribute, or both. */
  choiceVia: "receipt" | "cart" | "both" | null;
  sentByServer: boolean;
  sentAgainstReachedChoice: boolean;
  correctlyNotSent: boolean;
  /** A refusal that could not reach the app, and why. */
  unreachableChoice: string | null;
}

export function groupOf(spec: BuyerSpec): string {
  const blocker = { none: "no blocker", easyprivacy: "EasyPrivacy", ublock: "uBlock default" }[spec.blocker];
  return `${blocker} · ${spec.browser === "safari" ? "Safari-like" : "Chromium-like"}`;
}

function allowedBy(spec: BuyerSpec): boolean {
  if (spec.consent === "granted") return true;
  return spec.consent === "none" && spec.region === "US";
}

function refusalIn(attributes: { name: string; value: string }[]): boolean {
  const text = attributes.find((a) => a.name === "_oppref_consent")?.value;
  if (!text) return false;
  const params = new URLSearchParams(text);
  return params.get("marketing") === "denied" || params.get("sale_of_data") === "refused";
}

export function outcomeOf(o: BuyerObservation): BuyerOutcome {
  const { spec } = o;
  const allowed = allowedBy(spec);
  const lifetimeSeconds = scriptCookieLifetimeSeconds(
    spec.browser === "safari" ? { linkDecorationFromTracker: spec.safariTrackerNavigation } : null,
  );
  const beyondCookieLifetime = spec.timing === "returning" && spec.returnAfterHours * 3600 >= lifetimeSeconds;
  // "Buy it now" on a later visit has neither the landing page's oppref nor the cart's attributes: a
  // gap of Shopify's dynamic checkout (docs/ADBLOCK.md), reported beside the target, not inside it.
  const knownGap = spec.timing === "returning" && spec.checkout === "buy_it_now";
  const inTargetScope = spec.adDriven && allowed && !beyondCookieLifetime && !knownGap;

  const first = o.accepted[0] ?? null;
  const sentByServer = o.event?.status === "delivered";
  const pixel = o.pixelTagAccepted || o.accepted.some((a) => a.source === "pixel");
  const countedBy: BuyerOutcome["countedBy"] =
    o.accepted.length === 0 ? "none" : pixel && sentByServer ? "both" : pixel ? "pixel" : "server";
  let opprefAtOpenAi: OpprefSourceAtOpenAi | null = null;
  if (first?.oppref && first.oppref === spec.oppref) {
    opprefAtOpenAi =
      first.source === "pixel"
        ? "pixel"
        : ((o.event?.opprefSource as OpprefSourceAtOpenAi | null | undefined) ?? "landing_site");
  }
  const wrongOppref = o.accepted.some((a) => a.oppref !== null && a.oppref !== spec.oppref);

  let choiceReachedApp: boolean | null = null;
  let choiceVia: BuyerOutcome["choiceVia"] = null;
  let unreachableChoice: string | null = null;
  if (!allowed && o.order) {
    const inReceipt = o.receipt !== null && (o.receipt.consent !== "granted" || o.receipt.saleOfData === "refused");
    const inCart = refusalIn(o.order.noteAttributes);
    choiceReachedApp = inReceipt || inCart;
    choiceVia = inReceipt && inCart ? "both" : inReceipt ? "receipt" : inCart ? "cart" : null;
    if (!choiceReachedApp) {
      const why: string[] = [];
      why.push(
        o.pixelRan ? "the pixel's receipt did not arrive" : "the blocker stopped Shopify's pixel sandbox (no receipt)",
      );
      if (o.order.via === "buy_it_now") why.push('"Buy it now" skips the cart (no cart attributes)');
      else if (spec.region === "DE" && spec.consent === "none")
        why.push("no recorded choice in an opt-in region: the embed writes nothing, by design");
      else why.push("the cart carried no _oppref_consent");
      unreachableChoice = why.join("; ");
    }
  }
  return {
    index: spec.index,
    group: groupOf(spec),
    placed: o.order !== null,
    allowed,
    countedBy,
    doubleCounted: o.accepted.length > 1,
    opprefAtOpenAi,
    wrongOppref,
    inTargetScope,
    beyondCookieLifetime,
    choiceReachedApp,
    choiceVia,
    sentByServer,
    sentAgainstReachedChoice: !allowed && choiceReachedApp === true && o.accepted.length > 0,
    correctlyNotSent: !allowed && o.order !== null && o.accepted.length === 0,
    unreachableChoice,
  };
}

export interface GroupMetrics {
  buyers: number;
  placed: number;
  driverErrors: number;
  counted: { pixel: number; server: number; both: number; total: number };
  doubleCounted: number;
  opprefReached: { pixel: number; receipt: number; landing_site: number; note_attributes: number; total: number };
  wrongOppref: number;
  target: { orders: number; opprefReached: number; share: number | null };
  beyondLifetime: { orders: number; opprefReached: number };
  allowedOrders: number;
  pixelCountedAllowed: number;
  countedAllowed: number;
  notAllowedOrders: number;
  correctlyNotSent: number;
  sentAgainstReachedChoice: number;
  unreachableChoices: number;
  unreachableChoicesSent: number;
  /**
   * Of the orders OpenAI may count (the buyer allowed it): counted with server events over counted by
   * the pixel alone, minus 1 (null: the pixel got none counted).
   */
  serverLift: number | null;
  /** The same for orders that reached OpenAI with their oppref. */
  attributedLift: number | null;
}

export function metricsOf(outcomes: readonly BuyerOutcome[], observations: readonly BuyerObservation[]): GroupMetrics {
  const byIndex = new Map(observations.map((o) => [o.spec.index, o]));
  const count = (f: (x: BuyerOutcome) => boolean) => outcomes.filter(f).length;
  const reached = (source: OpprefSourceAtOpenAi) => count((x) => x.opprefAtOpenAi === source);
  const total = count((x) => x.countedBy !== "none");
  const pixelCountedAllowed = count((x) => x.allowed && (x.countedBy === "pixel" || x.countedBy === "both"));
  const countedAllowed = count((x) => x.allowed && x.countedBy !== "none");
  const pixelAttributed = count((x) => x.opprefAtOpenAi === "pixel");
  const attributed = count((x) => x.opprefAtOpenAi !== null);
  const targetOrders = count((x) => x.placed && x.inTargetScope);
  const targetReached = count((x) => x.placed && x.inTargetScope && x.opprefAtOpenAi !== null);
  return {
    buyers: outcomes.length,
    placed: count((x) => x.placed),
    driverErrors: outcomes.filter((x) => byIndex.get(x.index)?.driverError).length,
    counted: {
      pixel: count((x) => x.countedBy === "pixel"),
      server: count((x) => x.countedBy === "server"),
      both: count((x) => x.countedBy === "both"),
      total,
    },
    doubleCounted: count((x) => x.doubleCounted),
    opprefReached: {
      pixel: reached("pixel"),
      receipt: reached("receipt"),
      landing_site: reached("landing_site"),
      note_attributes: reached("note_attributes"),
      total: attributed,
    },
    wrongOppref: count((x) => x.wrongOppref),
    target: {
      orders: targetOrders,
      opprefReached: targetReached,
      share: targetOrders ? targetReached / targetOrders : null,
    },
    beyondLifetime: {
      orders: count((x) => x.placed && x.beyondCookieLifetime && x.allowed && byIndex.get(x.index)!.spec.adDriven),
      opprefReached: count(
        (x) =>
          x.placed &&
          x.beyondCookieLifetime &&
          x.allowed &&
          byIndex.get(x.index)!.spec.adDriven &&
          x.opprefAtOpenAi !== null,
      ),
    },
    allowedOrders: count((x) => x.placed && x.allowed),
    pixelCountedAllowed,
    countedAllowed,
    notAllowedOrders: count((x) => x.placed && !x.allowed),
    correctlyNotSent: count((x) => x.correctlyNotSent),
    sentAgainstReachedChoice: count((x) => x.sentAgainstReachedChoice),
    unreachableChoices: count((x) => x.unreachableChoice !== null),
    unreachableChoicesSent: count((x) => x.unreachableChoice !== null && x.countedBy !== "none"),
    serverLift: pixelCountedAllowed ? countedAllowed / pixelCountedAllowed - 1 : null,
    attributedLift: pixelAttributed ? attributed / pixelAttributed - 1 : null,
  };
}

export interface TargetCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export const OPPREF_TARGET_SHARE = 0.95;

export function checkTargets(
  overall: GroupMetrics,
  perBlocker: Record<string, GroupMetrics>,
  unmatchedAccepted: number,
): TargetCheck[] {
  const checks: TargetCheck[] = [
    {
      name: "no double counts at OpenAI",
      ok: overall.doubleCounted === 0 && unmatchedAccepted === 0,
      detail: `${overall.doubleCounted} orders counted twice, ${unmatchedAccepted} accepted order_created events matching no order`,
    },
    {
      name: "no order sent against a choice that reached the app",
      ok: overall.sentAgainstReachedChoice === 0,
      detail: `${overall.sentAgainstReachedChoice} of ${overall.notAllowedOrders - overall.unreachableChoices} orders whose refusal reached the app`,
    },
    {
      name: "no oppref that is not the buyer's own",
      ok: overall.wrongOppref === 0,
      detail: `${overall.wrongOppref} orders`,
    },
    {
      name: "every buyer placed an order",
      ok: overall.driverErrors === 0 && overall.placed === overall.buyers,
      detail: `${overall.placed} of ${overall.buyers} (${overall.driverErrors} browser errors)`,
    },
  ];
  for (const [blocker, m] of Object.entries(perBlocker)) {
    checks.push({
      name: `oppref reaches OpenAI for ≥ ${OPPREF_TARGET_SHARE * 100}% of in-scope orders: ${blocker}`,
      ok: m.target.orders > 0 && (m.target.share ?? 0) >= OPPREF_TARGET_SHARE,
      detail: `${m.target.opprefReached} of ${m.target.orders} (${pct(m.target.share)})`,
    });
  }
  return checks;
}

export function pct(share: number | null): string {
  return share === null ? "–" : `${(share * 100).toFixed(1)}%`;
}

/** The printed table: one row per kind of buyer, then the total. */
export function formatTable(rows: { label: string; m: GroupMetrics }[]): string {
  const header = [
    "buyers",
    "orders",
    "OpenAI counted (pixel/server/both)",
    "oppref at OpenAI (pixel/receipt/landing/cart)",
    "target scope",
    "correctly not sent",
    "choice could not reach app (sent)",
    "server lift",
  ];
  const lines = [`| buyer type | ${header.join(" | ")} |`, `|---|${header.map(() => "---:").join("|")}|`];
  for (const { label, m } of rows) {
    lines.push(
      `| ${label} | ${m.buyers} | ${m.placed} | ${m.counted.total} (${m.counted.pixel}/${m.counted.server}/${m.counted.both}) | ` +
        `${m.opprefReached.total} (${m.opprefReached.pixel}/${m.opprefReached.receipt}/${m.opprefReached.landing_site}/${m.opprefReached.note_attributes}) | ` +
        `${m.target.opprefReached}/${m.target.orders} (${pct(m.target.share)}) | ${m.correctlyNotSent}/${m.notAllowedOrders} | ` +
        `${m.unreachableChoices} (${m.unreachableChoicesSent}) | ${m.serverLift === null ? "–" : `+${pct(m.serverLift)}`} |`,
    );
  }
  return lines.join("\n");
}

export interface Headline {
  /** Buyers drawn with the population's weights (the fixed coverage buyers left out). */
  buyers: number;
  allowedOrders: number;
  /** Of orders OpenAI may count, the share the pixel alone does not get counted. */
  pixelLostShare: number | null;
  /** Of the same orders, the share counted only thanks to server events. */
  serverRecoveredShare: number | null;
  adDrivenAllowedOrders: number;
  /** Of ad-driven orders OpenAI may count, the share that reached it with their oppref: pixel alone, and in all. */
  opprefShareByPixel: number | null;
  opprefShareWithServer: number | null;
  serverLift: number | null;
}

/** The population-weighted figures: only buyers drawn from the weights, never the coverage buyers. */
export function headlineOf(
  rows: readonly (Pick<BuyerOutcome, "placed" | "allowed" | "countedBy" | "opprefAtOpenAi"> & {
    spec: Pick<BuyerSpec, "coverage" | "adDriven">;
  })[],
): Headline {
  const drawn = rows.filter((r) => !r.spec.coverage && r.placed);
  const allowed = drawn.filter((r) => r.allowed);
  const byPixel = allowed.filter((r) => r.countedBy === "pixel" || r.countedBy === "both").length;
  const counted = allowed.filter((r) => r.countedBy !== "none").length;
  const ad = allowed.filter((r) => r.spec.adDriven);
  const share = (n: number, d: number) => (d ? n / d : null);
  return {
    buyers: rows.filter((r) => !r.spec.coverage).length,
    allowedOrders: allowed.length,
    pixelLostShare: share(allowed.length - byPixel, allowed.length),
    serverRecoveredShare: share(counted - byPixel, allowed.length),
    adDrivenAllowedOrders: ad.length,
    opprefShareByPixel: share(ad.filter((r) => r.opprefAtOpenAi === "pixel").length, ad.length),
    opprefShareWithServer: share(ad.filter((r) => r.opprefAtOpenAi !== null).length, ad.length),
    serverLift: byPixel ? counted / byPixel - 1 : null,
  };
}
