/**
 * Gathers what the alert rules (app/conversions/alerts.ts) look at, for one shop, with a few small
 * indexed queries: the layout's loader calls `loadShopAlerts` on every admin page, so it must stay cheap.
 *
 *   credentials      ShopSettings.credentialsStatus / credentialsMessage
 *   delivery failing oldest pending|sending event with attempts > 0 (index shop,status,createdAt),
 *                    and ShopSettings.lastDeliveredAt
 *   accepted ratio   web-order outcomes in the ratio window (index shop,createdAt)
 *   receipts quiet   PixelReceipt counts in the baseline and quiet windows (index shop,receivedAt),
 *                    web orders in the quiet window
 *   expiring         pending|sending events with expiresAt within 24 h
 */
import type { PrismaClient } from "@prisma/client";
import prisma from "~/db/client.server";
import {
  alertWindows,
  evaluateAlerts,
  ratioFromAggregates,
  webOrdersFromAggregates,
  type Alert,
  type AlertInputs,
} from "~/conversions/alerts";
import { WAITING_STATUSES } from "~/conversions/reconciliation";
import { countReceipts, queryEventAggregates } from "./reconciliation.server";

type Db = Pick<PrismaClient, "$queryRaw" | "conversionEvent" | "shopSettings">;

const OPEN = { in: [...WAITING_STATUSES] };

export async function gatherAlertInputs(shop: string, options: { db?: Db; now?: Date } = {}): Promise<AlertInputs> {
  const db = options.db ?? prisma;
  const now = options.now ?? new Date();
  const settings = await db.shopSettings.findUnique({
    where: { shop },
    select: {
      credentialsStatus: true,
      credentialsMessage: true,
      credentialsCheckedAt: true,
      lastDeliveredAt: true,
      oppRefGraceSeconds: true,
    },
  });
  const windows = alertWindows(now, settings?.oppRefGraceSeconds ?? 0);

  const oldestFailing = await db.conversionEvent.findFirst({
    where: { shop, status: OPEN, attempts: { gt: 0 } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true, lastStatus: true, lastError: true },
  });
  const failingCount = oldestFailing
    ? await db.conversionEvent.count({ where: { shop, status: OPEN, attempts: { gt: 0 } } })
    : 0;

  const ratioRows = await queryEventAggregates(shop, windows.ratio.start, windows.ratio.end, db);
  const quietRows = await queryEventAggregates(shop, windows.receiptsQuiet.start, windows.receiptsQuiet.end, db);
  const baseline = await countReceipts(shop, windows.receiptsBaseline.start, windows.receiptsBaseline.end, db);
  const quiet = await countReceipts(shop, windows.receiptsQuiet.start, windows.receiptsQuiet.end, db);

  const expiring = await db.conversionEvent.aggregate({
    where: { shop, status: OPEN, expiresAt: { lte: windows.expiryHorizon } },
    _count: { _all: true },
    _min: { expiresAt: true },
  });

  return {
    now,
    credentials: {
      status: settings?.credentialsStatus ?? "unknown",
      message: settings?.credentialsMessage ?? null,
      checkedAt: settings?.credentialsCheckedAt ?? null,
    },
    oldestFailing,
    failingCount,
    lastDeliveredAt: settings?.lastDeliveredAt ?? null,
    ratio: ratioFromAggregates(ratioRows),
    receipts: { baseline, quiet, webOrdersQuiet: webOrdersFromAggregates(quietRows) },
    expiring: { count: expiring._count._all, earliest: expiring._min.expiresAt ?? null },
  };
}

/** The alerts for the banner on every admin page (JSON-safe). */
export async function loadShopAlerts(shop: string, options: { db?: Db; now?: Date } = {}): Promise<Alert[]> {
  return evaluateAlerts(await gatherAlertInputs(shop, options));
}
