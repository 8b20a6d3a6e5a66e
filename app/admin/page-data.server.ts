/**
 * Everything the settings page shows, gathered for the loader. Public data only.
 */
import { eventHealth } from "~/models/event-health.server";
import { getShopSettings } from "~/models/settings.server";
import type { AdminContext } from "./auth.server";
import { connectionStatus } from "./connection-status";
import { publicSettings } from "./public-settings";
import type { AdminPageData } from "./types";

export async function loadAdminPage(
  admin: Pick<AdminContext, "shop" | "preview">,
  now: Date = new Date(),
): Promise<AdminPageData> {
  const [row, health] = await Promise.all([getShopSettings(admin.shop), eventHealth(admin.shop)]);
  const settings = publicSettings(row);
  const status = connectionStatus(
    {
      pixelId: row?.pixelId ?? null,
      hasApiKey: settings.hasApiKey,
      serverEventsEnabled: settings.serverEventsEnabled,
      credentialsStatus: row?.credentialsStatus ?? "unknown",
      credentialsMessage: row?.credentialsMessage ?? null,
      credentialsCheckedAt: row?.credentialsCheckedAt ?? null,
      lastDeliveredAt: row?.lastDeliveredAt ?? null,
    },
    now,
  );
  return { shop: admin.shop, preview: admin.preview, settings, status, health };
}
