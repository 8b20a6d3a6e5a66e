import { Badge, BlockStack, Box, Card, InlineGrid, InlineStack, List, Text } from "@shopify/polaris";
import type { ReadinessSummary } from "~/admin/readiness";
import type { ConnectionState, ConnectionStatus, EventHealth } from "~/admin/types";

/** One figure in the header. Other figures (e.g. how far behind webhook application is) append here. */
export interface HeaderFact {
  id: string;
  label: string;
  value: string;
  note?: string;
  tone?: "critical";
}

/** The header's standard figures; callers may add their own after these. */
export function standardFacts(
  status: ConnectionStatus,
  health: EventHealth,
  format: (n: number) => string,
): HeaderFact[] {
  return [
    { id: "last-delivery", label: "Last successful delivery", value: status.lastDelivery ?? "None yet" },
    {
      id: "waiting",
      label: "Events waiting to be sent",
      value: format(health.waiting),
      note: health.waiting > 0 ? "Sent within minutes; kept for up to 7 days." : undefined,
    },
    {
      id: "failing",
      label: "Events failing",
      value: format(health.failing),
      tone: health.failing > 0 ? "critical" : undefined,
      note: health.failing > 0 ? "Retried automatically, or refused by OpenAI." : undefined,
    },
    applyLagFact(health.applyLagMs),
  ];
}

/** Below this the orders Shopify sent are applied as they come: the lag is not worth a number. */
const APPLY_LAG_SHOWN_MS = 5_000;
/** Past this the worker is stopped or far behind: shown as a problem. */
const APPLY_LAG_CRITICAL_MS = 5 * 60_000;

/**
 * How far behind the app's effects are: webhooks are acknowledged once stored and applied moments
 * later (WEBHOOK_ACK=stored), so a merchant should see when "moments" became minutes.
 */
export function applyLagFact(lagMs: number): HeaderFact {
  const fact = { id: "apply-lag", label: "Orders from Shopify applied" };
  if (lagMs < APPLY_LAG_SHOWN_MS) return { ...fact, value: "Up to date" };
  const seconds = Math.round(lagMs / 1000);
  const value =
    seconds < 120
      ? `${seconds} s behind`
      : seconds < 7200
        ? `${Math.round(seconds / 60)} min behind`
        : `${Math.round(seconds / 3600)} h behind`;
  return lagMs >= APPLY_LAG_CRITICAL_MS
    ? {
        ...fact,
        value,
        tone: "critical",
        note: "Received orders are kept and applied in order once the worker catches up; nothing is lost.",
      }
    : { ...fact, value, note: "Received and kept; applied within moments." };
}

const READINESS_BADGE = { ready: "success", attention: "warning", problem: "critical" } as const;

const BADGE: Record<ConnectionState, { tone: "success" | "critical" | "warning" | "attention"; label: string }> = {
  connected: { tone: "success", label: "Connected" },
  rejected: { tone: "critical", label: "Credentials rejected" },
  unverified: { tone: "warning", label: "Not verified" },
  not_configured: { tone: "attention", label: "Not configured" },
};

export function StatusHeader({
  status,
  facts,
  readiness,
}: {
  status: ConnectionStatus;
  facts: readonly HeaderFact[];
  readiness: ReadinessSummary;
}) {
  const badge = BADGE[status.state];
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack gap="300" blockAlign="center" wrap={false}>
          <Text as="h2" variant="headingLg">
            {status.title}
          </Text>
          <Badge tone={badge.tone} progress={status.state === "connected" ? "complete" : "incomplete"}>
            {badge.label}
          </Badge>
        </InlineStack>
        <Text as="p" tone={status.state === "rejected" ? "critical" : undefined}>
          {status.detail}
        </Text>
        <InlineStack gap="200" blockAlign="center" wrap>
          <Badge
            tone={READINESS_BADGE[readiness.tone]}
          >{`Setup checklist: ${readiness.ready} of ${readiness.total} ready`}</Badge>
          <Text as="span" tone="subdued">
            {readiness.problem + readiness.attention === 0
              ? "Everything the app can check is working."
              : `${readiness.problem} ${readiness.problem === 1 ? "problem" : "problems"}, ${readiness.attention} to check or do — see the checklist below.`}
          </Text>
        </InlineStack>
        {status.state === "not_configured" ? (
          <Box background="bg-surface-secondary" padding="300" borderRadius="200">
            <List type="number">
              <List.Item>In OpenAI Ads Manager, copy your pixel's Pixel ID.</List.Item>
              <List.Item>In the same place, create a Conversions API key for that pixel.</List.Item>
              <List.Item>Paste both below and press Save. That's it: sales start counting.</List.Item>
            </List>
          </Box>
        ) : (
          <InlineGrid columns={{ xs: 1, sm: Math.min(facts.length, 4) as 1 | 2 | 3 | 4 }} gap="400">
            {facts.map((fact) => (
              <Fact key={fact.id} label={fact.label} value={fact.value} note={fact.note} tone={fact.tone} />
            ))}
          </InlineGrid>
        )}
        {status.lastCheck ? (
          <Text as="p" variant="bodySm" tone="subdued">
            Last connection check: {status.lastCheck}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function Fact({ label, value, note, tone }: { label: string; value: string; note?: string; tone?: "critical" }) {
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingMd" tone={tone}>
        {value}
      </Text>
      {note ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {note}
        </Text>
      ) : null}
    </BlockStack>
  );
}
