import { Banner, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { TestEventReport } from "~/admin/types";

/** "Send test event": a validate_only order_created with the saved credentials, and OpenAI's answer. */
export function TestEventCard({
  report,
  sending,
  disabledReason,
  onSend,
}: {
  report: TestEventReport | null;
  sending: boolean;
  disabledReason: string | null;
  onSend: () => void;
}) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="p">
          Sends a sample purchase (order_created, 19.99 USD) to OpenAI with your saved Pixel ID and key, marked
          “validate only”: OpenAI checks it exactly like a real sale but records nothing.
        </Text>
        <InlineStack gap="300" blockAlign="center">
          <Button onClick={onSend} loading={sending} disabled={disabledReason !== null}>
            Send test event
          </Button>
          {disabledReason ? (
            <Text as="span" tone="subdued">
              {disabledReason}
            </Text>
          ) : null}
        </InlineStack>
        {report && !sending ? (
          <Banner
            tone={report.ok ? "success" : "critical"}
            title={report.ok ? "OpenAI accepted the test event" : "The test event was not accepted"}
          >
            <BlockStack gap="100">
              <Text as="p">{report.summary}</Text>
              {report.openAiMessage ? (
                <Text as="p" variant="bodySm" tone="subdued">
                  OpenAI's answer
                  {report.httpStatus !== null
                    ? ` (HTTP ${report.httpStatus}${report.code ? `, ${report.code}` : ""})`
                    : ""}
                  : <code data-testid="openai-answer">{report.openAiMessage}</code>
                </Text>
              ) : null}
            </BlockStack>
          </Banner>
        ) : null}
      </BlockStack>
    </Card>
  );
}
