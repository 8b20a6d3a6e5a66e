import { Button, InlineStack, Text } from "@shopify/polaris";

/**
 * The contextual save bar when App Bridge is absent (offline preview): the same two actions as the
 * admin's bar, pinned to the top of the page.
 */
export function FallbackSaveBar({
  saving,
  onSave,
  onDiscard,
}: {
  saving: boolean;
  onSave: () => void;
  onDiscard: () => void;
}) {
  return (
    <div
      role="region"
      aria-label="Unsaved changes"
      style={{
        position: "sticky",
        top: 0,
        zIndex: 500,
        margin: "0 0 var(--p-space-400)",
        padding: "var(--p-space-300) var(--p-space-400)",
        borderRadius: "var(--p-border-radius-300)",
        background: "var(--p-color-bg-inverse)",
        boxShadow: "var(--p-shadow-400)",
      }}
    >
      <InlineStack align="space-between" blockAlign="center" gap="300">
        <span style={{ color: "var(--p-color-text-inverse)" }}>
          <Text as="span" fontWeight="semibold">
            Unsaved changes
          </Text>
        </span>
        <InlineStack gap="200">
          <Button onClick={onDiscard} disabled={saving}>
            Discard
          </Button>
          <Button variant="primary" onClick={onSave} loading={saving}>
            Save
          </Button>
        </InlineStack>
      </InlineStack>
    </div>
  );
}
