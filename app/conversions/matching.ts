/**
 * THE one place that maps identifiers to OpenAI's `user` object (current plural schema). Every caller
 * hands over whatever it has; this file normalizes, drops invalid values, dedupes, keeps the first 3
 * unique valid values per list, hashes what must be hashed, and leaves out what the merchant did not
 * enable. If OpenAI renames a field, this is the only file to change.
 */
import type { CapiUser } from "./capi-event";
import {
  normalizeCity,
  normalizeCountry,
  normalizeEmail,
  normalizeExternalId,
  normalizeIpAddress,
  normalizeName,
  normalizeObref,
  normalizePhone,
  normalizePostal,
  normalizeRegion,
  normalizeUserAgent,
  sha256Hex,
} from "./normalize-user";

/**
 * What a merchant can switch on or off ("enhanced matching").
 * - `address` = countries, regions, cities, postal_codes (raw)
 * - `client`  = ip_address, user_agent and the `__obref` browser id (raw)
 */
export type MatchingField = "email" | "phone" | "name" | "external_id" | "address" | "client";

export const ALL_MATCHING_FIELDS: MatchingField[] = ["email", "phone", "name", "external_id", "address", "client"];

/** OpenAI reads at most this many valid unique values per list. */
export const MAX_VALUES_PER_LIST = 3;

export interface UserIdentifiers {
  emails?: unknown[];
  phones?: { value: unknown; countryHint?: string | null }[];
  firstNames?: unknown[];
  lastNames?: unknown[];
  externalIds?: unknown[];
  countries?: unknown[];
  regions?: unknown[];
  cities?: unknown[];
  postalCodes?: unknown[];
  ipAddress?: unknown;
  userAgent?: unknown;
  obref?: unknown;
}

/** Normalized, valid, unique values in first-seen order, at most `MAX_VALUES_PER_LIST`. */
function firstUnique<T>(values: readonly T[] | undefined, normalize: (value: T) => string | null): string[] {
  const out: string[] = [];
  for (const value of values ?? []) {
    const normalized = normalize(value);
    if (normalized === null || out.includes(normalized)) continue;
    out.push(normalized);
    if (out.length === MAX_VALUES_PER_LIST) break;
  }
  return out;
}

function hashAll(values: string[]): Promise<string[]> {
  return Promise.all(values.map(sha256Hex));
}

/**
 * Builds `event.user` from whatever identifiers are known, limited to the enabled `fields`.
 * Only keys that end up with a value are present; undefined when nothing is left.
 */
export async function buildCapiUser(
  ids: UserIdentifiers,
  fields: readonly MatchingField[],
): Promise<CapiUser | undefined> {
  const enabled = new Set(fields);
  const user: CapiUser = {};

  if (enabled.has("email")) {
    const emails = firstUnique(ids.emails, normalizeEmail);
    if (emails.length) user.emails_sha256 = await hashAll(emails);
  }
  if (enabled.has("phone")) {
    const phones = firstUnique(ids.phones, (phone) => (phone ? normalizePhone(phone.value, phone.countryHint) : null));
    if (phones.length) user.phone_numbers_sha256 = await hashAll(phones);
  }
  if (enabled.has("external_id")) {
    const externalIds = firstUnique(ids.externalIds, normalizeExternalId);
    if (externalIds.length) user.external_ids_sha256 = await hashAll(externalIds);
  }
  if (enabled.has("name")) {
    const firstNames = firstUnique(ids.firstNames, normalizeName);
    if (firstNames.length) user.first_names_sha256 = await hashAll(firstNames);
    const lastNames = firstUnique(ids.lastNames, normalizeName);
    if (lastNames.length) user.last_names_sha256 = await hashAll(lastNames);
  }
  if (enabled.has("address")) {
    const countries = firstUnique(ids.countries, normalizeCountry);
    if (countries.length) user.countries = countries;
    const regions = firstUnique(ids.regions, normalizeRegion);
    if (regions.length) user.regions = regions;
    const cities = firstUnique(ids.cities, normalizeCity);
    if (cities.length) user.cities = cities;
    const postalCodes = firstUnique(ids.postalCodes, normalizePostal);
    if (postalCodes.length) user.postal_codes = postalCodes;
  }
  if (enabled.has("client")) {
    const ip = normalizeIpAddress(ids.ipAddress);
    if (ip !== null) user.ip_address = ip;
    const userAgent = normalizeUserAgent(ids.userAgent);
    if (userAgent !== null) user.user_agent = userAgent;
    const obref = normalizeObref(ids.obref);
    if (obref !== null) user.obref = obref;
  }

  return Object.keys(user).length ? user : undefined;
}

function isMatchingField(value: unknown): value is MatchingField {
  return typeof value === "string" && (ALL_MATCHING_FIELDS as string[]).includes(value);
}

/**
 * Reads a stored JSON list of matching fields. Tolerant: invalid JSON or a non-array → [], unknown
 * entries dropped, duplicates removed, order of first appearance kept.
 */
export function parseMatchingFields(json: string): MatchingField[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: MatchingField[] = [];
  for (const entry of parsed) if (isMatchingField(entry) && !out.includes(entry)) out.push(entry);
  return out;
}
