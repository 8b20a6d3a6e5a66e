import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestAppUninstalled } from "~/webhooks/app-lifecycle.server";

// app/uninstalled: sending stops at once and the shop's sessions are deleted.
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, (hook) => ingestAppUninstalled(hook));

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
