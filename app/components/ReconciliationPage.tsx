/**
 * The reconciliation page: what Shopify told us, what OpenAI accepted, and the recorded reason for every
 * order that was not sent; the browser pixel's loss measured on this shop's own orders; oppref
 * coverage; gross vs net revenue. Every number comes from stored records (definitions:
 * app/conversions/reconciliation.ts). Numbers, money and dates in the merchant's locale.
 */
import { Form, Link as RemixLink, useNavigation } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  DataTable,
  Divider,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import {
  OPPREF_SOURCES,
  skipReasonText,
  type OutcomeCounts,
  type ReconciliationReport,
} from "~/conversions/reconciliation";
import { dayCount, RANGE_PRESETS, type DayRange } from "~/conversions/day-range";
import {
  INDUSTRY_PIXEL_LOSS,
  OPPREF_SOURCE_LABELS,
  opprefSummary,
  pixelLossSummary,
  sortedReasons,
  themeEmbedSummary,
} from "~/admin/reconciliation-text";
import { emptyReconciliation, type SetupNotice } from "~/admin/page-notices";
import { DailyChart } from "./DailyChart";
import { EmptyNoticeCard, SetupBanner } from "./SetupNoticeBanner";
import { useFormats } from "./locale-context";

function eventsLink(range: DayRange, params: Record<string, string>): string {
  const query = new URLSearchParams({ type: "order_created", ...params, from: range.from, to: range.to });
  return `/app/events?${query}`;
}

export function ReconciliationPage({
  report,
  today,
  notice,
}: {
  report: ReconciliationReport;
  today: string;
  notice: SetupNotice;
}) {
  const formats = useFormats();
  useFocusableTableScroll();
  const n = formats.count;
  const formatPercent = formats.rate;
  const formatMoney = formats.money;
  const { events, pixel, oppref, revenue, range } = report;
  const orders = events.orders;
  const busy = useNavigation().state !== "idle";
  const shareOfWebOrders = (count: number) => formatPercent(pixel.webOrders ? count / pixel.webOrders : null);
  // Nothing recorded in the range: say so and what to do, instead of tables of zeros that look measured.
  const empty = orders.total === 0 && events.corrections.total === 0;
  const title = "Reconciliation";
  const subtitle =
    "Every web order Shopify sent us, what OpenAI accepted, and why the rest was not sent — counted from stored records, never estimated.";

  if (empty)
    return (
      <Page title={title} subtitle={subtitle}>
        <TitleBar title={title} />
        <BlockStack gap="400">
          <SetupBanner banner={notice.banner} />
          <RangePicker range={range} today={today} busy={busy} />
          <EmptyNoticeCard id="reconciliation-empty" notice={emptyReconciliation(notice.connection, range)} />
        </BlockStack>
        <Box paddingBlockEnd="800" />
      </Page>
    );

  return (
    <Page title={title} subtitle={subtitle}>
      <TitleBar title={title} />
      <Layout>
        {notice.banner ? (
          <Layout.Section>
            <SetupBanner banner={notice.banner} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <RangePicker range={range} today={today} busy={busy} />
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Web orders, {range.from} to {range.to}
                </Text>
                <Badge tone={orders.total > 0 && orders.accepted === orders.total ? "success" : undefined}>
                  {`${formatPercent(orders.total ? orders.accepted / orders.total : null)} accepted`}
                </Badge>
              </InlineStack>
              <InlineGrid columns={{ xs: 2, sm: 3, md: 6 }} gap="400">
                <Figure
                  id="orders-received"
                  label="Web orders received"
                  value={orders.total}
                  to={eventsLink(range, {})}
                />
                <Figure
                  id="orders-accepted"
                  label="Accepted by OpenAI"
                  value={orders.accepted}
                  tone="success"
                  to={eventsLink(range, { status: "delivered" })}
                />
                <Figure
                  id="orders-waiting"
                  label="Waiting to be sent"
                  value={orders.waiting}
                  to={eventsLink(range, { status: "waiting" })}
                />
                <Figure
                  id="orders-rejected"
                  label="Rejected by OpenAI"
                  value={orders.failed}
                  tone={orders.failed ? "critical" : undefined}
                  to={eventsLink(range, { status: "rejected" })}
                />
                <Figure
                  id="orders-expired"
                  label="Expired (over 7 days)"
                  value={orders.expired}
                  tone={orders.expired ? "critical" : undefined}
                  to={eventsLink(range, { status: "expired" })}
                />
                <Figure
                  id="orders-skipped"
                  label="Not sent, reason recorded"
                  value={orders.skipped}
                  to={eventsLink(range, { status: "skipped" })}
                />
              </InlineGrid>
              <SkipReasons counts={orders} range={range} />
              <Text as="p" tone="subdued">
                A web order is an online-store order from Shopify's orders webhook, counted on the UTC day it reached
                the app. Not counted here: {n(events.excluded.posOrders)} point-of-sale,{" "}
                {n(events.excluded.nonWebOrders)} other-channel orders (not sent), {n(events.excluded.nonWebSent)}{" "}
                non-web orders you chose to send, {n(events.excluded.duplicates)} duplicates and{" "}
                {n(events.excluded.subscriptionRenewals)} subscription renewals.
              </Text>
              <Text as="p" id="subscription-figures">
                Subscriptions: {n(events.subscriptions.created.accepted)} of {n(events.subscriptions.created.total)}{" "}
                first orders reported as subscription_created; {n(events.subscriptions.renewals)} renewals, counted
                apart (a repeat charge is not a new sale from an ad),{" "}
                {n(events.subscriptions.renewalsReported.accepted)} of them reported as subscription_renewed.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>

        <ReportSection title="Web orders per day">
          <DailyChart days={events.days} />
        </ReportSection>

        <ReportSection title="Pixel loss, measured on your shop" half>
          <Text as="p" tone="subdued">
            {INDUSTRY_PIXEL_LOSS} Here it is measured for your shop: at checkout the pixel tells the app whether its own
            request to OpenAI went out, and the server knows every order Shopify sent.
          </Text>
          <Text as="p" variant="headingLg">
            {formatPercent(pixel.pixelLossRate)} missed by the pixel · {formatPercent(pixel.serverRecoveryRate)}{" "}
            recovered by server events
          </Text>
          <Text as="p">{pixelLossSummary(pixel)}</Text>
          <DataTable
            columnContentTypes={["text", "numeric", "numeric"]}
            headings={["Web orders", "Orders", "Share"]}
            rows={[
              ["Pixel reported the sale to OpenAI", n(pixel.pixelSent), shareOfWebOrders(pixel.pixelSent)],
              [
                "Pixel ran, request blocked in the browser",
                n(pixel.pixelBlocked),
                shareOfWebOrders(pixel.pixelBlocked),
              ],
              [
                "Pixel ran, did not send (no consent / off)",
                n(pixel.pixelNotSent),
                shareOfWebOrders(pixel.pixelNotSent),
              ],
              ["No pixel signal at all", n(pixel.noReceipt), shareOfWebOrders(pixel.noReceipt)],
              ["Counted only thanks to server events", n(pixel.serverOnly), formatPercent(pixel.serverRecoveryRate)],
            ]}
            totals={["", n(pixel.webOrders), ""]}
            showTotalsInFooter
          />
          <div data-figure="embed-attributed" data-value={report.themeEmbed.attributed}>
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">
                Theme embed (estimate): {n(report.themeEmbed.attributed)} server-only{" "}
                {report.themeEmbed.attributed === 1 ? "order" : "orders"} attributed
              </Text>
              <Text as="p">{themeEmbedSummary(report.themeEmbed)}</Text>
            </BlockStack>
          </div>
          <Text as="p" tone="subdued">
            {n(pixel.consentDenied)} pixel reports said the buyer declined tracking. {n(pixel.lateReceipts)} arrived
            after the server had already sent or decided the order. {n(report.receiptsWithoutOrder)} pixel reports in
            this period are for orders Shopify has not sent us (yet). OpenAI counts an order once even when both the
            pixel and the server report it (same dedup id).
          </Text>
        </ReportSection>

        <ReportSection title="Ad click coverage (oppref)" half>
          <Text as="p" tone="subdued">
            OpenAI adds an oppref to the links of its ads. An order event that carries it can be attributed to the ad
            click; one without it can only be matched by hashed customer data.
          </Text>
          <Text as="p" variant="headingLg">
            {formatPercent(oppref.coverageRate)} of accepted server events carried an oppref
          </Text>
          <Text as="p">{opprefSummary(oppref)}</Text>
          <DataTable
            columnContentTypes={["text", "numeric"]}
            headings={["Where the oppref came from", "Events"]}
            rows={[
              ...OPPREF_SOURCES.map((source) => [OPPREF_SOURCE_LABELS[source], n(oppref.bySource[source])]),
              ...(oppref.otherSource ? [["Other source", n(oppref.otherSource)]] : []),
              [OPPREF_SOURCE_LABELS.none, n(oppref.withoutOppref)],
            ]}
            totals={["", n(oppref.delivered)]}
            showTotalsInFooter
          />
        </ReportSection>

        <ReportSection title="Revenue: gross, net and reported">
          <Text as="p" tone="subdued">
            OpenAI keeps the first value it receives for an order and has no refund event. Gross is what the web orders
            were worth when placed (test orders excluded); net is after refunds and cancellations, from the app's own
            ledger; refunds are also reported to OpenAI as custom events.
          </Text>
          {revenue.length === 0 ? (
            <Text as="p">No revenue in this period.</Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
              headings={[
                "Currency",
                "Orders",
                "Gross",
                "Refunded",
                "Cancelled",
                "Net",
                "Accepted by OpenAI",
                "Corrections accepted",
              ]}
              rows={revenue.map((r) =>
                r.currency === "unknown"
                  ? ["Amount not readable", n(r.orders), "—", "—", "—", "—", "—", "—"]
                  : [
                      r.currency,
                      n(r.orders),
                      formatMoney(r.currency, r.grossMinor),
                      formatMoney(r.currency, r.refundedMinor),
                      formatMoney(r.currency, r.cancelledMinor),
                      formatMoney(r.currency, r.netMinor),
                      formatMoney(r.currency, r.reportedMinor),
                      formatMoney(r.currency, r.correctionsReportedMinor),
                    ],
              )}
            />
          )}
        </ReportSection>

        <ReportSection title="Refund and cancellation reports">
          <InlineGrid columns={{ xs: 2, sm: 3, md: 6 }} gap="400">
            <Figure
              id="corrections-recorded"
              label="Recorded"
              value={events.corrections.total}
              to={eventsLink(range, { type: "custom" })}
            />
            <Figure
              id="corrections-accepted"
              label="Accepted by OpenAI"
              value={events.corrections.accepted}
              tone="success"
              to={eventsLink(range, { type: "custom", status: "delivered" })}
            />
            <Figure
              id="corrections-waiting"
              label="Waiting"
              value={events.corrections.waiting}
              to={eventsLink(range, { type: "custom", status: "waiting" })}
            />
            <Figure
              id="corrections-rejected"
              label="Rejected"
              value={events.corrections.failed}
              to={eventsLink(range, { type: "custom", status: "rejected" })}
            />
            <Figure
              id="corrections-expired"
              label="Expired"
              value={events.corrections.expired}
              to={eventsLink(range, { type: "custom", status: "expired" })}
            />
            <Figure
              id="corrections-skipped"
              label="Not sent"
              value={events.corrections.skipped}
              to={eventsLink(range, { type: "custom", status: "skipped" })}
            />
          </InlineGrid>
          <SkipReasons counts={events.corrections} range={range} type="custom" />
        </ReportSection>

        <ReportSection title="Day by day (UTC)">
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
            headings={[
              "Day",
              "Web orders",
              "Accepted",
              "Waiting",
              "Rejected",
              "Expired",
              "Not sent",
              "Corrections accepted",
            ]}
            rows={[...events.days]
              .reverse()
              .map((d) => [
                d.day,
                n(d.orders.total),
                n(d.orders.accepted),
                n(d.orders.waiting),
                n(d.orders.failed),
                n(d.orders.expired),
                n(d.orders.skipped),
                `${n(d.corrections.accepted)} / ${n(d.corrections.total)}`,
              ])}
            totals={[
              "",
              n(orders.total),
              n(orders.accepted),
              n(orders.waiting),
              n(orders.failed),
              n(orders.expired),
              n(orders.skipped),
              `${n(events.corrections.accepted)} / ${n(events.corrections.total)}`,
            ]}
            showTotalsInFooter
          />
        </ReportSection>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}

/** One report on the page: a titled card, full width or half. */
function ReportSection({ title, half = false, children }: { title: string; half?: boolean; children: ReactNode }) {
  return (
    <Layout.Section variant={half ? "oneHalf" : undefined}>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {children}
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}

function Figure({
  id,
  label,
  value,
  to,
  tone,
}: {
  id: string;
  label: string;
  value: number;
  to: string;
  tone?: "success" | "critical";
}) {
  const n = useFormats().count;
  return (
    <div data-figure={id} data-value={value}>
      <BlockStack gap="100">
        <Text as="span" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Text as="span" variant="headingXl" tone={tone}>
          {n(value)}
        </Text>
        <Text as="span" variant="bodySm">
          <RemixLink to={to}>View events</RemixLink>
        </Text>
      </BlockStack>
    </div>
  );
}

function SkipReasons({
  counts,
  range,
  type = "order_created",
}: {
  counts: OutcomeCounts;
  range: DayRange;
  type?: string;
}) {
  const n = useFormats().count;
  const reasons = sortedReasons(counts.skippedByReason);
  if (reasons.length === 0) return null;
  return (
    <BlockStack gap="200">
      <Divider />
      <Text as="h3" variant="headingSm">
        Why the rest was not sent
      </Text>
      <DataTable
        columnContentTypes={["text", "numeric"]}
        headings={["Recorded reason", "Events"]}
        rows={reasons.map(([reason, count]) => [
          <RemixLink key={reason} to={eventsLink(range, { type, reason })}>
            {skipReasonText(reason)}
          </RemixLink>,
          n(count),
        ])}
      />
    </BlockStack>
  );
}

function RangePicker({ range, today, busy }: { range: DayRange; today: string; busy: boolean }) {
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const days = dayCount(range);
  return (
    <Card>
      <Form method="get">
        <InlineStack gap="400" align="space-between" blockAlign="end" wrap>
          <ButtonGroup variant="segmented">
            {RANGE_PRESETS.map((preset) => (
              <Button
                key={preset}
                url={`/app/reconciliation?days=${preset}`}
                pressed={days === preset && range.to === today}
              >
                {`Last ${preset} days`}
              </Button>
            ))}
          </ButtonGroup>
          <InlineStack gap="200" blockAlign="end">
            <TextField label="From (UTC)" type="date" name="from" value={from} onChange={setFrom} autoComplete="off" />
            <TextField label="To (UTC)" type="date" name="to" value={to} onChange={setTo} autoComplete="off" />
            <Button submit loading={busy}>
              Show
            </Button>
          </InlineStack>
        </InlineStack>
      </Form>
    </Card>
  );
}

/**
 * Polaris' DataTable scrolls sideways inside a container a keyboard cannot reach (narrow screens):
 * make each one a focusable, named region once the page is in the browser.
 */
function useFocusableTableScroll() {
  useEffect(() => {
    document.querySelectorAll<HTMLElement>(".Polaris-DataTable__ScrollContainer").forEach((el) => {
      el.tabIndex = 0;
      el.setAttribute("role", "region");
      const heading = el.closest(".Polaris-Card, .Polaris-ShadowBevel")?.querySelector("h2")?.textContent;
      el.setAttribute("aria-label", heading ? `${heading} (table)` : "Table");
    });
  });
}
