/**
 * Replays of genuinely signed webhook bodies under other headers. Shopify signs the body only, so
 * the topic, shop, path and event id of a captured body are the attacker's to choose. None of these
 * may change a row; each refused webhook is still answered 200 (Shopify would retry a non-2xx for
 * hours) and leaves a record in the log; only a bad signature is a 401. An order or refund body
 * replayed under another shop passes every header check (the shop is installed, the body is its
 * topic's): it is refused by its order id, which Shopify makes globally unique, and its only trace is
 * the rejection record on the webhook's idempotency row.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import prisma from "~/db/client.server";
import { sendWebhook, webhookHeaders, type WebhookMessage } from "../../sim/shopify-webhooks";
import { makeShopifyOrder } from "../../sim/order-factory";
import { addOfflineSession } from "../compliance/helpers";
import { TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";
import { attack, startProductionApp } from "./harness";
import { startAppProcess } from "../helpers/app-process";

let app: AppProcess;
/** Processes an attack started for itself (another acknowledgement mode, a worker). */
const extra: AppProcess[] = [];
let nextId = 930000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  app = await startProductionApp();
});
afterAll(async () => {
  await app?.stop();
  for (const started of extra) await started.stop();
});

/** A shop that installed the app: settings and, unless told otherwise, its offline session. */
async function installedShop(label: string, options: { session?: boolean } = {}) {
  const s = uniqueShop(label);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  if (options.session !== false) await addOfflineSession(s.shop);
  return s.shop;
}

/** Sends a signed body: the HMAC is genuine (the body is Shopify's), the headers are the attacker's. */
async function replay(topic: string, shop: string, body: unknown, path?: string, secret = TEST_SECRET) {
  const message: WebhookMessage = {
    topic,
    shop,
    body: typeof body === "string" ? body : JSON.stringify(body),
    secret,
  };
  if (!path) return sendWebhook(app.url, message);
  const response = await fetch(new URL(path, app.url), {
    method: "POST",
    headers: webhookHeaders(message),
    body: message.body,
  });
  await response.arrayBuffer();
  return response.status;
}

async function refusalLogged(reason: string) {
  await waitFor(() => app.output().includes(`"refused":"${reason}"`), `a "${reason}" refusal record`);
}

async function orderOf(shop: string, email: string) {
  const id = nextId++;
  const order = makeShopifyOrder({ id, email, landingSite: "/?oppref=oa_attack" });
  expect(await replay("orders/create", shop, order)).toBe(200);
  return { id, order };
}

function dataRequestBody(shop: string, orderId: number, email: string) {
  return {
    shop_id: 954889,
    shop_domain: shop,
    orders_requested: [orderId],
    customer: { id: 191167, email, phone: "555-625-1199" },
    data_request: { id: 9999 },
  };
}

describe("a signed body is bound to its topic", () => {
  attack("customers/data_request body replayed as customers/redact", async (strike) => {
    const shop = await installedShop("dr-as-redact");
    const { id } = await orderOf(shop, "victim-a@example.com");
    await strike(async () => {
      expect(await replay("customers/redact", shop, dataRequestBody(shop, id, "victim-a@example.com"))).toBe(200);
      await refusalLogged("body_not_of_topic");
    });
  });

  attack("customers/data_request body replayed as shop/redact", async (strike) => {
    // Settings but no session (the state a missed or replayed uninstall leaves).
    const shop = await installedShop("dr-as-shop-redact", { session: false });
    const { id } = await orderOf(shop, "victim-b@example.com");
    await strike(async () => {
      expect(await replay("shop/redact", shop, dataRequestBody(shop, id, "victim-b@example.com"))).toBe(200);
    });
  });

  attack("customers/data_request body replayed as app/uninstalled", async (strike) => {
    const shop = await installedShop("dr-as-uninstall");
    const { id } = await orderOf(shop, "victim-c@example.com");
    await strike(async () => {
      expect(await replay("app/uninstalled", shop, dataRequestBody(shop, id, "victim-c@example.com"))).toBe(200);
    });
  });

  attack("another shop's orders/create body posted to the uninstall route as app/uninstalled", async (strike) => {
    const victim = await installedShop("order-as-uninstall-victim");
    const other = await installedShop("order-as-uninstall-other");
    const { order } = await orderOf(other, "someone@example.com");
    await strike(async () => {
      expect(await replay("app/uninstalled", victim, order)).toBe(200);
    });
  });

  attack("an orders/create body posted to the refunds route under its own topic", async (strike) => {
    const shop = await installedShop("order-to-refund-route");
    const { order } = await orderOf(shop, "buyer-r@example.com");
    await strike(async () => {
      expect(await replay("orders/create", shop, order, "/webhooks/refunds/create")).toBe(200);
      await refusalLogged("topic_not_subscribed");
    });
  });

  attack("an orders/create body replayed as orders/cancelled", async (strike) => {
    const shop = await installedShop("create-as-cancel");
    const { order } = await orderOf(shop, "buyer-x@example.com");
    await strike(async () => {
      expect(await replay("orders/cancelled", shop, order)).toBe(200);
    });
  });

  attack("a refunds/create body replayed as orders/create", async (strike) => {
    const shop = await installedShop("refund-as-order");
    const { id } = await orderOf(shop, "buyer-y@example.com");
    const refund = { id: nextId++, order_id: id, refund_line_items: [], transactions: [], order_adjustments: [] };
    await strike(async () => {
      expect(await replay("orders/create", shop, refund)).toBe(200);
    });
  });
});

describe("a signed body is bound to the shop it names", () => {
  attack("another shop's app/uninstalled body replayed with the victim's shop header", async (strike) => {
    const victim = await installedShop("uninstall-victim");
    const other = await installedShop("uninstall-other");
    const body = { id: 1, name: "Other", domain: "other.example.com", myshopify_domain: other };
    await strike(async () => {
      expect(await replay("app/uninstalled", victim, body)).toBe(200);
      await refusalLogged("shop_mismatch");
      expect(await prisma.session.count({ where: { shop: victim } })).toBe(1);
    });
  });

  attack("another shop's customers/redact body replayed with the victim's shop header", async (strike) => {
    const victim = await installedShop("redact-victim");
    const other = await installedShop("redact-other");
    const { id } = await orderOf(victim, "victim-d@example.com");
    const body = {
      shop_id: 1,
      shop_domain: other,
      customer: { id: 5, email: "victim-d@example.com" },
      orders_to_redact: [id],
    };
    await strike(async () => {
      expect(await replay("customers/redact", victim, body)).toBe(200);
    });
  });
});

describe("webhooks for shops that never installed, or not on myshopify.com", () => {
  attack("an orders/create for a shop that never installed creates nothing", async (strike) => {
    const { shop } = uniqueShop("never-installed");
    const order = makeShopifyOrder({ id: nextId++, landingSite: "/?oppref=oa_x" });
    await strike(async () => {
      expect(await replay("orders/create", shop, order)).toBe(200);
      await refusalLogged("shop_not_installed");
    });
  });

  attack("a refunds/create for a shop that never installed creates nothing", async (strike) => {
    const { shop } = uniqueShop("never-installed-refund");
    const refund = { id: nextId++, order_id: nextId++, refund_line_items: [], transactions: [] };
    await strike(async () => {
      expect(await replay("refunds/create", shop, refund)).toBe(200);
    });
  });

  attack("a shop header outside myshopify.com", async (strike) => {
    const order = makeShopifyOrder({ id: nextId++ });
    await strike(async () => {
      expect(await replay("orders/create", "shop.example.com", order)).toBe(200);
      await refusalLogged("shop_header_invalid");
    });
  });

  attack("a bad signature is a 401", async (strike) => {
    const shop = await installedShop("bad-signature");
    const body = { id: 1, myshopify_domain: shop };
    await strike(async () => {
      expect(await replay("app/uninstalled", shop, body, undefined, "not-the-secret")).toBe(401);
    });
  });
});

describe("order and refund ids are bound to the first shop that sent them", () => {
  const fixture = (name: string) => readFileSync(path.join(process.cwd(), "test", "fixtures", name), "utf8");
  /** Captured bodies, byte for byte, with fresh ids (the test database is shared by test files). */
  function capturedBodies() {
    const orderId = String(nextId++);
    const order = fixture("orders-create.json").replaceAll("5912345678901", orderId);
    const refund = fixture("refunds-create.json")
      .replaceAll("5912345678901", orderId)
      .replaceAll("929361463", String(nextId++));
    return { orderId, order, refund };
  }
  const applied = async (shop: string, deliveries: number) =>
    (await prisma.webhookInbox.count({ where: { shop } })) === 0 &&
    (await prisma.webhookDelivery.count({ where: { shop } })) === deliveries;

  for (const ack of ["processed", "stored"] as const) {
    attack(
      `WEBHOOK_ACK=${ack}: a captured orders/create and refunds/create replayed under another shop's header create nothing`,
      async (strike) => {
        // stored: the production web process stores, an inbox-only worker applies (nothing is sent).
        const web =
          ack === "processed"
            ? app
            : await startProductionApp({ WEBHOOK_ACK: "stored" }).then((a) => (extra.push(a), a));
        if (ack === "stored")
          extra.push(await startAppProcess({ NODE_ENV: "production" }, "worker.js", ["--inbox-only"]));
        const genuine = await installedShop(`ids-genuine-${ack}`);
        const victim = await installedShop(`ids-victim-${ack}`);
        const { orderId, order, refund } = capturedBodies();
        const send = (topic: string, shop: string, body: string) =>
          sendWebhook(web.url, { topic, shop, body, secret: TEST_SECRET });
        expect(await send("orders/create", genuine, order)).toBe(200);
        expect(await send("refunds/create", genuine, refund)).toBe(200);
        await waitFor(() => applied(genuine, 2), "the genuine shop's webhooks applied", 30_000);

        await strike(async () => {
          expect(await send("orders/create", victim, order)).toBe(200);
          expect(await send("refunds/create", victim, refund)).toBe(200);
          await waitFor(() => applied(victim, 2), "the replays applied", 30_000);
          const records = await prisma.webhookDelivery.findMany({ where: { shop: victim } });
          expect(records.map((r) => r.topic).sort()).toEqual(["orders/create", "refunds/create"]);
          for (const r of records)
            expect(r.rejectedReason).toContain(`order ${orderId} was already seen under another shop`);
          expect(await prisma.orderLedger.count({ where: { orderId } })).toBe(1);
        });
      },
      90_000,
      // The two rejection records are the attack's only trace; every other row must stay as it was.
      { rejectionRecords: true },
    );
  }
});
