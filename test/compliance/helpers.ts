/**
 * In-process webhook calls for the compliance tests: signed exactly like Shopify signs them, handed to
 * the real route actions (no HTTP server needed, so each case takes milliseconds).
 */
import { randomBytes } from "node:crypto";
import prisma from "~/db/client.server";
import { webhookRequest, type WebhookMessage } from "../../sim/shopify-webhooks";
import { TEST_SECRET } from "../helpers/app-process";
import { WEBHOOK_ROUTE_ACTIONS, type RouteAction } from "../helpers/webhook-route-actions";

export const BASE = "https://app.example.test";

export function actionFor(topic: string): RouteAction {
  const action = WEBHOOK_ROUTE_ACTIONS[topic];
  if (!action) throw new Error(`no route action for ${topic}`);
  return action;
}

export async function callAction(action: RouteAction, request: Request): Promise<Response> {
  return action({ request, params: {}, context: {} } as Parameters<RouteAction>[0]);
}

/** Signs and delivers `body` for `topic` to the route Shopify would call; returns the response. */
export async function deliver(
  topic: string,
  shop: string,
  body: unknown,
  options: Partial<Pick<WebhookMessage, "eventId" | "webhookId" | "secret">> & {
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const message: WebhookMessage = {
    topic,
    shop,
    body: typeof body === "string" ? body : JSON.stringify(body),
    secret: options.secret ?? TEST_SECRET,
    eventId: options.eventId,
    webhookId: options.webhookId,
  };
  return callAction(actionFor(topic), webhookRequest(BASE, message, options.headers));
}

export async function status(
  topic: string,
  shop: string,
  body: unknown,
  options: Parameters<typeof deliver>[3] = {},
): Promise<number> {
  return (await deliver(topic, shop, body, options)).status;
}

export async function addOfflineSession(shop: string, scope = "read_orders,write_pixels,read_customer_events") {
  return prisma.session.create({
    data: {
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      scope,
      accessToken: `shpat_${randomBytes(16).toString("hex")}`,
    },
  });
}

export function compliancePayload(topic: string, shop: string, extra: Record<string, unknown> = {}) {
  const base = { shop_id: 954889, shop_domain: shop };
  if (topic === "shop/redact") return { ...base, ...extra };
  return { ...base, customer: { id: 191167, email: "john@example.com", phone: "555-625-1199" }, ...extra };
}
