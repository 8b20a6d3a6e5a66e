/**
 * Pixel receipts: what the web pixel reported at checkout_completed (its oppref, the buyer's consent
 * state, whether its own OpenAI request went out). Receipts come from an unauthenticated endpoint and
 * order ids are guessable, so a receipt is believed only when it carries the checkout token that
 * Shopify's own order webhook gave us (the order's ledger row). Receipts usually arrive BEFORE their
 * order, when that token is not known yet, so the first few candidates of an order are kept, one per
 * token, and the choice is made once the order is known: the one whose token matches wins whatever
 * came first, and the others never decide anything. Nothing here is ever trusted for money: no
 * amounts are stored at all.
 */
import type { PixelReceipt } from "@prisma/client";
import { Prisma } from "@prisma/client";
import prisma from "~/db/client.server";
import { isUniqueViolation } from "./conversion-events.server";

export type { PixelReceipt };

export type ReceiptConsent = "granted" | "denied" | "unknown";
export type ReceiptPixelStatus = "sent" | "blocked" | "not_sent";
export type ReceiptSaleOfData = "allowed" | "refused" | "unknown";

/**
 * Candidates kept per order while its token is unknown. Small, so forged receipts cannot grow the
 * table much per order; a genuine receipt only loses its place if this many forgeries for that very
 * order id arrived before it (docs/SECURITY.md).
 */
export const MAX_RECEIPTS_PER_ORDER = 5;

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

/**
 * created: stored as a candidate (or as THE receipt, its token matching the order's).
 * duplicate: a receipt with this token is already stored for the order; nothing changes.
 * unverified: not stored. It has no token, or the order is known and its token differs: such a
 * receipt could never decide anything.
 * full: not stored; the order already has MAX_RECEIPTS_PER_ORDER candidates and its token is unknown.
 */
export type ReceiptOutcome = "created" | "duplicate" | "unverified" | "full";

export async function recordPixelReceipt(input: PixelReceiptInput): Promise<ReceiptOutcome> {
  if (!input.checkoutToken) return "unverified";
  const orderToken = await orderCheckoutToken(input.shop, input.orderId);
  if (orderToken !== null && orderToken !== input.checkoutToken) return "unverified";
  // While the order is unknown, a bounded set: cheap refusal first, exact bound re-checked below.
  if (orderToken === null && (await candidateCount(input)) >= MAX_RECEIPTS_PER_ORDER) return "full";
  let created: PixelReceipt;
  try {
    created = await prisma.pixelReceipt.create({
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
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
  if (orderToken === null) {
    // Concurrent candidates can pass the first count together; whoever finds the set over the bound
    // withdraws its own row (so the bound holds), unless the order arrived meanwhile and it matches.
    const tokenNow = await orderCheckoutToken(input.shop, input.orderId);
    if (tokenNow !== input.checkoutToken && (await candidateCount(input)) > MAX_RECEIPTS_PER_ORDER) {
      await prisma.pixelReceipt.deleteMany({ where: { id: created.id } });
      return "full";
    }
    if (tokenNow !== input.checkoutToken) return "created";
  }
  await wakeHeldOrderEvent(input.shop, input.orderId);
  return "created";
}

async function orderCheckoutToken(shop: string, orderId: string): Promise<string | null> {
  const ledger = await prisma.orderLedger.findUnique({
    where: { shop_orderId: { shop, orderId } },
    select: { checkoutToken: true },
  });
  return ledger?.checkoutToken ?? null;
}

function candidateCount(input: PixelReceiptInput): Promise<number> {
  return prisma.pixelReceipt.count({ where: { shop: input.shop, orderId: input.orderId } });
}

/** Whether a receipt with this token would be believed for the order right now (one indexed read). */
export async function receiptMatchesOrder(
  shop: string,
  orderId: string,
  checkoutToken: string | null,
): Promise<boolean> {
  if (!checkoutToken) return false;
  return (await orderCheckoutToken(shop, orderId)) === checkoutToken;
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

/** The first candidate received for an order, trusted or not (tests, support); decisions use findTrustedReceipt. */
export async function findPixelReceipt(shop: string, orderId: string): Promise<PixelReceipt | null> {
  return prisma.pixelReceipt.findFirst({ where: { shop, orderId }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }] });
}

/**
 * The receipt for an order IF it can be believed: the candidate carrying the checkout token of the
 * order's ledger row. Without one the order is treated as having no receipt: the shop's no-signal
 * policy decides, exactly as when the pixel was blocked. One query: the token is the lookup key.
 */
export async function findTrustedReceipt(shop: string, orderId: string): Promise<PixelReceipt | null> {
  const token = await orderCheckoutToken(shop, orderId);
  if (token === null) return null;
  return prisma.pixelReceipt.findUnique({
    where: { shop_orderId_checkoutToken: { shop, orderId, checkoutToken: token } },
  });
}

/** findTrustedReceipt's rule for candidates and a ledger token already loaded (the worker loads a batch's at once). */
export function trustedReceipt(
  candidates: readonly PixelReceipt[] | null | undefined,
  ledgerCheckoutToken: string | null | undefined,
): PixelReceipt | null {
  if (!candidates || !ledgerCheckoutToken) return null;
  return candidates.find((r) => r.checkoutToken === ledgerCheckoutToken) ?? null;
}

/**
 * Receipt candidates of many orders of one shop, by order id (one query; callers pass at most 500
 * ids, so at most 500 × MAX_RECEIPTS_PER_ORDER rows). Raw SQL because the delivery worker runs this
 * for every batch: Prisma's query compiler spends ~7 µs of CPU per id of an `in` list, twice what the
 * query itself costs; the driver maps the columns to the model's types the same way.
 */
export async function findPixelReceipts(
  shop: string,
  orderIds: readonly string[],
): Promise<Map<string, PixelReceipt[]>> {
  const rows =
    orderIds.length === 0
      ? []
      : await prisma.$queryRaw<
          PixelReceipt[]
        >`SELECT * FROM "PixelReceipt" WHERE "shop" = ${shop} AND "orderId" IN (${Prisma.join(orderIds)})`;
  const byOrder = new Map<string, PixelReceipt[]>();
  for (const row of rows) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
  return byOrder;
}

/**
 * Whether the web pixel sent the order's order_created from the browser itself (its trusted receipt
 * says so), read inside the caller's transaction. OpenAI keeps the first event per id, so an order
 * the pixel counted keeps the pixel's amount whatever the server sends later.
 */
export async function pixelSentOrder(
  tx: Prisma.TransactionClient,
  shop: string,
  orderId: string,
  checkoutToken: string | null,
): Promise<boolean> {
  if (checkoutToken === null) return false;
  const receipt = await tx.pixelReceipt.findUnique({
    where: { shop_orderId_checkoutToken: { shop, orderId, checkoutToken } },
    select: { pixelStatus: true },
  });
  return receipt?.pixelStatus === "sent";
}
