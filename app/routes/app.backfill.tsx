/**
 * GET /app/backfill — the state of "Send the last 7 days' orders" (the settings page's card polls it).
 * POST /app/backfill (acknowledged=true) — start it. A resource route: no UI of its own.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticateAdmin } from "~/admin/auth.server";
import { backfillViewFor, startBackfillFromAdmin } from "~/admin/backfill.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  return Response.json(await backfillViewFor(shop), { headers: { "Cache-Control": "no-store" } });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const form = await request.formData();
  const result = await startBackfillFromAdmin(shop, { acknowledged: form.get("acknowledged") === "true" });
  return Response.json(result, { status: result.ok ? 200 : 422 });
};
