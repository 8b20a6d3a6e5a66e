/**
 * The web pixel's receipt at checkout_completed (extensions/openai-pixel), answered for
 * POST /pixel/receipt (app/routes/pixel.receipt.tsx).
 *
 * Public and unauthenticated (it is called from buyers' browsers), so it is built to be boring under
 * abuse: rate limited per client address and per shop, 2 KB body cap checked on the header AND on the
 * bytes actually read, a strict schema, installed shops only, and it stores no amounts — a receipt can
 * only add an oppref/consent signal to an order the server learns about from Shopify, and only when it
 * carries that order's checkout token (app/models/receipts.server.ts).
 *
 * CORS: `Access-Control-Allow-Origin: *` is right here. The pixel runs on every storefront domain
 * (and inside Shopify's sandbox, whose origin is not the shop's), the request carries no cookies or
 * other credentials (so `*` grants a reader nothing), and the endpoint is write-only: its answers
 * reveal nothing beyond "accepted". The pixel sends text/plain, a CORS simple request, so browsers
 * do not even preflight; OPTIONS is answered anyway for clients that do.
 *
 * Answers: 202 stored · 200 duplicate or not stored (no change: `stored: false`, the receipt could
 * not be believed or its order has enough candidates) · 400 invalid · 404 unknown/uninstalled shop ·
 * 405 · 413 too large · 415 wrong type · 429 + Retry-After. Error bodies are fixed strings that never
 * echo the input.
 */
import { z } from "zod";
import { normalizeOrderId } from "~/conversions/order-id";
import { MAX_OPPREF_LENGTH, validOppref } from "~/conversions/oppref";
import { logger } from "~/logger.server";
import { receiptMatchesOrder, recordPixelReceipt } from "~/models/receipts.server";
import { getShopSettings } from "~/models/settings.server";
import { readBodyAtMost } from "~/security/bounded-body.server";
import { configValue } from "~/config.server";
import { clientAddress, sharedLimiter, type Limiter } from "~/security/rate-limit.server";

export const MAX_RECEIPT_BYTES = 2048;

// A buyer sends one receipt per order: 10 a minute from one address is far above honest use.
// Per shop, bounds writes: 600 a minute (36 000 an hour). Shared by all instances on Postgres.
let limiters: { perIp: Limiter; perShop: Limiter } | undefined;
function receiptLimiters() {
  limiters ??= {
    perIp: sharedLimiter({ name: "receipt-ip", points: 10, windowSeconds: 60, maxKeys: 50_000 }),
    perShop: sharedLimiter({ name: "receipt-shop", points: 600, windowSeconds: 60, maxKeys: 20_000 }),
  };
  return limiters;
}

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "86400",
} as const;

// eslint-disable-next-line no-control-regex
const noControlCharacters = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,99}\.myshopify\.com$/;

const receiptSchema = z
  .object({
    v: z.literal(1),
    shop: z.string().regex(SHOP_DOMAIN),
    orderId: z.string().regex(/^[1-9][0-9]{0,19}$/),
    checkoutToken: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .nullable(),
    // Opaque and passed on unchanged, so only its length and the absence of control characters are checked.
    oppref: z
      .string()
      .min(1)
      .max(MAX_OPPREF_LENGTH)
      .refine((value) => validOppref(value) !== null)
      .nullable(),
    consent: z.enum(["granted", "denied", "unknown"]),
    pixel: z.enum(["sent", "blocked", "not_sent"]),
    // Optional: pixels built before these fields existed still send valid receipts.
    saleOfData: z.enum(["allowed", "refused", "unknown"]).optional(),
    obref: z.string().min(1).max(512).refine(noControlCharacters).nullable().optional(),
  })
  .strict();

function reply(status: number, body: Record<string, unknown> | null, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: {
      ...CORS_HEADERS,
      ...(body === null ? {} : { "Content-Type": "application/json" }),
      "Cache-Control": "no-store",
      ...headers,
    },
  });
}

const tooMany = (retryAfterSeconds: number) =>
  reply(429, { error: "rate_limited" }, { "Retry-After": String(retryAfterSeconds) });

/** Anything but POST: OPTIONS is answered for clients that preflight, the rest is 405. */
export function handleReceiptPreflight(request: Request): Response {
  if (request.method === "OPTIONS") return reply(204, null);
  return reply(405, { error: "method_not_allowed" }, { Allow: "POST, OPTIONS" });
}

/** `remoteAddress`: the TCP peer (server.ts passes it through Remix's load context). */
export async function handleReceipt(
  request: Request,
  client: { remoteAddress?: string | null } = {},
): Promise<Response> {
  if (request.method !== "POST") return reply(405, { error: "method_not_allowed" }, { Allow: "POST, OPTIONS" });

  // Without an address (no socket known, e.g. the dev server) the per-shop limit still bounds writes.
  const { perIp, perShop } = receiptLimiters();
  const ip = clientAddress(request, client.remoteAddress, configValue("TRUSTED_PROXY_HOPS"));
  if (ip !== null) {
    const decision = await perIp.take(ip);
    if (!decision.allowed) return tooMany(decision.retryAfterSeconds);
  }

  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "text/plain" && mediaType !== "application/json") {
    return reply(415, { error: "unsupported_media_type" });
  }

  const bytes = await readBodyAtMost(request, MAX_RECEIPT_BYTES);
  if (bytes === null) return reply(413, { error: "too_large" });

  let json: unknown;
  try {
    // Not UTF-8 fails here like any other malformed body.
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return reply(400, { error: "invalid_receipt" });
  }
  const parsed = receiptSchema.safeParse(json);
  if (!parsed.success) return reply(400, { error: "invalid_receipt" });
  const receipt = parsed.data;

  const orderId = normalizeOrderId(receipt.orderId);
  const shopDecision = await perShop.take(receipt.shop);
  // A flood of forgeries may drain the shop's bucket; the buyer's own receipt (its token is its
  // order's, which no forger knows) still gets through. One indexed read, only when drained.
  if (!shopDecision.allowed && !(await receiptMatchesOrder(receipt.shop, orderId, receipt.checkoutToken))) {
    return tooMany(shopDecision.retryAfterSeconds);
  }

  const settings = await getShopSettings(receipt.shop);
  if (!settings || settings.uninstalledAt) return reply(404, { error: "unknown_shop" });

  const outcome = await recordPixelReceipt({
    shop: receipt.shop,
    orderId,
    checkoutToken: receipt.checkoutToken,
    oppref: receipt.consent === "granted" ? receipt.oppref : null,
    consent: receipt.consent,
    pixelStatus: receipt.pixel,
    saleOfData: receipt.saleOfData ?? null,
    obref: receipt.obref ?? null,
  });
  // Per request, so debug (the log policy): the receipt itself is in the database.
  logger.debug({ shop: receipt.shop, outcome, consent: receipt.consent, pixel: receipt.pixel }, "pixel receipt");
  if (outcome === "created") return reply(202, { ok: true });
  if (outcome === "duplicate") return reply(200, { ok: true, duplicate: true });
  return reply(200, { ok: true, stored: false });
}
