/**
 * The settings page's "Send the last 7 days' orders": its state, and starting it. The job itself runs
 * in the delivery worker (app/backfill/runner.server.ts).
 */
import { MAX_EVENT_AGE_MS } from "~/conversions/order-event";
import { backfillJobOf, startBackfillJob } from "~/models/backfill-jobs.server";
import { getShopSettings } from "~/models/settings.server";
import { backfillView, type BackfillView } from "./backfill-view";

export async function backfillViewFor(shop: string): Promise<BackfillView> {
  const [settings, job] = await Promise.all([getShopSettings(shop), backfillJobOf(shop)]);
  return backfillView({
    credentialsStatus: settings?.credentialsStatus ?? "unknown",
    hasApiKey: Boolean(settings?.apiKeyCiphertext),
    hasPixelId: Boolean(settings?.pixelId),
    job,
  });
}

export type StartBackfillResult = { ok: true; view: BackfillView } | { ok: false; error: string; view: BackfillView };

/**
 * Starts it once the merchant confirmed that no other integration reported these orders to OpenAI
 * (their ids would differ from this app's, and OpenAI would count each sale twice) and the saved
 * credentials are ones OpenAI accepted.
 */
export async function startBackfillFromAdmin(
  shop: string,
  input: { acknowledged: boolean },
  now = new Date(),
): Promise<StartBackfillResult> {
  const before = await backfillViewFor(shop);
  if (!input.acknowledged) {
    return { ok: false, error: "Confirm that no other integration sent these orders to OpenAI.", view: before };
  }
  if (before.state === "unavailable") return { ok: false, error: before.detail ?? "Not available yet.", view: before };
  if (before.state === "running" || before.state === "done") return { ok: true, view: before };
  await startBackfillJob(shop, { since: new Date(now.getTime() - MAX_EVENT_AGE_MS), acknowledgedAt: now });
  return { ok: true, view: await backfillViewFor(shop) };
}
