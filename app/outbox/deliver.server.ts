/**
 * One delivery pass for one shop's claimed batch: decide each event's fate at send time (receipt,
 * ledger, consent, grace period, expiry), send the rest in as few requests as the contract allows,
 * and record exactly what OpenAI answered. Nothing becomes `delivered` without a 2xx.
 */
import { Prisma } from "@prisma/client";
import prisma from "~/db/client.server";
import { chunked } from "~/lib/chunk";
import type { CapiEvent } from "~/conversions/capi-event";
import type { SkipReason } from "~/conversions/skip-reasons";
import type { ShopPolicy } from "~/conversions/shop-policy";
import { deliverBatch, type CapiClientOptions } from "~/openai/capi-client";
import {
  getCapiCredentials,
  getShopSettings,
  policyFromSettings,
  recordCredentialCheck,
  recordDelivery,
} from "~/models/settings.server";
import { logger } from "~/logger.server";
import { metrics } from "~/ops/metrics.server";
import { retryDelayMs } from "./backoff";
import { decideAtSendTime, type OrderCreatedFacts, type SendTimeDecision } from "./send-time.server";
import { findPixelReceipts, trustedReceipt } from "~/models/receipts.server";
import { findOrderLedgers } from "~/models/ledger.server";
import { findSubscriptionSignals } from "~/models/subscription-orders.server";
import type { ConversionEvent } from "~/models/money-columns.server";
import { DecryptionError } from "~/security/encryption.server";

/** How long to wait before looking at a shop again whose setup prevents sending. */
const NOT_READY_DELAY_MS = 5 * 60_000;

/** What the admin shows when the stored Conversions API key cannot be decrypted. */
const UNDECRYPTABLE_KEY_MESSAGE =
  "The stored Conversions API key cannot be decrypted with the configured ENCRYPTION_KEY (it was sealed with a key that is no longer configured). Events are kept and wait. Put the old key in ENCRYPTION_KEY_PREVIOUS, or enter the API key again.";

export interface DeliveryDeps {
  baseUrl: string;
  now: () => Date;
  client?: CapiClientOptions;
  random?: () => number;
}

export interface BatchReport {
  shop: string;
  claimed: number;
  delivered: number;
  rejected: number;
  retried: number;
  skipped: number;
  held: number;
  expired: number;
  authFailed: boolean;
}

export async function deliverClaimedBatch(
  shop: string,
  leaseToken: string,
  events: ConversionEvent[],
  deps: DeliveryDeps,
): Promise<BatchReport> {
  const report: BatchReport = {
    shop,
    claimed: events.length,
    delivered: 0,
    rejected: 0,
    retried: 0,
    skipped: 0,
    held: 0,
    expired: 0,
    authFailed: false,
  };
  const now = deps.now();
  const settings = await getShopSettings(shop);
  const policy = policyFromSettings(settings);
  const mine = (id: string) => ({ id, leaseOwner: leaseToken });

  if (!settings || settings.uninstalledAt || !policy.serverEventsEnabled) {
    const reason: SkipReason = !settings || settings.uninstalledAt ? "uninstalled" : "disabled";
    await finishMany(
      events.map((e) => e.id),
      leaseToken,
      { status: "skipped", skipReason: reason },
    );
    report.skipped += events.length;
    return report;
  }

  const toSend: { row: ConversionEvent; event: CapiEvent; update: SendTimeDecision & { action: "send" } }[] = [];
  const early = await decideIndependentRows(events, policy, now);
  for (const row of events) {
    if (row.expiresAt.getTime() <= now.getTime()) {
      await prisma.conversionEvent.updateMany({
        where: mine(row.id),
        data: { status: "expired", skipReason: "expired", leaseOwner: null, leaseUntil: null },
      });
      report.expired++;
      continue;
    }
    const decision = early.get(row.id) ?? (await decideAtSendTime(row, policy, now));
    if (decision.action === "skip") {
      await prisma.conversionEvent.updateMany({
        where: mine(row.id),
        data: {
          status: "skipped",
          skipReason: decision.reason,
          lastError: decision.detail,
          leaseOwner: null,
          leaseUntil: null,
        },
      });
      report.skipped++;
    } else if (decision.action === "hold") {
      await prisma.conversionEvent.updateMany({
        where: mine(row.id),
        data: { status: "pending", nextAttemptAt: decision.until, leaseOwner: null, leaseUntil: null },
      });
      report.held++;
    } else {
      toSend.push({ row, event: decision.event, update: decision });
    }
  }
  if (toSend.length === 0) return report;

  let credentials: Awaited<ReturnType<typeof getCapiCredentials>>;
  try {
    credentials = await getCapiCredentials(shop, settings);
  } catch (error) {
    // The shop's key was sealed with a key this process does not have (rotated without
    // ENCRYPTION_KEY_PREVIOUS): its events wait, nothing else stops, and the admin says why.
    if (!(error instanceof DecryptionError)) throw error;
    await releaseForLater(
      toSend.map((s) => s.row.id),
      leaseToken,
      now,
      NOT_READY_DELAY_MS,
      `key_unavailable: ${error.message}`,
    );
    await recordCredentialCheck(shop, "undecryptable", UNDECRYPTABLE_KEY_MESSAGE);
    // Once per state change, not on every retry of the shop's events.
    const log = settings.credentialsStatus === "undecryptable" ? logger.debug.bind(logger) : logger.error.bind(logger);
    log({ shop, err: error.message }, "the shop's Conversions API key cannot be decrypted");
    report.held += toSend.length;
    return report;
  }
  if (!credentials) {
    await releaseForLater(
      toSend.map((s) => s.row.id),
      leaseToken,
      now,
      NOT_READY_DELAY_MS,
      "not_configured: Pixel ID or Conversions API key missing",
    );
    report.held += toSend.length;
    return report;
  }

  const outcome = await deliverBatch(
    { baseUrl: deps.baseUrl, pixelId: credentials.pixelId, apiKey: credentials.apiKey },
    toSend.map((s) => s.event),
    { ...deps.client, onAnswer: (status) => metrics.openaiAnswered(status) },
  );
  const byId = new Map(toSend.map((s) => [s.event.id, s]));
  const deliveredAt = deps.now();
  metrics.eventsDelivered(
    outcome.accepted.flatMap((id) => byId.get(id)?.row.createdAt ?? []),
    deliveredAt,
  );

  // Delivered rows whose stored facts did not change at send time (nearly all) get ONE raw UPDATE per
  // slice; a row whose payload, oppref or amount changed gets a model update of its own.
  const unchanged: string[] = [];
  const changed: { id: string; data: Record<string, unknown> }[] = [];
  for (const id of outcome.accepted) {
    const item = byId.get(id);
    if (!item) continue;
    const data = deliveredChanges(item.row, item.event, item.update);
    if (Object.keys(data).length === 0) unchanged.push(item.row.id);
    else changed.push({ id: item.row.id, data });
  }
  const deliveredNoChanges = slices(unchanged).map(
    (ids) => Prisma.sql`
      UPDATE "ConversionEvent"
         SET "status" = 'delivered', "deliveredAt" = ${deliveredAt}, "attempts" = "attempts" + 1, "lastStatus" = 200,
             "lastError" = NULL, "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = ${new Date()}
       WHERE "id" IN (${Prisma.join(ids)}) AND "leaseOwner" = ${leaseToken}`,
  );
  if (changed.length === 0 && outcome.rejected.length === 0 && !outcome.retry && deliveredNoChanges.length <= 1) {
    // The common outcome (everything accepted, nothing changed) is one statement: no interactive
    // transaction, whose BEGIN … COMMIT would hold SQLite's single write lock across event-loop turns
    // while this process does other work, stalling every other worker's writes.
    if (deliveredNoChanges.length === 1) await prisma.$executeRaw(deliveredNoChanges[0]);
  } else {
    await prisma.$transaction(async (tx) => {
      for (const sql of deliveredNoChanges) await tx.$executeRaw(sql);
      for (const { id, data } of changed) {
        await tx.conversionEvent.updateMany({
          where: mine(id),
          data: {
            status: "delivered",
            deliveredAt,
            attempts: { increment: 1 },
            lastStatus: 200,
            lastError: null,
            ...data,
            leaseOwner: null,
            leaseUntil: null,
          },
        });
      }
      for (const rejection of outcome.rejected) {
        const item = byId.get(rejection.id);
        if (!item) continue;
        await tx.conversionEvent.updateMany({
          where: mine(item.row.id),
          data: {
            status: "rejected",
            skipReason: "rejected_by_openai",
            attempts: { increment: 1 },
            lastStatus: rejection.status,
            lastError: truncate(`${rejection.code ?? "invalid"}: ${rejection.message}`),
            payload: JSON.stringify(item.event),
            leaseOwner: null,
            leaseUntil: null,
          },
        });
      }
      if (outcome.retry) {
        for (const id of outcome.retry.ids) {
          const item = byId.get(id);
          if (!item) continue;
          const delay = retryDelayMs(item.row.attempts + 1, outcome.retry.retryAfterMs, deps.random);
          await tx.conversionEvent.updateMany({
            where: mine(item.row.id),
            data: {
              status: "pending",
              attempts: { increment: 1 },
              nextAttemptAt: new Date(deliveredAt.getTime() + delay),
              lastStatus: outcome.retry.status,
              lastError: truncate(outcome.retry.message),
              leaseOwner: null,
              leaseUntil: null,
            },
          });
        }
      }
    });
  }
  report.delivered = outcome.accepted.length;
  report.rejected = outcome.rejected.length;
  report.retried = outcome.retry?.ids.length ?? 0;

  if (outcome.auth) {
    // Stop for this shop: keep every unsent event queued, surface "credentials rejected".
    report.authFailed = true;
    const settled = new Set([...outcome.accepted, ...outcome.rejected.map((r) => r.id), ...(outcome.retry?.ids ?? [])]);
    const unsent = toSend.filter((s) => !settled.has(s.event.id)).map((s) => s.row.id);
    await releaseForLater(
      unsent,
      leaseToken,
      deliveredAt,
      NOT_READY_DELAY_MS,
      `credentials_rejected: ${outcome.auth.message}`,
      outcome.auth.status,
    );
    await recordCredentialCheck(shop, "rejected", `OpenAI answered ${outcome.auth.status}: ${outcome.auth.message}`);
    metrics.authFailed("openai_credentials");
    // A state change is logged once: the shop's events are retried every few minutes while the key
    // stays rejected, and each retry says the same thing.
    const log = settings.credentialsStatus === "rejected" ? logger.debug.bind(logger) : logger.warn.bind(logger);
    log({ shop, status: outcome.auth.status }, "Conversions API rejected the shop's credentials; sending stopped");
  } else if (outcome.accepted.length > 0) {
    await recordDelivery(shop, deliveredAt);
  }
  return report;
}

async function finishMany(ids: string[], leaseToken: string, data: { status: string; skipReason: string }) {
  for (const slice of slices(ids)) {
    await prisma.conversionEvent.updateMany({
      where: { id: { in: slice }, leaseOwner: leaseToken },
      data: { ...data, leaseOwner: null, leaseUntil: null },
    });
  }
}

async function releaseForLater(
  ids: string[],
  leaseToken: string,
  now: Date,
  delayMs: number,
  reason: string,
  status: number | null = null,
) {
  for (const slice of slices(ids)) {
    await prisma.conversionEvent.updateMany({
      where: { id: { in: slice }, leaseOwner: leaseToken },
      data: {
        status: "pending",
        nextAttemptAt: new Date(now.getTime() + delayMs),
        lastError: truncate(reason),
        lastStatus: status,
        leaseOwner: null,
        leaseUntil: null,
      },
    });
  }
}

/** Prisma caps bound parameters per statement on SQLite (999): long id lists go in slices. */
const SLICE = 500;
const slices = <T>(items: readonly T[]): T[][] => chunked(items, SLICE);

/** What a delivered row's update must change besides its status: only facts that differ from the row. */
function deliveredChanges(
  row: ConversionEvent,
  event: CapiEvent,
  update: SendTimeDecision & { action: "send" },
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  const payload = JSON.stringify(event);
  if (payload !== row.payload) changes.payload = payload;
  const oppref = event.oppref ?? null;
  if (oppref !== row.oppref) changes.oppref = oppref;
  if (update.opprefSource !== row.opprefSource) changes.opprefSource = update.opprefSource;
  const amountMinor = update.amountMinor ?? row.amountMinor;
  if (amountMinor !== row.amountMinor) changes.amountMinor = amountMinor;
  return changes;
}

/**
 * Decisions that depend only on the row and on facts no delivery step writes (the order's receipt
 * and ledger), i.e. every row but the order's corrections, computed up front with the facts of the
 * whole batch loaded in two queries (instead of three lookups per row). Corrections are still decided
 * one by one in batch order, after the rows before them were updated (their rule "one correction of
 * an order at a time" looks at those rows).
 */
async function decideIndependentRows(
  events: ConversionEvent[],
  policy: ShopPolicy,
  now: Date,
): Promise<Map<string, SendTimeDecision>> {
  const decided = new Map<string, SendTimeDecision>();
  const independent = events.filter(
    (row) =>
      row.expiresAt.getTime() > now.getTime() &&
      !(row.eventType === "custom" && row.orderId !== null && row.orderDedupId !== null),
  );
  for (const slice of slices(independent)) {
    const facts = await orderFactsOf(slice);
    for (const row of slice) decided.set(row.id, await decideAtSendTime(row, policy, now, facts.get(row)));
  }
  return decided;
}

/** Receipt (findTrustedReceipt's rule), ledger and subscription role of each row's order: three queries per shop. */
async function orderFactsOf(rows: ConversionEvent[]): Promise<Map<ConversionEvent, OrderCreatedFacts>> {
  const facts = new Map<ConversionEvent, OrderCreatedFacts>();
  const byShop = new Map<string, ConversionEvent[]>();
  for (const row of rows) byShop.set(row.shop, [...(byShop.get(row.shop) ?? []), row]);
  for (const [shop, shopRows] of byShop) {
    const orderIds = [...new Set(shopRows.flatMap((r) => (r.orderId ? [r.orderId] : [])))];
    const [receipts, ledgers, subscriptions] = await Promise.all([
      findPixelReceipts(shop, orderIds),
      findOrderLedgers(shop, orderIds),
      findSubscriptionSignals(shop, orderIds),
    ]);
    const ledgerOf = new Map(ledgers.map((l) => [l.orderId, l]));
    for (const row of shopRows) {
      const ledger = row.orderId ? (ledgerOf.get(row.orderId) ?? null) : null;
      const receipt = row.orderId ? trustedReceipt(receipts.get(row.orderId), ledger?.checkoutToken) : null;
      const subscription = row.orderId ? (subscriptions.get(row.orderId) ?? null) : null;
      facts.set(row, { receipt, ledger, subscription });
    }
  }
  return facts;
}

function truncate(text: string, max = 500): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
