import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { webhookHandler } from "~/webhooks/registry.server";

const handler = webhookHandler("/webhooks/app/scopes_update");

// app/scopes_update: the granted scopes recorded on the shop and its sessions.
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, handler.ingest);

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
