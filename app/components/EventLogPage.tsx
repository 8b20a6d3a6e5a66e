/**
 * The event log page: every event with its status, dedup id, order, type, amount, attempts and
 * OpenAI's answer. Every column stays readable at 1280 px (long values wrap; the dedup id is cut
 * with its full text on hover and focus) and the table scrolls inside a focusable region on phones.
 */
import { Form, Link as RemixLink, useLocation, useNavigation } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  InlineStack,
  Page,
  Pagination,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { memo, useState } from "react";
import type { Outcome } from "~/conversions/reconciliation";
import type { DayRange } from "~/conversions/day-range";
import { SKIP_REASONS } from "~/conversions/skip-reasons";
import { emptyEventLog, type SetupNotice } from "~/admin/page-notices";
import { useFormats } from "./locale-context";
import { EmptyNoticeCard, SetupBanner } from "./SetupNoticeBanner";

/** The loader's filter and page (shapes of app/models/event-log.server.ts, which UI may not import). */
export interface EventLogFilter {
  status: string | null;
  reason: string | null;
  type: string | null;
  range: DayRange | null;
  search: string | null;
}

export interface EventLogRowView {
  id: string;
  recordedAt: string;
  outcome: Outcome;
  eventType: string;
  eventName: string;
  dedupId: string | null;
  orderName: string | null;
  amountMinor: number | null;
  currency: string | null;
  attempts: number;
  answer: string;
}

export interface EventLogPageData {
  rows: EventLogRowView[];
  total: number;
  newerCursor: string | null;
  olderCursor: string | null;
}

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

export function EventLogPage({
  filter,
  page,
  query,
  notice,
}: {
  filter: EventLogFilter;
  page: EventLogPageData;
  query: string;
  notice: SetupNotice;
}) {
  const formats = useFormats();
  const location = useLocation();
  const csvUrl = `/app/events/csv${query ? `?${query}` : ""}`;
  // No filter and no event: a fresh install. Say what will appear here instead of an empty table.
  const unfiltered = !filter.status && !filter.reason && !filter.type && !filter.range && !filter.search;
  const noEventsAtAll = unfiltered && page.total === 0;
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
      <TitleBar title="Event log" />
      <BlockStack gap="400">
        <SetupBanner banner={notice.banner} />
        {noEventsAtAll ? (
          <EmptyNoticeCard id="events-empty" notice={emptyEventLog(notice.connection)} />
        ) : (
          <>
            <Filters filter={filter} />
            <Card padding="0">
              <Box padding="400">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="p" variant="bodyMd">
                    {formats.count(page.total)} {page.total === 1 ? "event" : "events"} match
                  </Text>
                  <CsvButton url={csvUrl} disabled={page.total === 0} />
                </InlineStack>
              </Box>
              {page.rows.length === 0 ? (
                <Box padding="400">
                  <Text as="p" tone="subdued">
                    No events match this filter. <RemixLink to="/app/events">Clear filters</RemixLink> to see every
                    event.
                  </Text>
                </Box>
              ) : (
                <EventTable rows={page.rows} />
              )}
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
          </>
        )}
      </BlockStack>
    </Page>
  );
}

/**
 * The filter form. The navigation state is read here, not by the page: the Apply click then
 * re-renders this form (its disabled button and status line), not the page with its table of events,
 * which kept the click's next paint over 200 ms (INP) on a throttled CPU.
 */
function Filters({ filter }: { filter: EventLogFilter }) {
  const busy = useNavigation().state !== "idle";
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
            {/* Not `loading`: Polaris' spinner swap alone pushed the click's next paint past 200 ms (INP) on a
                throttled CPU. A disabled button and a status line that is always there (only its text
                changes, so nothing moves) say the same, also to screen readers, for less. */}
            <Button submit variant="primary" disabled={busy}>
              Apply
            </Button>
            <span role="status" style={{ color: "var(--p-color-text-secondary)" }}>
              {busy ? "Applying…" : ""}
            </span>
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

const HEADINGS = ["Status", "Order", "Type", "Dedup id", "Amount", "Attempts", "OpenAI's answer", "Recorded (UTC)"];
/** Column widths at desktop size; the answer column takes what is left. */
const WIDTHS = ["110px", "80px", "130px", "150px", "110px", "80px", "auto", "150px"];

const cell = (numeric = false): React.CSSProperties => ({
  padding: "10px 12px",
  textAlign: numeric ? "right" : "left",
  verticalAlign: "top",
  overflowWrap: "anywhere",
  borderBlockStart: "1px solid var(--p-color-border-secondary)",
});

/**
 * A plain table instead of Polaris' DataTable: DataTable never wraps its cells (it scrolls
 * sideways, hiding OpenAI's answer at 1280 px) and its scroll container is not focusable.
 */
const EventTable = memo(function EventTable({ rows }: { rows: EventLogPageData["rows"] }) {
  const formats = useFormats();
  return (
    <div
      role="region"
      aria-label="Events"
      tabIndex={0}
      style={{ overflowX: "auto", maxWidth: "100%" }}
      data-testid="event-table"
    >
      <table style={{ width: "100%", minWidth: 720, borderCollapse: "collapse", tableLayout: "fixed" }}>
        <colgroup>
          {WIDTHS.map((width, i) => (
            <col key={i} style={{ width }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {HEADINGS.map((heading, i) => (
              <th
                key={heading}
                scope="col"
                style={{ ...cell(i === 4 || i === 5), fontWeight: 600, borderBlockStart: "none" }}
              >
                <Text as="span" variant="bodySm" fontWeight="semibold">
                  {heading}
                </Text>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td style={cell()}>
                <Badge tone={OUTCOME_BADGE[row.outcome].tone}>{OUTCOME_BADGE[row.outcome].label}</Badge>
              </td>
              <td style={cell()}>{row.orderName ?? "—"}</td>
              <td style={cell()}>{row.eventType === "custom" ? `custom: ${row.eventName}` : row.eventType}</td>
              <td style={cell()}>
                {row.dedupId ? (
                  <code
                    title={row.dedupId}
                    tabIndex={0}
                    aria-label={`Dedup id ${row.dedupId}`}
                    className="event-dedup-id"
                    style={{
                      display: "block",
                      overflow: "hidden",
                      textOverflow: "ellipsis",
                      whiteSpace: "nowrap",
                      fontSize: 12,
                    }}
                  >
                    {row.dedupId}
                  </code>
                ) : (
                  "—"
                )}
              </td>
              <td style={cell(true)}>
                {row.amountMinor !== null && row.currency ? formats.money(row.currency, row.amountMinor) : "—"}
              </td>
              <td style={cell(true)}>{formats.count(row.attempts)}</td>
              <td style={cell()}>
                <Text as="span" variant="bodySm">
                  {row.answer}
                </Text>
              </td>
              <td style={cell()}>{formats.dateTime(row.recordedAt).replace(/ UTC$/, "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {/* Focus or hover shows the whole dedup id (it is cut to the column otherwise). */}
      <style>
        {".event-dedup-id:focus, .event-dedup-id:hover { white-space: normal !important; overflow-wrap: anywhere; }"}
      </style>
    </div>
  );
});
