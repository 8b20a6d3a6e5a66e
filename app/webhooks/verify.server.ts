/**
 * Webhook verification with Shopify's own validator (@shopify/shopify-api `webhooks.validate`:
 * HMAC over the raw body with the app secret, plus the required headers).
 *
 * Why not `authenticate.webhook`? It does the same validation, then (1) loads the shop's session
 * from the database on every call, which no handler here needs (none calls the Admin API), and
 * (2) `JSON.parse`s the body unguarded, so a correctly signed but malformed body becomes a 500 and
 * Shopify retries it for hours. Here a malformed body is a verified webhook with `payload: undefined`,
 * which the handler records as skipped-with-reason and acknowledges.
 */
import "@shopify/shopify-api/adapters/web-api";
import { shopifyApi, WebhookValidationErrorReason } from "@shopify/shopify-api";
import { config } from "~/config.server";
import { API_VERSION } from "~/api-version";
import { startValidatorThread, type ValidatorConfig, type ValidatorThread } from "./validator-thread.server";
import { parseWebhookJson } from "~/conversions/webhook-json";

export interface VerifiedWebhook {
  shop: string;
  /** Shopify's form: "orders/create" */
  topic: string;
  webhookId: string;
  /** X-Shopify-Event-Id: identical for redeliveries of the same event (falls back to the webhook id) */
  eventId: string;
  apiVersion: string;
  triggeredAt: string | null;
  rawBody: string;
  /** undefined when the body is not valid JSON */
  payload: unknown;
}

/** The validator's configuration, here and on the validator thread (each adds only a silent logger). */
function validatorConfig(): ValidatorConfig {
  const env = config();
  return {
    apiKey: env.SHOPIFY_API_KEY,
    apiSecretKey: env.SHOPIFY_API_SECRET,
    apiVersion: API_VERSION,
    hostName: new URL(env.SHOPIFY_APP_URL).host,
    hostScheme: "https",
    isEmbeddedApp: true,
    scopes: [],
  };
}

let validator: ReturnType<typeof shopifyApi> | undefined;
function api() {
  validator ??= shopifyApi({
    ...validatorConfig(),
    apiVersion: API_VERSION,
    logger: { level: 0, log: async () => {} },
  });
  return validator;
}

/** Returns the verified webhook or throws a Response (405, 401, 400) the route can return as is. */
export async function verifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") throw new Response(null, { status: 405, headers: { Allow: "POST" } });
  const rawBody = await request.text();
  return verifyWebhookParts({ method: request.method, url: request.url, headers: request.headers, rawBody });
}

/**
 * What verification needs from a request, whichever server received it: the Remix routes pass their
 * web Request, the lean `/webhooks/*` path in server.ts (app/webhooks/lean-path.server.ts) passes the
 * Node request's parts. Same validator, same answers.
 */
export interface WebhookRequestParts {
  method: string;
  /** Absolute URL (the validator parses it). */
  url: string;
  headers: { get(name: string): string | null; entries(): IterableIterator<[string, string]> };
  rawBody: string;
}

type WebhookValidation = Awaited<ReturnType<ReturnType<typeof shopifyApi>["webhooks"]["validate"]>>;

/** Runs Shopify's validator on a request's parts: here (default) or on the validator thread. */
export type RunValidator = (parts: WebhookRequestParts) => Promise<WebhookValidation>;

const validateHere: RunValidator = (parts) =>
  api().webhooks.validate({
    rawBody: parts.rawBody,
    rawRequest: { method: parts.method, url: parts.url, headers: shopifyHeadersOf(parts.headers) },
  });

let thread: ValidatorThread | undefined;
/** The same validator and configuration on a thread of its own (app/webhooks/validator-thread.server.ts). */
export const validateOnThread: RunValidator = async (parts) => {
  thread ??= startValidatorThread(validatorConfig());
  const answer = await thread.validate({
    method: parts.method,
    url: parts.url,
    headers: [...shopifyHeadersOf(parts.headers).entries()],
    rawBody: parts.rawBody,
  });
  return answer as unknown as WebhookValidation;
};

/** `verifyWebhook` for a body that has already been read. Throws a Response (405, 401, 400). */
export async function verifyWebhookParts(
  parts: WebhookRequestParts,
  runValidator: RunValidator = validateHere,
): Promise<VerifiedWebhook> {
  if (parts.method !== "POST") throw new Response(null, { status: 405, headers: { Allow: "POST" } });
  const { rawBody } = parts;
  const check = await runValidator(parts);
  if (!check.valid) {
    const status = check.reason === WebhookValidationErrorReason.InvalidHmac ? 401 : 400;
    throw new Response(null, { status });
  }
  if (!("webhookId" in check)) throw new Response(null, { status: 400 });
  const hook = {
    shop: check.domain,
    topic: normalizeTopic(check.topic),
    webhookId: check.webhookId,
    eventId: parts.headers.get("x-shopify-event-id") || check.webhookId,
    apiVersion: check.apiVersion,
    triggeredAt: parts.headers.get("x-shopify-triggered-at"),
    rawBody,
  } as VerifiedWebhook;
  return withLazyPayload(hook, rawBody);
}

/** `payload`, parsed on first use: a webhook that is only stored (WEBHOOK_ACK=stored) never needs it. */
function withLazyPayload(hook: VerifiedWebhook, rawBody: string): VerifiedWebhook {
  let parsed: { value: unknown } | undefined;
  return Object.defineProperty(hook, "payload", {
    enumerable: true,
    get() {
      if (!parsed) {
        try {
          // Not JSON.parse: Shopify's 64-bit ids must stay exact (app/conversions/webhook-json.ts).
          parsed = { value: parseWebhookJson(rawBody) };
        } catch {
          parsed = { value: undefined };
        }
      }
      return parsed.value;
    },
  });
}

/**
 * The validator reads only Shopify's own headers (X-Shopify-* for webhooks, Shopify-* for events),
 * but looks each one up by re-canonicalizing every header name of the request: with a dozen
 * unrelated headers that costs more than the HMAC itself. Handing it just the headers it checks
 * gives the same answer for a fraction of the work (the event id and trigger time, which it only
 * copies, are read below from the request itself).
 */
const VALIDATED_HEADERS = new Set(
  ["hmac-sha256", "topic", "shop-domain", "api-version", "webhook-id", "name", "handle", "action"].flatMap((h) => [
    `x-shopify-${h}`,
    `shopify-${h}`,
  ]),
);

function shopifyHeadersOf(headers: WebhookRequestParts["headers"]): Pick<WebhookRequestParts["headers"], "entries"> {
  return {
    *entries() {
      for (const [name, value] of headers.entries()) if (VALIDATED_HEADERS.has(name.toLowerCase())) yield [name, value];
    },
  };
}

/** "ORDERS_CREATE" and "orders/create" both become "orders/create". */
function normalizeTopic(topic: string): string {
  if (topic.includes("/")) return topic.toLowerCase();
  const lower = topic.toLowerCase();
  const i = lower.indexOf("_");
  return i === -1 ? lower : `${lower.slice(0, i)}/${lower.slice(i + 1)}`;
}
