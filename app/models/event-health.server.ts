/**
 * How a shop's outbox is doing, for the admin's status header: events not yet delivered, events
 * that are failing (retrying after an error, or refused by OpenAI), and how far behind the
 * application of its stored webhooks is (WEBHOOK_ACK=stored).
 */
import prisma from "~/db/client.server";
import { oldestUnappliedAgeMs } from "./webhook-inbox.server";

export interface EventHealth {
  /** pending or sending: not yet delivered. */
  waiting: number;
  /** pending after at least one failed attempt, or rejected by OpenAI. */
  failing: number;
  /** age of the shop's oldest webhook acknowledged but not yet applied, in ms; 0 when none waits. */
  applyLagMs: number;
}

export async function eventHealth(shop: string, now: Date = new Date()): Promise<EventHealth> {
  const [waiting, failing, applyLagMs] = await Promise.all([
    prisma.conversionEvent.count({ where: { shop, status: { in: ["pending", "sending"] } } }),
    prisma.conversionEvent.count({
      where: { shop, OR: [{ status: "pending", attempts: { gt: 0 } }, { status: "rejected" }] },
    }),
    oldestUnappliedAgeMs(now, shop),
  ]);
  return { waiting, failing, applyLagMs };
}
