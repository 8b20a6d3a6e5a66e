/**
 * "Save" on the settings page, step by step, each step reported to the merchant:
 *   1. validate every field (nothing is stored if one is wrong)
 *   2. if the Pixel ID or key changed: ask OpenAI (`validate_only`) whether they work; on failure stop
 *      unless the merchant ticked "save anyway"
 *   3. store (the key is encrypted by saveShopSettings) and record what OpenAI said
 *   4. turn the web pixel on or update it in the store
 */
import { checkCredentials } from "~/openai/capi-client";
import { logger } from "~/logger.server";
import {
  getCapiCredentials,
  getShopSettings,
  recordCredentialCheck,
  recordWebPixel,
  saveShopSettings,
} from "~/models/settings.server";
import type { ShopSettingsInput } from "~/models/settings.server";
import type { AdminContext } from "./auth.server";
import { explainCapiAnswer, type CapiAnswer } from "./capi-answers";
import { parseSettingsForm } from "./settings-form.server";
import type { SaveReport, SaveStep } from "./types";
import { activateWebPixel, webPixelSettings } from "./web-pixel.server";

export interface SaveDeps {
  /** OpenAI's Conversions API base URL (config().OPENAI_CAPI_URL). */
  capiBaseUrl: string;
  /** This app's public URL (config().SHOPIFY_APP_URL): the pixel's receipt endpoint lives there. */
  appUrl: string;
}

export async function saveSettingsFromForm(admin: AdminContext, form: FormData, deps: SaveDeps): Promise<SaveReport> {
  const { shop } = admin;
  const current = await getShopSettings(shop);
  const parsed = parseSettingsForm(form, Boolean(current?.apiKeyCiphertext));
  if (!parsed.ok) {
    return {
      intent: "save",
      outcome: "invalid",
      fieldErrors: parsed.fieldErrors,
      steps: [{ step: "validate", status: "error", message: "Fix the fields marked in red below." }],
    };
  }
  const { settings, apiKey, saveAnyway } = parsed.value;
  const steps: SaveStep[] = [{ step: "validate", status: "ok", message: "All fields are valid." }];

  // 2. Connection check, only when what OpenAI would check has changed.
  const pixelChanged = settings.pixelId !== (current?.pixelId ?? null);
  const key = apiKey.mode === "replace" ? apiKey.value : apiKey.mode === "keep" ? await storedKey(shop) : null;
  let answer: CapiAnswer | null = null;
  if (!settings.pixelId || !key) {
    steps.push({
      step: "credentials",
      status: "skipped",
      message: "Not checked: add both a Pixel ID and a Conversions API key to send server events.",
    });
  } else if (!pixelChanged && apiKey.mode === "keep") {
    steps.push({
      step: "credentials",
      status: "skipped",
      message: "Pixel ID and key unchanged, so they were not checked again. Use “Send test event” to check them.",
    });
  } else {
    answer = explainCapiAnswer(
      await checkCredentials(
        { baseUrl: deps.capiBaseUrl, pixelId: settings.pixelId, apiKey: key },
        { sourceUrl: `https://${shop}/` },
      ),
    );
    if (answer.verdict === "ok") {
      steps.push({ step: "credentials", status: "ok", message: answer.message });
    } else if (!saveAnyway) {
      steps.push({ step: "credentials", status: "error", message: `${answer.message} Nothing was saved.` });
      logger.info({ shop, verdict: answer.verdict }, "settings not saved: connection check failed");
      return { intent: "save", outcome: "check_failed", steps };
    } else {
      steps.push({ step: "credentials", status: "warning", message: `Saved anyway. ${answer.message}` });
    }
  }

  // 3. Store. The pixel id is passed only when it changed: passing it resets the credential status.
  const input: ShopSettingsInput = { ...settings, pixelId: pixelChanged ? settings.pixelId : undefined };
  if (apiKey.mode === "replace") input.apiKey = apiKey.value;
  if (apiKey.mode === "remove") input.apiKey = null;
  await saveShopSettings(shop, input);
  if (answer) await recordCredentialCheck(shop, answer.verdict, answer.verdict === "ok" ? null : answer.message);
  steps.push({
    step: "store",
    status: "ok",
    message:
      apiKey.mode === "replace" ? "Settings saved. The Conversions API key is stored encrypted." : "Settings saved.",
  });

  // 4. The browser pixel.
  if (!settings.pixelId) {
    steps.push({ step: "pixel", status: "skipped", message: "Browser pixel not set up: it needs a Pixel ID." });
  } else {
    const activation = await activateWebPixel(
      admin.graphql,
      webPixelSettings({
        appUrl: deps.appUrl,
        shop,
        pixelId: settings.pixelId,
        browserPixelEnabled: settings.browserPixelEnabled ?? true,
        funnelEvents: settings.pixelFunnelEvents ?? [],
      }),
    );
    if (activation.ok) await recordWebPixel(shop, activation.webPixelId);
    const message =
      activation.ok && !settings.browserPixelEnabled ? "Browser pixel switched off in your store." : activation.message;
    steps.push({ step: "pixel", status: activation.ok ? "ok" : "error", message });
  }

  logger.info({ shop, steps: steps.map((s) => `${s.step}:${s.status}`) }, "settings saved");
  return { intent: "save", outcome: "saved", steps };
}

async function storedKey(shop: string): Promise<string | null> {
  return (await getCapiCredentials(shop))?.apiKey ?? null;
}
