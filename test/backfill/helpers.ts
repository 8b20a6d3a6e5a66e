/** A configured shop with an offline session, orders seeded in the Admin API stand-in, its OpenAI pixel. */
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { startBackfillJob } from "~/models/backfill-jobs.server";
import { sessionStorage } from "~/shopify.server";
import type { OpenAiStandin } from "../../sim/openai-standin";
import { storeOfflineSession } from "../admin/embedded-requests";
import { configureShop, uniqueShop } from "../helpers/shops";

export const BACKFILL_WINDOW_MS = 7 * 24 * 3600 * 1000;

export async function backfillShop(label: string, openai: OpenAiStandin) {
  const s = uniqueShop(label);
  openai.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  const session = await storeOfflineSession(sessionStorage, s.shop);
  return { ...s, accessToken: session.accessToken! };
}

export async function startBackfill(shop: string, now = new Date()) {
  return startBackfillJob(shop, { since: new Date(now.getTime() - BACKFILL_WINDOW_MS), acknowledgedAt: now });
}

/** The CAPI keys (`order_created:<dedup id>`) the given orders must reach OpenAI under. */
export async function orderKeys(ids: (number | string)[]): Promise<Set<string>> {
  return new Set(await Promise.all(ids.map(async (id) => `order_created:${await dedupIdForOrder(String(id))}`)));
}

/** What OpenAI accepted for the pixel, as keys; and the keys it saw more than once. */
export function acceptedKeys(openai: OpenAiStandin, pixelId: string): string[] {
  return openai
    .accepted(pixelId)
    .filter((a) => a.source === "capi")
    .map((a) => `${a.event.type}:${a.event.id}`);
}
