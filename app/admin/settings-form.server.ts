/**
 * Reads the settings form. Every field is checked before anything is stored, and every problem is
 * reported on its own field, in words a merchant can act on. Error messages never echo the value
 * (it could be the API key).
 */
import { isSupportedCountry } from "libphonenumber-js/min";
import { z } from "zod";
import { isValidCustomEventName } from "~/conversions/capi-event";
import { isPlausibleApiKey, isValidPixelId } from "~/conversions/shop-identity";
import type { ShopSettingsInput } from "~/models/settings.server";
import {
  ADDRESSLESS_OPTIONS,
  CONSENT_OPTIONS,
  FUNNEL_EVENT_OPTIONS,
  MATCHING_OPTIONS,
  NON_WEB_OPTIONS,
  SUBSCRIPTION_RENEWAL_OPTIONS,
  TRIGGER_OPTIONS,
  valuesOf,
} from "./settings-options";
import type { FieldErrors, FieldName } from "./types";

const MESSAGES = {
  pixelId: "A Pixel ID is 8 to 64 letters, digits, “-” or “_”. Copy it from OpenAI Ads Manager.",
  pixelIdNeeded: "Add the Pixel ID this Conversions API key belongs to.",
  apiKeyEmpty: "Paste the new Conversions API key, or cancel the replacement.",
  apiKeyFormat:
    "This doesn't look like a Conversions API key: it is one piece of 16 to 512 characters, without spaces.",
  apiKeyIsPixelId: "That is the Pixel ID. Paste the Conversions API key here.",
  apiKeyNeeded: "Server events need a Conversions API key: paste one, or turn off server events.",
  eventName:
    "Use 1 to 64 lowercase letters, digits, “_” or “-” (not at the start or end), and not a standard event name such as order_created.",
  eventNamesDiffer: "Refunds and cancellations need different names, so your reports can tell them apart.",
  country:
    "Enter your shop's country as its two-letter code (ISO 3166-1), e.g. US, DE or HK, or treat these orders as from an opt-in region.",
  valueAddedNameDiffers:
    "Added value needs a name of its own, so your reports can tell it from refunds and cancellations.",
  choice: "Choose one of the options.",
  list: "One of the selected options is not available.",
} as const;

const flag = z.enum(["true", "false"], { message: MESSAGES.choice }).transform((v) => v === "true");
const choice = <T extends string>(values: [T, ...T[]]) => z.enum(values, { message: MESSAGES.choice });
const list = <T extends string>(values: [T, ...T[]]) =>
  z.array(z.enum(values, { message: MESSAGES.list })).transform((items) => [...new Set(items)]);
const eventName = z.string().trim().refine(isValidCustomEventName, MESSAGES.eventName);

const schema = z.object({
  pixelId: z
    .string()
    .trim()
    .refine((v) => v === "" || isValidPixelId(v), MESSAGES.pixelId)
    .transform((v) => (v === "" ? null : v)),
  apiKeyMode: choice(["keep", "replace", "remove"]),
  apiKey: z.string().trim(),
  serverEventsEnabled: flag,
  browserPixelEnabled: flag,
  pixelFunnelEvents: list(valuesOf(FUNNEL_EVENT_OPTIONS)),
  nonWebOrders: choice(valuesOf(NON_WEB_OPTIONS)),
  correctionsEnabled: flag,
  refundEventName: eventName,
  cancelEventName: eventName,
  // Optional: a form without the field (an older page still open) keeps the stored name.
  valueAddedEventName: eventName.optional(),
  conversionTrigger: choice(valuesOf(TRIGGER_OPTIONS)),
  consentPolicy: choice(valuesOf(CONSENT_OPTIONS)),
  // Optional: a form from before this setting existed leaves the stored choice alone.
  addresslessOrders: choice(valuesOf(ADDRESSLESS_OPTIONS)).optional(),
  addresslessOrderCountry: z.string().trim().toUpperCase(),
  enhancedMatching: list(valuesOf(MATCHING_OPTIONS)),
  // Absent from forms of pages loaded before the setting existed: then the stored choice stays.
  subscriptionRenewals: choice(valuesOf(SUBSCRIPTION_RENEWAL_OPTIONS)).optional(),
});

interface RawForm {
  pixelId: string;
  apiKeyMode: string;
  apiKey: string;
  serverEventsEnabled?: string;
  refundEventName: string;
  cancelEventName: string;
  addresslessOrders?: string;
  addresslessOrderCountry: string;
  valueAddedEventName?: string;
}

/**
 * Rules that involve two fields, checked on the raw values beside the per-field rules (not after
 * them), so the merchant sees every problem at once.
 */
function crossFieldErrors(raw: RawForm, hasStoredKey: boolean): FieldErrors {
  const errors: FieldErrors = {};
  const key = raw.apiKey.trim();
  const pixelId = raw.pixelId.trim();
  if (raw.apiKeyMode === "replace") {
    if (key === "") errors.apiKey = MESSAGES.apiKeyEmpty;
    else if (!isPlausibleApiKey(key)) errors.apiKey = MESSAGES.apiKeyFormat;
    else if (key === pixelId) errors.apiKey = MESSAGES.apiKeyIsPixelId;
  }
  // A pixel and a key only make sense together: say which half is missing.
  const willHaveKey = raw.apiKeyMode === "replace" || (raw.apiKeyMode === "keep" && hasStoredKey);
  if (willHaveKey && pixelId === "") errors.pixelId = MESSAGES.pixelIdNeeded;
  if (!willHaveKey && pixelId !== "" && raw.serverEventsEnabled === "true") errors.apiKey = MESSAGES.apiKeyNeeded;
  if (raw.refundEventName.trim() === raw.cancelEventName.trim()) errors.cancelEventName = MESSAGES.eventNamesDiffer;
  if (raw.addresslessOrders === "shop_country" && !isRegionCode(raw.addresslessOrderCountry.trim().toUpperCase()))
    errors.addresslessOrderCountry = MESSAGES.country;
  const valueAdded = raw.valueAddedEventName?.trim();
  if (valueAdded !== undefined && [raw.refundEventName.trim(), raw.cancelEventName.trim()].includes(valueAdded)) {
    errors.valueAddedEventName = MESSAGES.valueAddedNameDiffers;
  }
  return errors;
}

/** A country's two-letter code (libphonenumber-js's list of countries: "XX" or "EU" are refused). */
function isRegionCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

type ApiKeyChange = { mode: "keep" } | { mode: "replace"; value: string } | { mode: "remove" };

interface ParsedSettingsForm {
  /** Everything except the key, ready for saveShopSettings. */
  settings: Omit<ShopSettingsInput, "apiKey"> & { pixelId: string | null };
  apiKey: ApiKeyChange;
  /** The merchant ticked "save anyway" after a failed connection check. */
  saveAnyway: boolean;
}

export type SettingsFormResult = { ok: true; value: ParsedSettingsForm } | { ok: false; fieldErrors: FieldErrors };

/**
 * @param hasStoredKey whether a key is stored now (decides whether "keep" leaves the shop with a key)
 */
export function parseSettingsForm(form: FormData, hasStoredKey: boolean): SettingsFormResult {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  const all = (name: string) => form.getAll(name).filter((v): v is string => typeof v === "string");
  const raw = {
    pixelId: text("pixelId") ?? "",
    apiKeyMode: text("apiKeyMode") ?? "keep",
    apiKey: text("apiKey") ?? "",
    serverEventsEnabled: text("serverEventsEnabled"),
    browserPixelEnabled: text("browserPixelEnabled"),
    pixelFunnelEvents: all("pixelFunnelEvents"),
    nonWebOrders: text("nonWebOrders"),
    correctionsEnabled: text("correctionsEnabled"),
    refundEventName: text("refundEventName") ?? "",
    cancelEventName: text("cancelEventName") ?? "",
    valueAddedEventName: text("valueAddedEventName"),
    conversionTrigger: text("conversionTrigger"),
    consentPolicy: text("consentPolicy"),
    addresslessOrders: text("addresslessOrders"),
    addresslessOrderCountry: text("addresslessOrderCountry") ?? "",
    enhancedMatching: all("enhancedMatching"),
    subscriptionRenewals: text("subscriptionRenewals"),
  };

  const parsed = schema.safeParse(raw);
  const fieldErrors: FieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as FieldName;
      fieldErrors[field] ??= issue.message;
    }
  }
  for (const [field, message] of Object.entries(crossFieldErrors(raw, hasStoredKey)))
    fieldErrors[field as FieldName] ??= message;
  if (!parsed.success || Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };

  const { apiKeyMode, apiKey, addresslessOrders, addresslessOrderCountry, ...rest } = parsed.data;
  const settings = {
    ...rest,
    addresslessOrderCountry:
      addresslessOrders === undefined
        ? undefined
        : addresslessOrders === "shop_country"
          ? addresslessOrderCountry
          : null,
  };
  const change: ApiKeyChange =
    apiKeyMode === "replace"
      ? { mode: "replace", value: apiKey }
      : apiKeyMode === "remove"
        ? { mode: "remove" }
        : { mode: "keep" };

  return { ok: true, value: { settings, apiKey: change, saveAnyway: text("saveAnyway") === "true" } };
}
