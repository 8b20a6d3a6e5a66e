import { Banner, BlockStack, Checkbox, InlineStack, Text } from "@shopify/polaris";
import type { SaveReport, SaveStep, StepStatus } from "~/admin/types";

const MARK: Record<StepStatus, string> = { ok: "✓", warning: "!", error: "✕", skipped: "–" };
const STEP_LABEL: Record<SaveStep["step"], string> = {
  validate: "Check the fields",
  credentials: "Check the connection with OpenAI",
  store: "Save",
  pixel: "Browser pixel",
};

/** What Save did, step by step; after a failed connection check, the "save anyway" choice. */
export function SaveReportBanner({
  report,
  saveAnyway,
  onSaveAnywayChange,
  onDismiss,
}: {
  report: SaveReport;
  saveAnyway: boolean;
  onSaveAnywayChange: (value: boolean) => void;
  onDismiss: () => void;
}) {
  const problems = report.steps.filter((s) => s.status === "error" || s.status === "warning");
  const tone = report.outcome !== "saved" ? "critical" : problems.length > 0 ? "warning" : "success";
  const title =
    report.outcome === "invalid"
      ? "Some fields need attention. Nothing was saved."
      : report.outcome === "check_failed"
        ? "OpenAI didn't accept the connection. Nothing was saved."
        : problems.length > 0
          ? "Saved, with warnings"
          : "Saved. You're all set.";

  return (
    <Banner tone={tone} title={title} onDismiss={onDismiss}>
      <BlockStack gap="200">
        <ul aria-label="What happened" style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {report.steps.map((step) => (
            <li key={step.step} data-step={step.step} data-status={step.status} style={{ marginBottom: 4 }}>
              <InlineStack gap="200" wrap={false} blockAlign="start">
                <Text as="span" fontWeight="bold" tone={step.status === "error" ? "critical" : undefined}>
                  {MARK[step.status]}
                </Text>
                <Text as="span">
                  <Text as="span" fontWeight="semibold">
                    {STEP_LABEL[step.step]}:
                  </Text>{" "}
                  {step.message}
                </Text>
              </InlineStack>
            </li>
          ))}
        </ul>
        {report.outcome === "check_failed" ? (
          <Checkbox
            label="Save anyway"
            helpText="Store these settings with a warning. Sales are kept and sent once OpenAI accepts the key."
            checked={saveAnyway}
            onChange={onSaveAnywayChange}
          />
        ) : null}
      </BlockStack>
    </Banner>
  );
}
