/**
 * How a shop's outbox is doing, for the admin's status header: events not yet delivered, and events
 * that are failing (retrying after an error, or refused by OpenAI).
 */
import prisma from "~/db/client.server";

export interface EventHealth {
  /** pending or sending: not yet delivered. */
  waiting: number;
  /** pending after at least one failed attempt, or rejected by OpenAI. */
  failing: number;
}

export async function eventHealth(shop: string): Promise<EventHealth> {
  const [waiting, failing] = await Promise.all([
    prisma.conversionEvent.count({ where: { shop, status: { in: ["pending", "sending"] } } }),
    prisma.conversionEvent.count({
      where: { shop, OR: [{ status: "pending", attempts: { gt: 0 } }, { status: "rejected" }] },
    }),
  ]);
  return { waiting, failing };
}
