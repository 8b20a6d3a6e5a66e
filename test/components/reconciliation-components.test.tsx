/**
 * The alerts banner and the daily chart rendered on the server, as Remix does for the first paint:
 * the banner lists every alert with its action link; the chart renders its text fallback (Polaris Viz
 * is only loaded in the browser, after hydration).
 */
import { renderToString } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { describe, expect, it } from "vitest";
import { evaluateAlerts, type Alert } from "~/conversions/alerts";
import { buildEventFigures, type EventAggregateRow } from "~/conversions/reconciliation";
import { AlertsBanner } from "~/components/AlertsBanner";
import { DailyChart, dailySeries } from "~/components/DailyChart";

const wrap = (node: React.ReactNode) => renderToString(<AppProvider i18n={en}>{node}</AppProvider>);

describe("AlertsBanner", () => {
  it("renders nothing when all is well", () => {
    expect(
      renderToString(
        <AppProvider i18n={en}>
          <AlertsBanner alerts={[]} />
        </AppProvider>,
      ),
    ).not.toContain("data-alert-id");
  });

  it("renders one banner per alert, most serious first, with its action link", () => {
    const now = new Date("2026-11-20T12:00:00Z");
    const alerts: Alert[] = evaluateAlerts({
      now,
      credentials: { status: "rejected", message: "OpenAI answered 401: invalid key", checkedAt: now },
      oldestFailing: { createdAt: new Date(now.getTime() - 3_600_000), lastStatus: 503, lastError: null },
      failingCount: 3,
      lastDeliveredAt: null,
      ratio: { deliverable: 0, accepted: 0 },
      receipts: { baseline: 0, quiet: 0, webOrdersQuiet: 0 },
      expiring: { count: 0, earliest: null },
    });
    const html = wrap(<AlertsBanner alerts={alerts} />);
    expect([...html.matchAll(/data-alert-id="([a-z_]+)"/g)].map((m) => m[1])).toEqual([
      "credentials_rejected",
      "delivery_failing",
    ]);
    expect(html).toContain("OpenAI rejected your Conversions API key");
    expect(html).toContain("OpenAI answered 401: invalid key");
    expect(html).toContain("Delivery to OpenAI has been failing for 60 minutes");
    expect(html).toContain('href="/app/events?status=waiting"');
    expect(html).toContain('href="/app"');
  });
});

describe("DailyChart", () => {
  const rows: EventAggregateRow[] = [
    {
      day: "2026-11-01",
      eventType: "order_created",
      eventName: "",
      status: "delivered",
      skipReason: null,
      nonWebSent: false,
      count: 7,
    },
    {
      day: "2026-11-01",
      eventType: "order_created",
      eventName: "",
      status: "rejected",
      skipReason: "rejected_by_openai",
      count: 1,
      nonWebSent: false,
    },
    {
      day: "2026-11-02",
      eventType: "order_created",
      eventName: "",
      status: "expired",
      skipReason: "expired",
      count: 2,
      nonWebSent: false,
    },
    {
      day: "2026-11-02",
      eventType: "order_created",
      eventName: "",
      status: "pending",
      skipReason: null,
      count: 3,
      nonWebSent: false,
    },
    {
      day: "2026-11-02",
      eventType: "order_created",
      eventName: "",
      status: "skipped",
      skipReason: "test_order",
      count: 4,
      nonWebSent: false,
    },
  ];
  const days = buildEventFigures(rows, { from: "2026-11-01", to: "2026-11-03" }).days;

  it("has one point per day in each series", () => {
    expect(dailySeries(days).map((s) => [s.name, s.data.map((p) => p.value)])).toEqual([
      ["Accepted by OpenAI", [7, 0, 0]],
      ["Waiting", [0, 3, 0]],
      ["Rejected or expired", [1, 2, 0]],
      ["Not sent (reason recorded)", [0, 4, 0]],
    ]);
    expect(dailySeries(days)[0].data.map((p) => p.key)).toEqual(["11-01", "11-02", "11-03"]);
  });

  it("renders a text fallback on the server (the chart library loads in the browser only)", () => {
    const html = wrap(<DailyChart days={days} />);
    expect(html).toContain("Loading chart…");
    expect(html).toContain("17 web orders over 3 days");
    expect(html).not.toContain('data-testid="daily-chart"');
  });
});
