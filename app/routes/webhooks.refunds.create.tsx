import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { webhookHandler } from "~/webhooks/registry.server";

// Ledger entry + one refund correction per Shopify refund; the worker decides the amount sent.
const handler = webhookHandler("/webhooks/refunds/create");

export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, handler.ingest);

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
