/**
 * The mandatory compliance topics and the installation lifecycle, through the real route
 * actions with Shopify-signed requests, on the real SQLite file, with the real delivery worker and the
 * OpenAI stand-in. Every topic is also delivered again after it has done its work — including after
 * the shop has been erased — and must still get its 200 without writing anything.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { recordPixelReceipt } from "~/models/receipts.server";
import { rowsHeldForShop, type CustomerDataReport } from "~/models/privacy.server";
import { runUntilIdle } from "~/outbox/worker.server";
import { ingestComplianceWebhook } from "~/webhooks/compliance.server";
import { verifyWebhook } from "~/webhooks/verify.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { webhookRequest } from "../../sim/shopify-webhooks";
import { startAdminApiStandin, type AdminApiStandin } from "../helpers/admin-api-standin";
import { TEST_SECRET } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";
import { addOfflineSession, BASE, callAction, actionFor, compliancePayload, status } from "./helpers";

let standin: OpenAiStandin;
let nextOrderId = 830000000000 + Math.floor(Math.random() * 1e9);
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

let adminApi: AdminApiStandin;

beforeAll(async () => {
  standin = await startOpenAiStandin();
  // shop/redact asks the Admin API whether a shop with a session is still installed.
  adminApi = await startAdminApiStandin();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = adminApi.url;
});
afterAll(async () => {
  await standin?.close();
  await adminApi?.close();
});
beforeEach(() => standin.reset());

const worker = () => ({ baseUrl: standin.url });

async function newShop(label: string, options: { session?: boolean } = {}) {
  const s = uniqueShop(label);
  standin.addPixel(s.pixelId, s.apiKey);
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  if (options.session !== false) await addOfflineSession(s.shop);
  return s;
}

interface Buyer {
  customerId: number;
  email: string;
  phone: string;
}
function buyer(label: string): Buyer {
  const n = Math.floor(Math.random() * 1e6);
  const line = String(1000 + (n % 9000));
  return { customerId: 6_000_000_000_000 + n, email: `${label}.${n}@Example.com`, phone: `+1 (415) 555-${line}` };
}

/** orders/create for `who`, with an oppref so it is sent at once. */
async function order(shop: string, who: Buyer, extra: { total?: string } = {}) {
  const id = nextOrderId++;
  const body = makeShopifyOrder({
    id,
    email: who.email,
    phone: who.phone,
    landingSite: "/?oppref=oa_c",
    total: extra.total,
  });
  (body.customer as Record<string, unknown>).id = who.customerId;
  expect(await status("orders/create", shop, body)).toBe(200);
  return id;
}

async function refund(shop: string, orderId: number, amount: string) {
  expect(await status("refunds/create", shop, makeShopifyRefund({ id: nextOrderId++, orderId, amount }))).toBe(200);
}

async function receipt(shop: string, orderId: number) {
  await recordPixelReceipt({
    shop,
    orderId: String(orderId),
    checkoutToken: `chk${orderId}`,
    oppref: "oa_receipt_ref",
    consent: "granted",
    pixelStatus: "sent",
  });
}

async function verified(topic: string, shop: string, body: unknown) {
  return verifyWebhook(webhookRequest(BASE, { topic, shop, body: JSON.stringify(body), secret: TEST_SECRET }));
}

async function rowsForOrder(shop: string, orderId: number) {
  const id = String(orderId);
  const dedup = await dedupIdForOrder(orderId);
  const [events, ledgers, entries, receipts] = await Promise.all([
    prisma.conversionEvent.count({ where: { shop, OR: [{ orderId: id }, { orderDedupId: dedup }] } }),
    prisma.orderLedger.count({ where: { shop, orderId: id } }),
    prisma.ledgerEntry.count({ where: { shop, orderId: id } }),
    prisma.pixelReceipt.count({ where: { shop, orderId: id } }),
  ]);
  return { events, ledgers, entries, receipts };
}

describe("customers/data_request", () => {
  it("reports exactly what is held for the buyer's orders, with no PII, and says no raw PII is stored", async () => {
    const { shop } = await newShop("datareq");
    const jane = buyer("jane");
    const other = buyer("other");
    const listed = await order(shop, jane, { total: "50.00" });
    const refunded = await order(shop, jane, { total: "80.00" });
    const unlisted = await order(shop, jane); // not in orders_requested: found through the email digest
    const someoneElse = await order(shop, other);
    await receipt(shop, listed);
    await refund(shop, refunded, "30.00");
    await runUntilIdle(worker());

    const body = compliancePayload("customers/data_request", shop, {
      customer: { id: jane.customerId, email: jane.email, phone: jane.phone },
      orders_requested: [listed, `gid://shopify/Order/${refunded}`, 999999999, "not-an-order"],
      data_request: { id: 9999 },
    });
    expect(await status("customers/data_request", shop, body)).toBe(200);

    const result = await ingestComplianceWebhook(await verified("customers/data_request", shop, body));
    expect(result.outcome).toBe("reported");
    const report = (result as { report: CustomerDataReport }).report;
    expect(report.rawPersonalDataStored).toBe(false);
    expect(report.statement).toMatch(/no raw names, email addresses, phone numbers/);
    expect(report.dataRequestId).toBe("9999");
    expect(report.ordersRequested.sort()).toEqual([String(listed), String(refunded), "999999999"].sort());
    expect(report.invalidOrderIds).toBe(1);
    expect(report.ordersNotHeld).toEqual(["999999999"]);
    expect(report.ordersHeld.map((o) => o.orderId).sort()).toEqual(
      [String(listed), String(refunded), String(unlisted)].sort(),
    );
    expect(report.ordersHeld.map((o) => o.orderId)).not.toContain(String(someoneElse));

    const byId = new Map(report.ordersHeld.map((o) => [o.orderId, o]));
    const first = byId.get(String(listed))!;
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({
      eventType: "order_created",
      status: "delivered",
      amountMinor: 5000,
      currency: "USD",
      clickReferenceHeld: true,
    });
    expect(first.events[0].matchingData).toEqual(
      expect.arrayContaining([{ field: "emails_sha256", form: "sha256", values: 1 }]),
    );
    expect(first.events[0].matchingData.find((f) => f.field === "phone_numbers_sha256")?.form).toBe("sha256");
    expect(first.ledger).toMatchObject({ grossMinor: 5000, netMinor: 5000, currency: "USD" });
    expect(first.pixelReceipt).toMatchObject({
      consent: "granted",
      pixelStatus: "sent",
      clickReferenceHeld: true,
      checkoutTokenHeld: true,
    });
    const second = byId.get(String(refunded))!;
    expect(second.ledgerEntries).toEqual([expect.objectContaining({ kind: "refund", requestedMinor: 3000 })]);
    expect(second.ledger?.refundedMinor).toBe(3000);

    // Nothing personal in the report: no raw identifiers, no digests, no click references.
    const text = JSON.stringify(report);
    const digits = jane.phone.replace(/\D/g, ""); // "14155551234"
    for (const secret of [
      jane.email,
      jane.email.toLowerCase(),
      digits,
      jane.phone,
      sha256(jane.email.toLowerCase()),
      sha256(digits),
      "oa_receipt_ref",
      'oa_c"',
    ]) {
      expect(text).not.toContain(secret);
    }
    // Read-only: nothing changed.
    expect(await rowsForOrder(shop, listed)).toEqual({ events: 1, ledgers: 1, entries: 0, receipts: 1 });
  });

  it("for a buyer the app knows nothing about: 200, an empty report", async () => {
    const { shop } = await newShop("datareq-empty");
    const body = compliancePayload("customers/data_request", shop, { orders_requested: [123456789] });
    expect(await status("customers/data_request", shop, body)).toBe(200);
    const result = await ingestComplianceWebhook(await verified("customers/data_request", shop, body));
    expect(result).toMatchObject({ outcome: "reported", report: { ordersHeld: [], ordersNotHeld: ["123456789"] } });
  });
});

describe("customers/redact", () => {
  it("deletes the buyer's events, receipts, ledger rows and entries — and nobody else's", async () => {
    const { shop, pixelId } = await newShop("redact");
    const jane = buyer("jane");
    const other = buyer("other");
    const listed = await order(shop, jane);
    const unlisted = await order(shop, jane); // found through the email digest
    const kept = await order(shop, other);
    await receipt(shop, listed);
    await receipt(shop, kept);
    await refund(shop, listed, "10.00");
    await runUntilIdle(worker());
    // One more order of hers still waiting to be sent: erased before it goes out.
    const pending = await order(shop, jane);
    const otherShop = await newShop("redact-bystander");
    const sameIdElsewhere = await order(otherShop.shop, jane);

    const body = compliancePayload("customers/redact", shop, {
      customer: { id: jane.customerId, email: jane.email, phone: jane.phone },
      orders_to_redact: [listed, pending],
    });
    expect(await status("customers/redact", shop, body)).toBe(200);

    for (const id of [listed, unlisted, pending])
      expect(await rowsForOrder(shop, id)).toEqual({ events: 0, ledgers: 0, entries: 0, receipts: 0 });
    expect(await rowsForOrder(shop, kept)).toEqual({ events: 1, ledgers: 1, entries: 0, receipts: 1 });
    expect((await rowsForOrder(otherShop.shop, sameIdElsewhere)).events).toBe(1);
    const digest = sha256(jane.email.toLowerCase());
    expect(await prisma.conversionEvent.count({ where: { shop, payload: { contains: digest } } })).toBe(0);

    await runUntilIdle(worker());
    const sentIds = standin.accepted(pixelId).map((a) => a.event.id);
    expect(sentIds).not.toContain(await dedupIdForOrder(pending));

    // Redelivered (Shopify repeats itself): 200, nothing else changes.
    const before = await rowsHeldForShop(shop);
    expect(await status("customers/redact", shop, body)).toBe(200);
    expect(await status("customers/redact", shop, body, { eventId: "another-delivery" })).toBe(200);
    expect(await rowsHeldForShop(shop)).toEqual(before);
  });

  it("a signed body naming another shop than its header is ignored (a replayed body cannot erase another shop)", async () => {
    const victim = await newShop("redact-victim");
    const jane = buyer("jane");
    const id = await order(victim.shop, jane);
    const body = compliancePayload("customers/redact", "attacker-shop.myshopify.com", { orders_to_redact: [id] });
    expect(await status("customers/redact", victim.shop, body)).toBe(200);
    expect((await rowsForOrder(victim.shop, id)).events).toBe(1);
  });

  it("malformed but signed payloads are acknowledged and change nothing", async () => {
    const { shop } = await newShop("redact-malformed");
    const id = await order(shop, buyer("jane"));
    const before = await rowsHeldForShop(shop);
    for (const body of [
      "{not json",
      "null",
      "[]",
      JSON.stringify({ shop_domain: shop, orders_to_redact: "all" }),
      JSON.stringify({ orders_to_redact: [id] }),
    ]) {
      expect(await status("customers/redact", shop, body)).toBe(200);
    }
    expect(await rowsHeldForShop(shop)).toEqual(before);
  });
});

describe("app/uninstalled → shop/redact", () => {
  it("uninstall stops sending at once, deletes sessions, keeps settings; shop/redact then erases everything", async () => {
    const { shop, pixelId } = await newShop("lifecycle");
    const bystander = await newShop("lifecycle-bystander");
    const jane = buyer("jane");
    const sent = await order(shop, jane);
    await receipt(shop, sent);
    await refund(shop, sent, "5.00");
    await runUntilIdle(worker());
    await order(bystander.shop, jane);
    const waiting = [await order(shop, jane), await order(shop, jane)];
    standin.reset();

    // shop/redact while the shop is installed (a replay, or a reinstall): refused, nothing deleted.
    const held = await rowsHeldForShop(shop);
    expect(await status("shop/redact", shop, compliancePayload("shop/redact", shop))).toBe(200);
    expect(await rowsHeldForShop(shop)).toEqual(held);

    const uninstall = { id: 1, name: "Shop", domain: shop, myshopify_domain: shop };
    expect(await status("app/uninstalled", shop, uninstall, { eventId: "uninstall-1" })).toBe(200);
    const settings = await prisma.shopSettings.findUnique({ where: { shop } });
    expect(settings?.uninstalledAt).toBeInstanceOf(Date);
    expect(settings?.pixelId).toBe(pixelId);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);

    await runUntilIdle(worker());
    expect(standin.requests().filter((r) => r.path === "/v1/events" && r.query.pid === pixelId)).toHaveLength(0);
    for (const id of waiting) {
      const [row] = await prisma.conversionEvent.findMany({ where: { shop, orderId: String(id) } });
      expect([row.status, row.skipReason]).toEqual(["skipped", "uninstalled"]);
    }

    // Redelivered uninstall (same event, then a new event id): no change, the first time is kept.
    const firstAt = settings!.uninstalledAt!.getTime();
    expect(await status("app/uninstalled", shop, uninstall, { eventId: "uninstall-1" })).toBe(200);
    expect(await status("app/uninstalled", shop, uninstall, { eventId: "uninstall-2" })).toBe(200);
    expect((await prisma.shopSettings.findUnique({ where: { shop } }))?.uninstalledAt?.getTime()).toBe(firstAt);

    // 48 h later: shop/redact erases everything, in every table.
    expect(await status("shop/redact", shop, compliancePayload("shop/redact", shop))).toBe(200);
    const zero = {
      settings: 0,
      sessions: 0,
      events: 0,
      receipts: 0,
      ledgers: 0,
      ledgerEntries: 0,
      webhookDeliveries: 0,
      webhookInbox: 0,
      subscriptionOrders: 0,
      redactedOrders: 0,
    };
    expect(await rowsHeldForShop(shop)).toEqual(zero);
    const other = await rowsHeldForShop(bystander.shop);
    expect(other.settings).toBe(1);
    expect(other.events).toBeGreaterThan(0);

    // Everything delivered again after the shop is gone: 200, and nothing is written.
    expect(await status("shop/redact", shop, compliancePayload("shop/redact", shop))).toBe(200);
    expect(await status("app/uninstalled", shop, uninstall, { eventId: "uninstall-3" })).toBe(200);
    expect(await status("app/scopes_update", shop, { current: ["read_orders"] })).toBe(200);
    expect(
      await status("customers/redact", shop, compliancePayload("customers/redact", shop, { orders_to_redact: [sent] })),
    ).toBe(200);
    expect(
      await status(
        "customers/data_request",
        shop,
        compliancePayload("customers/data_request", shop, { orders_requested: [sent] }),
      ),
    ).toBe(200);
    expect(await rowsHeldForShop(shop)).toEqual(zero);
  });

  it("uninstall of a shop that never saved settings deletes its sessions and is idempotent", async () => {
    const s = uniqueShop("bare");
    await addOfflineSession(s.shop);
    const shopObject = (shop: string) => ({ id: 1, myshopify_domain: shop });
    expect(await status("app/uninstalled", s.shop, shopObject(s.shop))).toBe(200);
    expect(await prisma.session.count({ where: { shop: s.shop } })).toBe(0);
    expect(await prisma.shopSettings.count({ where: { shop: s.shop } })).toBe(0);
    expect(await status("app/uninstalled", s.shop, shopObject(s.shop))).toBe(200);
    // Nothing of an unknown shop is recorded, not even the webhook.
    const unknown = "never-seen.myshopify.com";
    expect(await status("app/uninstalled", unknown, shopObject(unknown))).toBe(200);
    expect(await prisma.webhookDelivery.count({ where: { shop: "never-seen.myshopify.com" } })).toBe(0);
  });
});

describe("shop/redact while a session row is left", () => {
  it("asks the Admin API: a revoked token (401) means uninstalled, so the shop is erased", async () => {
    const { shop } = await newShop("missed-uninstall");
    const session = await prisma.session.findFirstOrThrow({ where: { shop } });
    await order(shop, buyer("jane"));
    // The token still works: installed, nothing deleted.
    const held = await rowsHeldForShop(shop);
    expect(await status("shop/redact", shop, compliancePayload("shop/redact", shop))).toBe(200);
    expect(await rowsHeldForShop(shop)).toEqual(held);
    // app/uninstalled never arrived, but Shopify revoked the token: erased, session included.
    adminApi.revoke(session.accessToken);
    expect(await status("shop/redact", shop, compliancePayload("shop/redact", shop))).toBe(200);
    expect(Object.values(await rowsHeldForShop(shop)).every((n) => n === 0)).toBe(true);
    expect(
      adminApi
        .calls()
        .filter((c) => c.shop === shop)
        .map((c) => c.token),
    ).toEqual([session.accessToken, session.accessToken]);
  });
});

describe("app/scopes_update", () => {
  it("stores the granted scope on the settings and the sessions; redelivery and junk are harmless", async () => {
    const { shop } = await newShop("scopes");
    const current = ["read_orders", "write_pixels", "read_customer_events", "read_customers"];
    expect(
      await status(
        "app/scopes_update",
        shop,
        { id: 1, previous: ["read_orders"], current, updated_at: new Date().toISOString() },
        { eventId: "s-1" },
      ),
    ).toBe(200);
    const expected = current.join(",");
    expect((await prisma.shopSettings.findUnique({ where: { shop } }))?.installedScope).toBe(expected);
    expect((await prisma.session.findMany({ where: { shop } })).map((s) => s.scope)).toEqual([expected]);

    expect(await status("app/scopes_update", shop, { current: ["read_orders"] }, { eventId: "s-1" })).toBe(200); // same event: duplicate
    expect((await prisma.shopSettings.findUnique({ where: { shop } }))?.installedScope).toBe(expected);
    expect(await status("app/scopes_update", shop, { current: "read_orders, write_pixels" }, { eventId: "s-2" })).toBe(
      200,
    );
    expect((await prisma.shopSettings.findUnique({ where: { shop } }))?.installedScope).toBe(
      "read_orders,write_pixels",
    );

    for (const junk of ["{", "null", JSON.stringify({ current: 42 }), JSON.stringify({ current: [1, 2] })]) {
      expect(await status("app/scopes_update", shop, junk)).toBe(200);
    }
    expect((await prisma.shopSettings.findUnique({ where: { shop } }))?.installedScope).toBe(
      "read_orders,write_pixels",
    );
  });
});

describe("request hygiene on the new webhook routes", () => {
  const shop = "hygiene.myshopify.com";
  const topics = ["customers/data_request", "customers/redact", "shop/redact", "app/uninstalled", "app/scopes_update"];

  it("a forged HMAC is 401, missing Shopify headers 400, and nothing is stored", async () => {
    for (const topic of topics) {
      expect(await status(topic, shop, compliancePayload(topic, shop), { secret: "not-the-secret" })).toBe(401);
      expect(
        await status(topic, shop, compliancePayload(topic, shop), { headers: { "X-Shopify-Hmac-Sha256": "AAAA" } }),
      ).toBe(401);
      const request = webhookRequest(BASE, { topic, shop, body: "{}", secret: TEST_SECRET });
      request.headers.delete("X-Shopify-Topic");
      expect((await callAction(actionFor(topic), request)).status).toBe(400);
    }
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(0);
  });

  it("bodies over 5 MB are refused with 413 before verification, whether declared or streamed", async () => {
    const huge = "x".repeat(5 * 1024 * 1024 + 1);
    for (const topic of topics) {
      const declared = webhookRequest(BASE, { topic, shop, body: huge, secret: TEST_SECRET });
      const response = await callAction(actionFor(topic), declared);
      expect(response.status).toBe(413);
      expect(await response.text()).toBe("");

      const chunk = new TextEncoder().encode("y".repeat(1024 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 8) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const headers = new Headers(declared.headers);
      headers.delete("content-length");
      const streamed = new Request(declared.url, {
        method: "POST",
        headers,
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect((await callAction(actionFor(topic), streamed)).status).toBe(413);
      expect(sent).toBeLessThan(8); // stopped reading once over the cap
    }
  });

  it("a body just under the cap is still verified (401 when forged, not 413)", async () => {
    const body = JSON.stringify({ shop_domain: shop, pad: "z".repeat(4 * 1024 * 1024) });
    expect(await status("customers/redact", shop, body, { secret: "wrong" })).toBe(401);
    expect(await status("customers/redact", shop, body)).toBe(200);
  });
});
