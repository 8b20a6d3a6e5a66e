/**
 * Configure a shop without the admin UI (local runs, support, tests):
 *   npm run shop:configure -- --shop my-store.myshopify.com --pixel-id <id> --api-key <key> [--server-events on|off]
 * The key is encrypted before it is stored and never printed.
 */
import { parseArgs } from "node:util";
import { initDatabase } from "~/db/client.server";
import { saveShopSettings } from "~/models/settings.server";
import { isPlausibleApiKey, isValidPixelId, isValidShopDomain } from "~/conversions/shop-identity";
import { config, ConfigError } from "~/config.server";

const USAGE =
  "usage: npm run shop:configure -- --shop <domain> --pixel-id <id> --api-key <key> [--server-events on|off] [--grace-seconds N] [--addressless-country XX|none] [--subscription-renewals skip|send]";

async function main() {
  const { values } = parseArgs({
    options: {
      shop: { type: "string" },
      "pixel-id": { type: "string" },
      "api-key": { type: "string" },
      "server-events": { type: "string" },
      "grace-seconds": { type: "string" },
      "addressless-country": { type: "string" },
      "subscription-renewals": { type: "string" },
    },
  });
  const problems: string[] = [];
  const shop = values.shop ?? "";
  if (!isValidShopDomain(shop)) problems.push("--shop must be a *.myshopify.com domain");
  if (values["pixel-id"] !== undefined && !isValidPixelId(values["pixel-id"]))
    problems.push("--pixel-id: 8-64 letters, digits, '-' or '_'");
  if (values["api-key"] !== undefined && !isPlausibleApiKey(values["api-key"]))
    problems.push("--api-key does not look like a Conversions API key");
  const serverEvents = values["server-events"];
  if (serverEvents !== undefined && serverEvents !== "on" && serverEvents !== "off")
    problems.push("--server-events must be on or off");
  const grace = values["grace-seconds"];
  if (grace !== undefined && !/^\d{1,4}$/.test(grace))
    problems.push("--grace-seconds must be a whole number of seconds (0-9999)");
  const addressless = values["addressless-country"];
  if (addressless !== undefined && addressless !== "none" && !/^[A-Z]{2}$/.test(addressless))
    problems.push("--addressless-country must be the shop's two-letter country code (e.g. HK) or none");
  const renewals = values["subscription-renewals"];
  if (renewals !== undefined && renewals !== "skip" && renewals !== "send")
    problems.push("--subscription-renewals must be skip or send");
  if (problems.length) {
    console.error([...problems, USAGE].join("\n"));
    process.exit(2);
  }
  config();
  await initDatabase();
  const saved = await saveShopSettings(shop, {
    pixelId: values["pixel-id"],
    apiKey: values["api-key"],
    serverEventsEnabled: serverEvents === undefined ? undefined : serverEvents === "on",
    oppRefGraceSeconds: grace === undefined ? undefined : Number(grace),
    addresslessOrderCountry: addressless === undefined ? undefined : addressless === "none" ? null : addressless,
    subscriptionRenewals: renewals as "skip" | "send" | undefined,
  });
  console.log(
    `configured ${shop}: pixel ${saved.pixelId ?? "(none)"}, API key ${saved.apiKeyLast4 ? `…${saved.apiKeyLast4}` : "(none)"}, server events ${saved.serverEventsEnabled ? "on" : "off"}`,
  );
}

main().catch((error) => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `shop:configure failed: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
});
