/**
 * The demo's closing table, read from the database the app wrote (records, not the demo's own
 * expectations) and cross-checked with what the OpenAI stand-in actually accepted.
 */
import { createPrismaClient } from "../app/db/client.server";
import { SKIP_REASONS, isSkipReason } from "../app/conversions/skip-reasons";
import { formatMinorUnits } from "../app/conversions/money";
import type { CapiEvent } from "../app/conversions/capi-event";
import { conversionEventFromRow, orderLedgerFromRow } from "../app/models/money-columns.server";

export async function summarize(databaseUrl: string, shop: string, acceptedByOpenAi: CapiEvent[]): Promise<string> {
  const prisma = createPrismaClient(databaseUrl);
  try {
    const rows = (await prisma.conversionEvent.findMany({ where: { shop }, orderBy: { createdAt: "asc" } })).map(
      conversionEventFromRow,
    );
    const webhooks = await prisma.webhookDelivery.count({ where: { shop } });
    const ledger = (await prisma.orderLedger.findMany({ where: { shop } })).map(orderLedgerFromRow);
    const acceptedIds = new Set(acceptedByOpenAi.map((e) => `${e.type}|${e.custom_event_name ?? ""}|${e.id}`));
    const lines: string[] = [];
    const orders = rows.filter((r) => r.eventType === "order_created");
    const corrections = rows.filter((r) => r.eventType === "custom" && r.eventName !== "subscription_renewed");
    const subscriptionEvents = rows.filter((r) => r.eventType !== "order_created" && !corrections.includes(r));
    const delivered = rows.filter((r) => r.status === "delivered");
    const confirmed = delivered.filter((r) => {
      const event = JSON.parse(r.payload ?? "{}") as CapiEvent;
      return acceptedIds.has(`${event.type}|${event.custom_event_name ?? ""}|${event.id}`);
    });
    lines.push(`  Webhooks stored (unique Shopify events): ${webhooks}`);
    lines.push(
      `  Orders received: ${orders.length}   corrections: ${corrections.length}   subscription events: ${subscriptionEvents.length}`,
    );
    lines.push(
      `  Accepted by OpenAI (2xx): ${delivered.length}   of which found in the stand-in's log: ${confirmed.length}`,
    );
    const skipped = rows.filter((r) => ["skipped", "rejected", "expired"].includes(r.status));
    const byReason = new Map<string, number>();
    for (const r of skipped) byReason.set(r.skipReason ?? r.status, (byReason.get(r.skipReason ?? r.status) ?? 0) + 1);
    lines.push(`  Not sent: ${skipped.length}`);
    for (const [reason, count] of [...byReason].sort()) {
      lines.push(
        `    ${String(count).padStart(3)}  ${reason.padEnd(22)} ${isSkipReason(reason) ? SKIP_REASONS[reason] : ""}`,
      );
    }
    const waiting = rows.filter((r) => r.status === "pending" || r.status === "sending");
    lines.push(`  Still waiting: ${waiting.length}`);
    lines.push("");
    lines.push("  order   event            status     reason / oppref source        amount");
    for (const r of rows) {
      const amount =
        r.amountMinor !== null && r.currency ? `${formatMinorUnits(r.currency, r.amountMinor)} ${r.currency}` : "";
      const detail =
        r.status === "delivered" ? `oppref: ${r.opprefSource ?? "none"}` : (r.skipReason ?? r.lastError ?? "");
      lines.push(
        `  ${(r.orderName ?? "?").padEnd(7)} ${r.eventName.padEnd(16)} ${r.status.padEnd(10)} ${detail.slice(0, 29).padEnd(29)} ${amount}`,
      );
    }
    if (ledger.length) {
      lines.push("");
      lines.push("  Net revenue ledger (gross → net):");
      for (const l of ledger.filter((x) => x.grossMinor !== null && x.currency)) {
        lines.push(
          `    ${(l.orderName ?? l.orderId).padEnd(7)} ${formatMinorUnits(l.currency!, l.grossMinor!)} → ${formatMinorUnits(l.currency!, l.netMinor ?? 0)} ${l.currency}`,
        );
      }
    }
    return lines.join("\n");
  } finally {
    await prisma.$disconnect();
  }
}
