import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { webhookHandler } from "~/webhooks/registry.server";

const handler = webhookHandler("/webhooks/orders/create");

// Ledger row + the order_created event (the conversion, unless the shop's trigger is "orders_paid").
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, handler.ingest);

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
