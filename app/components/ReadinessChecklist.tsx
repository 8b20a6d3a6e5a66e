/**
 * The readiness checklist at the top of the settings page: each item green / amber / red with what
 * was checked and the one action that fixes it (decisions: app/admin/readiness.ts). Buttons post an
 * intent to the settings page's action; links open in the app or, for Shopify's admin, at the top.
 */
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { ReadinessItem, ReadinessTone } from "~/admin/readiness";

const TONE: Record<ReadinessTone, { badge: "success" | "warning" | "critical"; word: string }> = {
  ready: { badge: "success", word: "Ready" },
  attention: { badge: "warning", word: "Needs attention" },
  problem: { badge: "critical", word: "Problem" },
};

export function ReadinessChecklist({ items }: { items: readonly ReadinessItem[] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd" id="readiness-heading">
          Is everything set up so that ChatGPT Ads count your sales?
        </Text>
        <ol aria-labelledby="readiness-heading" style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {items.map((item, index) => (
            <li key={item.id} data-readiness={item.id} data-tone={item.tone}>
              <Box paddingBlock="300" borderBlockStartWidth={index === 0 ? undefined : "025"} borderColor="border">
                <InlineStack gap="300" align="space-between" blockAlign="start" wrap>
                  <Box minWidth="0" maxWidth="640px">
                    <BlockStack gap="100">
                      <InlineStack gap="200" blockAlign="center" wrap>
                        <Badge
                          tone={TONE[item.tone].badge}
                          progress={item.tone === "ready" ? "complete" : "incomplete"}
                        >
                          {`${TONE[item.tone].word}: ${item.label}`}
                        </Badge>
                        <Text as="h3" variant="headingSm">
                          {`${index + 1}. ${item.title}`}
                        </Text>
                      </InlineStack>
                      <Text as="p" tone="subdued">
                        {item.detail}
                      </Text>
                    </BlockStack>
                  </Box>
                  {item.action ? <ItemAction item={item} /> : null}
                </InlineStack>
              </Box>
            </li>
          ))}
        </ol>
      </BlockStack>
    </Card>
  );
}

function ItemAction({ item }: { item: ReadinessItem }) {
  const fetcher = useFetcher<{ ok: boolean; message: string }>();
  const action = item.action!;
  if (action.kind === "link") {
    return (
      <Button url={action.url} target={action.external ? "_top" : undefined} external={false}>
        {action.label}
      </Button>
    );
  }
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  return (
    <BlockStack gap="100" inlineAlign="end">
      <fetcher.Form method="post">
        <input type="hidden" name="intent" value={action.intent} />
        <Button submit loading={fetcher.state !== "idle"}>
          {action.label}
        </Button>
      </fetcher.Form>
      {result && !result.ok ? (
        <Text as="p" variant="bodySm" tone="critical">
          {result.message}
        </Text>
      ) : null}
    </BlockStack>
  );
}
