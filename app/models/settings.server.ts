/**
 * Per-shop settings. The Conversions API key is encrypted here and only here; callers get either
 * the public view (last 4 characters) or, for delivery, the decrypted key in memory.
 */
import type { ShopSettings } from "@prisma/client";
import prisma from "~/db/client.server";
import { keyRing } from "~/security/keyring.server";
import { decryptSecret, encryptSecret } from "~/security/encryption.server";
import { DEFAULT_SHOP_POLICY, type ShopPolicy } from "~/conversions/shop-policy";
import { parseMatchingFields, type MatchingField } from "~/conversions/matching";

export type { ShopSettings };

export interface ShopSettingsInput {
  pixelId?: string | null;
  /** undefined = keep the stored key; null = remove it; string = replace it */
  apiKey?: string | null;
  serverEventsEnabled?: boolean;
  browserPixelEnabled?: boolean;
  pixelFunnelEvents?: string[];
  nonWebOrders?: "skip" | "send";
  correctionsEnabled?: boolean;
  refundEventName?: string;
  cancelEventName?: string;
  valueAddedEventName?: string;
  conversionTrigger?: "orders_create" | "orders_paid";
  consentPolicy?: "regional" | "send" | "skip";
  /** ISO 3166-1 alpha-2 country for orders without an address (the shop's own), or null. */
  addresslessOrderCountry?: string | null;
  enhancedMatching?: MatchingField[];
  oppRefGraceSeconds?: number;
  subscriptionRenewals?: "skip" | "send";
}

export async function getShopSettings(shop: string): Promise<ShopSettings | null> {
  return prisma.shopSettings.findUnique({ where: { shop } });
}

export async function saveShopSettings(shop: string, input: ShopSettingsInput): Promise<ShopSettings> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || key === "apiKey") continue;
    data[key] = key === "pixelFunnelEvents" || key === "enhancedMatching" ? JSON.stringify(value) : value;
  }
  if (input.apiKey === null) {
    data.apiKeyCiphertext = null;
    data.apiKeyLast4 = null;
    data.credentialsStatus = "unknown";
  } else if (typeof input.apiKey === "string") {
    data.apiKeyCiphertext = encryptSecret(keyRing(), input.apiKey);
    data.apiKeyLast4 = input.apiKey.slice(-4);
    data.credentialsStatus = "unknown";
    data.credentialsMessage = null;
  }
  if (input.pixelId !== undefined) data.credentialsStatus = "unknown";
  return prisma.shopSettings.upsert({
    where: { shop },
    create: { shop, ...data },
    update: { ...data, uninstalledAt: null },
  });
}

export function policyFromSettings(settings: ShopSettings | null): ShopPolicy {
  if (!settings) return { ...DEFAULT_SHOP_POLICY, serverEventsEnabled: false };
  return {
    serverEventsEnabled: settings.serverEventsEnabled && !settings.uninstalledAt,
    nonWebOrders: settings.nonWebOrders === "send" ? "send" : "skip",
    enhancedMatching: parseMatchingFields(settings.enhancedMatching),
    consentPolicy: (["regional", "send", "skip"] as const).find((p) => p === settings.consentPolicy) ?? "regional",
    correctionsEnabled: settings.correctionsEnabled,
    refundEventName: settings.refundEventName,
    cancelEventName: settings.cancelEventName,
    valueAddedEventName: settings.valueAddedEventName,
    conversionTrigger: settings.conversionTrigger === "orders_paid" ? "orders_paid" : "orders_create",
    // Waiting for a pixel receipt only makes sense when a pixel can send one: a shop whose web pixel
    // was never activated (or is switched off) gets its server events without delay.
    opprefGraceMs:
      settings.browserPixelEnabled && settings.webPixelId ? Math.max(0, settings.oppRefGraceSeconds) * 1000 : 0,
    addresslessOrderCountry: /^[A-Z]{2}$/.test(settings.addresslessOrderCountry ?? "")
      ? settings.addresslessOrderCountry
      : null,
    subscriptionRenewals: settings.subscriptionRenewals === "send" ? "send" : "skip",
  };
}

export interface CapiCredentials {
  pixelId: string;
  apiKey: string;
}

/**
 * Decrypts the key for delivery. Values sealed with a previous key are re-encrypted on the way.
 * `loaded`: the shop's settings row when the caller has just read it (the worker, once per batch).
 */
export async function getCapiCredentials(shop: string, loaded?: ShopSettings | null): Promise<CapiCredentials | null> {
  const settings = loaded === undefined ? await getShopSettings(shop) : loaded;
  if (!settings?.pixelId || !settings.apiKeyCiphertext) return null;
  const { plaintext, stale } = decryptSecret(keyRing(), settings.apiKeyCiphertext);
  if (stale) {
    await prisma.shopSettings.update({
      where: { shop },
      data: { apiKeyCiphertext: encryptSecret(keyRing(), plaintext) },
    });
  }
  return { pixelId: settings.pixelId, apiKey: plaintext };
}

export async function recordCredentialCheck(
  shop: string,
  status: "ok" | "rejected" | "unknown" | "undecryptable",
  message: string | null,
) {
  await prisma.shopSettings.update({
    where: { shop },
    data: { credentialsStatus: status, credentialsMessage: message, credentialsCheckedAt: new Date() },
  });
}

export async function recordDelivery(shop: string, at: Date) {
  await prisma.shopSettings.updateMany({
    where: { shop },
    data: { lastDeliveredAt: at, credentialsStatus: "ok", credentialsMessage: null },
  });
}

/** The shop's web pixel as Shopify knows it (after webPixelCreate/Update): receipts can now arrive. */
export async function recordWebPixel(shop: string, webPixelId: string) {
  await prisma.shopSettings.updateMany({ where: { shop }, data: { webPixelId } });
}

export async function markReinstalled(shop: string) {
  await prisma.shopSettings.updateMany({
    where: { shop, uninstalledAt: { not: null } },
    data: { uninstalledAt: null },
  });
}

/** Settings of several shops in one query (the batch applier), by shop; shops without a row are absent. */
export async function getShopSettingsMany(shops: readonly string[]): Promise<Map<string, ShopSettings>> {
  if (shops.length === 0) return new Map();
  const rows = await prisma.shopSettings.findMany({ where: { shop: { in: [...new Set(shops)] } } });
  return new Map(rows.map((row) => [row.shop, row]));
}
