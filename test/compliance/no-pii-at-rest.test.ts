/**
 * No raw PII at rest: a full demo-like run — the built app and a separate worker as child
 * processes at the most verbose log level, the OpenAI stand-in, signed webhooks carrying real-looking
 * emails, phone numbers and names (also smuggled into landing-site queries and note attributes), pixel
 * receipts, a refund, a rejected API key, forged and malformed requests, the compliance topics,
 * uninstall — and then every byte the run left behind is searched: all captured log output and the
 * whole SQLite database (main file, WAL and shared-memory file). Neither the Conversions API keys nor
 * any raw email address or phone number, in any usual spelling, may appear anywhere.
 *
 * The run has a database of its own (a copy of the migrated template), so the search sees exactly
 * this run's bytes and nothing another test wrote.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { createPrismaClient } from "~/db/client.server";
import { encryptSecret } from "~/security/encryption.server";
import { keyRing } from "~/security/keyring.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, waitFor, type AppProcess } from "../helpers/app-process";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const tag = randomBytes(3).toString("hex");

interface Buyer {
  email: string;
  phone: string; // as the buyer typed it
  e164: string; // digits incl. country code
  national: string;
  firstName: string;
  lastName: string;
}
function buyer(i: number): Buyer {
  const line = String(1000 + ((i * 37 + Number.parseInt(tag, 16)) % 9000));
  return {
    email: `Pii.Buyer${i}.${tag}@Example-Mail.com`,
    phone: `+1 (415) 555-${line}`,
    e164: `1415555${line}`,
    national: `415555${line}`,
    firstName: `Zelda${tag}${i}`,
    lastName: `Quixote${tag}${i}`,
  };
}

let dbFile: string;
let db: PrismaClient;
let standin: OpenAiStandin;
let app: AppProcess | undefined;
let workerProcess: AppProcess | undefined;

const shop = `pii-${tag}.myshopify.com`;
const pixelId = `pxpii${tag}${randomBytes(6).toString("hex")}`;
const apiKey = `capi_live_${randomBytes(18).toString("hex")}`;
const badShop = `pii-bad-${tag}.myshopify.com`;
const badPixel = `pxbad${tag}${randomBytes(6).toString("hex")}`;
const wrongKey = `capi_wrong_${randomBytes(18).toString("hex")}`;
const buyers = Array.from({ length: 8 }, (_, i) => buyer(i));
let nextId = 840000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  const runDir = process.env.TEST_RUN_DIR!;
  dbFile = path.join(runDir, `pii-${tag}.sqlite`);
  copyFileSync(path.join(runDir, "template.sqlite"), dbFile);
  db = createPrismaClient(`file:${dbFile}`);
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  for (const [s, p, k] of [
    [shop, pixelId, apiKey],
    [badShop, badPixel, wrongKey],
  ]) {
    await db.shopSettings.create({
      data: {
        shop: s,
        pixelId: p,
        apiKeyCiphertext: encryptSecret(keyRing(), k),
        apiKeyLast4: k.slice(-4),
        oppRefGraceSeconds: 0,
      },
    });
    await db.session.create({
      data: {
        id: `offline_${s}`,
        shop: s,
        state: "",
        isOnline: false,
        scope: "read_orders",
        accessToken: `shpat_${randomBytes(8).toString("hex")}`,
      },
    });
  }
  standin = await startOpenAiStandin();
  standin.addPixel(pixelId, apiKey);
  standin.addPixel(badPixel, `capi_right_${randomBytes(8).toString("hex")}`);
  const env = { OPENAI_CAPI_URL: standin.url, DATABASE_URL: `file:${dbFile}`, LOG_LEVEL: "trace" };
  app = await startAppProcess({ ...env, RUN_WORKER: "false" });
  workerProcess = await startAppProcess({ ...env, WORKER_INTERVAL_MS: "50" }, "worker.js");
}, 60_000);

afterAll(async () => {
  await workerProcess?.stop();
  await app?.stop();
  await standin?.close();
  await db?.$disconnect();
});

function orderFor(b: Buyer, extra: Partial<Parameters<typeof makeShopifyOrder>[0]> = {}) {
  const id = nextId++;
  const order = makeShopifyOrder({
    id,
    email: b.email,
    phone: b.phone,
    // Buyers' data where it does not belong: in the landing page's query string.
    landingSite: `/products/tee?oppref=oa_${tag}_${id}&email=${encodeURIComponent(b.email)}&phone=${encodeURIComponent(b.phone)}`,
    ...extra,
  });
  order.customer = {
    id: 7_100_000_000_000 + id,
    email: b.email,
    phone: b.phone,
    first_name: b.firstName,
    last_name: b.lastName,
  };
  order.billing_address = {
    first_name: b.firstName,
    last_name: b.lastName,
    address1: `1 ${b.lastName} Street`,
    city: "San Francisco",
    province_code: "CA",
    country_code: "US",
    zip: "94103",
    phone: b.phone,
  };
  order.note_attributes = [{ name: "contact", value: `${b.email} / ${b.phone}` }];
  order.contact_email = b.email;
  return { id, order };
}

const send = (topic: string, s: string, body: unknown, secret = TEST_SECRET) =>
  sendWebhook(app!.url, { topic, shop: s, body: typeof body === "string" ? body : JSON.stringify(body), secret });

describe("nothing secret or personal at rest", () => {
  it("a full run leaves no API key, email address or phone number in any log line or database byte", async () => {
    const ids: number[] = [];
    for (const b of buyers) {
      const { id, order } = orderFor(b);
      ids.push(id);
      expect(await send("orders/create", shop, order)).toBe(200);
      expect(await send("orders/create", shop, order)).toBe(200); // Shopify repeats itself
    }
    // An EU buyer without a consent signal (skipped), a test order, a shop whose key OpenAI refuses.
    expect(await send("orders/create", shop, orderFor(buyers[0], { country: "DE" }).order)).toBe(200);
    expect(await send("orders/create", shop, orderFor(buyers[1], { test: true }).order)).toBe(200);
    expect(await send("orders/create", badShop, orderFor(buyers[2]).order)).toBe(200);
    // Malformed and forged bodies full of PII.
    expect(
      await send("orders/create", shop, { id: buyers[3].email, email: buyers[3].email, total_price: buyers[3].phone }),
    ).toBe(200);
    expect(await send("orders/create", shop, `{"email":"${buyers[4].email}","phone":"${buyers[4].phone}"`)).toBe(200);
    expect(await send("orders/create", shop, orderFor(buyers[5]).order, "forged-secret")).toBe(401);
    // Pixel receipts and a refund.
    for (const id of ids.slice(0, 4)) {
      const response = await fetch(new URL("/pixel/receipt", app!.url), {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({
          v: 1,
          shop,
          orderId: String(id),
          checkoutToken: `chk${id}`,
          oppref: `oa_receipt_${id}`,
          consent: "granted",
          pixel: "sent",
        }),
      });
      expect(response.status).toBeLessThan(300);
    }
    expect(
      await send("refunds/create", shop, makeShopifyRefund({ id: nextId++, orderId: ids[1], amount: "10.00" })),
    ).toBe(200);

    // Everything sendable reaches OpenAI (proof the data went through the app, hashed).
    await waitFor(
      () => standin.accepted(pixelId).filter((a) => a.event.type === "order_created").length === buyers.length,
      "worker to deliver",
      30_000,
    );
    const sentEmails = standin.accepted(pixelId).flatMap((a) => a.event.user?.emails_sha256 ?? []);
    expect(sentEmails).toContain(sha256(buyers[0].email.toLowerCase()));
    expect(sentEmails.some((h) => h.includes("@"))).toBe(false);

    // Compliance: a data request (its payload carries the buyer's raw email and phone), a redaction.
    const customer = (b: Buyer, id: number) => ({ id: 7_100_000_000_000 + id, email: b.email, phone: b.phone });
    expect(
      await send("customers/data_request", shop, {
        shop_id: 1,
        shop_domain: shop,
        customer: customer(buyers[6], ids[6]),
        orders_requested: [ids[6]],
        data_request: { id: 1 },
      }),
    ).toBe(200);
    expect(
      await send("customers/redact", shop, {
        shop_id: 1,
        shop_domain: shop,
        customer: customer(buyers[7], ids[7]),
        orders_to_redact: [ids[7]],
      }),
    ).toBe(200);
    expect(
      await send("app/scopes_update", shop, { current: ["read_orders", "write_pixels", "read_customer_events"] }),
    ).toBe(200);
    await waitFor(
      async () => (await db.conversionEvent.count({ where: { status: { in: ["pending", "sending"] }, shop } })) === 0,
      "queue to drain",
      30_000,
    );
    expect(await send("app/uninstalled", badShop, { id: 2, myshopify_domain: badShop })).toBe(200);
    expect(await send("shop/redact", badShop, { shop_id: 2, shop_domain: badShop })).toBe(200);

    await workerProcess!.stop();
    await app!.stop();
    await db.$disconnect();

    const logs = app!.output() + workerProcess!.output();
    expect(logs).toMatch(/"level":/); // the processes did log (at trace level)
    expect(logs).toContain("compliance: customer data report");
    const files = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`].filter(existsSync);
    const dbBytes = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(dbBytes.length).toBeGreaterThan(0);

    // Positive controls: the search reads the right bytes (hashed matching data is stored, the shop is logged).
    expect(dbBytes.includes(Buffer.from(sha256(buyers[0].email.toLowerCase())))).toBe(true);
    expect(logs).toContain(shop);
    // Not asserted: a REDACTED buyer's digest can still sit in SQLite free pages / old WAL frames until
    // they are reused; erasing those bytes needs PRAGMA secure_delete on every connection (app/db/client.server.ts).

    const forbidden: [string, string][] = [
      ["Conversions API key", apiKey],
      ["rejected API key", wrongKey],
    ];
    for (const [i, b] of buyers.entries()) {
      forbidden.push(
        [`email ${i}`, b.email],
        [`email ${i} (normalized)`, b.email.toLowerCase()],
        [`email ${i} (url-encoded)`, encodeURIComponent(b.email)],
        [`email ${i} local part`, b.email.split("@")[0]],
        [`phone ${i} (as typed)`, b.phone],
        [`phone ${i} (E.164)`, `+${b.e164}`],
        [`phone ${i} (digits)`, b.e164],
        [`phone ${i} (national)`, b.national],
        [`phone ${i} (url-encoded)`, encodeURIComponent(b.phone)],
        [`name ${i}`, b.lastName],
      );
    }
    const leaks: string[] = [];
    for (const [what, value] of forbidden) {
      if (logs.includes(value) || logs.toLowerCase().includes(value.toLowerCase())) leaks.push(`${what} in logs`);
      if (dbBytes.includes(Buffer.from(value, "utf8")) || dbBytes.includes(Buffer.from(value.toLowerCase(), "utf8")))
        leaks.push(`${what} in the database file`);
      // SQLite may store text as UTF-16 only if the database says so; this one is UTF-8, checked anyway.
      if (dbBytes.includes(Buffer.from(value, "utf16le"))) leaks.push(`${what} in the database file (UTF-16)`);
    }
    expect(leaks).toEqual([]);
  }, 120_000);
});
