/**
 * /app/reconciliation — the loader for the reconciliation page (app/components/ReconciliationPage.tsx):
 * the range from the URL, every figure from stored records (app/models/reconciliation.server.ts);
 * `scripts/print-reconciliation.ts` prints the same figures.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { authenticateAdmin } from "~/admin/auth.server";
import { loadSetupNotice } from "~/admin/setup-notice.server";
import { ReconciliationPage } from "~/components/ReconciliationPage";
import { parseDayRange, utcDay } from "~/conversions/day-range";
import { loadReconciliation } from "~/models/reconciliation.server";

export const meta: MetaFunction = () => [{ title: "Reconciliation · ChatGPT Ads conversions" }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const url = new URL(request.url);
  const now = new Date();
  const range = parseDayRange(
    { from: url.searchParams.get("from"), to: url.searchParams.get("to"), days: url.searchParams.get("days") },
    utcDay(now),
  );
  const report = await loadReconciliation(shop, range, { now });
  return { report, today: utcDay(now), notice: await loadSetupNotice(shop, now) };
};

export default function Reconciliation() {
  const { report, today, notice } = useLoaderData<typeof loader>();
  return <ReconciliationPage report={report} today={today} notice={notice} />;
}
