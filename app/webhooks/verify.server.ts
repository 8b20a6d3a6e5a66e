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

let validator: ReturnType<typeof shopifyApi> | undefined;
function api() {
  const env = config();
  validator ??= shopifyApi({
    apiKey: env.SHOPIFY_API_KEY,
    apiSecretKey: env.SHOPIFY_API_SECRET,
    apiVersion: API_VERSION,
    hostName: new URL(env.SHOPIFY_APP_URL).host,
    hostScheme: "https",
    isEmbeddedApp: true,
    scopes: [],
    logger: { level: 0, log: async () => {} },
  });
  return validator;
}

/** Returns the verified webhook or throws a Response (405, 401, 400) the route can return as is. */
export async function verifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") throw new Response(null, { status: 405, headers: { Allow: "POST" } });
  const rawBody = await request.text();
  const check = await api().webhooks.validate({ rawBody, rawRequest: request });
  if (!check.valid) {
    const status = check.reason === WebhookValidationErrorReason.InvalidHmac ? 401 : 400;
    throw new Response(null, { status });
  }
  if (!("webhookId" in check)) throw new Response(null, { status: 400 });
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    payload = undefined;
  }
  return {
    shop: check.domain,
    topic: normalizeTopic(check.topic),
    webhookId: check.webhookId,
    eventId: request.headers.get("x-shopify-event-id") || check.webhookId,
    apiVersion: check.apiVersion,
    triggeredAt: request.headers.get("x-shopify-triggered-at"),
    rawBody,
    payload,
  };
}

/** "ORDERS_CREATE" and "orders/create" both become "orders/create". */
export function normalizeTopic(topic: string): string {
  if (topic.includes("/")) return topic.toLowerCase();
  const lower = topic.toLowerCase();
  const i = lower.indexOf("_");
  return i === -1 ? lower : `${lower.slice(0, i)}/${lower.slice(i + 1)}`;
}
