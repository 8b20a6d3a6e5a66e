import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { webhookHandler } from "~/webhooks/registry.server";

// The edit (its id names the value event of the change it makes); no money in this body.
const handler = webhookHandler("/webhooks/orders/edited");

export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, handler.ingest);

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
