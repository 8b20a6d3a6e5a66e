import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestRefundWebhook } from "~/webhooks/corrections.server";

// Ledger entry + one refund correction per Shopify refund; the worker decides the amount sent.
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, (hook) => ingestRefundWebhook(hook));

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
