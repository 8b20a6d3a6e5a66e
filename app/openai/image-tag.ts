/**
 * OpenAI's documented no-JavaScript "image tag": one GET per event,
 *   https://bzr.openai.com/v1/sdk/events?pid=…&event=…&data[type]=…[&event_id&oppref&custom_event_name
 *   &data[amount]&data[currency]&data[plan_id]&data[contents]]
 * The official SDK needs a DOM, so the web pixel (a worker) fires this instead. OpenAI rejects unknown
 * parameters, wants each at most once, and forbids PII, customer ids and order ids in the URL, so this
 * builder emits only the documented keys, never an empty value, and has no field that could carry a
 * name, an email or a raw order id (the order's `event_id` is the opaque dedup id).
 *
 * Pure and small: the web pixel bundles it (see extensions/openai-pixel), through
 * buildContentsImageTagUrl. Reference:
 * /work/shared/reference/openai-conversions.md, "Browser pixel".
 */
import { STANDARD_EVENT_DATA_TYPE, isValidCustomEventName } from "../conversions/capi-event";

export const IMAGE_TAG_BASE = "https://bzr.openai.com/v1/sdk/events";

/**
 * One `data[contents]` item. Deliberately WITHOUT `name`: product titles make the URL long (they are
 * free text, often non-ASCII, percent-encoded three bytes per character) and add nothing to
 * matching; the server's Conversions API event carries names for the same order. Ids are Shopify
 * variant ids (the server's `contents[].id` is the variant id too).
 */
export interface ImageTagContent {
  id: string;
  quantity: number;
  /** Unit price in the currency's minor unit (integer). */
  amount?: number;
  currency?: string;
  content_type?: "product";
}

export interface ImageTagInput {
  /** Only for tests and the offline demo (a loopback stand-in); production uses IMAGE_TAG_BASE. */
  base?: string;
  pixelId: string;
  /** A standard event name, or `custom` (then `customEventName` is required). */
  event: string;
  /** Must be the `data.type` OpenAI pairs with `event` (`contents` for the commerce events). */
  dataType: string;
  eventId?: string;
  oppref?: string | null;
  customEventName?: string;
  /** Integer minor units, never negative; `currency` is required with it. */
  amount?: number;
  currency?: string;
  planId?: string;
  contents?: ImageTagContent[];
}

/** Keeps one URL well below the 8 KB many servers and proxies accept for a request line. */
export const MAX_IMAGE_TAG_CONTENTS = 20;

/** Thrown for input OpenAI would reject; the message is the offending parameter's name. */
export class ImageTagError extends Error {
  constructor(param: string) {
    super(`invalid image tag parameter: ${param}`);
    this.name = "ImageTagError";
  }
}

const CURRENCY = /^[A-Z]{3}$/;

export function buildImageTagUrl(input: ImageTagInput): string {
  const { event, dataType, amount, currency } = input;
  const expectedType = event === "custom" ? "custom" : STANDARD_EVENT_DATA_TYPE[event];
  if (!expectedType) throw new ImageTagError("event");
  if (dataType !== expectedType) throw new ImageTagError("data[type]");
  if (!input.pixelId || !input.pixelId.trim()) throw new ImageTagError("pid");
  if (event === "custom" && !(input.customEventName && isValidCustomEventName(input.customEventName))) {
    throw new ImageTagError("custom_event_name");
  }
  if (amount !== undefined && !isMinorUnits(amount)) throw new ImageTagError("data[amount]");
  if ((amount !== undefined || currency !== undefined) && !isCurrency(currency))
    throw new ImageTagError("data[currency]");
  for (const item of (input.contents ?? []).slice(0, MAX_IMAGE_TAG_CONTENTS)) {
    if (!item.id || !Number.isSafeInteger(item.quantity) || item.quantity < 1)
      throw new ImageTagError("data[contents]");
    if (item.amount !== undefined && !(isMinorUnits(item.amount) && isCurrency(item.currency))) {
      throw new ImageTagError("data[contents]");
    }
  }
  return imageTagUrl(input);
}

/**
 * The commerce events, whose `data[type]` is always `contents` (test/openai/image-tag.test.ts checks
 * this against STANDARD_EVENT_DATA_TYPE). They are all the web pixel sends.
 */
export type ContentsEvent = "page_viewed" | "contents_viewed" | "items_added" | "checkout_started" | "order_created";

/**
 * The web pixel's builder, for a commerce event whose values are valid by construction: a non-blank
 * pixel id, amounts from app/conversions/minor-units (safe non-negative integers, always with a
 * 3-letter code), items it built only with an id and a quantity ≥ 1. It skips buildImageTagUrl's
 * checks, which could never fail there, so the pixel does not bundle them or the event table;
 * test/extensions/pixel.test.ts validates every URL the pixel builds against the contract stand-in.
 * Same assembly as buildImageTagUrl: documented keys only, never an empty value, same order.
 */
export function buildContentsImageTagUrl(
  input: Omit<ImageTagInput, "event" | "dataType" | "customEventName" | "planId"> & { event: ContentsEvent },
): string {
  return imageTagUrl({ ...input, dataType: "contents" });
}

/** Assembles valid input: documented keys only, in the documented order, values URL-encoded. */
function imageTagUrl(input: ImageTagInput): string {
  const { event, amount } = input;
  // Rebuilt key by key so nothing but the documented item keys can reach the URL; a currency only
  // ever travels with its amount.
  const contents = (input.contents ?? []).slice(0, MAX_IMAGE_TAG_CONTENTS).map((item): ImageTagContent => ({
    id: String(item.id),
    quantity: item.quantity,
    content_type: "product",
    ...(item.amount === undefined ? {} : { amount: item.amount, currency: item.currency }),
  }));
  // Insertion order is the URL's order.
  const params: Record<string, string | null | undefined> = {
    pid: input.pixelId,
    event,
    "data[type]": input.dataType,
    event_id: input.eventId,
    oppref: input.oppref,
    custom_event_name: event === "custom" ? input.customEventName : undefined,
    "data[amount]": amount === undefined ? undefined : String(amount),
    "data[currency]": input.currency,
    "data[plan_id]": input.planId,
    "data[contents]": contents.length ? JSON.stringify(contents) : undefined,
  };
  const base = input.base ?? IMAGE_TAG_BASE;
  const query = Object.entries(params)
    .filter(([, value]) => typeof value === "string" && value !== "") // never an empty value
    .map(([key, value]) => `${key}=${encodeURIComponent(value as string)}`)
    .join("&");
  return base + (base.includes("?") ? "&" : "?") + query;
}

function isMinorUnits(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isCurrency(value: unknown): value is string {
  return typeof value === "string" && CURRENCY.test(value);
}
