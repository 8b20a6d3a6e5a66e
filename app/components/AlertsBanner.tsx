/**
 * The alerts banner for the top of every admin page: one Polaris Banner per alert from
 * `loadShopAlerts(shop)` (app/models/alerts.server.ts), most serious first. Renders nothing when all
 * is well. Alerts cannot be dismissed: each one goes away when its cause does.
 *
 * The action is a Polaris link, so inside the app's AppProvider it navigates with Remix's Link.
 */
import { Banner, BlockStack, Text } from "@shopify/polaris";
import type { Alert } from "~/conversions/alerts";

export function AlertsBanner({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) return null;
  return (
    <BlockStack gap="200">
      {alerts.map((alert) => (
        <div key={alert.id} data-alert-id={alert.id}>
          <Banner
            tone={alert.tone}
            title={alert.title}
            action={alert.action ? { content: alert.action.content, url: alert.action.url } : undefined}
          >
            <Text as="p">{alert.message}</Text>
          </Banner>
        </div>
      ))}
    </BlockStack>
  );
}
