import { randomUUID } from "node:crypto";
import type { VerifiedWebhook } from "~/webhooks/verify.server";

/** What verifyWebhook would hand an ingest function for this body (tests that skip HTTP). */
export function verifiedWebhook(
  topic: string,
  shop: string,
  body: unknown,
  eventId: string = randomUUID(),
): VerifiedWebhook {
  const rawBody = typeof body === "string" ? body : JSON.stringify(body);
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    payload = undefined;
  }
  return { shop, topic, webhookId: randomUUID(), eventId, apiVersion: "2026-10", triggeredAt: null, rawBody, payload };
}
