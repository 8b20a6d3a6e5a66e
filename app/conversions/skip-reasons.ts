/**
 * Every decision not to send an event is recorded with one of these reasons; the reconciliation view
 * is built from them. The descriptions are shown to merchants as-is: short, plain, no jargon.
 */
export const SKIP_REASONS = {
  test_order: "Test order: Shopify marked it as a test, so it is not reported to OpenAI.",
  pos_order: "Point-of-sale order: in-store sales are not sent unless you turn on non-web orders.",
  non_web_order:
    "Not an online-store order (draft order, app or other channel): not sent unless you turn on non-web orders.",
  disabled: "Server events are turned off in the app settings.",
  expired: "Older than 7 days: OpenAI no longer accepts it.",
  malformed_payload: "Shopify sent data this app could not read (a required field was missing or invalid).",
  consent_denied: "The buyer declined tracking consent.",
  no_consent_signal: "No consent signal was received for a buyer in a region that requires opt-in.",
  region_unknown: "No consent signal, and no address to tell the buyer's region: treated like an opt-in region.",
  sale_of_data_refused: "The buyer opted out of the sale or sharing of their data.",
  order_not_seen: "The order never reached the app (placed before install, or never sent): nothing to correct.",
  cancelled_before_send: "The order was cancelled or fully refunded before it was sent.",
  rejected_by_openai: "OpenAI rejected the event as invalid; it will not be retried.",
  corrections_disabled: "Refund and cancellation reporting is turned off in the app settings.",
  duplicate: "Already recorded: Shopify delivered the same event more than once.",
  not_configured: "The app is not connected to OpenAI yet (missing Pixel ID or Conversions API key).",
  uninstalled: "The app was uninstalled from this store.",
  zero_amount: "Nothing to report: the amount is zero.",
  order_not_counted: "The order itself was never reported to OpenAI, so there is nothing to correct.",
  subscription_renewal: "Subscription renewal: a repeat charge of an existing subscription, not a new sale from an ad.",
  included_in_order: "The order's value changed before it was sent: the order's own event carries the new amount.",
  already_reversed: "Nothing left to report: earlier refunds or a cancellation already reversed this amount.",
} as const satisfies Record<string, string>;

export type SkipReason = keyof typeof SKIP_REASONS;

export function isSkipReason(value: unknown): value is SkipReason {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(SKIP_REASONS, value);
}
