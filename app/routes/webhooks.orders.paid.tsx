import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestOrderWebhook } from "~/webhooks/orders.server";

// Counts the conversion only for shops whose trigger is "orders_paid"; always updates the ledger.
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, (hook) => ingestOrderWebhook(hook));

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
