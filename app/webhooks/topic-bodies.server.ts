/**
 * What a genuine body of each subscribed topic looks like, strictly enough that one topic's body
 * cannot pass as another's.
 *
 * Why: Shopify's HMAC covers the body only. The topic and shop headers are not signed, so a captured
 * body can be replayed under any topic header to any of our URLs. What stops a signed
 * customers/data_request body from acting as shop/redact, or an orders/create body from acting as
 * app/uninstalled, is the body itself: each topic requires the fields its genuine body always has and
 * refuses the fields that only another topic's body carries (its "markers").
 *
 * Order and refund topics accept a body that is not a JSON object at all: their ingest functions
 * record such a body as a skipped `malformed_payload` event, the merchant's only trace of it. An
 * object that carries another topic's markers is refused for every topic.
 */
import { z } from "zod";

/** Top-level fields that only one kind of Shopify body carries. */
const MARKERS = {
  /** every compliance body */
  compliance: ["shop_id", "shop_domain"],
  dataRequest: ["data_request", "orders_requested"],
  customerRedact: ["orders_to_redact"],
  /** the shop object (app/uninstalled) */
  shop: ["myshopify_domain", "shop_owner", "plan_name"],
  /** the order object (orders/create, orders/paid, orders/cancelled) */
  order: ["line_items", "order_number", "checkout_token", "financial_status"],
  /** the refund object (refunds/create) */
  refund: ["order_id", "refund_line_items", "order_adjustments"],
  /** app/scopes_update */
  scopes: ["previous", "current"],
  /** orders/edited: the edit, not the order */
  orderEdit: ["order_edit"],
} as const;

const shopifyId = z.union([z.number().int().nonnegative(), z.string().min(1).max(100)]);
const domain = z.string().min(1).max(255);
const customer = z.object({}).passthrough().nullable();

function shaped(shape: z.ZodRawShape, forbidden: readonly string[]) {
  return z
    .object(shape)
    .passthrough()
    .superRefine((body, ctx) => {
      for (const key of forbidden) {
        if (Object.hasOwn(body, key)) ctx.addIssue({ code: "custom", path: [key], message: "another topic's field" });
      }
    });
}

/** A body that is not a JSON object: left to the ingest function, which records it as malformed. */
const notAnObject = z.custom<unknown>((value) => typeof value !== "object" || value === null || Array.isArray(value));

const complianceFields = { shop_id: shopifyId, shop_domain: domain };
const notCompliance = [...MARKERS.compliance, ...MARKERS.dataRequest, ...MARKERS.customerRedact];
const orderBody = shaped({}, [
  ...notCompliance,
  ...MARKERS.shop,
  ...MARKERS.refund,
  ...MARKERS.scopes,
  ...MARKERS.orderEdit,
]);

const TOPIC_BODIES: Readonly<Record<string, z.ZodType>> = {
  "customers/data_request": shaped({ ...complianceFields, customer, orders_requested: z.array(z.unknown()) }, [
    ...MARKERS.customerRedact,
    ...MARKERS.shop,
    ...MARKERS.order,
    ...MARKERS.refund,
    ...MARKERS.scopes,
  ]),
  "customers/redact": shaped({ ...complianceFields, customer, orders_to_redact: z.array(z.unknown()) }, [
    ...MARKERS.dataRequest,
    ...MARKERS.shop,
    ...MARKERS.order,
    ...MARKERS.refund,
    ...MARKERS.scopes,
  ]),
  "shop/redact": shaped(complianceFields, [
    "customer",
    ...MARKERS.dataRequest,
    ...MARKERS.customerRedact,
    ...MARKERS.shop,
    ...MARKERS.order,
    ...MARKERS.refund,
    ...MARKERS.scopes,
  ]),
  "app/uninstalled": shaped({ id: shopifyId, myshopify_domain: domain }, [
    ...notCompliance,
    ...MARKERS.order,
    ...MARKERS.refund,
    ...MARKERS.scopes,
  ]),
  "app/scopes_update": shaped({ current: z.unknown().refine((v) => v !== undefined) }, [
    ...notCompliance,
    ...MARKERS.shop,
    ...MARKERS.order,
    ...MARKERS.refund,
  ]),
  "orders/create": z.union([notAnObject, orderBody]),
  "orders/paid": z.union([notAnObject, orderBody]),
  // The order as it is now (its current_* totals). A replayed orders/create or orders/paid body is a
  // genuine, older state of the order: the latest updated_at wins, so it changes nothing.
  "orders/updated": z.union([notAnObject, orderBody]),
  // The edit only: nothing of an order, a refund or any other topic.
  "orders/edited": z.union([
    notAnObject,
    shaped({ order_edit: z.object({}).passthrough() }, [
      ...notCompliance,
      ...MARKERS.shop,
      ...MARKERS.order,
      ...MARKERS.refund,
      ...MARKERS.scopes,
    ]),
  ]),
  // A cancellation is the order with its cancellation time: a captured orders/create or orders/paid
  // body (cancelled_at null) cannot cancel the order.
  "orders/cancelled": z.union([
    notAnObject,
    shaped({ cancelled_at: z.string().min(1) }, [
      ...notCompliance,
      ...MARKERS.shop,
      ...MARKERS.refund,
      ...MARKERS.scopes,
    ]),
  ]),
  "refunds/create": z.union([
    notAnObject,
    shaped({}, [...notCompliance, ...MARKERS.shop, ...MARKERS.order, ...MARKERS.scopes, ...MARKERS.orderEdit]),
  ]),
};

/** True when `payload` (the parsed body, undefined if not JSON) is shaped like a genuine `topic` body. */
export function bodyFitsTopic(topic: string, payload: unknown): boolean {
  const schema = TOPIC_BODIES[topic];
  return schema !== undefined && schema.safeParse(payload).success;
}

/**
 * The shop a body names authoritatively, where it names one: compliance bodies (`shop_domain`) and
 * the shop object of app/uninstalled (`myshopify_domain`). Never `domain` or an order's
 * `order_status_url` host: shops with a custom domain use those, and they name no shop reliably.
 */
export function shopNamedByBody(topic: string, payload: unknown): string | null {
  if (typeof payload !== "object" || payload === null) return null;
  const body = payload as Record<string, unknown>;
  const named =
    topic === "app/uninstalled"
      ? body.myshopify_domain
      : topic === "customers/data_request" || topic === "customers/redact" || topic === "shop/redact"
        ? body.shop_domain
        : undefined;
  return typeof named === "string" ? named : null;
}
