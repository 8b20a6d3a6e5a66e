/**
 * Everything the settings page shows, gathered for the loader. Public data only.
 */
import { eventHealth } from "~/models/event-health.server";
import type { AdminContext } from "./auth.server";
import { connectionStatus } from "./connection-status";
import { publicSettings } from "./public-settings";
import { readinessChecklist } from "./readiness";
import { gatherReadinessFacts, type ReadinessDeps } from "./readiness.server";
import type { AdminPageData } from "./types";

export async function loadAdminPage(
  admin: Pick<AdminContext, "shop" | "preview" | "graphql">,
  deps: ReadinessDeps,
  options: { now?: Date; locale?: string } = {},
): Promise<AdminPageData> {
  const now = options.now ?? new Date();
  const [{ facts, row }, health] = await Promise.all([
    gatherReadinessFacts(admin, deps, now),
    eventHealth(admin.shop, now),
  ]);
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
    options.locale,
  );
  return { shop: admin.shop, preview: admin.preview, settings, status, health, readiness: readinessChecklist(facts) };
}
