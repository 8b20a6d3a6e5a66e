import { BlockStack, Box, Button, InlineStack, Text, TextField } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { ApiKeyMode } from "~/admin/types";

const HELP =
  "In OpenAI Ads Manager, open your pixel's settings and create a Conversions API key. It is not the Advertiser API key or an OpenAI platform key. The key is stored encrypted and never shown again.";

/**
 * Write-only: once stored, the key is shown only as "ends in 1234". Replacing or removing it is an
 * explicit choice.
 */
export function ApiKeyField({
  hasApiKey,
  apiKeyLast4,
  mode,
  value,
  error,
  onChange,
}: {
  hasApiKey: boolean;
  apiKeyLast4: string | null;
  mode: ApiKeyMode;
  value: string;
  error?: string;
  onChange: (mode: ApiKeyMode, value: string) => void;
}) {
  if (hasApiKey && mode === "keep") {
    return (
      <SavedKeyPanel background="bg-surface-secondary" error={error} help={HELP}>
        <Text as="span" variant="bodyMd">
          A key is saved, ending in{" "}
          <Text as="span" fontWeight="semibold">
            ••••{apiKeyLast4 ?? "????"}
          </Text>
        </Text>
        <InlineStack gap="200">
          <Button onClick={() => onChange("replace", "")}>Replace key</Button>
          <Button tone="critical" variant="plain" onClick={() => onChange("remove", "")}>
            Remove key
          </Button>
        </InlineStack>
      </SavedKeyPanel>
    );
  }

  if (mode === "remove") {
    return (
      <SavedKeyPanel background="bg-surface-critical" error={error}>
        <Text as="span">The saved key will be deleted when you save. Server events stop until you add a new one.</Text>
        <Button onClick={() => onChange("keep", "")}>Keep the key</Button>
      </SavedKeyPanel>
    );
  }

  return (
    <TextField
      label={hasApiKey ? "New Conversions API key" : "Conversions API key"}
      name="apiKey"
      type="password"
      autoComplete="off"
      value={value}
      onChange={(next) => onChange(next === "" && !hasApiKey ? "keep" : "replace", next)}
      error={error}
      helpText={HELP}
      connectedRight={hasApiKey ? <Button onClick={() => onChange("keep", "")}>Cancel</Button> : undefined}
      placeholder="Paste the key from OpenAI Ads Manager"
    />
  );
}

/** The field when no key is being typed: its label, a panel about the saved key, the error, the help. */
function SavedKeyPanel({
  background,
  error,
  help,
  children,
}: {
  background: "bg-surface-secondary" | "bg-surface-critical";
  error?: string;
  help?: string;
  children: ReactNode;
}) {
  return (
    <BlockStack gap="200">
      <Text as="span" variant="bodyMd">
        Conversions API key
      </Text>
      <Box background={background} padding="300" borderRadius="200">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          {children}
        </InlineStack>
      </Box>
      {error ? (
        <Text as="p" tone="critical">
          {error}
        </Text>
      ) : null}
      {help ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      ) : null}
    </BlockStack>
  );
}
