/**
 * Local preview only: the in-page equivalent of the admin's NavMenu (which App Bridge renders in
 * Shopify's own sidebar, so without Shopify it is invisible). Same three pages, same labels.
 */
import { NavLink } from "@remix-run/react";
import { Box, InlineStack } from "@shopify/polaris";

export const ADMIN_PAGES = [
  { to: "/app", label: "Setup", end: true },
  { to: "/app/events", label: "Event log", end: false },
  { to: "/app/reconciliation", label: "Reconciliation", end: false },
] as const;

export function PreviewNav() {
  return (
    <Box
      paddingBlockStart="300"
      paddingInline="400"
      background="bg-surface"
      borderBlockEndWidth="025"
      borderColor="border"
    >
      <nav aria-label="App pages">
        <InlineStack gap="400" wrap>
          {ADMIN_PAGES.map((page) => (
            <NavLink
              key={page.to}
              to={page.to}
              end={page.end}
              prefetch="intent"
              style={({ isActive }) => ({
                display: "inline-block",
                padding: "8px 4px 10px",
                color: "var(--p-color-text)",
                fontWeight: isActive ? 650 : 450,
                textDecoration: "none",
                borderBottom: `3px solid ${isActive ? "var(--p-color-border-emphasis)" : "transparent"}`,
              })}
            >
              {page.label}
            </NavLink>
          ))}
        </InlineStack>
      </nav>
    </Box>
  );
}
