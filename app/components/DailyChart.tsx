/**
 * The daily series of web orders by outcome, as a stacked bar chart (Polaris Viz).
 *
 * Client-only on purpose: Polaris Viz measures its container and animates with react-spring, which
 * needs a DOM; on the server it would render an empty or mismatched frame (and pull d3 into the
 * server bundle). So the server and the first client render show a plain, accessible summary of the
 * same numbers; after hydration the library is imported (its own chunk) and the chart replaces it. If
 * the import fails (old browser, blocked chunk) the summary simply stays. The page's daily table
 * carries every number either way.
 */
import { useEffect, useState } from "react";
import { BlockStack, Box, InlineStack, Text } from "@shopify/polaris";
import type { DayFigures } from "~/conversions/reconciliation";

type VizModule = typeof import("@shopify/polaris-viz");

export interface ChartSeries {
  name: string;
  color: string;
  data: { key: string; value: number }[];
}

/** The chart's series: accepted, waiting, failed (rejected + expired), not sent; one point per day. */
export function dailySeries(days: readonly DayFigures[]): ChartSeries[] {
  const point = (pick: (d: DayFigures) => number) => days.map((d) => ({ key: d.day.slice(5), value: pick(d) }));
  return [
    { name: "Accepted by OpenAI", color: "#29845a", data: point((d) => d.orders.accepted) },
    { name: "Waiting", color: "#8a6116", data: point((d) => d.orders.waiting) },
    {
      name: "Rejected or expired",
      color: "#c70a24",
      data: point((d) => d.orders.failed + d.orders.expired + d.orders.other),
    },
    { name: "Not sent (reason recorded)", color: "#8a8a8a", data: point((d) => d.orders.skipped) },
  ];
}

export function DailyChart({ days, height = 260 }: { days: readonly DayFigures[]; height?: number }) {
  const [viz, setViz] = useState<VizModule | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let alive = true;
    import("@shopify/polaris-viz").then((module) => alive && setViz(module)).catch(() => alive && setFailed(true));
    return () => {
      alive = false;
    };
  }, []);

  const series = dailySeries(days);
  const total = days.reduce((sum, d) => sum + d.orders.total, 0);

  if (!viz) {
    return (
      <Box minHeight={`${height}px`} padding="400" background="bg-surface-secondary" borderRadius="200">
        <BlockStack gap="200">
          <Text as="p" tone="subdued">
            {failed ? "The chart could not be loaded; the daily table below has the same figures." : "Loading chart…"}
          </Text>
          <Text as="p">{`${total} web orders over ${days.length} days: ${series.map((s) => `${s.name.toLowerCase()} ${s.data.reduce((sum, p) => sum + p.value, 0)}`).join(", ")}.`}</Text>
        </BlockStack>
      </Box>
    );
  }

  const { PolarisVizProvider, BarChart } = viz;
  return (
    <BlockStack gap="200">
      <div style={{ height }} data-testid="daily-chart" role="img" aria-label="Web orders per day by outcome">
        {/* The picture is named by the role="img" wrapper and its numbers are in the daily table: the
            library's own SVG (role="list" without list items in a stacked chart) is kept out of the
            accessibility tree instead of being read as a broken list. */}
        <div aria-hidden="true" style={{ height: "100%" }}>
          <PolarisVizProvider>
            {/* The library's own legend is measured after the first frame, which draws the bars with a
              negative height for a moment (console errors); a plain legend below avoids that. */}
            <BarChart
              data={series}
              type="stacked"
              theme="Light"
              showLegend={false}
              xAxisOptions={{ labelFormatter: (value) => String(value ?? "") }}
              emptyStateText="No web orders in this period"
            />
          </PolarisVizProvider>
        </div>
      </div>
      <InlineStack gap="400" align="center">
        {series.map((s) => (
          <InlineStack key={s.name} gap="100" blockAlign="center" wrap={false}>
            <span
              aria-hidden
              style={{ width: 10, height: 10, borderRadius: 5, background: s.color, display: "inline-block" }}
            />
            <Text as="span" variant="bodySm" tone="subdued">
              {s.name}
            </Text>
          </InlineStack>
        ))}
      </InlineStack>
    </BlockStack>
  );
}
