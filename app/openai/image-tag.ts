/**
 * OpenAI's documented no-JavaScript "image tag": one GET per event,
 *   https://bzr.openai.com/v1/sdk/events?pid=…&event=…&data[type]=…[&event_id&oppref&custom_event_name
 *   &data[amount]&data[currency]&data[plan_id]&data[contents]]
 * The official SDK needs a DOM, so the web pixel (a worker) fires this instead. OpenAI rejects unknown
 * parameters, wants each at most once, and forbids PII, customer ids and order ids in the URL, so this
 * builder emits only the documented keys, never an empty value, and has no field that could carry a
 * name, an email or a raw order id (the order's `event_id` is the opaque dedup id).
 *
 * Pure and small: the web pixel bundles it (see extensions/openai-pixel). Reference:
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
  const { event, dataType } = input;
  const expectedType = event === "custom" ? "custom" : STANDARD_EVENT_DATA_TYPE[event];
  if (!expectedType) throw new ImageTagError("event");
  if (dataType !== expectedType) throw new ImageTagError("data[type]");

  const params: [string, string][] = [];
  const add = (key: string, value: string | undefined | null) => {
    if (typeof value === "string" && value !== "") params.push([key, value]);
  };

  if (!input.pixelId || !input.pixelId.trim()) throw new ImageTagError("pid");
  add("pid", input.pixelId);
  add("event", event);
  add("data[type]", dataType);
  add("event_id", input.eventId);
  add("oppref", input.oppref);

  if (event === "custom") {
    if (!input.customEventName || !isValidCustomEventName(input.customEventName)) {
      throw new ImageTagError("custom_event_name");
    }
    add("custom_event_name", input.customEventName);
  }

  if (input.amount !== undefined) {
    if (!isMinorUnits(input.amount)) throw new ImageTagError("data[amount]");
    if (!isCurrency(input.currency)) throw new ImageTagError("data[currency]");
    add("data[amount]", String(input.amount));
  }
  if (input.currency !== undefined) {
    if (!isCurrency(input.currency)) throw new ImageTagError("data[currency]");
    add("data[currency]", input.currency);
  }
  add("data[plan_id]", input.planId);

  const contents = (input.contents ?? []).slice(0, MAX_IMAGE_TAG_CONTENTS).map(contentItem);
  if (contents.length) add("data[contents]", JSON.stringify(contents));

  const base = input.base ?? IMAGE_TAG_BASE;
  const query = params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&");
  return base + (base.includes("?") ? "&" : "?") + query;
}

/** Rebuilds an item key by key so nothing but the documented keys can reach the URL. */
function contentItem(item: ImageTagContent): ImageTagContent {
  if (!item.id || !Number.isSafeInteger(item.quantity) || item.quantity < 1) {
    throw new ImageTagError("data[contents]");
  }
  const out: ImageTagContent = { id: String(item.id), quantity: item.quantity, content_type: "product" };
  if (item.amount !== undefined) {
    if (!isMinorUnits(item.amount) || !isCurrency(item.currency)) {
      throw new ImageTagError("data[contents]");
    }
    out.amount = item.amount;
    out.currency = item.currency;
  }
  return out;
}

function isMinorUnits(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isCurrency(value: unknown): value is string {
  return typeof value === "string" && CURRENCY.test(value);
}
