/**
 * The choices a merchant can make on the settings page, with the words the page shows for them.
 * Shared by the form (labels) and the server-side validation (allowed values), so a value the page
 * offers is always a value the server accepts.
 */
import type { MatchingField } from "~/conversions/matching";

export interface Option<T extends string> {
  value: T;
  label: string;
  helpText?: string;
}

export type FunnelEvent = "page_viewed" | "contents_viewed" | "items_added" | "checkout_started";

export const FUNNEL_EVENT_OPTIONS: Option<FunnelEvent>[] = [
  { value: "page_viewed", label: "Page views", helpText: "page_viewed: every storefront page" },
  { value: "contents_viewed", label: "Product views", helpText: "contents_viewed: a product page was opened" },
  { value: "items_added", label: "Add to cart", helpText: "items_added: a product went into the cart" },
  { value: "checkout_started", label: "Checkout started", helpText: "checkout_started: the buyer reached checkout" },
];

export const MATCHING_OPTIONS: Option<MatchingField>[] = [
  { value: "email", label: "Email address", helpText: "Sent only as a one-way hash (SHA-256)." },
  { value: "phone", label: "Phone number", helpText: "Sent only as a one-way hash (SHA-256)." },
  { value: "name", label: "First and last name", helpText: "Sent only as one-way hashes (SHA-256)." },
  { value: "external_id", label: "Shopify customer ID", helpText: "Sent only as a one-way hash (SHA-256)." },
  { value: "address", label: "Country, region, city and postal code" },
  {
    value: "client",
    label: "Browser details",
    helpText:
      "IP address and user agent of online-store checkouts only (never staff, API or POS orders; never private addresses), and OpenAI's browser id (__obref) when OpenAI's own pixel SDK also runs on your store and the buyer consented.",
  },
];

export type ConsentPolicy = "regional" | "send" | "skip";

export const CONSENT_OPTIONS: Option<ConsentPolicy>[] = [
  {
    value: "regional",
    label: "Send, except for buyers in the EU, EEA, UK and Switzerland (recommended)",
    helpText: "Where the law requires opt-in consent, an order is only sent when the buyer's consent was recorded.",
  },
  { value: "send", label: "Always send", helpText: "Use this only if your store collects consent some other way." },
  {
    value: "skip",
    label: "Never send without a recorded consent signal",
    helpText: "The strictest choice: some sales will not be counted.",
  },
];

export type ConversionTrigger = "orders_create" | "orders_paid";

export const TRIGGER_OPTIONS: Option<ConversionTrigger>[] = [
  { value: "orders_create", label: "When the order is placed (recommended)", helpText: "Counts the sale right away." },
  {
    value: "orders_paid",
    label: "When the order is paid",
    helpText: "For stores with manual or delayed payments (bank transfer, cash on delivery).",
  },
];

export type SubscriptionRenewals = "skip" | "send";

export const SUBSCRIPTION_RENEWAL_OPTIONS: Option<SubscriptionRenewals>[] = [
  {
    value: "skip",
    label: "Don't report renewals (recommended)",
    helpText:
      "A subscription's first order counts as a sale and as subscription_created. Later renewals are repeat charges, not new sales from an ad: they are recorded here and never sent as order_created.",
  },
  {
    value: "send",
    label: "Report renewals as the custom event subscription_renewed",
    helpText: "For your reports only: a custom event is not a new conversion.",
  },
];

export type NonWebOrders = "skip" | "send";

export const NON_WEB_OPTIONS: Option<NonWebOrders>[] = [
  {
    value: "skip",
    label: "Online store orders only (recommended)",
    helpText: "Point-of-sale and draft orders are not sent.",
  },
  {
    value: "send",
    label: "Also send point-of-sale, draft and other non-web orders",
    helpText: "They are reported as offline or in-store sales.",
  },
];

export type AddresslessOrders = "opt_in_region" | "shop_country";

/** Orders with no billing or shipping address (digital goods, some wallets): how consent judges them. */
export const ADDRESSLESS_OPTIONS: Option<AddresslessOrders>[] = [
  {
    value: "opt_in_region",
    label: "Treat them as from an opt-in region (recommended)",
    helpText:
      "Without an address the buyer's region is unknown, so they are only sent when the buyer's consent was recorded.",
  },
  {
    value: "shop_country",
    label: "Treat them as from your shop's own country",
    helpText: "For stores that sell only in their own country: the consent rule for that country applies.",
  },
];

export const ALL_FUNNEL_EVENTS: FunnelEvent[] = FUNNEL_EVENT_OPTIONS.map((o) => o.value);

export function valuesOf<T extends string>(options: Option<T>[]): [T, ...T[]] {
  return options.map((o) => o.value) as [T, ...T[]];
}
