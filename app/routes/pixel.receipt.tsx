/**
 * POST /pixel/receipt — the web pixel's receipt at checkout_completed (extensions/openai-pixel).
 *
 * Public and unauthenticated (it is called from buyers' browsers), so it is built to be boring under
 * abuse: rate limited per IP and per shop, 2 KB body cap checked on the header AND on the bytes
 * actually read, a strict schema, installed shops only, first write wins, and it stores no amounts —
 * a receipt can only add an oppref/consent signal to an order the server learns about from Shopify.
 *
 * CORS: `Access-Control-Allow-Origin: *` is right here. The pixel runs on every storefront domain
 * (and inside Shopify's sandbox, whose origin is not the shop's), the request carries no cookies or
 * other credentials (so `*` grants a reader nothing), and the endpoint is write-only: its answers
 * reveal nothing beyond "accepted". The pixel sends text/plain, a CORS simple request, so browsers
 * do not even preflight; OPTIONS is answered anyway for clients that do.
 *
 * Answers: 202 created · 200 duplicate (no change) · 400 invalid · 404 unknown/uninstalled shop ·
 * 405 · 413 too large · 415 wrong type · 429 + Retry-After. Error bodies are fixed strings that never
 * echo the input.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { normalizeOrderId } from "~/conversions/order-id";
import { MAX_OPPREF_LENGTH, validOppref } from "~/conversions/oppref";
import { logger } from "~/logger.server";
import { recordPixelReceipt } from "~/models/receipts.server";
import { getShopSettings } from "~/models/settings.server";
import { readBodyAtMost } from "~/security/bounded-body.server";
import { clientIp, TokenBucketLimiter } from "~/security/rate-limit.server";

export const MAX_RECEIPT_BYTES = 2048;

// A buyer sends one receipt per order: 10 at once, then one every 6 s, is far above honest use.
const perIp = new TokenBucketLimiter({ capacity: 10, refillPerSecond: 1 / 6, maxKeys: 50_000 });
// Bounds writes per shop: bursts of 600 orders, 10 per second sustained (36 000 an hour), per process.
const perShop = new TokenBucketLimiter({ capacity: 600, refillPerSecond: 10, maxKeys: 20_000 });

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

export type PixelReceiptPayload = z.infer<typeof receiptSchema>;

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

export async function loader({ request }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return reply(204, null);
  return reply(405, { error: "method_not_allowed" }, { Allow: "POST, OPTIONS" });
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return reply(405, { error: "method_not_allowed" }, { Allow: "POST, OPTIONS" });

  // Without a client IP (no proxy in front) there is nothing to key on: the per-shop limit still bounds writes.
  const ip = clientIp(request);
  if (ip !== null) {
    const decision = perIp.take(ip);
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

  const shopDecision = perShop.take(receipt.shop);
  if (!shopDecision.allowed) return tooMany(shopDecision.retryAfterSeconds);

  const settings = await getShopSettings(receipt.shop);
  if (!settings || settings.uninstalledAt) return reply(404, { error: "unknown_shop" });

  const outcome = await recordPixelReceipt({
    shop: receipt.shop,
    orderId: normalizeOrderId(receipt.orderId),
    checkoutToken: receipt.checkoutToken,
    oppref: receipt.consent === "granted" ? receipt.oppref : null,
    consent: receipt.consent,
    pixelStatus: receipt.pixel,
    saleOfData: receipt.saleOfData ?? null,
    obref: receipt.obref ?? null,
  });
  logger.info({ shop: receipt.shop, outcome, consent: receipt.consent, pixel: receipt.pixel }, "pixel receipt");
  return outcome === "created" ? reply(202, { ok: true }) : reply(200, { ok: true, duplicate: true });
}
