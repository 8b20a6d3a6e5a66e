import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestCancelWebhook } from "~/webhooks/corrections.server";

// Ledger cancellation + one cancel correction, held briefly for the refund Shopify sends with it.
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, (hook) => ingestCancelWebhook(hook));
