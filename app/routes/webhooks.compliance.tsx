import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/respond.server";
import { ingestComplianceWebhook } from "~/webhooks/compliance.server";

// customers/data_request, customers/redact, shop/redact (shopify.app.toml: compliance_topics).
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, (hook) => ingestComplianceWebhook(hook));

// Webhooks are POST only: a plain 405 instead of Remix's generic "no loader" error.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
