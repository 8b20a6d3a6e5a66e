/**
 * The shape of one event in a ChatGPT Ads Conversions API request (`POST /v1/events`, `events[]`).
 * Types only, plus the two tables the contract defines: which `data.type` a standard event carries,
 * and what a custom event name may look like. Field rules: /work/shared/reference/openai-conversions.md.
 */

export type ActionSource = "web" | "mobile_app" | "offline" | "physical_store" | "phone_call" | "email" | "other";

/** One purchased item. OpenAI accepts no other item keys (`variant_dict` is CAPI-only and unused here). */
export interface CapiContentItem {
  id: string;
  name?: string;
  content_type: "product";
  /** Integer count. */
  quantity: number;
  /** UNIT price in the currency's ISO 4217 minor unit (integer). */
  amount?: number;
  currency?: string;
  group_id?: string;
}

export interface CapiData {
  type: "contents" | "customer_action" | "plan_enrollment" | "custom";
  /** Integer in the currency's ISO 4217 minor unit, never negative. `currency` is required with it. */
  amount?: number;
  currency?: string;
  contents?: CapiContentItem[];
  plan_id?: string;
  /** Arbitrary extra keys are only allowed for `type: "custom"`. */
  [extra: string]: unknown;
}

/**
 * Matching data, current plural schema: each list is read up to its first 3 valid unique values.
 * `*_sha256` values are lowercase hex digests of the normalized value; the rest are raw.
 * Built in exactly one place: `buildCapiUser` in ./matching.ts.
 */
export interface CapiUser {
  emails_sha256?: string[];
  phone_numbers_sha256?: string[];
  external_ids_sha256?: string[];
  first_names_sha256?: string[];
  last_names_sha256?: string[];
  countries?: string[];
  regions?: string[];
  cities?: string[];
  postal_codes?: string[];
  obref?: string;
  ip_address?: string;
  user_agent?: string;
}

export interface CapiEvent {
  /** The dedup key: identical across retries and between pixel and CAPI. */
  id: string;
  /** A standard event name, or `custom` (then `custom_event_name` is required). */
  type: string;
  /** Unix milliseconds of the action: at most 7 days old and 10 minutes in the future. */
  timestamp_ms: number;
  custom_event_name?: string;
  action_source: ActionSource;
  /** Absolute origin + path (no query, no fragment); required when `action_source` is `web`. */
  source_url?: string;
  /** Raw click reference; omitted when unknown, never an empty string. */
  oppref?: string;
  user?: CapiUser;
  opt_out?: boolean;
  data: CapiData;
}

/**
 * Standard event name → the only `data.type` OpenAI accepts with it. (`@__PURE__` tells bundlers the
 * freeze has no side effect, so the web pixel, which never reads the table, does not carry it.)
 */
export const STANDARD_EVENT_DATA_TYPE: Record<string, CapiData["type"]> = /* @__PURE__ */ Object.freeze({
  page_viewed: "contents",
  contents_viewed: "contents",
  items_added: "contents",
  checkout_started: "contents",
  order_created: "contents",
  lead_created: "customer_action",
  registration_completed: "customer_action",
  appointment_scheduled: "customer_action",
  subscription_created: "plan_enrollment",
  trial_started: "plan_enrollment",
});

export function isStandardEventName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(STANDARD_EVENT_DATA_TYPE, name);
}

/** OpenAI's documented pattern for `custom_event_name`: 1-64 chars, lowercase, no edge `_`/`-`. */
export const CUSTOM_EVENT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/;

/** A name usable as `custom_event_name`: matches the pattern and does not shadow a standard event. */
export function isValidCustomEventName(name: string): boolean {
  return typeof name === "string" && CUSTOM_EVENT_NAME_PATTERN.test(name) && !isStandardEventName(name);
}
