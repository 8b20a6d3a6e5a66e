import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestOrderWebhook } from "~/webhooks/orders.server";

export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, (hook) => ingestOrderWebhook(hook));
