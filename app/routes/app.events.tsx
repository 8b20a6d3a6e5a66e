/**
 * /app/events — the event log: every event with its status, dedup id, order, type, amount, attempts
 * and OpenAI's answer. Filters (outcome, type, skip reason, recorded days, order name) live in the
 * URL, so the reconciliation page links straight to the rows behind each figure; pagination is a
 * keyset cursor (app/models/event-log.server.ts); "Export CSV" downloads the current filter.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link as RemixLink, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  InlineStack,
  Page,
  Pagination,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { authenticateAdmin } from "~/admin/auth.server";
import { type Outcome } from "~/conversions/reconciliation";
import { utcDay } from "~/conversions/day-range";
import { SKIP_REASONS } from "~/conversions/skip-reasons";
import {
  filterToSearchParams,
  listEventLog,
  parseEventLogFilter,
  type EventLogFilter,
} from "~/models/event-log.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const url = new URL(request.url);
  const filter = parseEventLogFilter(url.searchParams, utcDay(new Date()));
  const page = await listEventLog(shop, filter, {
    after: url.searchParams.get("after"),
    before: url.searchParams.get("before"),
  });
  return { filter, page, query: filterToSearchParams(filter).toString() };
};

const OUTCOME_BADGE: Record<
  Outcome,
  { tone?: "success" | "critical" | "warning" | "attention" | "info"; label: string }
> = {
  accepted: { tone: "success", label: "Accepted" },
  waiting: { tone: "info", label: "Waiting" },
  failed: { tone: "critical", label: "Rejected" },
  expired: { tone: "warning", label: "Expired" },
  skipped: { label: "Not sent" },
  other: { tone: "attention", label: "Other" },
};

const STATUS_OPTIONS = [
  { label: "Any outcome", value: "" },
  { label: "Accepted by OpenAI", value: "delivered" },
  { label: "Waiting to be sent", value: "waiting" },
  { label: "Rejected by OpenAI", value: "rejected" },
  { label: "Expired", value: "expired" },
  { label: "Not sent (reason recorded)", value: "skipped" },
];

const TYPE_OPTIONS = [
  { label: "Any type", value: "" },
  { label: "Orders (order_created)", value: "order_created" },
  { label: "Refunds and cancellations (custom)", value: "custom" },
];

const REASON_OPTIONS = [
  { label: "Any reason", value: "" },
  ...Object.keys(SKIP_REASONS).map((reason) => ({ label: reason, value: reason })),
];

export default function EventLog() {
  const { filter, page, query } = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== "idle";
  const location = useLocation();
  const csvUrl = `/app/events/csv${query ? `?${query}` : ""}`;
  const pageLink = (key: "after" | "before", cursor: string) => {
    const params = new URLSearchParams(query);
    params.set(key, cursor);
    return `${location.pathname}?${params}`;
  };

  return (
    <Page
      title="Event log"
      subtitle="Every event the app recorded: what was sent to OpenAI, what OpenAI answered, and why anything was not sent."
      backAction={{ content: "Reconciliation", url: "/app/reconciliation" }}
    >
      <BlockStack gap="400">
        <Filters filter={filter} busy={busy} />
        <Card padding="0">
          <Box padding="400">
            <InlineStack align="space-between" blockAlign="center">
              <Text as="p" variant="bodyMd">
                {page.total.toLocaleString("en-US")} {page.total === 1 ? "event" : "events"} match
              </Text>
              <CsvButton url={csvUrl} disabled={page.total === 0} />
            </InlineStack>
          </Box>
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "numeric", "numeric", "text", "text"]}
            headings={[
              "Status",
              "Order",
              "Type",
              "Dedup id",
              "Amount",
              "Attempts",
              "OpenAI's answer",
              "Recorded (UTC)",
            ]}
            rows={page.rows.map((row) => [
              <Badge key="s" tone={OUTCOME_BADGE[row.outcome].tone}>
                {OUTCOME_BADGE[row.outcome].label}
              </Badge>,
              row.orderName ?? "—",
              row.eventType === "custom" ? `custom: ${row.eventName}` : row.eventType,
              <Text key="d" as="span" variant="bodySm" breakWord>
                <code>{row.dedupId ?? "—"}</code>
              </Text>,
              row.amount ?? "—",
              String(row.attempts),
              <Text key="a" as="span" variant="bodySm" breakWord>
                {row.answer}
              </Text>,
              `${row.recordedAt.slice(0, 10)} ${row.recordedAt.slice(11, 19)}`,
            ])}
            verticalAlign="middle"
          />
          {page.rows.length === 0 ? (
            <Box padding="400">
              <Text as="p" tone="subdued">
                No events match this filter.
              </Text>
            </Box>
          ) : null}
          <Box padding="400">
            <InlineStack align="center">
              <Pagination
                hasPrevious={page.newerCursor !== null}
                previousURL={page.newerCursor ? pageLink("before", page.newerCursor) : undefined}
                previousTooltip="Newer events"
                hasNext={page.olderCursor !== null}
                nextURL={page.olderCursor ? pageLink("after", page.olderCursor) : undefined}
                nextTooltip="Older events"
              />
            </InlineStack>
          </Box>
        </Card>
      </BlockStack>
    </Page>
  );
}

function Filters({ filter, busy }: { filter: EventLogFilter; busy: boolean }) {
  const [status, setStatus] = useState(filter.status ?? "");
  const [type, setType] = useState(filter.type ?? "");
  const [reason, setReason] = useState(filter.reason ?? "");
  const [from, setFrom] = useState(filter.range?.from ?? "");
  const [to, setTo] = useState(filter.range?.to ?? "");
  const [q, setQ] = useState(filter.search ?? "");
  return (
    <Card>
      <Form method="get">
        <BlockStack gap="300">
          <InlineStack gap="300" blockAlign="end" wrap>
            <Select label="Outcome" name="status" options={STATUS_OPTIONS} value={status} onChange={setStatus} />
            <Select label="Type" name="type" options={TYPE_OPTIONS} value={type} onChange={setType} />
            <Select
              label="Reason not sent"
              name="reason"
              options={REASON_OPTIONS}
              value={reason}
              onChange={setReason}
            />
            <TextField label="From (UTC)" type="date" name="from" value={from} onChange={setFrom} autoComplete="off" />
            <TextField label="To (UTC)" type="date" name="to" value={to} onChange={setTo} autoComplete="off" />
            <TextField label="Order name" name="q" value={q} onChange={setQ} placeholder="#1001" autoComplete="off" />
          </InlineStack>
          <InlineStack gap="200">
            <Button submit variant="primary" loading={busy}>
              Apply
            </Button>
            <RemixLink to="/app/events">Clear filters</RemixLink>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

/**
 * Downloads through fetch so the embedded admin's session token rides along (App Bridge adds it to
 * same-origin fetches; a plain link would arrive without it), then saves the file.
 */
function CsvButton({ url, disabled }: { url: string; disabled: boolean }) {
  const [state, setState] = useState<"idle" | "loading" | "failed">("idle");
  const download = async () => {
    setState("loading");
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(String(response.status));
      const name =
        /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "openai-events.csv";
      const blobUrl = URL.createObjectURL(await response.blob());
      const anchor = document.createElement("a");
      anchor.href = blobUrl;
      anchor.download = name;
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(blobUrl), 10_000);
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      {state === "failed" ? (
        <Text as="span" tone="critical">
          Export failed, try again.
        </Text>
      ) : null}
      <Button onClick={download} loading={state === "loading"} disabled={disabled}>
        Export CSV
      </Button>
    </InlineStack>
  );
}
