import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { SaveBar, TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Box, Layout, Page, Text } from "@shopify/polaris";
import type {
  AdminPageData,
  FieldErrors,
  FieldName,
  SaveReport,
  SettingsFormValues,
  TestEventReport,
} from "~/admin/types";
import { showToast, useAppBridgeIfPresent } from "./app-bridge";
import { ConnectCard, DeliveryCard, HowItCountsCard, PrivacyCard, CorrectionsCard } from "./SettingsCards";
import { FallbackSaveBar } from "./FallbackSaveBar";
import { SaveReportBanner } from "./SaveReportBanner";
import { summarizeReadiness } from "~/admin/readiness";
import { ReadinessChecklist } from "./ReadinessChecklist";
import { standardFacts, StatusHeader } from "./StatusHeader";
import { useFormats } from "./locale-context";
import { TestEventCard } from "./TestEventCard";
import { BackfillSection } from "./BackfillCard";

const TITLE = "ChatGPT Ads conversions";

/** The one-screen setup: status, credentials, what is sent, and a test button. */
export function SettingsPage({ data }: { data: AdminPageData }) {
  const shopify = useAppBridgeIfPresent();
  const formats = useFormats();
  const saveFetcher = useFetcher<SaveReport>();
  const testFetcher = useFetcher<TestEventReport>();

  const initial = useMemo(() => formValues(data), [data]);
  const [values, setValues] = useState<SettingsFormValues>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saveAnyway, setSaveAnyway] = useState(false);
  const [report, setReport] = useState<SaveReport | null>(null);

  // Handle each save result once, when the fetcher is idle: by then Remix has reloaded the page data,
  // so after a successful save the freshly stored settings become the new baseline.
  const handledReport = useRef<SaveReport | null>(null);
  useEffect(() => {
    const result = saveFetcher.data;
    if (saveFetcher.state !== "idle" || !result || result.intent !== "save" || handledReport.current === result) return;
    handledReport.current = result;
    setReport(result);
    setErrors(result.outcome === "invalid" ? result.fieldErrors : {});
    if (result.outcome === "saved") {
      setValues(formValues(data));
      setSaveAnyway(false);
      const warned = result.steps.some((s) => s.status === "error" || s.status === "warning");
      showToast(warned ? "Settings saved, with warnings" : "Settings saved");
    } else {
      showToast(
        result.outcome === "invalid" ? "Fix the highlighted fields" : "OpenAI didn't accept the connection",
        true,
      );
    }
  }, [saveFetcher.state, saveFetcher.data, data]);

  useEffect(() => {
    const result = testFetcher.data;
    if (!result || result.intent !== "test") return;
    showToast(result.ok ? "Test event accepted by OpenAI" : "Test event not accepted", !result.ok);
  }, [testFetcher.data]);

  const dirty = !sameValues(values, initial);
  const saving = saveFetcher.state !== "idle";

  const update = useCallback(<K extends FieldName>(field: K, value: SettingsFormValues[K]) => {
    setValues((current) => ({ ...current, [field]: value }));
    setErrors((current) => (current[field] ? { ...current, [field]: undefined } : current));
  }, []);

  const save = () => saveFetcher.submit(toFormData(values, saveAnyway), { method: "post" });
  const discard = () => {
    setValues(initial);
    setErrors({});
    setReport(null);
    setSaveAnyway(false);
  };
  const sendTest = () => testFetcher.submit({ intent: "test" }, { method: "post" });

  const testDisabledReason =
    !data.settings.pixelId || !data.settings.hasApiKey
      ? "Save a Pixel ID and a Conversions API key first."
      : dirty
        ? "Save or discard your changes first."
        : null;

  return (
    <Page title={shopify === null ? TITLE : undefined} subtitle={shopify === null ? data.shop : undefined}>
      <TitleBar title={TITLE} />
      {shopify ? (
        <SaveBar id="settings-save-bar" open={dirty}>
          <button variant="primary" onClick={save} loading={saving ? "" : undefined} disabled={saving}>
            Save
          </button>
          <button onClick={discard} disabled={saving}>
            Discard
          </button>
        </SaveBar>
      ) : null}
      {shopify === null && dirty ? <FallbackSaveBar saving={saving} onSave={save} onDiscard={discard} /> : null}

      <BlockStack gap="500">
        {data.preview ? (
          <Banner tone="info" title="Local preview">
            <Text as="p">
              This page runs without Shopify: the store is {data.shop}, and “activating the browser pixel” talks to a
              stand-in of Shopify's Admin API. Never use this mode in production.
            </Text>
          </Banner>
        ) : null}

        <StatusHeader
          status={data.status}
          facts={standardFacts(data.status, data.health, formats.count)}
          readiness={summarizeReadiness(data.readiness)}
        />

        <ReadinessChecklist items={data.readiness} />

        {report ? (
          <SaveReportBanner
            report={report}
            saveAnyway={saveAnyway}
            onSaveAnywayChange={setSaveAnyway}
            onDismiss={() => setReport(null)}
          />
        ) : null}

        <Layout>
          <Layout.AnnotatedSection
            id="connect"
            title="Connect ChatGPT Ads"
            description="Two values from OpenAI Ads Manager connect your store: the Pixel ID says which ad account your sales belong to, the Conversions API key lets this app report them from Shopify's servers."
          >
            <ConnectCard values={values} settings={data.settings} errors={errors} update={update} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="delivery"
            title="Browser pixel and server events"
            description="Use both. The browser pixel sees the ad click and the visit as they happen; server events come from Shopify's order records, so a sale still counts when a browser blocks tracking or the buyer closes the page early. Both carry the same order reference, so OpenAI counts each sale once."
          >
            <DeliveryCard values={values} errors={errors} update={update} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="privacy"
            title="Privacy and matching"
            description="Matching details help OpenAI connect a sale to the ad click that led to it. Personal details are hashed on this server before they are sent; raw emails, phone numbers and names never leave it."
          >
            <PrivacyCard values={values} errors={errors} update={update} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="corrections"
            title="Refunds and cancellations"
            description="ChatGPT Ads has no refund event: a sale it counted stays counted. This app can report refunds and cancellations as separate custom events, so you can subtract them in your own reports."
          >
            <CorrectionsCard values={values} errors={errors} update={update} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="test"
            title="Check the connection"
            description="Ask OpenAI whether it would accept a purchase from your store right now."
          >
            <TestEventCard
              report={testFetcher.data?.intent === "test" ? testFetcher.data : null}
              sending={testFetcher.state !== "idle"}
              disabledReason={testDisabledReason}
              onSend={sendTest}
            />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="backfill"
            title="Send the last 7 days’ orders"
            description="Sales your store took before you connected the app can still count: OpenAI accepts them up to 7 days after the order."
          >
            <BackfillSection />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection id="how" title="How ChatGPT Ads counts your sales">
            <HowItCountsCard />
          </Layout.AnnotatedSection>
        </Layout>
        <Box paddingBlockEnd="800" />
      </BlockStack>
    </Page>
  );
}

function formValues(data: AdminPageData): SettingsFormValues {
  const { hasApiKey: _hasApiKey, apiKeyLast4: _last4, ...rest } = data.settings;
  return { ...rest, apiKeyMode: "keep", apiKey: "" };
}

/** Lists are compared as sets: ticking and unticking a box is not a change. */
function sameValues(a: SettingsFormValues, b: SettingsFormValues): boolean {
  const normalize = (v: SettingsFormValues) =>
    JSON.stringify(
      Object.entries(v)
        .map(([key, value]) => [key, Array.isArray(value) ? [...value].sort() : value])
        .sort(([x], [y]) => String(x).localeCompare(String(y))),
    );
  return normalize(a) === normalize(b);
}

function toFormData(values: SettingsFormValues, saveAnyway: boolean): FormData {
  const form = new FormData();
  form.set("intent", "save");
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value)) for (const item of value) form.append(key, item);
    else form.set(key, String(value));
  }
  if (saveAnyway) form.set("saveAnyway", "true");
  return form;
}
