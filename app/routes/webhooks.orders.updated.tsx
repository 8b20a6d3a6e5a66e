import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { webhookHandler } from "~/webhooks/registry.server";

// The order's current value (edits, upsells, returns, exchanges) → ledger gross + one value event per change.
const handler = webhookHandler("/webhooks/orders/updated");

export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, handler.ingest);

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
