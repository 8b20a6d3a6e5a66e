/**
 * /app/events — the event log's loader (page: app/components/EventLogPage.tsx). Filters (outcome,
 * type, skip reason, recorded days, order name) live in the URL, so the reconciliation page links
 * straight to the rows behind each figure; pagination is a keyset cursor
 * (app/models/event-log.server.ts); "Export CSV" downloads the current filter.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { authenticateAdmin } from "~/admin/auth.server";
import { loadSetupNotice } from "~/admin/setup-notice.server";
import { EventLogPage } from "~/components/EventLogPage";
import { utcDay } from "~/conversions/day-range";
import { filterToSearchParams, listEventLog, parseEventLogFilter } from "~/models/event-log.server";

export const meta: MetaFunction = () => [{ title: "Event log · ChatGPT Ads conversions" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const url = new URL(request.url);
  const filter = parseEventLogFilter(url.searchParams, utcDay(new Date()));
  const page = await listEventLog(shop, filter, {
    after: url.searchParams.get("after"),
    before: url.searchParams.get("before"),
  });
  return { filter, page, query: filterToSearchParams(filter).toString(), notice: await loadSetupNotice(shop) };
};

export default function EventLog() {
  const { filter, page, query, notice } = useLoaderData<typeof loader>();
  return <EventLogPage filter={filter} page={page} query={query} notice={notice} />;
}
