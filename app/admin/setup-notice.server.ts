/**
 * The connection verdict for the pages other than setup (reconciliation, event log), read from the
 * stored settings only: those pages never ask OpenAI themselves (the setup page does, at most daily).
 */
import { getShopSettings } from "~/models/settings.server";
import { connectionStatus } from "./connection-status";
import { setupNotice, type SetupNotice } from "./page-notices";

export async function loadSetupNotice(shop: string, now: Date = new Date()): Promise<SetupNotice> {
  const row = await getShopSettings(shop);
  const status = connectionStatus(
    {
      pixelId: row?.pixelId ?? null,
      hasApiKey: Boolean(row?.apiKeyCiphertext),
      serverEventsEnabled: row?.serverEventsEnabled ?? true,
      credentialsStatus: row?.credentialsStatus ?? "unknown",
      credentialsMessage: row?.credentialsMessage ?? null,
      credentialsCheckedAt: row?.credentialsCheckedAt ?? null,
      lastDeliveredAt: row?.lastDeliveredAt ?? null,
    },
    now,
  );
  // A rejected key already has its alert on every admin page (app/conversions/alerts.ts).
  return setupNotice(status, row?.credentialsStatus === "rejected");
}
