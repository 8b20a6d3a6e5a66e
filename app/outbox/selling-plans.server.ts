/**
 * The Admin API's word on a subscription order: `LineItem.sellingPlan` (read_orders) gives the plan id
 * OpenAI's subscription_created carries as `data.plan_id`, and with `Order.sourceName` whether the
 * order is a first order or a renewal. Order webhooks carry neither, so the delivery worker asks once,
 * just before it sends a subscription_created that has no plan id yet. Shopify's own client
 * (@shopify/admin-api-client) with the shop's stored offline session (`unauthenticated.admin` keeps an
 * expiring token fresh). Tests point it at a loopback stand-in (sim/admin-api-selling-plans.ts) with
 * SHOPIFY_ADMIN_API_ORIGIN; the config refuses any other origin, so a token never goes elsewhere.
 */
import { createAdminApiClient } from "@shopify/admin-api-client";
import { z } from "zod";
import { API_VERSION } from "~/api-version";
import { configValue } from "~/config.server";
import { orderIdDigits } from "~/conversions/order-id";
import { classifySellingPlanOrder, type SubscriptionSignal } from "~/conversions/subscription-order";
import { unauthenticated } from "~/shopify.server";

/** Line items read per order: subscription orders are small; one selling plan is enough to know. */
const LINE_ITEMS_READ = 50;

export const SELLING_PLANS_QUERY = `query SubscriptionSellingPlans($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Order {
      id
      sourceName
      lineItems(first: ${LINE_ITEMS_READ}) { nodes { sellingPlan { sellingPlanId name } } }
    }
  }
}`;

const answerSchema = z.object({
  nodes: z.array(
    z
      .object({
        id: z.string(),
        sourceName: z.string().nullish(),
        lineItems: z.object({
          nodes: z.array(
            z.object({
              sellingPlan: z.object({ sellingPlanId: z.string().nullish(), name: z.string().nullish() }).nullish(),
            }),
          ),
        }),
      })
      .nullable(),
  ),
});

/** Why the Admin API gave no answer: the order is then sent without a plan id, never held for it. */
export class SellingPlanLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SellingPlanLookupError";
  }
}

/**
 * What the Admin API says about each order (normalized order id → signal; an order with no selling
 * plan, or not found, is absent). One request for all the ids.
 */
export async function readSellingPlanSignals(
  shop: string,
  orderIds: readonly string[],
): Promise<Map<string, SubscriptionSignal>> {
  const found = new Map<string, SubscriptionSignal>();
  if (orderIds.length === 0) return found;
  const data = answerSchema.safeParse(
    await adminGraphql(shop, SELLING_PLANS_QUERY, { ids: orderIds.map((id) => `gid://shopify/Order/${id}`) }),
  );
  if (!data.success) throw new SellingPlanLookupError("Shopify's Admin API answered in an unexpected shape");
  for (const node of data.data.nodes) {
    if (!node) continue;
    const orderId = orderIdDigits(node.id);
    if (orderId === null) continue;
    const plans = node.lineItems.nodes.map((line) => line.sellingPlan ?? null);
    const signal = classifySellingPlanOrder({
      sourceName: node.sourceName ?? null,
      sellingPlanIds: plans.map((plan) => plan?.sellingPlanId ?? null),
      hasSellingPlan: plans.some((plan) => plan !== null),
    });
    if (signal) found.set(orderId, signal);
  }
  return found;
}

async function adminGraphql(shop: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
  let accessToken: string | undefined;
  try {
    accessToken = (await unauthenticated.admin(shop)).session.accessToken;
  } catch (error) {
    throw new SellingPlanLookupError(
      `the shop's access token could not be loaded (${error instanceof Error ? error.name : "error"})`,
    );
  }
  if (!accessToken) throw new SellingPlanLookupError("the app has no access token for this shop");
  const origin = configValue("SHOPIFY_ADMIN_API_ORIGIN");
  const client = createAdminApiClient({
    storeDomain: shop,
    apiVersion: API_VERSION,
    accessToken,
    retries: 1,
    // A loopback stand-in serves every shop on one origin: the shop goes in a header instead of the host.
    customFetchApi: (url, init) =>
      fetch(origin ? String(url).replace(/^https:\/\/[^/]+/, origin) : url, {
        ...init,
        headers: origin
          ? { ...(init?.headers as Record<string, string>), "X-Shopify-Shop-Domain": shop }
          : init?.headers,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      }),
  });
  let response: Response;
  try {
    response = await client.fetch(query, { variables });
  } catch (error) {
    throw new SellingPlanLookupError(
      `Shopify's Admin API did not answer (${error instanceof Error ? error.name : "error"})`,
    );
  }
  if (!response.ok) throw new SellingPlanLookupError(`Shopify's Admin API answered ${response.status}`);
  const body = (await response.json().catch(() => null)) as { data?: unknown; errors?: unknown } | null;
  if (!body || body.errors !== undefined || body.data === undefined) {
    throw new SellingPlanLookupError("Shopify's Admin API answered with errors or without data");
  }
  return body.data;
}
