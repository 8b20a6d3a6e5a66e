import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestCancelWebhook } from "~/webhooks/corrections.server";

// Ledger cancellation + one cancel correction, held briefly for the refund Shopify sends with it.
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, (hook) => ingestCancelWebhook(hook));

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
