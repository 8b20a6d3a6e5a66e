/**
 * POST /pixel/receipt against the real SQLite test database. Each test uses its own shop domain and
 * client IP so tests never share rows or rate-limit buckets. Rate-limit tests freeze `Date` (the
 * limiter's clock) instead of sleeping.
 */
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import prisma from "~/db/client.server";
import { findPixelReceipt, MAX_RECEIPTS_PER_ORDER, recordPixelReceipt } from "~/models/receipts.server";
import { action, loader } from "~/routes/pixel.receipt";
import { MAX_RECEIPT_BYTES } from "~/pixel/receipt.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { finalizeOrderCreated } from "~/conversions/finalize-order-event";
import { decideOrderCreated } from "~/conversions/order-event";
import { DEFAULT_SHOP_POLICY } from "~/conversions/shop-policy";
import { makeOrder } from "../fixtures/orders";
import { testDatabaseProvider } from "../helpers/test-database";

const URL_ = "https://app.example.test/pixel/receipt";
// These tests call the action directly (no socket) and stand for many buyers behind one proxy.
process.env.TRUSTED_PROXY_HOPS = "1";
let ipSeq = 0;

/**
 * A client address no other request of this file used. The per-IP limiter lives as long as the
 * module, and some tests drain an address on purpose: a random octet here let a later request land
 * on a drained address now and then (the per-shop burst once saw a 429 that way in CI).
 */
function uniqueIp() {
  ipSeq += 1;
  return `198.51.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
}

async function installedShop(label: string, extra: { uninstalledAt?: Date } = {}) {
  const shop = `${label}-${randomBytes(4).toString("hex")}.myshopify.com`;
  await prisma.shopSettings.create({ data: { shop, pixelId: "pxReceiptTest", ...extra } });
  return shop;
}

function receipt(shop: string, patch: Record<string, unknown> = {}) {
  return {
    v: 1,
    shop,
    orderId: String(5_000_000_000_000 + Math.floor(Math.random() * 1e9)),
    checkoutToken: "c1-4f2a9d7e8b6c5a4d",
    oppref: "op_receipt_1",
    consent: "granted",
    pixel: "sent",
    ...patch,
  };
}

function post(
  body: BodyInit | null,
  options: { ip?: string; contentType?: string | null; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(options.headers);
  if (options.contentType !== null) headers.set("Content-Type", options.contentType ?? "text/plain");
  // As a reverse proxy appends it: whatever the client sent, then the address the proxy saw.
  if (!headers.has("X-Forwarded-For")) headers.set("X-Forwarded-For", `203.0.113.250, ${options.ip ?? uniqueIp()}`);
  const init: RequestInit & { duplex?: "half" } = { method: "POST", headers, body };
  if (body instanceof ReadableStream) init.duplex = "half";
  return action({ request: new Request(URL_, init), params: {}, context: {} });
}

const postJson = (value: unknown, options: Parameters<typeof post>[1] = {}) => post(JSON.stringify(value), options);

async function rowsFor(shop: string) {
  return prisma.pixelReceipt.count({ where: { shop } });
}

function expectCors(response: Response) {
  expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
  expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
}

describe("preflight and methods", () => {
  it("answers OPTIONS with the CORS headers and no body", async () => {
    const response = await loader({ request: new Request(URL_, { method: "OPTIONS" }), params: {}, context: {} });
    expect(response.status).toBe(204);
    expectCors(response);
    expect(response.headers.get("Access-Control-Allow-Methods")).toBe("POST, OPTIONS");
    expect(response.headers.get("Access-Control-Allow-Headers")).toBe("Content-Type");
    expect(await response.text()).toBe("");
  });

  it("refuses GET and PUT with 405", async () => {
    const get = await loader({ request: new Request(URL_), params: {}, context: {} });
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST, OPTIONS");
    const put = await action({ request: new Request(URL_, { method: "PUT", body: "{}" }), params: {}, context: {} });
    expect(put.status).toBe(405);
  });
});

describe("valid receipts", () => {
  it("stores a receipt and answers 202", async () => {
    const shop = await installedShop("receipt-ok");
    const body = receipt(shop, { orderId: "5912345678901" });
    const response = await postJson(body, { contentType: "text/plain;charset=UTF-8" });
    expect(response.status).toBe(202);
    expectCors(response);
    expect(await response.json()).toEqual({ ok: true });
    const row = await findPixelReceipt(shop, "5912345678901");
    expect(row).toMatchObject({
      shop,
      orderId: "5912345678901",
      checkoutToken: "c1-4f2a9d7e8b6c5a4d",
      oppref: "op_receipt_1",
      consent: "granted",
      pixelStatus: "sent",
    });
    expect(Object.keys(row!).sort()).toEqual([
      "checkoutToken",
      "consent",
      "id",
      "obref",
      "oppref",
      "orderId",
      "pixelStatus",
      "receivedAt",
      "saleOfData",
      "shop",
    ]);
  });

  it("accepts application/json too, and a null oppref", async () => {
    const shop = await installedShop("receipt-json");
    const body = receipt(shop, { oppref: null, consent: "denied", pixel: "not_sent" });
    expect((await postJson(body, { contentType: "application/json" })).status).toBe(202);
    expect(await findPixelReceipt(shop, body.orderId)).toMatchObject({
      oppref: null,
      consent: "denied",
      pixelStatus: "not_sent",
    });
  });

  it("a receipt without a checkout token is answered but not stored: it could never be believed", async () => {
    const shop = await installedShop("receipt-notoken");
    const body = receipt(shop, { checkoutToken: null });
    const response = await postJson(body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, stored: false });
    expect(await rowsFor(shop)).toBe(0);
  });

  it("the same token twice changes nothing; another token is kept beside it, not instead of it", async () => {
    const shop = await installedShop("receipt-dup");
    const first = receipt(shop, { orderId: "777000111", pixel: "blocked" });
    expect((await postJson(first)).status).toBe(202);
    const again = await postJson({ ...first, oppref: "op_attacker", consent: "denied", pixel: "sent" });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    const other = await postJson({ ...first, oppref: "op_attacker", consent: "denied", checkoutToken: "other" });
    expect(other.status).toBe(202);
    expect(await findPixelReceipt(shop, "777000111")).toMatchObject({
      oppref: "op_receipt_1",
      consent: "granted",
      pixelStatus: "blocked",
      checkoutToken: "c1-4f2a9d7e8b6c5a4d",
    });
    expect(await rowsFor(shop)).toBe(2);
  });

  it("never stores an oppref without consent, whatever the sender claims", async () => {
    const shop = await installedShop("receipt-noconsent");
    const body = receipt(shop, { consent: "denied", oppref: "op_should_not_be_kept" });
    expect((await postJson(body)).status).toBe(202);
    expect((await findPixelReceipt(shop, body.orderId))?.oppref).toBeNull();
    const unknown = receipt(shop, { consent: "unknown", oppref: "op_should_not_be_kept" });
    expect((await postJson(unknown)).status).toBe(202);
    expect((await findPixelReceipt(shop, unknown.orderId))?.oppref).toBeNull();
  });

  it("the model reports duplicates without throwing (unique shop+orderId+token), and bounds the candidates", async () => {
    const shop = await installedShop("receipt-model");
    const input = {
      shop,
      orderId: "42",
      checkoutToken: "tok-0",
      oppref: null,
      consent: "granted" as const,
      pixelStatus: "sent" as const,
    };
    expect(await recordPixelReceipt(input)).toBe("created");
    expect(await recordPixelReceipt({ ...input, pixelStatus: "blocked" })).toBe("duplicate");
    expect((await findPixelReceipt(shop, "42"))?.pixelStatus).toBe("sent");
    expect(await findPixelReceipt(shop, "43")).toBeNull();
    for (let i = 1; i < MAX_RECEIPTS_PER_ORDER; i++) {
      expect(await recordPixelReceipt({ ...input, checkoutToken: `tok-${i}` })).toBe("created");
    }
    expect(await recordPixelReceipt({ ...input, checkoutToken: "tok-one-too-many" })).toBe("full");
    expect(await recordPixelReceipt({ ...input, checkoutToken: null })).toBe("unverified");
    expect(await rowsFor(shop)).toBe(MAX_RECEIPTS_PER_ORDER);
  });
});

describe("the receipt reaches the server event", () => {
  async function serverEventWithReceipt(shop: string, orderId: number, receiptPatch: Record<string, unknown>) {
    const now = new Date();
    // An order whose landing page carried no oppref: only the receipt can supply one.
    const order = makeOrder({ id: orderId, landing_site: "/products/board", note_attributes: [] }, { at: now });
    const decision = await decideOrderCreated(order, { shopDomain: shop, policy: DEFAULT_SHOP_POLICY, now });
    if (decision.kind !== "send") throw new Error(`fixture order not sendable: ${decision.reason}`);
    expect(decision.event.oppref).toBeUndefined();

    expect((await postJson(receipt(shop, { orderId: String(orderId), ...receiptPatch }))).status).toBe(202);
    const stored = await findPixelReceipt(shop, String(orderId));
    return {
      decision,
      final: finalizeOrderCreated({
        event: decision.event,
        opprefSource: decision.opprefSource,
        requiresOptIn: decision.requiresOptIn,
        receipt: stored ? { oppref: stored.oppref, consent: stored.consent as "granted" | "denied" | "unknown" } : null,
        orderFullyReversed: false,
        eventCreatedAt: now,
        now,
        policy: DEFAULT_SHOP_POLICY,
      }),
    };
  }

  it("a valid receipt makes the later server event carry the receipt's oppref, under the pixel's event id", async () => {
    const shop = await installedShop("receipt-to-capi");
    const { decision, final } = await serverEventWithReceipt(shop, 6100000000001, { oppref: "op_from_pixel_receipt" });
    expect(final).toMatchObject({ action: "send", opprefSource: "receipt" });
    if (final.action !== "send") return;
    expect(final.event.oppref).toBe("op_from_pixel_receipt");
    expect(final.event.id).toBe(await dedupIdForOrder("gid://shopify/OrderIdentity/6100000000001"));
    expect(decision.dedupId).toBe(final.event.id);
  });

  it("a receipt saying consent was denied makes the server skip the event", async () => {
    const shop = await installedShop("receipt-to-capi-denied");
    const { final } = await serverEventWithReceipt(shop, 6100000000002, {
      consent: "denied",
      oppref: null,
      pixel: "not_sent",
    });
    expect(final).toMatchObject({ action: "skip", reason: "consent_denied" });
  });
});

describe("rejected receipts: clean 4xx, generic message, nothing stored", () => {
  const SECRET = "ECHO-CANARY-5551234";

  it.each<[string, (shop: string) => string]>([
    ["not JSON", () => `{"v":1, ${SECRET}`],
    ["a JSON array", (shop) => JSON.stringify([receipt(shop)])],
    ["a JSON string", () => JSON.stringify(SECRET)],
    ["an empty body", () => ""],
    ["a wrong version", (shop) => JSON.stringify(receipt(shop, { v: 2 }))],
    ["a missing field", (shop) => JSON.stringify({ ...receipt(shop), consent: undefined })],
    ["an unexpected field (PII)", (shop) => JSON.stringify(receipt(shop, { email: `${SECRET}@example.com` }))],
    ["an amount", (shop) => JSON.stringify(receipt(shop, { amount: 12999 }))],
    ["a gid order id", (shop) => JSON.stringify(receipt(shop, { orderId: "gid://shopify/Order/1" }))],
    ["a non-numeric order id", (shop) => JSON.stringify(receipt(shop, { orderId: SECRET }))],
    ["a numeric (not string) order id", (shop) => JSON.stringify(receipt(shop, { orderId: 5912345678901 }))],
    ["an unknown consent value", (shop) => JSON.stringify(receipt(shop, { consent: "yes" }))],
    ["an unknown pixel status", (shop) => JSON.stringify(receipt(shop, { pixel: "maybe" }))],
    ["an empty oppref", (shop) => JSON.stringify(receipt(shop, { oppref: "" }))],
    ["an oppref over 512 characters", (shop) => JSON.stringify(receipt(shop, { oppref: "x".repeat(513) }))],
    ["an oppref with control characters", (shop) => JSON.stringify(receipt(shop, { oppref: "op\nInjected: 1" }))],
    ["a checkout token with odd characters", (shop) => JSON.stringify(receipt(shop, { checkoutToken: `<${SECRET}>` }))],
    ["a shop that is not a myshopify domain", () => JSON.stringify(receipt(`${SECRET}.example.com`))],
  ])("400 for %s", async (_label, makeBody) => {
    const shop = await installedShop("receipt-bad");
    const response = await post(makeBody(shop));
    expect(response.status).toBe(400);
    expectCors(response);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: "invalid_receipt" });
    expect(text).not.toContain(SECRET);
    expect(await rowsFor(shop)).toBe(0);
  });

  it("400 for a body that is not UTF-8", async () => {
    const shop = await installedShop("receipt-utf8");
    const bytes = new TextEncoder().encode(JSON.stringify(receipt(shop)));
    bytes[bytes.length - 3] = 0xff;
    expect((await post(bytes)).status).toBe(400);
    expect(await rowsFor(shop)).toBe(0);
  });

  it("415 for other content types (form posts, missing type)", async () => {
    const shop = await installedShop("receipt-type");
    expect((await postJson(receipt(shop), { contentType: "application/x-www-form-urlencoded" })).status).toBe(415);
    // (A string body would get text/plain by default, as in browsers; bytes get no type at all.)
    expect((await post(new TextEncoder().encode(JSON.stringify(receipt(shop))), { contentType: null })).status).toBe(
      415,
    );
    expect(await rowsFor(shop)).toBe(0);
  });

  it("413 when Content-Length announces more than 2 KB (the body is not read)", async () => {
    const shop = await installedShop("receipt-big-header");
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
        if (pulled > 100) controller.close();
      },
    });
    const response = await post(stream, { headers: { "Content-Length": String(MAX_RECEIPT_BYTES + 1) } });
    expect(response.status).toBe(413);
    expectCors(response);
    expect(await response.json()).toEqual({ error: "too_large" });
    expect(pulled).toBeLessThanOrEqual(1); // at most the stream's initial pull
    expect(await rowsFor(shop)).toBe(0);
  });

  it("413 when the body is larger than announced or streamed without a length, read only up to the cap", async () => {
    const shop = await installedShop("receipt-big-body");
    const padded = JSON.stringify(receipt(shop, { oppref: "p".repeat(400) })).padEnd(MAX_RECEIPT_BYTES + 1, " ");
    expect((await post(padded)).status).toBe(413); // no Content-Length header on this Request
    expect((await post(padded, { headers: { "Content-Length": "100" } })).status).toBe(413);

    let produced = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        produced += 512;
        controller.enqueue(new TextEncoder().encode(" ".repeat(512)));
      },
    });
    expect((await post(endless)).status).toBe(413);
    expect(produced).toBeLessThan(MAX_RECEIPT_BYTES * 4);
    expect(await rowsFor(shop)).toBe(0);

    // Exactly at the cap is fine.
    const exact = JSON.stringify(receipt(shop)).padEnd(MAX_RECEIPT_BYTES, " ");
    expect(new TextEncoder().encode(exact).length).toBe(MAX_RECEIPT_BYTES);
    expect((await post(exact, { headers: { "Content-Length": String(MAX_RECEIPT_BYTES) } })).status).toBe(202);
  });

  it("404 for an unknown shop and for an uninstalled one", async () => {
    const unknown = `receipt-unknown-${randomBytes(4).toString("hex")}.myshopify.com`;
    const response = await postJson(receipt(unknown));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "unknown_shop" });
    expect(await rowsFor(unknown)).toBe(0);

    const gone = await installedShop("receipt-gone", { uninstalledAt: new Date() });
    expect((await postJson(receipt(gone))).status).toBe(404);
    expect(await rowsFor(gone)).toBe(0);
  });
});

describe("rate limits (Date frozen: no refill unless the test moves the clock)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2031-01-01T00:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // The refill timings are the in-process token buckets (SQLite: one instance). On Postgres the route
  // shares its counts through the database in fixed windows (test/security/rate-limit.test.ts).
  it.runIf(testDatabaseProvider() === "sqlite")(
    "per IP: 10 at once, then 429 with Retry-After; malformed floods count too; a token returns after 6 s",
    async () => {
      const shop = await installedShop("receipt-flood-ip");
      const ip = uniqueIp();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await post("garbage", { ip })).status);
      for (let i = 0; i < 25; i++) statuses.push((await postJson(receipt(shop), { ip })).status);
      expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
      expect(statuses.slice(5, 10)).toEqual([202, 202, 202, 202, 202]);
      expect(statuses.slice(10)).toEqual(Array(20).fill(429));
      expect(await rowsFor(shop)).toBe(5);

      const limited = await postJson(receipt(shop), { ip });
      expect(limited.status).toBe(429);
      expectCors(limited);
      expect(limited.headers.get("Retry-After")).toBe("6");
      expect(await limited.json()).toEqual({ error: "rate_limited" });

      // Another client is not affected.
      expect((await postJson(receipt(shop))).status).toBe(202);

      vi.setSystemTime(Date.now() + 6_000);
      expect((await postJson(receipt(shop), { ip })).status).toBe(202);
      expect((await postJson(receipt(shop), { ip })).status).toBe(429);
      expect(await rowsFor(shop)).toBe(7);
    },
  );

  it("keys on the proxy-appended address, so forging X-Forwarded-For entries does not evade the limit", async () => {
    const shop = await installedShop("receipt-forged");
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // A new forged client-supplied prefix every time; the proxy-appended last entry stays the same.
      const forwardedFor = `10.0.0.${i}, 192.0.2.${i}, ${ip}`;
      statuses.push((await postJson(receipt(shop), { headers: { "X-Forwarded-For": forwardedFor } })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(202), 429, 429]);
  });

  // The refill timings are the in-process token buckets (SQLite: one instance). On Postgres the route
  // shares its counts through the database in fixed windows (test/security/rate-limit.test.ts).
  it.runIf(testDatabaseProvider() === "sqlite")(
    "per shop: a burst of 600, then 429 even from fresh IPs; nothing stored past the limit",
    async () => {
      const shop = await installedShop("receipt-flood-shop");
      const same = receipt(shop, { orderId: "900000001" });
      const statuses = new Map<number, number>();
      for (let i = 0; i < 600; i++) {
        const status = (await postJson(same)).status;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ 202: 1, 200: 599 });
      const limited = await postJson(receipt(shop, { orderId: "900000002" }));
      expect(limited.status).toBe(429);
      expect(limited.headers.get("Retry-After")).toBe("1");
      expect(await findPixelReceipt(shop, "900000002")).toBeNull();
      expect(await rowsFor(shop)).toBe(1);

      // Other shops keep working.
      const other = await installedShop("receipt-flood-other");
      expect((await postJson(receipt(other))).status).toBe(202);
    },
  );
});
