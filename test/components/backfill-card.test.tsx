/**
 * The backfill card as the server renders it: the offer carries the warning about other integrations
 * and its start button stays disabled until the merchant acknowledges it; progress shows orders done
 * of total in a Polaris ProgressBar; a failure shows its reason and offers to try again.
 */
import { renderToString } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { describe, expect, it } from "vitest";
import { backfillView, type BackfillFacts } from "~/admin/backfill-view";
import { BackfillCard } from "~/components/BackfillCard";

const facts = (job: BackfillFacts["job"], credentialsStatus = "ok"): BackfillFacts => ({
  credentialsStatus,
  hasApiKey: true,
  hasPixelId: true,
  job,
});
const job = (over: Partial<NonNullable<BackfillFacts["job"]>>) => ({
  state: "running",
  done: 0,
  total: null,
  failureReason: null,
  startedAt: new Date("2026-12-02T10:00:00Z"),
  finishedAt: null,
  ...over,
});
const render = (f: BackfillFacts, error: string | null = null) =>
  renderToString(
    <AppProvider i18n={en}>
      <BackfillCard view={backfillView(f)} error={error} starting={false} onStart={() => {}} />
    </AppProvider>,
  );

describe("BackfillCard", () => {
  it("is not offered before OpenAI accepted the saved credentials", () => {
    const html = render(facts(null, "unknown"));
    expect(html).toContain("Save a Pixel ID and a Conversions API key that OpenAI accepts first.");
    expect(html).not.toContain("Send the last 7 days’ orders</");
  });

  it("offers it with the warning about other integrations, start disabled until acknowledged", () => {
    const html = render(facts(null));
    expect(html).toContain("OpenAI would count each of them");
    expect(html).toContain("No other integration sent this store’s orders of the last 7 days to OpenAI");
    expect(html).toMatch(/<button[^>]*disabled[^>]*>(?:(?!<\/button>).)*Send the last 7 days’ orders/s);
  });

  it("shows progress: orders done of total and a progress bar", () => {
    const view = backfillView(facts(job({ done: 680, total: 2000 })));
    expect(view.percent).toBe(34);
    const html = render(facts(job({ done: 680, total: 2000 })));
    expect(html).toContain("Reading orders: 680 of 2,000 orders");
    expect(html).toMatch(/<progress[^>]*value="34" max="100"/);
    expect(html).not.toContain("No other integration");
  });

  it("shows what it retries after while running", () => {
    const html = render(facts(job({ done: 100, total: 300, failureReason: "Shopify's Admin API answered 503" })));
    expect(html).toMatch(/Retrying shortly: Shopify.{1,8}s Admin API answered 503/);
  });

  it("done: all orders read, pointing to the event log for what was sent", () => {
    const html = render(facts(job({ state: "done", done: 230, total: 230, finishedAt: new Date() })));
    expect(html).toContain("Done: 230 of 230 orders read");
    expect(html).toContain("event log");
  });

  it("failed: the reason, and the offer to try again (acknowledged again)", () => {
    const html = render(
      facts(job({ state: "failed", done: 0, failureReason: "Shopify refused the app's access token (401)" })),
    );
    expect(html).toMatch(/Shopify refused the app.{1,8}s access token \(401\)/);
    expect(html).toContain("Try again");
    expect(html).toContain("OpenAI would count each of them");
  });

  it("shows why a start was refused", () => {
    expect(render(facts(null), "Confirm that no other integration sent these orders to OpenAI.")).toContain(
      "Not started",
    );
  });
});
