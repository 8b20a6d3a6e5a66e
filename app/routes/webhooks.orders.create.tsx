import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestOrderWebhook } from "~/webhooks/orders.server";

// Ledger row + the order_created event (the conversion, unless the shop's trigger is "orders_paid").
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, (hook) => ingestOrderWebhook(hook));

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
