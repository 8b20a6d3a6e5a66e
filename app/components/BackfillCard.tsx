import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { backfillProgressText, type BackfillView } from "~/admin/backfill-view";

const BACKFILL_URL = "/app/backfill";
/** How often the card asks for progress while the job runs. */
const POLL_MS = 2000;

/**
 * "Send the last 7 days' orders", with its own data: loads /app/backfill, polls it while the job
 * runs (the worker keeps going after a restart or redeploy; the card just shows where it is).
 */
export function BackfillSection() {
  const fetcher = useFetcher<BackfillView | { ok: boolean; error?: string; view: BackfillView }>();
  const [view, setView] = useState<BackfillView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const data = fetcher.data;
    if (!data) return;
    if ("view" in data) {
      setView(data.view);
      setError(data.ok ? null : (data.error ?? null));
    } else {
      setView(data);
    }
  }, [fetcher.data]);

  const { load } = fetcher;
  useEffect(() => {
    load(BACKFILL_URL);
  }, [load]);
  useEffect(() => {
    if (view?.state !== "running") return;
    const timer = setInterval(() => load(BACKFILL_URL), POLL_MS);
    return () => clearInterval(timer);
  }, [view?.state, load]);

  return (
    <BackfillCard
      view={view}
      error={error}
      starting={fetcher.state === "submitting"}
      onStart={() => fetcher.submit({ acknowledged: "true" }, { method: "post", action: BACKFILL_URL })}
    />
  );
}

/** The card itself: offer (with the warning to acknowledge), progress, and the outcome. */
export function BackfillCard({
  view,
  error,
  starting,
  onStart,
}: {
  view: BackfillView | null;
  error: string | null;
  starting: boolean;
  onStart: () => void;
}) {
  const [acknowledged, setAcknowledged] = useState(false);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="p">
          OpenAI accepts sales up to 7 days old. This sends the orders your store took in the last 7 days, with the same
          checks as new orders (test and POS orders, consent, cancellations); orders the browser pixel already reported
          count once.
        </Text>
        {view === null ? (
          <Text as="p" tone="subdued">
            Loading…
          </Text>
        ) : view.state === "unavailable" ? (
          <Text as="p" tone="subdued">
            {view.detail}
          </Text>
        ) : (
          <>
            {view.state !== "offer" ? <BackfillProgress view={view} /> : null}
            {view.state === "offer" || view.state === "failed" ? (
              <BlockStack gap="300">
                <Banner tone="warning" title="Only if no other integration sent these orders">
                  <Text as="p">
                    If this store reported sales to OpenAI before — another app, OpenAI’s code in your theme, a tag
                    manager or a custom integration — those sales carry other ids, and OpenAI would count each of them
                    twice.
                  </Text>
                </Banner>
                <Checkbox
                  label="No other integration sent this store’s orders of the last 7 days to OpenAI"
                  checked={acknowledged}
                  onChange={setAcknowledged}
                />
                <InlineStack>
                  <Button variant="primary" onClick={onStart} loading={starting} disabled={!acknowledged}>
                    {view.state === "failed" ? "Try again" : "Send the last 7 days’ orders"}
                  </Button>
                </InlineStack>
              </BlockStack>
            ) : null}
          </>
        )}
        {error ? (
          <Banner tone="critical" title="Not started">
            <Text as="p">{error}</Text>
          </Banner>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function BackfillProgress({ view }: { view: BackfillView }) {
  const progress = backfillProgressText(view);
  return (
    <BlockStack gap="200">
      <ProgressBar
        progress={view.percent}
        tone={view.state === "failed" ? "critical" : view.state === "done" ? "success" : "highlight"}
        ariaLabelledBy="backfill-progress"
      />
      <div data-testid="backfill-progress">
        <Text as="p" id="backfill-progress">
          {view.state === "running"
            ? `Reading orders: ${progress}`
            : view.state === "done"
              ? `Done: ${progress} read`
              : `Stopped after ${progress}`}
        </Text>
      </div>
      {view.state === "running" && view.detail ? (
        <Text as="p" tone="subdued">
          {`Retrying shortly: ${view.detail}`}
        </Text>
      ) : null}
      {view.state === "done" ? (
        <Text as="p" tone="subdued">
          The event log shows what was sent to OpenAI and what was not, and why.
        </Text>
      ) : null}
      {view.state === "failed" ? (
        <Banner tone="critical" title="The orders could not all be read">
          <Text as="p">{view.detail ?? "Unknown reason."}</Text>
        </Banner>
      ) : null}
    </BlockStack>
  );
}
