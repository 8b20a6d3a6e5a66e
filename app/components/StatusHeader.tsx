import { Badge, BlockStack, Box, Card, InlineGrid, InlineStack, List, Text } from "@shopify/polaris";
import type { ConnectionState, ConnectionStatus, EventHealth } from "~/admin/types";

const BADGE: Record<ConnectionState, { tone: "success" | "critical" | "warning" | "attention"; label: string }> = {
  connected: { tone: "success", label: "Connected" },
  rejected: { tone: "critical", label: "Credentials rejected" },
  unverified: { tone: "warning", label: "Not verified" },
  not_configured: { tone: "attention", label: "Not configured" },
};

export function StatusHeader({ status, health }: { status: ConnectionStatus; health: EventHealth }) {
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
        {status.state === "not_configured" ? (
          <Box background="bg-surface-secondary" padding="300" borderRadius="200">
            <List type="number">
              <List.Item>In OpenAI Ads Manager, copy your pixel's Pixel ID.</List.Item>
              <List.Item>In the same place, create a Conversions API key for that pixel.</List.Item>
              <List.Item>Paste both below and press Save. That's it: sales start counting.</List.Item>
            </List>
          </Box>
        ) : (
          <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
            <Fact label="Last successful delivery" value={status.lastDelivery ?? "None yet"} />
            <Fact
              label="Events waiting to be sent"
              value={String(health.waiting)}
              note={health.waiting > 0 ? "Sent within minutes; kept for up to 7 days." : undefined}
            />
            <Fact
              label="Events failing"
              value={String(health.failing)}
              tone={health.failing > 0 ? "critical" : undefined}
              note={health.failing > 0 ? "Retried automatically, or refused by OpenAI." : undefined}
            />
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
