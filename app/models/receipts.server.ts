/**
 * Pixel receipts: what the web pixel reported at checkout_completed (its oppref, the buyer's consent
 * state, whether its own OpenAI request went out). One row per (shop, order); the FIRST receipt wins,
 * like OpenAI's own dedup. Receipts come from an unauthenticated endpoint, so nothing here is ever
 * trusted for money: no amounts are stored at all.
 */
import type { PixelReceipt } from "@prisma/client";
import { Prisma } from "@prisma/client";
import prisma from "~/db/client.server";

export type { PixelReceipt };

export type ReceiptConsent = "granted" | "denied" | "unknown";
export type ReceiptPixelStatus = "sent" | "blocked" | "not_sent";
export type ReceiptSaleOfData = "allowed" | "refused" | "unknown";

export interface PixelReceiptInput {
  shop: string;
  /** Normalized order id (digits). */
  orderId: string;
  checkoutToken: string | null;
  oppref: string | null;
  consent: ReceiptConsent;
  pixelStatus: ReceiptPixelStatus;
  /** Shopify's saleOfDataAllowed as the pixel read it; null from pixels that did not report it. */
  saleOfData?: ReceiptSaleOfData | null;
  /** OpenAI's `__obref` browser id, raw. */
  obref?: string | null;
  receivedAt?: Date;
}

/** Stores the receipt unless one exists for the same order: "duplicate" then, and nothing changes. */
export async function recordPixelReceipt(input: PixelReceiptInput): Promise<"created" | "duplicate"> {
  try {
    await prisma.pixelReceipt.create({
      data: {
        shop: input.shop,
        orderId: input.orderId,
        checkoutToken: input.checkoutToken,
        // Never keep a click reference the buyer did not consent to, whatever the sender claims.
        oppref: input.consent === "granted" ? input.oppref : null,
        consent: input.consent,
        pixelStatus: input.pixelStatus,
        saleOfData: input.saleOfData ?? null,
        // The browser id only with consent: marketing granted and the sale of data not refused.
        obref: input.consent === "granted" && input.saleOfData !== "refused" ? (input.obref ?? null) : null,
        ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
      },
    });
    await wakeHeldOrderEvent(input.shop, input.orderId);
    return "created";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

/**
 * An order_created waiting out its grace period for this very receipt need not wait any longer:
 * make it due now, so the worker sends it with the receipt's oppref/consent on its next pass.
 */
async function wakeHeldOrderEvent(shop: string, orderId: string): Promise<void> {
  await prisma.conversionEvent.updateMany({
    where: {
      shop,
      orderId,
      eventName: "order_created",
      status: "pending",
      attempts: 0,
      nextAttemptAt: { gt: new Date() },
    },
    data: { nextAttemptAt: new Date() },
  });
}

export async function findPixelReceipt(shop: string, orderId: string): Promise<PixelReceipt | null> {
  return prisma.pixelReceipt.findUnique({ where: { shop_orderId: { shop, orderId } } });
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * The receipt for an order IF it can be believed: the receipt endpoint is public and order ids are
 * guessable, so a receipt only counts when it carries the checkout token Shopify's own order webhook
 * gave us (stored in the order's ledger row). Without a matching token the order is treated as
 * having no receipt: the shop's no-signal policy decides, exactly as when the pixel was blocked.
 */
export async function findTrustedReceipt(shop: string, orderId: string): Promise<PixelReceipt | null> {
  const [receipt, ledger] = await Promise.all([
    findPixelReceipt(shop, orderId),
    prisma.orderLedger.findUnique({ where: { shop_orderId: { shop, orderId } }, select: { checkoutToken: true } }),
  ]);
  return trustedReceipt(receipt, ledger?.checkoutToken);
}

/** findTrustedReceipt's rule for a receipt and a ledger token already loaded (the worker loads a batch's at once). */
export function trustedReceipt(
  receipt: PixelReceipt | null | undefined,
  ledgerCheckoutToken: string | null | undefined,
): PixelReceipt | null {
  if (!receipt?.checkoutToken || !ledgerCheckoutToken) return null;
  return receipt.checkoutToken === ledgerCheckoutToken ? receipt : null;
}

/**
 * Receipts of many orders of one shop, by order id (one query; callers pass at most 500 ids). Raw SQL
 * because the delivery worker runs this for every batch: Prisma's query compiler spends ~7 µs of CPU
 * per id of an `in` list, twice what the query itself costs; the driver maps the columns to the
 * model's types the same way.
 */
export async function findPixelReceipts(shop: string, orderIds: readonly string[]): Promise<Map<string, PixelReceipt>> {
  const rows =
    orderIds.length === 0
      ? []
      : await prisma.$queryRaw<
          PixelReceipt[]
        >`SELECT * FROM "PixelReceipt" WHERE "shop" = ${shop} AND "orderId" IN (${Prisma.join(orderIds)})`;
  return new Map(rows.map((r) => [r.orderId, r]));
}
