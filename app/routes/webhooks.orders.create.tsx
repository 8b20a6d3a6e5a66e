import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { webhookHandler } from "~/webhooks/registry.server";

const handler = webhookHandler("/webhooks/orders/create");

export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, handler.ingest);
