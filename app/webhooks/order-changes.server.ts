/**
 * orders/edited and orders/updated: changes of an order's value after checkout (order edits,
 * post-purchase upsells, returns and exchanges). What must happen before the 200, in the transaction
 * that marks the webhook as seen:
 *  - orders/edited stores the edit as a fact (its id and time; it carries no money);
 *  - orders/updated stores the order's value sold as of its `updated_at` (the latest wins);
 *  - then `settleOrderValue` turns whatever the latest value implies beyond what is recorded into ONE
 *    value entry in the ledger (which moves the order's current gross) and ONE event: the pending
 *    order_created carries the new amount when it has not gone out yet, else a custom event reports
 *    the added value (`order_value_added`) or the removed value like a refund (`order_refunded`).
 *
 * Why orders/updated and not an Admin API read after orders/edited: returns and exchanges change the
 * order without any orders/edited, the webhook is the one that carries `current_total_price`, and an
 * Admin API call would put Shopify's latency and rate limits on the ingest path. Its volume is paid
 * for with `include_fields` (app/webhooks/subscribed-fields.ts: a few small fields, no buyer data)
 * and an update that changes no value writes only the webhook's idempotency row and the order's
 * latest `updated_at` (kept so that an older update delivered late is recognised as older).
 *
 * Whether and when an event goes out is the delivery worker's decision (app/outbox/send-time.server.ts):
 * only after the order itself counted, like a refund.
 */
import type { Prisma } from "@prisma/client";
import prisma from "~/db/client.server";
import { recordRejections } from "~/models/webhook-batch.server";
import { malformedCorrectionRow, skippedCorrectionRow } from "./correction-rows.server";
import { buildCorrectionEvent } from "~/conversions/correction-event";
import { derivedEventId, type DedupId } from "~/conversions/dedup-id";
import { MAX_EVENT_AGE_MS, MAX_FUTURE_MS } from "~/conversions/order-event";
import {
  parseOrderEdit,
  parseOrderValue,
  planValueChange,
  valueChangeEventName,
} from "~/conversions/order-value-change";
import { waitForUnseenOrder } from "~/conversions/order-wait";
import { DEFAULT_SHOP_POLICY, type ShopPolicy } from "~/conversions/shop-policy";
import { insertEventOnce, revalueUnsentOrderEvent, withWebhookOnce } from "~/models/conversion-events.server";
import {
  editEntryKey,
  ensureLedgerRow,
  ledgerForOrder,
  recomputeLedger,
  recordLedgerEntry,
  recordObservedValue,
  valueCauseOf,
  valueEntryKey,
} from "~/models/ledger.server";
import { pixelSentOrder } from "~/models/receipts.server";
import { getShopSettings, policyFromSettings } from "~/models/settings.server";
import { correctionSourceUrl } from "~/outbox/send-time.server";
import { webhookKey, type IngestResult } from "./orders.server";
import type { VerifiedWebhook } from "./verify.server";

export async function ingestOrderEditedWebhook(hook: VerifiedWebhook, now: Date = new Date()): Promise<IngestResult> {
  const policy = policyFromSettings(await getShopSettings(hook.shop));
  const parsed = parseOrderEdit(hook.payload);

  return withWebhookOnce(webhookKey(hook), async (tx) => {
    if (!parsed.ok) {
      await insertEventOnce(tx, malformedCorrectionRow(hook.shop, valueAddedName(policy), parsed.detail, now));
      return;
    }
    const { edit } = parsed;
    if (await orderHeldByAnotherShop(tx, hook, edit.orderId)) return;
    await ensureLedgerRow(tx, hook.shop, edit.orderId);
    await recordLedgerEntry(tx, {
      shop: hook.shop,
      orderId: edit.orderId,
      entryKey: editEntryKey(edit.editId),
      kind: "edit",
      requestedMinor: 0,
      currency: null,
      reason: null,
      occurredAt: edit.editedAt,
    });
    await settleOrderValue(tx, hook.shop, edit.orderId, policy, now);
  });
}

export async function ingestOrderUpdatedWebhook(hook: VerifiedWebhook, now: Date = new Date()): Promise<IngestResult> {
  const policy = policyFromSettings(await getShopSettings(hook.shop));
  const parsed = parseOrderValue(hook.payload);

  return withWebhookOnce(webhookKey(hook), async (tx) => {
    if (!parsed.ok) {
      await insertEventOnce(tx, malformedCorrectionRow(hook.shop, valueAddedName(policy), parsed.detail, now));
      return;
    }
    const { value } = parsed;
    if (await orderHeldByAnotherShop(tx, hook, value.orderId)) return;
    const known = await tx.orderLedger.findUnique({
      where: { shop_orderId: { shop: hook.shop, orderId: value.orderId } },
      select: { id: true },
    });
    // orders/updated fires for every order, also ones placed before the app was installed. An order
    // the app has not seen is kept (its orders/create may still be on its way) only while it is
    // recent enough for that: the same 24 hours a refund waits for its order.
    if (!known && !mayStillArrive(value.orderCreatedAt, now)) return;
    const ledger = known ?? (await ensureLedgerRow(tx, hook.shop, value.orderId));
    const stored = await recordObservedValue(tx, ledger.id, {
      soldValueMinor: value.soldValueMinor,
      at: value.observedAt,
    });
    if (stored) await settleOrderValue(tx, hook.shop, value.orderId, policy, now);
  });
}

/**
 * settleOrderValue in a transaction of its own, for an order webhook applied in a batch: the batch's
 * ledger and order_created rows must be on disk before the settlement reads and rewrites them.
 */
export async function settleOrderValueAfterCommit(
  shop: string,
  orderId: string,
  policy: ShopPolicy,
  now: Date,
): Promise<void> {
  await prisma.$transaction((tx) => settleOrderValue(tx, shop, orderId, policy, now));
}

/**
 * Shopify's order ids are globally unique: an order id whose ledger belongs to another shop means
 * this body was not sent by this shop (a captured body replayed under other headers). Recorded on
 * the webhook's idempotency row; nothing else is written.
 */
async function orderHeldByAnotherShop(
  tx: Prisma.TransactionClient,
  hook: VerifiedWebhook,
  orderId: string,
): Promise<boolean> {
  const other = await tx.orderLedger.findFirst({
    where: { orderId, NOT: { shop: hook.shop } },
    select: { id: true },
  });
  if (!other) return false;
  await recordRejections(tx, [
    {
      key: webhookKey(hook),
      reason: `order ${orderId} was already seen under another shop; Shopify's order ids are globally unique, so this body was not sent by this shop`,
    },
  ]);
  return true;
}

function mayStillArrive(orderCreatedAt: Date | null, now: Date): boolean {
  if (orderCreatedAt === null) return false;
  return waitForUnseenOrder({ waitingSince: orderCreatedAt, now }).action === "hold";
}

/**
 * Records the value change the ledger's latest observation implies (if any) and queues its event.
 * Idempotent: called again with nothing new, it finds the change recorded and does nothing. The order
 * webhook (app/webhooks/orders.server.ts) calls it too, after storing the order's gross and its
 * order_created row, for an orders/updated or orders/edited that came first.
 */
export async function settleOrderValue(
  tx: Prisma.TransactionClient,
  shop: string,
  orderId: string,
  policy: ShopPolicy,
  now: Date,
): Promise<void> {
  const view = await ledgerForOrder(shop, orderId, tx);
  if (!view) return;
  const { ledger, entries } = view;
  const plan = planValueChange({
    originalGrossMinor: ledger.originalGrossMinor,
    observed:
      ledger.observedValueMinor !== null && ledger.observedValueAt !== null
        ? { soldValueMinor: ledger.observedValueMinor, at: ledger.observedValueAt }
        : null,
    recorded: entries
      .filter((e) => e.kind === "value")
      .map((e) => ({ cause: valueCauseOf(e), deltaMinor: e.requestedMinor })),
    edits: entries
      .filter((e) => e.kind === "edit")
      .map((e) => ({ editId: e.entryKey.replace(/^edit:/, ""), editedAt: e.occurredAt })),
  });
  if (plan === null) return;

  const { status } = await recordLedgerEntry(tx, {
    shop,
    orderId,
    entryKey: valueEntryKey(plan.cause),
    kind: "value",
    requestedMinor: plan.deltaMinor,
    currency: ledger.currency,
    reason: null,
    occurredAt: plan.occurredAt,
  });
  if (status === "exists") return;
  const updated = (await recomputeLedger(tx, shop, orderId))!;

  const dedupId = ledger.orderDedupId as DedupId;
  const eventName = valueChangeEventName(plan.deltaMinor, policy, DEFAULT_SHOP_POLICY);
  const occurredAt = plan.occurredAt.getTime() > now.getTime() + MAX_FUTURE_MS ? now : plan.occurredAt;
  const base = {
    shop,
    eventType: "custom",
    eventName,
    eventId: await derivedEventId(dedupId, "value", plan.cause),
    orderId,
    orderName: updated.ledger.orderName,
    orderDedupId: dedupId,
    occurredAt,
    expiresAt: new Date(occurredAt.getTime() + MAX_EVENT_AGE_MS),
  };
  const amountMinor = Math.abs(plan.deltaMinor);
  const currency = updated.ledger.currency;

  // Not sent yet and not counted by the pixel: the order's own event carries the new value.
  const grossNow = updated.ledger.grossMinor;
  if (
    grossNow !== null &&
    !(await pixelSentOrder(tx, shop, orderId, updated.ledger.checkoutToken)) &&
    (await revalueUnsentOrderEvent(tx, shop, dedupId, grossNow))
  ) {
    await insertEventOnce(
      tx,
      skippedCorrectionRow(
        base,
        "included_in_order",
        "the order had not been sent yet: its order_created carries the new amount",
      ),
    );
    return;
  }
  if (!policy.correctionsEnabled) {
    await insertEventOnce(
      tx,
      skippedCorrectionRow(base, "corrections_disabled", "refund and value-change reporting is turned off"),
    );
    return;
  }
  let payload: string | null = null;
  if (currency) {
    const event = await buildCorrectionEvent({
      kind: "value",
      orderDedupId: dedupId,
      key: plan.cause,
      eventName,
      amountMinor,
      currency,
      occurredAt,
      sourceUrl: correctionSourceUrl(shop),
    });
    payload = JSON.stringify(event);
  }
  await insertEventOnce(tx, {
    ...base,
    status: "pending",
    payload,
    amountMinor,
    currency,
    nextAttemptAt: now,
  });
}

function valueAddedName(policy: ShopPolicy): string {
  return valueChangeEventName(1, policy, DEFAULT_SHOP_POLICY);
}
