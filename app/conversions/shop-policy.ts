/**
 * The merchant's choices that change what is sent, as the pure core sees them. Loading and saving
 * them is the models layer's job; deciding with them happens here.
 */
import { ALL_MATCHING_FIELDS, type MatchingField } from "./matching";

export interface ShopPolicy {
  /** Master switch for Conversions API events. */
  serverEventsEnabled: boolean;
  /** POS, draft and other non-online-store orders: skip (default) or send with a non-web action_source. */
  nonWebOrders: "skip" | "send";
  /** Which kinds of matching data may be shared with OpenAI. */
  enhancedMatching: readonly MatchingField[];
  /**
   * Orders without a consent signal from the pixel receipt:
   * - "regional": send, except for buyers in opt-in regions (EEA, UK, Switzerland)
   * - "send": always send; "skip": never send without a signal.
   * An explicit "denied" receipt is honoured under every policy.
   */
  consentPolicy: "regional" | "send" | "skip";
  /** Report refunds and cancellations as custom events. */
  correctionsEnabled: boolean;
  refundEventName: string;
  cancelEventName: string;
  /** Custom event for value added after order_created was sent (order edits, upsells, exchanges). */
  valueAddedEventName: string;
  /** Which Shopify webhook counts as the conversion. */
  conversionTrigger: "orders_create" | "orders_paid";
  /**
   * How long a server order event waits for the pixel's receipt (which may carry an oppref or consent
   * signal the webhook lacks) before it is sent without one.
   */
  opprefGraceMs: number;
  /**
   * Orders with no billing or shipping address: null (default) treats the buyer's region as unknown,
   * like an opt-in region; a country code (the shop's own country) judges them as buyers from there.
   */
  addresslessOrderCountry: string | null;
  /**
   * Subscription renewals are never sent as order_created: "skip" (default) records them only;
   * "send" reports them as the custom event `subscription_renewed`.
   */
  subscriptionRenewals: "skip" | "send";
}

export const DEFAULT_SHOP_POLICY: ShopPolicy = Object.freeze({
  serverEventsEnabled: true,
  nonWebOrders: "skip",
  enhancedMatching: Object.freeze([...ALL_MATCHING_FIELDS]),
  consentPolicy: "regional",
  correctionsEnabled: true,
  refundEventName: "order_refunded",
  cancelEventName: "order_cancelled",
  valueAddedEventName: "order_value_added",
  conversionTrigger: "orders_create",
  opprefGraceMs: 5 * 60 * 1000,
  addresslessOrderCountry: null,
  subscriptionRenewals: "skip",
}) as ShopPolicy;
