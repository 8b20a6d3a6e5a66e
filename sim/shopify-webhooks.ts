/**
 * Shopify's side of a webhook, for tests, the demo and the benchmark: sign a body the way Shopify
 * does (base64 HMAC-SHA256 of the raw body with the app secret) and POST it with Shopify's headers.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface WebhookMessage {
  topic: string; // "orders/create"
  shop: string;
  body: string;
  secret: string;
  eventId?: string;
  webhookId?: string;
  apiVersion?: string;
  triggeredAt?: string;
}

export function signBody(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export function webhookHeaders(message: WebhookMessage): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Hmac-Sha256": signBody(message.body, message.secret),
    "X-Shopify-Topic": message.topic,
    "X-Shopify-Shop-Domain": message.shop,
    "X-Shopify-API-Version": message.apiVersion ?? "2026-10",
    "X-Shopify-Webhook-Id": message.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": message.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": message.triggeredAt ?? new Date().toISOString(),
  };
}

/** The URI Shopify would call for a topic, as declared in shopify.app.toml. */
export function webhookPath(topic: string): string {
  if (["customers/data_request", "customers/redact", "shop/redact"].includes(topic)) return "/webhooks/compliance";
  return `/webhooks/${topic}`;
}

export function webhookRequest(
  baseUrl: string,
  message: WebhookMessage,
  headerOverrides: Record<string, string> = {},
): Request {
  return new Request(new URL(webhookPath(message.topic), baseUrl), {
    method: "POST",
    headers: { ...webhookHeaders(message), ...headerOverrides },
    body: message.body,
  });
}

export async function sendWebhook(
  baseUrl: string,
  message: WebhookMessage,
  headerOverrides: Record<string, string> = {},
): Promise<number> {
  const response = await fetch(webhookRequest(baseUrl, message, headerOverrides));
  await response.arrayBuffer();
  return response.status;
}
