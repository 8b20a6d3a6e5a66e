/**
 * GET /app/events/csv?<the event log's filter> — the filtered event log as CSV, streamed in keyset
 * batches (any size, flat memory). Columns: app/models/event-log.server.ts CSV_COLUMNS; no payloads,
 * no oppref values, no order ids. A resource route: no UI of its own.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticateAdmin } from "~/admin/auth.server";
import { utcDay } from "~/conversions/day-range";
import { csvFileName, eventLogCsvStream, parseEventLogFilter } from "~/models/event-log.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const filter = parseEventLogFilter(new URL(request.url).searchParams, utcDay(new Date()));
  return new Response(eventLogCsvStream(shop, filter), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${csvFileName(shop, filter)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
};
