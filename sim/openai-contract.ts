/**
 * OpenAI's Conversions API contract as the stand-in enforces it, kept apart from the HTTP server so
 * each rule can be tested by name. Source: /work/shared/reference/openai-conversions.md. This is the
 * OUTSIDE world's view of an event: it deliberately does not import the app's builders, so a drift in
 * the app shows up as a rejection here instead of being copied.
 *
 * Params are paths relative to the event (`id`, `data.amount`, `user.emails_sha256[0]`); the server
 * prefixes them with `events[<i>]`. An empty param means the event as a whole.
 */
import { isIP } from "node:net";

type ContractErrorCode =
  | "missing_field"
  | "invalid_type"
  | "invalid_value"
  | "unknown_field"
  | "field_not_allowed"
  | "data_type_mismatch"
  | "duplicate_parameter"
  | "unknown_parameter"
  | "event_timestamp_too_old"
  | "event_timestamp_in_future";

export interface ContractError {
  message: string;
  param: string;
  code: ContractErrorCode;
}

/** Standard event → the only `data.type` it accepts. `custom` events carry `data.type: "custom"`. */
const STANDARD_EVENT_DATA_TYPES: Readonly<Record<string, string>> = {
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
};
const CUSTOM_EVENT_TYPE = "custom";
const ACTION_SOURCES = ["web", "mobile_app", "offline", "physical_store", "phone_call", "email", "other"] as const;

export const MAX_EVENTS_PER_REQUEST = 1000;
const MAX_EVENT_ID_LENGTH = 255;
export const MAX_EVENT_AGE_MS = 7 * 24 * 60 * 60 * 1000;
export const MAX_FUTURE_SKEW_MS = 10 * 60 * 1000;
const CUSTOM_EVENT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/;
export const INTEGRATION_SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const EVENT_KEYS = new Set([
  "id",
  "type",
  "timestamp_ms",
  "custom_event_name",
  "action_source",
  "source_url",
  "oppref",
  "user",
  "opt_out",
  "data",
]);
const DATA_KEYS = new Set(["type", "amount", "currency", "contents", "plan_id"]);
const DATA_TYPES = new Set(["contents", "customer_action", "plan_enrollment", "custom"]);
const ITEM_KEYS = new Set(["id", "name", "content_type", "quantity", "amount", "currency", "group_id", "variant_dict"]);
const HASHED_USER_KEYS = new Set([
  "emails_sha256",
  "phone_numbers_sha256",
  "external_ids_sha256",
  "first_names_sha256",
  "last_names_sha256",
]);
const RAW_LIST_USER_KEYS = new Set(["countries", "regions", "cities", "postal_codes"]);
const RAW_STRING_USER_KEYS = new Set(["obref", "ip_address", "user_agent"]);
const SHA256_HEX = /^[0-9a-f]{64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const COUNTRY_ALPHA2 = /^[A-Z]{2}$/;

const TIMESTAMP_ERROR_CODES: ReadonlySet<ContractErrorCode> = new Set([
  "event_timestamp_too_old",
  "event_timestamp_in_future",
]);

/** Every contract violation in one event; `[]` means the event is valid at `nowMs`. */
export function validateEvent(event: unknown, nowMs: number): ContractError[] {
  const out: ContractError[] = [];
  if (!isPlainObject(event)) return [fail("", "invalid_type", "event must be a JSON object")];

  for (const key of Object.keys(event)) {
    if (!EVENT_KEYS.has(key)) out.push(fail(key, "unknown_field", `unknown event field '${key}'`));
  }
  checkEventId(event, "id", out);
  const type = checkEventType(event, "type", out);
  checkCustomEventName(event, type, "custom_event_name", out);
  checkTimestamp(event, nowMs, out);
  checkActionSourceAndUrl(event, out);
  checkOppref(event, "oppref", out);
  if (has(event, "opt_out") && typeof event.opt_out !== "boolean") {
    out.push(fail("opt_out", "invalid_type", "opt_out must be a boolean"));
  }
  if (has(event, "user")) checkUser(event.user, out);
  if (!has(event, "data")) out.push(fail("data", "missing_field", "data is required"));
  else checkData(event.data, type, "data", out);
  return out;
}

/** The first-wins dedup key: pixel id + event type (or custom name) + id. */
export function dedupKey(pixelId: string, event: { id: string; type: string; custom_event_name?: string }): string {
  const name = event.type === CUSTOM_EVENT_TYPE ? `custom:${event.custom_event_name}` : event.type;
  return JSON.stringify([pixelId, name, event.id]);
}

export function isTimestampError(error: ContractError): boolean {
  return TIMESTAMP_ERROR_CODES.has(error.code);
}

// ─── image tag ──────────────────────────────────────────────────────────────────────────────────

const IMAGE_TAG_PARAMS = new Set([
  "pid",
  "event",
  "data[type]",
  "event_id",
  "oppref",
  "custom_event_name",
  "data[amount]",
  "data[currency]",
  "data[plan_id]",
  "data[contents]",
]);

/** The event an image tag GET describes, in CAPI shape (no user data, no source_url: the tag has none). */
export interface ImageTagEvent {
  pixelId: string;
  eventId: string | null;
  event: {
    type: string;
    custom_event_name?: string;
    oppref?: string;
    data: Record<string, unknown>;
  };
}

/**
 * `GET /v1/sdk/events?pid=…&event=…&data[type]=…`: each parameter at most once, unknown parameters
 * rejected, the same event/data rules as the CAPI. Params in errors are query parameter names.
 */
export function validateImageTagQuery(query: URLSearchParams): { errors: ContractError[]; tag: ImageTagEvent | null } {
  const out: ContractError[] = [];
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (!IMAGE_TAG_PARAMS.has(name)) out.push(fail(name, "unknown_parameter", `unknown parameter '${name}'`));
    else if (seen.has(name)) out.push(fail(name, "duplicate_parameter", `parameter '${name}' given more than once`));
    seen.add(name);
  }
  const pid = query.get("pid");
  if (pid === null || pid === "") out.push(fail("pid", "missing_field", "pid is required"));

  const fields: Record<string, unknown> = {};
  for (const [param, field] of [
    ["event", "type"],
    ["custom_event_name", "custom_event_name"],
    ["oppref", "oppref"],
    ["event_id", "id"],
  ]) {
    const value = query.get(param);
    if (value !== null) fields[field] = value;
  }
  if (!has(fields, "type")) out.push(fail("event", "missing_field", "event is required"));
  const eventErrors: ContractError[] = [];
  const type = has(fields, "type") ? checkEventType(fields, "type", eventErrors) : undefined;
  checkCustomEventName(fields, type, "custom_event_name", eventErrors);
  checkOppref(fields, "oppref", eventErrors);
  if (has(fields, "id")) checkEventId(fields, "id", eventErrors);
  out.push(
    ...eventErrors.map((e) => ({
      ...e,
      param: e.param === "type" ? "event" : e.param === "id" ? "event_id" : e.param,
    })),
  );

  const data = parseImageTagData(query, out);
  if (data) {
    const dataErrors: ContractError[] = [];
    checkData(data, type, "data", dataErrors);
    out.push(
      ...dataErrors.map((e) => ({
        ...e,
        param: e.param.replace(/^data\.([a-z_]+)/, "data[$1]").replace(/^data$/, "data[type]"),
      })),
    );
  }

  if (out.length > 0 || !pid || type === undefined || !data) return { errors: out, tag: null };
  const event: ImageTagEvent["event"] = { type, data };
  if (typeof fields.custom_event_name === "string") event.custom_event_name = fields.custom_event_name;
  if (typeof fields.oppref === "string") event.oppref = fields.oppref;
  return { errors: [], tag: { pixelId: pid, eventId: typeof fields.id === "string" ? fields.id : null, event } };
}

function parseImageTagData(query: URLSearchParams, out: ContractError[]): Record<string, unknown> | null {
  const data: Record<string, unknown> = {};
  const type = query.get("data[type]");
  if (type === null) {
    out.push(fail("data[type]", "missing_field", "data[type] is required"));
    return null;
  }
  data.type = type;
  const amount = query.get("data[amount]");
  if (amount !== null) {
    if (!/^[0-9]+$/.test(amount)) {
      out.push(fail("data[amount]", "invalid_value", "data[amount] must be a non-negative integer in minor units"));
    } else data.amount = Number(amount);
  }
  const currency = query.get("data[currency]");
  if (currency !== null) data.currency = currency;
  const planId = query.get("data[plan_id]");
  if (planId !== null) data.plan_id = planId;
  const contents = query.get("data[contents]");
  if (contents !== null) {
    try {
      data.contents = JSON.parse(contents);
    } catch {
      out.push(fail("data[contents]", "invalid_value", "data[contents] must be URL-encoded JSON"));
    }
  }
  return data;
}

// ─── field rules ────────────────────────────────────────────────────────────────────────────────

function checkEventId(event: Record<string, unknown>, param: string, out: ContractError[]): void {
  if (!has(event, "id")) return void out.push(fail(param, "missing_field", "id is required"));
  const id = event.id;
  if (typeof id !== "string") return void out.push(fail(param, "invalid_type", "id must be a string"));
  if (id.length === 0) return void out.push(fail(param, "invalid_value", "id must not be empty"));
  if (id.length > MAX_EVENT_ID_LENGTH) {
    out.push(fail(param, "invalid_value", `id must be at most ${MAX_EVENT_ID_LENGTH} characters`));
  }
}

/** Returns the type when it is a known one (standard or custom), so later rules can depend on it. */
function checkEventType(event: Record<string, unknown>, param: string, out: ContractError[]): string | undefined {
  if (!has(event, "type")) return void out.push(fail(param, "missing_field", "type is required"));
  const type = event.type;
  if (typeof type !== "string") return void out.push(fail(param, "invalid_type", "type must be a string"));
  if (type !== CUSTOM_EVENT_TYPE && !Object.hasOwn(STANDARD_EVENT_DATA_TYPES, type)) {
    return void out.push(fail(param, "invalid_value", `'${clip(type)}' is not a standard event type or 'custom'`));
  }
  return type;
}

function checkCustomEventName(
  event: Record<string, unknown>,
  type: string | undefined,
  param: string,
  out: ContractError[],
): void {
  const present = has(event, "custom_event_name");
  if (type !== CUSTOM_EVENT_TYPE) {
    if (present && type !== undefined) {
      out.push(fail(param, "field_not_allowed", "custom_event_name is only allowed when type is 'custom'"));
    }
    return;
  }
  if (!present)
    return void out.push(fail(param, "missing_field", "custom_event_name is required when type is 'custom'"));
  const name = event.custom_event_name;
  if (typeof name !== "string") return void out.push(fail(param, "invalid_type", "custom_event_name must be a string"));
  if (!CUSTOM_EVENT_NAME_PATTERN.test(name)) {
    return void out.push(
      fail(param, "invalid_value", `custom_event_name must match ${CUSTOM_EVENT_NAME_PATTERN.source}`),
    );
  }
  if (Object.hasOwn(STANDARD_EVENT_DATA_TYPES, name)) {
    out.push(fail(param, "invalid_value", `custom_event_name must not be a standard event name ('${name}')`));
  }
}

function checkTimestamp(event: Record<string, unknown>, nowMs: number, out: ContractError[]): void {
  if (!has(event, "timestamp_ms"))
    return void out.push(fail("timestamp_ms", "missing_field", "timestamp_ms is required"));
  const ts = event.timestamp_ms;
  if (typeof ts !== "number")
    return void out.push(fail("timestamp_ms", "invalid_type", "timestamp_ms must be a number"));
  if (!Number.isSafeInteger(ts) || ts < 0) {
    return void out.push(
      fail("timestamp_ms", "invalid_value", "timestamp_ms must be a non-negative integer (Unix ms)"),
    );
  }
  if (nowMs - ts > MAX_EVENT_AGE_MS) {
    out.push(fail("timestamp_ms", "event_timestamp_too_old", "timestamp_ms is more than 7 days in the past"));
  } else if (ts - nowMs > MAX_FUTURE_SKEW_MS) {
    out.push(fail("timestamp_ms", "event_timestamp_in_future", "timestamp_ms is more than 10 minutes in the future"));
  }
}

function checkActionSourceAndUrl(event: Record<string, unknown>, out: ContractError[]): void {
  const source = event.action_source;
  if (!has(event, "action_source")) out.push(fail("action_source", "missing_field", "action_source is required"));
  else if (typeof source !== "string")
    out.push(fail("action_source", "invalid_type", "action_source must be a string"));
  else if (!(ACTION_SOURCES as readonly string[]).includes(source)) {
    out.push(fail("action_source", "invalid_value", `action_source must be one of ${ACTION_SOURCES.join(", ")}`));
  }

  if (!has(event, "source_url")) {
    if (source === "web")
      out.push(fail("source_url", "missing_field", "source_url is required when action_source is 'web'"));
    return;
  }
  if (typeof event.source_url !== "string") {
    return void out.push(fail("source_url", "invalid_type", "source_url must be a string"));
  }
  if (!isAbsoluteHttpUrl(event.source_url)) {
    out.push(fail("source_url", "invalid_value", "source_url must be an absolute http(s) URL"));
  }
}

function checkOppref(event: Record<string, unknown>, param: string, out: ContractError[]): void {
  if (!has(event, "oppref")) return;
  if (typeof event.oppref !== "string") out.push(fail(param, "invalid_type", "oppref must be a string"));
  else if (event.oppref.length === 0)
    out.push(fail(param, "invalid_value", "oppref must not be empty (omit it when unknown)"));
}

function checkUser(user: unknown, out: ContractError[]): void {
  if (!isPlainObject(user)) return void out.push(fail("user", "invalid_type", "user must be a JSON object"));
  for (const [key, value] of Object.entries(user)) {
    const param = `user.${key}`;
    if (HASHED_USER_KEYS.has(key)) {
      checkStringList(value, param, out, (s) => SHA256_HEX.test(s), "a SHA-256 digest as 64 lowercase hex characters");
    } else if (key === "countries") {
      checkStringList(value, param, out, (s) => COUNTRY_ALPHA2.test(s), "an ISO 3166-1 alpha-2 code");
    } else if (RAW_LIST_USER_KEYS.has(key)) {
      checkStringList(value, param, out, (s) => s.length > 0, "a non-empty string");
    } else if (RAW_STRING_USER_KEYS.has(key)) {
      if (typeof value !== "string") out.push(fail(param, "invalid_type", `${param} must be a string`));
      else if (value.length === 0) out.push(fail(param, "invalid_value", `${param} must not be empty`));
      else if (key === "ip_address" && isIP(value) === 0)
        out.push(fail(param, "invalid_value", `${param} must be an IP address`));
    } else {
      out.push(fail(param, "unknown_field", `unknown user field '${key}'`));
    }
  }
}

function checkStringList(
  value: unknown,
  param: string,
  out: ContractError[],
  valid: (s: string) => boolean,
  what: string,
): void {
  if (!Array.isArray(value)) return void out.push(fail(param, "invalid_type", `${param} must be an array`));
  value.forEach((item, i) => {
    if (typeof item !== "string") out.push(fail(`${param}[${i}]`, "invalid_type", `${param}[${i}] must be a string`));
    else if (!valid(item)) out.push(fail(`${param}[${i}]`, "invalid_value", `${param}[${i}] must be ${what}`));
  });
}

function checkData(data: unknown, eventType: string | undefined, path: string, out: ContractError[]): void {
  if (!isPlainObject(data)) return void out.push(fail(path, "invalid_type", `${path} must be a JSON object`));
  const expected =
    eventType === undefined
      ? undefined
      : eventType === CUSTOM_EVENT_TYPE
        ? "custom"
        : STANDARD_EVENT_DATA_TYPES[eventType];

  const dataType = data.type;
  if (!has(data, "type")) out.push(fail(`${path}.type`, "missing_field", `${path}.type is required`));
  else if (typeof dataType !== "string")
    out.push(fail(`${path}.type`, "invalid_type", `${path}.type must be a string`));
  else if (!DATA_TYPES.has(dataType))
    out.push(fail(`${path}.type`, "invalid_value", `'${clip(dataType)}' is not a data type`));
  else if (expected !== undefined && dataType !== expected) {
    out.push(
      fail(`${path}.type`, "data_type_mismatch", `${path}.type must be '${expected}' for '${eventType}' events`),
    );
  }

  // Only custom data may carry extra keys (the reference: "arbitrary extra keys allowed only there").
  const allowsExtraKeys = (expected ?? dataType) === "custom";
  if (!allowsExtraKeys) {
    for (const key of Object.keys(data)) {
      if (!DATA_KEYS.has(key)) out.push(fail(`${path}.${key}`, "unknown_field", `unknown data field '${key}'`));
    }
  }
  checkMoney(data, path, true, out);
  if (has(data, "plan_id") && !isNonEmptyString(data.plan_id)) {
    out.push(fail(`${path}.plan_id`, "invalid_value", `${path}.plan_id must be a non-empty string`));
  }
  if (has(data, "contents")) {
    if (!Array.isArray(data.contents))
      out.push(fail(`${path}.contents`, "invalid_type", `${path}.contents must be an array`));
    else data.contents.forEach((item, i) => checkItem(item, `${path}.contents[${i}]`, out));
  }
}

/**
 * amount: integer minor units, never negative; currency: 3 upper-case letters. On `data` the currency
 * is required with an amount; an item's unit price may lean on the event's currency.
 */
function checkMoney(
  holder: Record<string, unknown>,
  path: string,
  currencyRequired: boolean,
  out: ContractError[],
): void {
  if (has(holder, "amount")) {
    const amount = holder.amount;
    if (typeof amount !== "number") out.push(fail(`${path}.amount`, "invalid_type", `${path}.amount must be a number`));
    else if (!Number.isSafeInteger(amount)) {
      out.push(
        fail(`${path}.amount`, "invalid_value", `${path}.amount must be an integer in the currency's minor unit`),
      );
    } else if (amount < 0) out.push(fail(`${path}.amount`, "invalid_value", `${path}.amount must not be negative`));
  }
  if (has(holder, "currency")) {
    if (typeof holder.currency !== "string" || !CURRENCY.test(holder.currency)) {
      out.push(fail(`${path}.currency`, "invalid_value", `${path}.currency must be 3 upper-case letters (ISO 4217)`));
    }
  } else if (currencyRequired && has(holder, "amount")) {
    out.push(fail(`${path}.currency`, "missing_field", `${path}.currency is required when ${path}.amount is present`));
  }
}

function checkItem(item: unknown, path: string, out: ContractError[]): void {
  if (!isPlainObject(item)) return void out.push(fail(path, "invalid_type", `${path} must be a JSON object`));
  for (const key of Object.keys(item)) {
    if (!ITEM_KEYS.has(key)) out.push(fail(`${path}.${key}`, "unknown_field", `unknown content item field '${key}'`));
  }
  if (!has(item, "id")) out.push(fail(`${path}.id`, "missing_field", `${path}.id is required`));
  else if (!isNonEmptyString(item.id))
    out.push(fail(`${path}.id`, "invalid_value", `${path}.id must be a non-empty string`));
  if (has(item, "name") && typeof item.name !== "string") {
    out.push(fail(`${path}.name`, "invalid_type", `${path}.name must be a string`));
  }
  if (has(item, "content_type") && item.content_type !== "product") {
    out.push(fail(`${path}.content_type`, "invalid_value", `${path}.content_type must be 'product'`));
  }
  if (has(item, "quantity")) {
    const q = item.quantity;
    if (typeof q !== "number" || !Number.isSafeInteger(q) || q < 1) {
      out.push(fail(`${path}.quantity`, "invalid_value", `${path}.quantity must be an integer >= 1`));
    }
  }
  checkMoney(item, path, false, out);
  if (has(item, "group_id") && !isNonEmptyString(item.group_id)) {
    out.push(fail(`${path}.group_id`, "invalid_value", `${path}.group_id must be a non-empty string`));
  }
  if (has(item, "variant_dict") && !isPlainObject(item.variant_dict)) {
    out.push(fail(`${path}.variant_dict`, "invalid_type", `${path}.variant_dict must be a JSON object`));
  }
}

// ─── helpers ────────────────────────────────────────────────────────────────────────────────────

function fail(param: string, code: ContractErrorCode, message: string): ContractError {
  return { message, param, code };
}

function has(holder: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(holder, key) && holder[key] !== undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function isAbsoluteHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
