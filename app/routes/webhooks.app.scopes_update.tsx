import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestScopesUpdate } from "~/webhooks/app-lifecycle.server";

// app/scopes_update: the granted scopes recorded on the shop and its sessions.
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, (hook) => ingestScopesUpdate(hook));

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
