/**
 * Fault injection, input side: 10 000 fuzzed webhook requests — forged and tampered HMACs,
 * missing and garbage headers, wrong methods, truncated JSON, wrong types, random bytes, bodies over
 * the size cap — handed to the real route actions in-process (fast), then a smaller sample of the
 * same generator over real HTTP to the built app, plus fuzzed pixel receipts. Valid orders are mixed
 * into the stream and must each reach OpenAI exactly once.
 *
 * Invariants: no request is ever answered 5xx or throws (a database lock is the only acceptable 5xx,
 * and there is none here); a forged request is refused and stores nothing; no response body echoes
 * the request; the app process stays up and healthy.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { runUntilIdle } from "~/outbox/worker.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder, makeShopifyRefund } from "../../sim/order-factory";
import { signBody, webhookHeaders, webhookPath, type WebhookMessage } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, uniqueShop } from "../helpers/shops";
import { WEBHOOK_ROUTE_ACTIONS } from "../helpers/webhook-route-actions";
import { deliveryFigures, FaultSummary, healthy, pick, seededRandom } from "./harness";

const ROUTES = WEBHOOK_ROUTE_ACTIONS;
const TOPICS = Object.keys(ROUTES);
const CAPPED = new Set([
  "app/uninstalled",
  "app/scopes_update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
]);

const SEED = Number(process.env.FAULT_SEED ?? 20260707);
const IN_PROCESS_CASES = 10_000;
const HTTP_CASES = 300;
const GOOD_ORDERS = 40;
/** Appears in every fuzzed body and header: no response may contain it. */
const MARKER = "ECHO_MARKER_7f3a";

const summary = new FaultSummary("input");
let standin: OpenAiStandin;
let app: AppProcess;
let good: ReturnType<typeof uniqueShop>;
let goodHttp: ReturnType<typeof uniqueShop>;
// Signed fuzz goes to a shop that is never configured (nothing it stores can be sent); forged fuzz
// names this one, which must end up with nothing stored at all.
const fuzzShop = `fuzz-${Math.floor(Math.random() * 1e9)}.myshopify.com`;
const forgedShop = `forged-${Math.floor(Math.random() * 1e9)}.myshopify.com`;
let nextOrderId = 860000000000 + Math.floor(Math.random() * 1e9);

beforeAll(async () => {
  standin = await startOpenAiStandin();
  good = uniqueShop("fuzz-good");
  standin.addPixel(good.pixelId, good.apiKey);
  await configureShop(good.shop, { pixelId: good.pixelId, apiKey: good.apiKey });
  goodHttp = uniqueShop("fuzz-good-http");
  standin.addPixel(goodHttp.pixelId, goodHttp.apiKey);
  await configureShop(goodHttp.shop, { pixelId: goodHttp.pixelId, apiKey: goodHttp.apiKey });
  app = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false" });
}, 60_000);

afterAll(async () => {
  console.log(summary.report());
  await app?.stop();
  await standin?.close();
});

// ── the generator ────────────────────────────────────────────────────────────────────────────────

interface FuzzCase {
  kind: string;
  topic: string;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array<ArrayBuffer> | null;
  /** The answer this case must get, when it is certain. */
  expect?: number;
  forged: boolean;
}

const JUNK_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -0.5,
  2 ** 64,
  "",
  " ",
  MARKER,
  "0".repeat(500),
  [],
  [MARKER],
  {},
  { [MARKER]: MARKER },
  "gid://shopify/Order/abc",
  "\u0000\u202e",
  "😀".repeat(50),
];

function mutate(rng: () => number, value: unknown, depth = 0): unknown {
  if (depth > 3 || rng() < 0.3) return pick(rng, JUNK_VALUES);
  if (Array.isArray(value)) return value.map((v) => (rng() < 0.3 ? mutate(rng, v, depth + 1) : v));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rng();
      if (r < 0.1) continue; // drop the key
      out[k] = r < 0.35 ? mutate(rng, v, depth + 1) : v;
    }
    if (rng() < 0.2) out[`${MARKER}_extra`] = pick(rng, JUNK_VALUES);
    return out;
  }
  return pick(rng, JUNK_VALUES);
}

function validBody(rng: () => number, topic: string, shop: string): Record<string, unknown> {
  const id = 870000000000 + Math.floor(rng() * 1e9);
  switch (topic) {
    case "refunds/create":
      return makeShopifyRefund({ id: id + 1, orderId: id, amount: "5.00" });
    case "app/uninstalled":
      return { id: 1, domain: shop, myshopify_domain: shop };
    case "app/scopes_update":
      return {
        id: 1,
        previous: ["read_orders"],
        current: ["read_orders", MARKER],
        updated_at: new Date().toISOString(),
      };
    case "customers/data_request":
      return {
        shop_id: 1,
        shop_domain: shop,
        customer: { id, email: `${MARKER}@example.com`, phone: "+14155550000" },
        orders_requested: [id],
      };
    case "customers/redact":
      return {
        shop_id: 1,
        shop_domain: shop,
        customer: { id, email: `${MARKER}@example.com` },
        orders_to_redact: [id],
      };
    case "shop/redact":
      return { shop_id: 1, shop_domain: shop };
    default:
      return makeShopifyOrder({ id, email: `${MARKER}@example.com`, landingSite: `/?oppref=${MARKER}` });
  }
}

function signedHeaders(topic: string, shop: string, body: string | Uint8Array<ArrayBuffer>): Record<string, string> {
  const text = typeof body === "string" ? body : Buffer.from(body).toString("latin1");
  const headers = webhookHeaders({ topic, shop, body: "", secret: TEST_SECRET });
  headers["X-Shopify-Hmac-Sha256"] = typeof body === "string" ? signBody(text, TEST_SECRET) : hmacBytes(body);
  return headers;
}

function hmacBytes(bytes: Uint8Array): string {
  return createHmac("sha256", TEST_SECRET).update(bytes).digest("base64");
}

function generate(rng: () => number, n: number, options: { hugeBodies: boolean }): FuzzCase {
  const topic = pick(rng, TOPICS);
  const r = rng();
  const signedShop =
    rng() < 0.9
      ? fuzzShop
      : pick(rng, ["", " ", "not a shop", `${MARKER}.myshopify.com`, "a".repeat(300), "../../etc/passwd"]);
  if (r < 0.28) {
    // Forged: wrong secret, garbage signature, a valid signature of another body, or none at all.
    const body = JSON.stringify(
      rng() < 0.5 ? validBody(rng, topic, forgedShop) : mutate(rng, validBody(rng, topic, forgedShop)),
    );
    const headers = signedHeaders(topic, forgedShop, body);
    const how = rng();
    if (how < 0.25) headers["X-Shopify-Hmac-Sha256"] = signBody(body, "wrong-secret");
    else if (how < 0.5) headers["X-Shopify-Hmac-Sha256"] = Buffer.from(`${MARKER}${n}`).toString("base64");
    else if (how < 0.75) headers["X-Shopify-Hmac-Sha256"] = signBody(`${body} `, TEST_SECRET);
    else headers["X-Shopify-Hmac-Sha256"] = pick(rng, [MARKER, "====", "%%%", "A".repeat(5000)]);
    return { kind: "forged-hmac", topic, method: "POST", headers, body, forged: true, expect: 401 };
  }
  if (r < 0.38) {
    // A required Shopify header missing or empty (still signed).
    const body = JSON.stringify(validBody(rng, topic, forgedShop));
    const headers = signedHeaders(topic, forgedShop, body);
    const victim = pick(rng, [
      "X-Shopify-Topic",
      "X-Shopify-Shop-Domain",
      "X-Shopify-API-Version",
      "X-Shopify-Webhook-Id",
      "X-Shopify-Hmac-Sha256",
    ]);
    if (rng() < 0.5) delete headers[victim];
    else headers[victim] = "";
    return { kind: "missing-header", topic, method: "POST", headers, body, forged: true };
  }
  if (r < 0.43) {
    const body = JSON.stringify(validBody(rng, topic, forgedShop));
    const method = pick(rng, ["GET", "PUT", "DELETE", "PATCH"]);
    // GET never reaches an action: routes without a loader get Remix's 400 (the routes of this issue answer 405).
    const expected = method !== "GET" || CAPPED.has(topic) ? 405 : undefined;
    return {
      kind: "wrong-method",
      topic,
      method,
      headers: signedHeaders(topic, forgedShop, body),
      body: null,
      forged: true,
      expect: expected,
    };
  }
  if (r < 0.58) {
    // Correctly signed, but the JSON is cut off somewhere.
    const full = JSON.stringify(validBody(rng, topic, signedShop));
    const body = full.slice(0, Math.floor(rng() * full.length));
    return {
      kind: "truncated-json",
      topic,
      method: "POST",
      headers: signedHeaders(topic, signedShop, body),
      body,
      forged: false,
    };
  }
  if (r < 0.83) {
    // Correctly signed, well-formed JSON of the wrong shape and types.
    const body = JSON.stringify(rng() < 0.15 ? pick(rng, JUNK_VALUES) : mutate(rng, validBody(rng, topic, signedShop)));
    const headers = signedHeaders(topic, signedShop, body);
    if (rng() < 0.1) headers["X-Shopify-Event-Id"] = `${MARKER}${"e".repeat(Math.floor(rng() * 4000))}`;
    if (rng() < 0.05)
      headers["X-Shopify-Topic"] = pick(rng, [MARKER, "ORDERS_CREATE", "orders/create/../../x", "%F0%9F%98%80"]);
    if (rng() < 0.05) headers["Content-Type"] = pick(rng, ["text/plain", "application/x-www-form-urlencoded", MARKER]);
    return { kind: "wrong-types", topic, method: "POST", headers, body, forged: false };
  }
  if (r < 0.99 || !options.hugeBodies) {
    // Random bytes (often invalid UTF-8), signed or not.
    const bytes = new Uint8Array(Math.floor(rng() * 2048));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rng() * 256);
    const signed = rng() < 0.5;
    const headers = signedHeaders(topic, signed ? signedShop : forgedShop, bytes);
    if (!signed) headers["X-Shopify-Hmac-Sha256"] = Buffer.from(bytes.slice(0, 32)).toString("base64");
    return { kind: "random-bytes", topic, method: "POST", headers, body: bytes, forged: !signed };
  }
  // Huge: over the 5 MB cap, forged. Every webhook route answers 413 before verifying (handleWebhook
  // and the lean path read at most the cap).
  const body = `{"pad":"${MARKER}${"x".repeat(5 * 1024 * 1024 + Math.floor(rng() * 1024))}"}`;
  const headers = signedHeaders(topic, forgedShop, body);
  headers["X-Shopify-Hmac-Sha256"] = signBody(body, "wrong-secret");
  return { kind: "huge-body", topic, method: "POST", headers, body, forged: true, expect: 413 };
}

function requestFor(base: string, c: FuzzCase): Request {
  return new Request(new URL(webhookPath(c.topic), base), {
    method: c.method,
    headers: c.headers,
    body: c.method === "GET" || c.method === "HEAD" ? null : c.body,
  });
}

function goodOrder(shop = good.shop): { id: number; message: WebhookMessage } {
  const id = nextOrderId++;
  return {
    id,
    message: {
      topic: "orders/create",
      shop,
      body: JSON.stringify(makeShopifyOrder({ id, landingSite: `/?oppref=oa_g${id}` })),
      secret: TEST_SECRET,
    },
  };
}

interface Tally {
  byStatus: Map<number, number>;
  problems: string[];
}

function check(c: FuzzCase, status: number, text: string, tally: Tally) {
  tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);
  const fail = (what: string) =>
    tally.problems.length < 20 && tally.problems.push(`${c.kind} ${c.method} ${c.topic}: ${what}`);
  // A 5xx names the body (escaped, shortened) so the failing input can be replayed.
  if (status >= 500)
    fail(
      `answered ${status} to ${typeof c.body === "string" ? JSON.stringify(c.body.slice(0, 300)) : `${c.body?.length ?? 0} random bytes`}`,
    );
  if (c.expect !== undefined && status !== c.expect) fail(`answered ${status}, expected ${c.expect}`);
  if (c.forged && status >= 200 && status < 300) fail(`forged request accepted (${status})`);
  if (![200, 400, 401, 405, 413].includes(status)) fail(`unexpected status ${status}`);
  if (text.includes(MARKER)) fail("response echoes the request");
}

// ── the runs ─────────────────────────────────────────────────────────────────────────────────────

describe("fault injection: fuzzed webhooks", () => {
  it(`${IN_PROCESS_CASES} fuzzed requests to the route actions in-process, good orders mixed in`, async () => {
    const rng = seededRandom(SEED);
    const tally: Tally = { byStatus: new Map(), problems: [] };
    const goodIds: number[] = [];
    const goodEvery = Math.floor(IN_PROCESS_CASES / GOOD_ORDERS);
    for (let n = 0; n < IN_PROCESS_CASES; n++) {
      if (n % goodEvery === 0 && goodIds.length < GOOD_ORDERS) {
        const { id, message } = goodOrder();
        goodIds.push(id);
        const response = await ROUTES["orders/create"]({
          request: requestFor("https://app.example.test", {
            kind: "good",
            topic: message.topic,
            method: "POST",
            headers: webhookHeaders(message),
            body: message.body,
            forged: false,
          }),
          params: {},
          context: {},
        });
        expect(response.status).toBe(200);
      }
      const c = generate(rng, n, { hugeBodies: true });
      let status: number;
      let text = "";
      try {
        const response = await ROUTES[c.topic]({
          request: requestFor("https://app.example.test", c),
          params: {},
          context: {},
        });
        status = response.status;
        text = response.body ? await response.text() : "";
      } catch (error) {
        // Remix turns a thrown Response into that response; anything else would be a 500.
        if (error instanceof Response) status = error.status;
        else {
          status = 599;
          tally.problems.push(`${c.kind} ${c.topic}: threw ${error instanceof Error ? error.name : typeof error}`);
        }
      }
      check(c, status, text, tally);
    }
    await runUntilIdle({ baseUrl: standin.url });
    const expected = await Promise.all(goodIds.map(async (id) => `order_created:${await dedupIdForOrder(id)}`));
    const statusMix = [...tally.byStatus.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(" ");
    const figures = await deliveryFigures(
      "fuzz-10k-in-process",
      standin,
      [{ shop: good.shop, pixelId: good.pixelId, expected }],
      0,
      `${IN_PROCESS_CASES} cases: ${statusMix}`,
    );
    summary.add(figures);
    expect(tally.problems).toEqual([]);
    expect(await prisma.webhookDelivery.count({ where: { shop: forgedShop } })).toBe(0);
    expect(await prisma.conversionEvent.count({ where: { shop: forgedShop } })).toBe(0);
    expect(figures.problems).toEqual([]);
  }, 170_000);

  it(`${HTTP_CASES} fuzzed requests over real HTTP to the built app; it stays up and healthy`, async () => {
    const rng = seededRandom(SEED + 99);
    const tally: Tally = { byStatus: new Map(), problems: [] };
    const goodIds: number[] = [];
    for (let n = 0; n < HTTP_CASES; n++) {
      if (n % 30 === 0) {
        const { id, message } = goodOrder(goodHttp.shop);
        goodIds.push(id);
        const response = await fetch(new URL(webhookPath(message.topic), app.url), {
          method: "POST",
          headers: webhookHeaders(message),
          body: message.body,
        });
        expect(response.status).toBe(200);
      }
      const c = generate(rng, n, { hugeBodies: n % 60 === 59 });
      let status = 0;
      let text = "";
      try {
        const response = await fetch(requestFor(app.url, c));
        status = response.status;
        text = await response.text();
      } catch (error) {
        // The server may close the connection on an oversized body after answering 413.
        if (c.kind !== "huge-body")
          tally.problems.push(`${c.kind} ${c.topic}: network error ${error instanceof Error ? error.message : ""}`);
        continue;
      }
      check(c, status, text, tally);
    }
    await runUntilIdle({ baseUrl: standin.url });
    const expected = await Promise.all(goodIds.map(async (id) => `order_created:${await dedupIdForOrder(id)}`));
    const statusMix = [...tally.byStatus.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(" ");
    const figures = await deliveryFigures(
      "fuzz-http-sample",
      standin,
      [{ shop: goodHttp.shop, pixelId: goodHttp.pixelId, expected }],
      0,
      `${HTTP_CASES} cases: ${statusMix}`,
    );
    summary.add(figures);
    expect(tally.problems).toEqual([]);
    expect(await healthy(app.url, app.child)).toBe(true);
    expect(app.output()).not.toMatch(/uncaught|unhandled/i);
    expect(figures.problems).toEqual([]);
  }, 120_000);

  it("fuzzed pixel receipts over HTTP: never 5xx, never an echo of the input", async () => {
    const rng = seededRandom(SEED + 7);
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    for (let n = 0; n < 300; n++) {
      const base = {
        v: 1,
        shop: good.shop,
        orderId: String(nextOrderId++),
        checkoutToken: "chk1",
        oppref: MARKER,
        consent: "granted",
        pixel: "sent",
      };
      const body = rng() < 0.2 ? `${MARKER}${"{".repeat(Math.floor(rng() * 50))}` : JSON.stringify(mutate(rng, base));
      const headers: Record<string, string> = {
        "Content-Type": pick(rng, [
          "text/plain",
          "application/json",
          "text/plain;charset=utf-8",
          MARKER,
          "multipart/form-data",
        ]),
      };
      if (rng() < 0.3)
        headers["X-Forwarded-For"] = pick(rng, [`203.0.113.${n % 250}`, MARKER, "1.1.1.1, 2.2.2.2", "::1"]);
      const huge = rng() < 0.02;
      let response: Response;
      try {
        response = await fetch(new URL("/pixel/receipt", app.url), {
          method: pick(rng, ["POST", "POST", "POST", "PUT", "OPTIONS"]),
          headers,
          body: huge ? `${MARKER}${"x".repeat(100_000)}` : body,
        });
      } catch {
        if (!huge) problems.push(`receipt ${n}: network error`);
        continue;
      }
      const text = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500) problems.push(`receipt ${n}: ${response.status}`);
      if (text.includes(MARKER)) problems.push(`receipt ${n}: echoes input`);
    }
    expect(problems).toEqual([]);
    expect(await healthy(app.url, app.child)).toBe(true);
    summary.add({
      scenario: "fuzz-pixel-receipts",
      status: "run",
      expected: 0,
      accepted: 0,
      duplicated: 0,
      lost: 0,
      resent: 0,
      notes: [...statuses].map(([s, n]) => `${s}×${n}`).join(" "),
    });
  }, 60_000);
});
