/**
 * Facts that can change between the webhook and the send (a pixel receipt that arrived late, a
 * cancellation, a refund) are looked up here, at send time, and handed to the pure core to decide.
 */
import type { ConversionEvent } from "@prisma/client";
import prisma from "~/db.server";
import type { CapiEvent } from "~/conversions/capi-event";
import type { OpprefSource } from "~/conversions/oppref";
import type { ReceiptConsent } from "~/conversions/consent";
import type { ShopPolicy } from "~/conversions/shop-policy";
import type { SkipReason } from "~/conversions/skip-reasons";
import { finalizeOrderCreated } from "~/conversions/finalize-order-event";

export type SendTimeDecision =
  | { action: "send"; event: CapiEvent; opprefSource: OpprefSource | null; amountMinor?: number }
  | { action: "hold"; until: Date }
  | { action: "skip"; reason: SkipReason; detail: string };

export async function decideAtSendTime(row: ConversionEvent, policy: ShopPolicy, now: Date): Promise<SendTimeDecision> {
  if (!row.payload) return { action: "skip", reason: "malformed_payload", detail: "no event payload stored" };
  const event = JSON.parse(row.payload) as CapiEvent;
  if (row.eventType !== "order_created") {
    return { action: "send", event, opprefSource: (row.opprefSource as OpprefSource | null) ?? null };
  }
  const [receipt, ledger] = await Promise.all([
    row.orderId ? prisma.pixelReceipt.findUnique({ where: { shop_orderId: { shop: row.shop, orderId: row.orderId } } }) : null,
    row.orderId ? prisma.orderLedger.findUnique({ where: { shop_orderId: { shop: row.shop, orderId: row.orderId } } }) : null,
  ]);
  // The pixel can only have counted the sale if its own OpenAI request went out.
  const pixelCounted = receipt?.pixelStatus === "sent";
  const fullyReversed = ledger !== null && ledger.grossMinor !== null && ledger.netMinor === 0;
  const result = finalizeOrderCreated({
    event,
    opprefSource: ((row.opprefSource as OpprefSource | null) ?? "none"),
    requiresOptIn: row.requiresOptIn,
    receipt: receipt ? { oppref: receipt.oppref, consent: receipt.consent as ReceiptConsent } : null,
    orderFullyReversed: fullyReversed && !pixelCounted,
    eventCreatedAt: row.createdAt,
    now,
    policy,
  });
  if (result.action === "send") return { action: "send", event: result.event, opprefSource: result.opprefSource };
  return result;
}
