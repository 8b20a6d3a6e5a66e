/**
 * Gathers the readiness checklist's facts for the settings page and runs its actions. The database
 * facts come from app/models/readiness.server.ts; the web pixel from Shopify's Admin API; the
 * credentials from OpenAI itself (`validate_only`), re-asked by the page at most daily.
 */
import type { ShopSettings } from "@prisma/client";
import { checkCredentials } from "~/openai/capi-client";
import { gatherRecentReadinessFacts, setConversionEventConfirmed } from "~/models/readiness.server";
import { getCapiCredentials, getShopSettings, recordCredentialCheck, recordWebPixel } from "~/models/settings.server";
import type { AdminContext } from "./auth.server";
import { explainCapiAnswer } from "./capi-answers";
import { publicSettings } from "./public-settings";
import { credentialsRecheckDue, type ReadinessFacts, type ReadinessIntent } from "./readiness";
import { activateWebPixel, readWebPixel, webPixelSettings } from "./web-pixel.server";

export interface ReadinessDeps {
  capiBaseUrl: string;
  appUrl: string;
  /** SHOPIFY_API_KEY. */
  appClientId: string;
  /** Bound on the page's own connection check, so an unreachable OpenAI cannot hold the page. */
  checkTimeoutMs?: number;
}

/** Facts for the checklist; asks OpenAI first when the last check is due (and records the answer). */
export async function gatherReadinessFacts(
  admin: Pick<AdminContext, "shop" | "graphql">,
  deps: ReadinessDeps,
  now: Date = new Date(),
): Promise<{ facts: ReadinessFacts; row: ShopSettings | null }> {
  let row = await getShopSettings(admin.shop);
  if (row && credentialsRecheckDue(settingsFacts(row), now)) {
    await recheckCredentials(admin.shop, deps);
    row = await getShopSettings(admin.shop);
  }
  const pub = publicSettings(row);
  const expectedPixelSettings = pub.pixelId
    ? {
        ...webPixelSettings({
          appUrl: deps.appUrl,
          shop: admin.shop,
          pixelId: pub.pixelId,
          browserPixelEnabled: pub.browserPixelEnabled,
          funnelEvents: pub.pixelFunnelEvents,
        }),
      }
    : null;
  const [webPixel, recent] = await Promise.all([
    expectedPixelSettings ? readWebPixel(admin.graphql) : Promise.resolve({ kind: "none" as const }),
    gatherRecentReadinessFacts(admin.shop, { now }),
  ]);
  return {
    row,
    facts: {
      now,
      shop: admin.shop,
      appClientId: deps.appClientId,
      settings: {
        ...settingsFacts(row),
        serverEventsEnabled: pub.serverEventsEnabled,
        browserPixelEnabled: pub.browserPixelEnabled,
        enhancedMatching: pub.enhancedMatching,
      },
      expectedPixelSettings,
      webPixel,
      recent,
    },
  };
}

function settingsFacts(row: ShopSettings | null) {
  return {
    pixelId: row?.pixelId ?? null,
    hasApiKey: Boolean(row?.apiKeyCiphertext),
    credentialsStatus: row?.credentialsStatus ?? "unknown",
    credentialsMessage: row?.credentialsMessage ?? null,
    credentialsCheckedAt: row?.credentialsCheckedAt ?? null,
    lastDeliveredAt: row?.lastDeliveredAt ?? null,
    conversionEventConfirmedAt: row?.conversionEventConfirmedAt ?? null,
  };
}

/** One `validate_only` check with the stored credentials; every answer is recorded, with its time. */
export async function recheckCredentials(shop: string, deps: Pick<ReadinessDeps, "capiBaseUrl" | "checkTimeoutMs">) {
  const credentials = await getCapiCredentials(shop);
  if (!credentials) return;
  const answer = explainCapiAnswer(
    await checkCredentials(
      { baseUrl: deps.capiBaseUrl, ...credentials },
      { sourceUrl: `https://${shop}/`, timeoutMs: deps.checkTimeoutMs ?? 4000 },
    ),
  );
  await recordCredentialCheck(shop, answer.verdict, answer.verdict === "ok" ? null : answer.message);
}

export interface ReadinessActionReport {
  intent: ReadinessIntent;
  ok: boolean;
  message: string;
}

export function isReadinessIntent(value: unknown): value is ReadinessIntent {
  return (
    value === "recheck_credentials" ||
    value === "activate_pixel" ||
    value === "confirm_conversion_event" ||
    value === "undo_confirm_conversion_event"
  );
}

/** The checklist's buttons. */
export async function runReadinessAction(
  admin: AdminContext,
  intent: ReadinessIntent,
  deps: ReadinessDeps,
  now: Date = new Date(),
): Promise<ReadinessActionReport> {
  switch (intent) {
    case "recheck_credentials": {
      await recheckCredentials(admin.shop, deps);
      const row = await getShopSettings(admin.shop);
      const ok = row?.credentialsStatus === "ok";
      return {
        intent,
        ok,
        message: ok
          ? "OpenAI accepted your credentials."
          : (row?.credentialsMessage ?? "Not checked: save a Pixel ID and key first."),
      };
    }
    case "activate_pixel": {
      const pub = publicSettings(await getShopSettings(admin.shop));
      if (!pub.pixelId) return { intent, ok: false, message: "Save a Pixel ID first." };
      const activation = await activateWebPixel(
        admin.graphql,
        webPixelSettings({
          appUrl: deps.appUrl,
          shop: admin.shop,
          pixelId: pub.pixelId,
          browserPixelEnabled: pub.browserPixelEnabled,
          funnelEvents: pub.pixelFunnelEvents,
        }),
      );
      if (activation.ok) await recordWebPixel(admin.shop, activation.webPixelId);
      return { intent, ok: activation.ok, message: activation.message };
    }
    case "confirm_conversion_event":
      await setConversionEventConfirmed(admin.shop, now);
      return { intent, ok: true, message: "Noted: order_created is set up in Ads Manager." };
    case "undo_confirm_conversion_event":
      await setConversionEventConfirmed(admin.shop, null);
      return { intent, ok: true, message: "Tick removed." };
  }
}
