/**
 * Attack (operational): the encryption key is rotated without keeping the old one. Before, the
 * inbox claim threw on the first unreadable row, every lease, so no webhook behind it was ever
 * applied, events stuck in `sending` and the admin still said "ok". Now: an unreadable row is
 * quarantined alone, the start-up check names the problem, `keys:rotate` re-encrypts, and delivery
 * holds the shop's events with an admin message that says why.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { connectionStatus } from "~/admin/connection-status";
import { rotateStoredKeys } from "~/models/key-inventory.server";
import { appendToInbox, QUARANTINED_UNTIL, releaseQuarantinedInbox } from "~/models/webhook-inbox.server";
import { runDeliveryPass } from "~/outbox/worker.server";
import { encryptSecret, keyRingFrom } from "~/security/encryption.server";
import { applyInboxBatch } from "~/webhooks/inbox.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { makeShopifyOrder } from "../../sim/order-factory";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

// This test process's key (test/setup-env.ts).
const OLD_KEY = process.env.ENCRYPTION_KEY!;
const OTHER_KEY = randomBytes(32).toString("base64");
let standin: OpenAiStandin;
let app: AppProcess;
let nextOrderId = 970000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  standin = await startOpenAiStandin();
  // The app seals with OTHER_KEY (it still opens the test key's values). This test process has only
  // the test key: to it, OTHER_KEY's values are exactly "sealed with a key that is not configured".
  app = await startAppProcess({
    OPENAI_CAPI_URL: standin.url,
    RUN_WORKER: "false",
    WEBHOOK_ACK: "stored",
    ENCRYPTION_KEY: OTHER_KEY,
    ENCRYPTION_KEY_PREVIOUS: OLD_KEY,
  });
});
const shopsToForget: string[] = [];
afterAll(async () => {
  // Later apps on this database run the start-up key check: leave no value sealed with a stray key.
  await prisma.shopSettings.deleteMany({ where: { shop: { in: shopsToForget } } });
  await prisma.webhookInbox.deleteMany({ where: { shop: { in: shopsToForget } } });
  await app?.stop();
  await standin?.close();
});

const orderBody = (id: number) => JSON.stringify(makeShopifyOrder({ id, landingSite: "/?oppref=op_k", country: "US" }));

describe("attack: a key rotation that drops the old key", () => {
  it("quarantines the unreadable webhook alone, refuses to start without the key, and recovers with keys:rotate", async () => {
    const sealedElsewhere = uniqueShop("key-other");
    shopsToForget.push(sealedElsewhere.shop);
    standin.addPixel(sealedElsewhere.pixelId, sealedElsewhere.apiKey);
    await configureShop(sealedElsewhere.shop, { pixelId: sealedElsewhere.pixelId, apiKey: sealedElsewhere.apiKey });
    const readable = uniqueShop("key-readable");
    standin.addPixel(readable.pixelId, readable.apiKey);
    await configureShop(readable.shop, { pixelId: readable.pixelId, apiKey: readable.apiKey });

    // One webhook stored by the app (sealed with OTHER_KEY), then one stored with the test key.
    const unreadableId = nextOrderId++;
    const readableId = nextOrderId++;
    const send = (shop: string, id: number) =>
      sendWebhook(app.url, { topic: "orders/create", shop, body: orderBody(id), secret: TEST_SECRET });
    expect(await send(sealedElsewhere.shop, unreadableId)).toBe(200);
    await appendToInbox({
      path: "/webhooks/orders/create",
      shop: readable.shop,
      topic: "orders/create",
      eventId: `evt-${readableId}`,
      webhookId: `wh-${readableId}`,
      apiVersion: "2025-10",
      triggeredAt: null,
      rawBody: orderBody(readableId),
    });

    // The applier here cannot open the first: it is set aside, the second is applied.
    for (let i = 0; i < 5 && (await eventsOf(readable.shop)).length === 0; i++) await applyInboxBatch();
    expect(await eventsOf(readable.shop)).toHaveLength(1);
    expect(await eventsOf(sealedElsewhere.shop)).toHaveLength(0);
    const quarantined = await prisma.webhookInbox.findFirst({ where: { shop: sealedElsewhere.shop } });
    expect(quarantined?.nextAttemptAt.getTime()).toBe(QUARANTINED_UNTIL.getTime());
    expect(quarantined?.lastError).toMatch(/^quarantined: .*not configured/);

    // A process configured with a third key only refuses to start, and says what is missing.
    await expect(
      startAppProcess({ RUN_WORKER: "false", ENCRYPTION_KEY: randomBytes(32).toString("base64") }),
    ).rejects.toThrow(/WebhookInbox\.bodyCiphertext holds values encrypted with key id\(s\).*ENCRYPTION_KEY_PREVIOUS/);

    // The shop's stored API key, sealed with OTHER_KEY too: delivery holds its events and says why.
    const otherRing = keyRingFrom(OTHER_KEY);
    await prisma.shopSettings.update({
      where: { shop: sealedElsewhere.shop },
      data: { apiKeyCiphertext: encryptSecret(otherRing, sealedElsewhere.apiKey) },
    });

    // keys:rotate with both keys: everything is re-encrypted with the test key, the webhook is released.
    const report = await rotateStoredKeys(keyRingFrom(OLD_KEY, OTHER_KEY));
    expect(report["WebhookInbox.bodyCiphertext"].reencrypted).toBeGreaterThanOrEqual(1);
    expect(report["ShopSettings.apiKeyCiphertext"].reencrypted).toBeGreaterThanOrEqual(1);
    expect(await releaseQuarantinedInbox()).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5 && (await eventsOf(sealedElsewhere.shop)).length === 0; i++) await applyInboxBatch();
    expect(await eventsOf(sealedElsewhere.shop)).toHaveLength(1);
    await runDeliveryPass({ baseUrl: standin.url });
    expect(standin.accepted(sealedElsewhere.pixelId)).toHaveLength(1);
  });

  it("an API key that cannot be decrypted holds the shop's events (not stuck in sending) and the admin says so", async () => {
    const s = uniqueShop("key-undecryptable");
    shopsToForget.push(s.shop);
    standin.addPixel(s.pixelId, s.apiKey);
    await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
    await prisma.shopSettings.update({
      where: { shop: s.shop },
      data: { apiKeyCiphertext: encryptSecret(keyRingFrom(randomBytes(32).toString("base64")), s.apiKey) },
    });
    const id = nextOrderId++;
    expect(
      await sendWebhook(app.url, { topic: "orders/create", shop: s.shop, body: orderBody(id), secret: TEST_SECRET }),
    ).toBe(200);
    // Stored by the app with OTHER_KEY: re-seal it for this process, as keys:rotate would.
    await rotateStoredKeys(keyRingFrom(OLD_KEY, OTHER_KEY));
    for (let i = 0; i < 5 && (await eventsOf(s.shop)).length === 0; i++) await applyInboxBatch();
    expect(await eventsOf(s.shop)).toHaveLength(1);

    await runDeliveryPass({ baseUrl: standin.url });
    expect(standin.accepted(s.pixelId)).toHaveLength(0);
    const [event] = await eventsOf(s.shop);
    expect(event.status).toBe("pending");
    expect(event.lastError).toMatch(/^key_unavailable/);
    const settings = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: s.shop } });
    expect(settings.credentialsStatus).toBe("undecryptable");
    const status = connectionStatus({
      pixelId: settings.pixelId,
      hasApiKey: true,
      serverEventsEnabled: true,
      credentialsStatus: settings.credentialsStatus,
      credentialsMessage: settings.credentialsMessage,
      credentialsCheckedAt: settings.credentialsCheckedAt,
      lastDeliveredAt: null,
    });
    expect(status.title).toMatch(/cannot be decrypted/);
    expect(status.detail).toMatch(/ENCRYPTION_KEY_PREVIOUS/);
  });
});
