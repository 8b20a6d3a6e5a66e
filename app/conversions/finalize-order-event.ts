/**
 * The last look at an `order_created` event, at delivery time, when more is known than at webhook
 * time: the pixel's receipt (its oppref and consent signal) may have arrived, the order may have been
 * cancelled or refunded, time has passed. Pure: returns what to do, never mutates its input.
 */
import type { CapiEvent } from "./capi-event";
import { consentDecision, type ReceiptConsent } from "./consent";
import { normalizeObref } from "./normalize-user";
import { validOppref, type OpprefSource } from "./oppref";
import { MAX_EVENT_AGE_MS } from "./order-event";
import type { ShopPolicy } from "./shop-policy";
import type { SkipReason } from "./skip-reasons";

export type FinalizeDecision =
  | { action: "send"; event: CapiEvent; opprefSource: OpprefSource }
  | { action: "hold"; until: Date }
  | { action: "skip"; reason: SkipReason; detail: string };

/**
 * In order:
 * 1. Fully cancelled/refunded before any delivery → skip `cancelled_before_send` (never report revenue
 *    that no longer exists; the order's first event would win forever at OpenAI).
 * 2. No receipt yet and still inside the grace period (`eventCreatedAt + policy.opprefGraceMs`), while
 *    the receipt could still change the outcome (no oppref known, or consent blocked only for lack of
 *    a signal) → hold until the grace period ends. The hold is dropped if it would outlive the 7-day
 *    window.
 * 3. Consent (./consent.ts): a "denied" receipt → skip `consent_denied`; no usable signal where one is
 *    needed → skip `no_consent_signal`. Nothing else is decided for a refused event.
 * 4. Older than 7 days → skip `expired`.
 * 5. Send a copy of the event with the best oppref: receipt > landing_site > note_attributes.
 */
export function finalizeOrderCreated(input: {
  event: CapiEvent;
  opprefSource: OpprefSource;
  requiresOptIn: boolean;
  /** The opt-in requirement comes only from not knowing the buyer's country (no address). */
  regionUnknown?: boolean;
  receipt: {
    oppref: string | null;
    consent: ReceiptConsent;
    /** Shopify's saleOfDataAllowed as the pixel read it (null: not reported). */
    saleOfData?: "allowed" | "refused" | "unknown" | null;
    /** OpenAI's `__obref` browser id, raw (stored only with consent). */
    obref?: string | null;
  } | null;
  orderFullyReversed: boolean;
  eventCreatedAt: Date;
  now: Date;
  policy: ShopPolicy;
}): FinalizeDecision {
  const { event, receipt, policy } = input;
  const nowMs = input.now.getTime();

  if (receipt?.saleOfData === "refused") {
    return {
      action: "skip",
      reason: "sale_of_data_refused",
      detail: "the pixel receipt reports that the buyer opted out of the sale or sharing of data",
    };
  }

  if (input.orderFullyReversed) {
    return {
      action: "skip",
      reason: "cancelled_before_send",
      detail: "the order was cancelled or fully refunded before delivery",
    };
  }

  const consent = consentDecision({
    receiptConsent: receipt ? receipt.consent : null,
    requiresOptIn: input.requiresOptIn,
    policy: policy.consentPolicy,
  });
  const receiptOppref = receipt ? validOppref(receipt.oppref) : null;
  const eventOppref = validOppref(event.oppref);

  const graceEndsMs = input.eventCreatedAt.getTime() + Math.max(0, policy.opprefGraceMs);
  const expiresMs = event.timestamp_ms + MAX_EVENT_AGE_MS;
  const receiptCouldMatter = eventOppref === null || (!consent.send && consent.reason === "no_consent_signal");
  if (receipt === null && nowMs < graceEndsMs && graceEndsMs <= expiresMs && receiptCouldMatter) {
    return { action: "hold", until: new Date(graceEndsMs) };
  }

  if (!consent.send) {
    return consent.reason === "consent_denied"
      ? {
          action: "skip",
          reason: "consent_denied",
          detail: "the pixel receipt reports that the buyer declined consent",
        }
      : input.regionUnknown && policy.consentPolicy === "regional"
        ? {
            action: "skip",
            reason: "region_unknown",
            detail: "no consent signal was received and the order has no address to tell the buyer's region",
          }
        : { action: "skip", reason: "no_consent_signal", detail: noSignalDetail(policy.consentPolicy) };
  }

  if (nowMs - event.timestamp_ms > MAX_EVENT_AGE_MS) {
    return { action: "skip", reason: "expired", detail: "the order is more than 7 days old" };
  }

  const finalEvent: CapiEvent = structuredClone(event);
  let opprefSource: OpprefSource;
  if (receiptOppref !== null) {
    finalEvent.oppref = receiptOppref;
    opprefSource = "receipt";
  } else if (eventOppref !== null) {
    finalEvent.oppref = eventOppref;
    opprefSource = input.opprefSource; // where decideOrderCreated found it (landing_site or note_attributes)
  } else {
    delete finalEvent.oppref;
    opprefSource = "none";
  }
  // OpenAI's browser id from the receipt, raw, only where the merchant shares client data and the
  // buyer consented (consent.send here; a receipt carries it only when marketing was granted).
  const obref = receipt?.consent === "granted" ? normalizeObref(receipt.obref) : null;
  if (obref !== null && policy.enhancedMatching.includes("client")) {
    finalEvent.user = { ...finalEvent.user, obref };
  }
  return { action: "send", event: finalEvent, opprefSource };
}

function noSignalDetail(policy: ShopPolicy["consentPolicy"]): string {
  return policy === "skip"
    ? "no consent signal was received and the store only sends with one"
    : "no consent signal was received for a buyer in an opt-in region";
}
