import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { webhookHandler } from "~/webhooks/registry.server";

// Ledger entry + one refund correction per Shopify refund; the worker decides the amount sent.
const handler = webhookHandler("/webhooks/refunds/create");

export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, handler.ingest);
