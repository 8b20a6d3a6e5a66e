/**
 * The real Remix action of every webhook route, by topic, for tests that call routes in-process
 * (signed exactly like Shopify signs, no HTTP server). The order is fixed: seeded fuzzing picks from it.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { action as appScopesUpdate } from "~/routes/webhooks.app.scopes_update";
import { action as appUninstalled } from "~/routes/webhooks.app.uninstalled";
import { action as compliance } from "~/routes/webhooks.compliance";
import { action as ordersCancelled } from "~/routes/webhooks.orders.cancelled";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as ordersPaid } from "~/routes/webhooks.orders.paid";
import { action as refundsCreate } from "~/routes/webhooks.refunds.create";

export type RouteAction = (args: ActionFunctionArgs) => Promise<Response> | Response;

export const WEBHOOK_ROUTE_ACTIONS: Readonly<Record<string, RouteAction>> = {
  "orders/create": ordersCreate as RouteAction,
  "orders/paid": ordersPaid as RouteAction,
  "orders/cancelled": ordersCancelled as RouteAction,
  "refunds/create": refundsCreate as RouteAction,
  "app/uninstalled": appUninstalled as RouteAction,
  "app/scopes_update": appScopesUpdate as RouteAction,
  "customers/data_request": compliance as RouteAction,
  "customers/redact": compliance as RouteAction,
  "shop/redact": compliance as RouteAction,
};
