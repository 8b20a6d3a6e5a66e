/**
 * The database side of the readiness checklist (app/admin/readiness.ts decides): a few set-based
 * queries over the last 7 days of one shop — the same aggregates the reconciliation page and the
 * alerts use, plus one count of order events that carried a hashed email or phone. Each query is an
 * index range scan on (shop, createdAt) or (shop, receivedAt); nothing loops over orders.
 */
import { Prisma } from "@prisma/client";
import prisma from "~/db/client.server";
import { ratioFromAggregates, webOrdersFromAggregates } from "~/conversions/alerts";
import { buildOpprefCoverage, buildPixelLoss } from "~/conversions/reconciliation";
import { countReceipts, queryEventAggregates, queryWebOrderAggregates, type Db } from "./reconciliation.server";

export interface RecentReadinessFacts {
  webOrders: number;
  receipts: number;
  pixel: { pixelSent: number; both: number };
  oppref: {
    delivered: number;
    withOppref: number;
    bySource: { receipt: number; landing_site: number; note_attributes: number };
  };
  ratio: { deliverable: number; accepted: number };
  buyerData: { withPayload: number; withEmailOrPhone: number };
}

const num = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

/** Facts over [now - days, now). */
export async function gatherRecentReadinessFacts(
  shop: string,
  options: { db?: Db; now?: Date; days?: number } = {},
): Promise<RecentReadinessFacts> {
  const db = options.db ?? prisma;
  const end = options.now ?? new Date();
  const start = new Date(end.getTime() - (options.days ?? 7) * 86_400_000);
  // One after the other, like the reconciliation loader: one connection, one query at a time.
  const events = await queryEventAggregates(shop, start, end, db);
  const web = await queryWebOrderAggregates(shop, start, end, db);
  const receipts = await countReceipts(shop, start, end, db);
  const buyer = await countBuyerData(shop, start, end, db);
  const pixel = buildPixelLoss(web.pixel);
  const oppref = buildOpprefCoverage(web.pixel);
  return {
    webOrders: webOrdersFromAggregates(events),
    receipts,
    pixel: { pixelSent: pixel.pixelSent, both: pixel.both },
    oppref: { delivered: oppref.delivered, withOppref: oppref.withOppref, bySource: oppref.bySource },
    ratio: ratioFromAggregates(events),
    buyerData: buyer,
  };
}

/**
 * order_created events with a stored CAPI payload, and those whose payload carries hashed emails or
 * phone numbers. The payload is JSON.stringify output, and these keys exist only under `user`, so a
 * LIKE on the key is exact in both dialects.
 */
async function countBuyerData(
  shop: string,
  start: Date,
  end: Date,
  db: Db,
): Promise<{ withPayload: number; withEmailOrPhone: number }> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT COUNT(*) AS "n",
           SUM(CASE WHEN e."payload" LIKE ${Prisma.raw(`'%"emails!_sha256":%' ESCAPE '!'`)}
                      OR e."payload" LIKE ${Prisma.raw(`'%"phone!_numbers!_sha256":%' ESCAPE '!'`)} THEN 1 ELSE 0 END) AS "withBuyer"
      FROM "ConversionEvent" e
     WHERE e."shop" = ${shop} AND e."eventType" = 'order_created'
       AND e."createdAt" >= ${start} AND e."createdAt" < ${end}
       AND e."payload" IS NOT NULL`;
  return { withPayload: num(rows[0]?.n), withEmailOrPhone: num(rows[0]?.withBuyer) };
}

/** The merchant's tick for the manual Ads Manager step (null: not done / undone). */
export async function setConversionEventConfirmed(shop: string, at: Date | null): Promise<void> {
  await prisma.shopSettings.upsert({
    where: { shop },
    create: { shop, conversionEventConfirmedAt: at },
    update: { conversionEventConfirmedAt: at },
  });
}
