import { randomBytes } from "node:crypto";
import prisma from "~/db/client.server";
import { conversionEventFromRow } from "~/models/money-columns.server";
import { saveShopSettings, type ShopSettingsInput } from "~/models/settings.server";

/** A fresh shop domain + credentials per test, so tests sharing a database never see each other. */
export function uniqueShop(label: string) {
  const suffix = randomBytes(4).toString("hex");
  return {
    shop: `${label}-${suffix}.myshopify.com`,
    pixelId: `px${suffix}${randomBytes(6).toString("hex")}`,
    apiKey: `capi_${randomBytes(16).toString("hex")}`,
  };
}

export async function configureShop(shop: string, input: ShopSettingsInput) {
  return saveShopSettings(shop, input);
}

export async function eventsOf(shop: string) {
  // amounts as the app's models hand them out (number minor units, not the column's bigint)
  return (await prisma.conversionEvent.findMany({ where: { shop }, orderBy: { createdAt: "asc" } })).map(
    conversionEventFromRow,
  );
}
