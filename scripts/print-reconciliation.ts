/**
 * The reconciliation page's figures as a text table, for the offline demo and for a terminal:
 * the same loader (app/models/reconciliation.server.ts) and the same definitions and texts
 * (app/conversions/reconciliation.ts) as /app/reconciliation.
 *
 *   import { printReconciliation } from "./print-reconciliation";
 *   await printReconciliation("demo-shop.myshopify.com", { days: 7 });
 *
 *   npx tsx scripts/print-reconciliation.ts <shop> [--days N | --from YYYY-MM-DD --to YYYY-MM-DD]
 */
import { fileURLToPath } from "node:url";
import type { PrismaClient } from "@prisma/client";
import {
  formatMoney,
  OPPREF_SOURCES,
  skipReasonText,
  type OutcomeCounts,
  type ReconciliationReport,
} from "~/conversions/reconciliation";
import { parseDayRange, utcDay, type DayRange } from "~/conversions/day-range";
import {
  formatPercent,
  OPPREF_SOURCE_LABELS,
  OUTCOME_LABELS,
  opprefSummary,
  pixelLossSummary,
  sortedReasons,
  themeEmbedSummary,
} from "~/admin/reconciliation-text";
import { loadReconciliation } from "~/models/reconciliation.server";

export interface PrintOptions {
  /** Another database than the app's (DATABASE_URL). */
  db?: PrismaClient;
  now?: Date;
  /** Write to stdout (default true); the text is returned either way. */
  print?: boolean;
}

/** Loads the figures for `shop` over `range` (default: last 30 days), prints and returns the table. */
export async function printReconciliation(
  shop: string,
  range: DayRange | { days: number } = { days: 30 },
  options: PrintOptions = {},
): Promise<string> {
  const now = options.now ?? new Date();
  const days: DayRange = parseDayRange("days" in range ? { days: String(range.days) } : range, utcDay(now));
  const report = await loadReconciliation(shop, days, { db: options.db, now });
  const text = formatReconciliationText(report);
  if (options.print !== false) process.stdout.write(`${text}\n`);
  return text;
}

const W = 56;
const num = (n: number) => n.toLocaleString("en-US");
const row = (label: string, value: string, note = "") =>
  `  ${label.padEnd(W)}${value.padStart(9)}${note ? `   ${note}` : ""}`;
const pct = (part: number, whole: number) => formatPercent(whole > 0 ? part / whole : null);

function outcomeBlock(counts: OutcomeCounts, totalLabel: string): string[] {
  const lines = [
    row(totalLabel, num(counts.total)),
    row(OUTCOME_LABELS.accepted, num(counts.accepted), pct(counts.accepted, counts.total)),
    row(OUTCOME_LABELS.waiting, num(counts.waiting)),
    row(OUTCOME_LABELS.failed, num(counts.failed)),
    row(OUTCOME_LABELS.expired, num(counts.expired)),
    row(OUTCOME_LABELS.skipped, num(counts.skipped)),
  ];
  for (const [reason, n] of sortedReasons(counts.skippedByReason))
    lines.push(row(`    ${reason}`, num(n), skipReasonText(reason)));
  if (counts.other > 0) lines.push(row(OUTCOME_LABELS.other, num(counts.other)));
  return lines;
}

export function formatReconciliationText(report: ReconciliationReport): string {
  const { events, pixel, oppref, themeEmbed } = report;
  const x = events.excluded;
  const lines: string[] = [
    `Reconciliation for ${report.shop}, ${report.range.from} to ${report.range.to} (UTC days; read ${report.generatedAt})`,
    "",
    "WEB ORDERS",
    ...outcomeBlock(events.orders, "Web orders received"),
    `  Not counted as web orders: ${num(x.posOrders)} point-of-sale, ${num(x.nonWebOrders)} other channels, ${num(x.nonWebSent)} non-web sent, ${num(x.duplicates)} duplicates, ${num(x.subscriptionRenewals)} subscription renewals`,
    `  Subscriptions: ${num(events.subscriptions.created.accepted)}/${num(events.subscriptions.created.total)} first orders accepted as subscription_created; ${num(events.subscriptions.renewals)} renewals (not new sales), ${num(events.subscriptions.renewalsReported.accepted)} accepted as subscription_renewed`,
    "",
    "REFUND AND CANCELLATION REPORTS (custom events)",
    ...outcomeBlock(events.corrections, "Corrections recorded"),
    ...Object.entries(events.correctionsByName)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, c]) => row(`  ${name}`, `${num(c.accepted)}/${num(c.total)}`, "accepted/recorded")),
    "",
    "PIXEL LOSS, MEASURED ON THIS SHOP",
    row("Web orders", num(pixel.webOrders)),
    row("Pixel reported the sale to OpenAI", num(pixel.pixelSent), pct(pixel.pixelSent, pixel.webOrders)),
    row("Pixel ran, request blocked in the browser", num(pixel.pixelBlocked), pct(pixel.pixelBlocked, pixel.webOrders)),
    row(
      "Pixel ran, did not send (no consent / off)",
      num(pixel.pixelNotSent),
      pct(pixel.pixelNotSent, pixel.webOrders),
    ),
    row("No pixel signal at all", num(pixel.noReceipt), pct(pixel.noReceipt, pixel.webOrders)),
    row("Missed by the pixel", num(pixel.missedByPixel), formatPercent(pixel.pixelLossRate)),
    row("Counted only thanks to server events", num(pixel.serverOnly), formatPercent(pixel.serverRecoveryRate)),
    row("Reported by both (OpenAI counts once)", num(pixel.both)),
    row("Receipts: buyer declined consent", num(pixel.consentDenied)),
    row("Receipts that arrived late", num(pixel.lateReceipts)),
    row("Receipts for orders Shopify has not sent", num(report.receiptsWithoutOrder)),
    `  ${pixelLossSummary(pixel)}`,
    row(
      "Server-only, attributed thanks to the theme embed",
      num(themeEmbed.attributed),
      `${formatPercent(themeEmbed.share)} of ${num(themeEmbed.serverOnlyWithoutReceipt)} with no pixel signal (estimate)`,
    ),
    `  ${themeEmbedSummary(themeEmbed)}`,
    "",
    "OPPREF COVERAGE OF ACCEPTED SERVER EVENTS",
    row("Accepted server events", num(oppref.delivered)),
    ...OPPREF_SOURCES.map((s) =>
      row(`  ${OPPREF_SOURCE_LABELS[s]}`, num(oppref.bySource[s]), pct(oppref.bySource[s], oppref.delivered)),
    ),
    ...(oppref.otherSource ? [row("  Other source", num(oppref.otherSource))] : []),
    row(`  ${OPPREF_SOURCE_LABELS.none}`, num(oppref.withoutOppref), pct(oppref.withoutOppref, oppref.delivered)),
    `  ${opprefSummary(oppref)}`,
    "",
    "REVENUE (web orders, test orders excluded)",
  ];
  if (report.revenue.length === 0) lines.push("  none");
  for (const r of report.revenue) {
    if (r.currency === "unknown") {
      lines.push(`  ${num(r.orders)} ${r.orders === 1 ? "order" : "orders"} without a readable currency or amount`);
      continue;
    }
    lines.push(
      `  ${r.currency}: ${num(r.orders)} ${r.orders === 1 ? "order" : "orders"} · gross ${formatMoney(r.currency, r.grossMinor)} · refunded ${formatMoney(r.currency, r.refundedMinor)} · ` +
        `cancelled ${formatMoney(r.currency, r.cancelledMinor)} · net ${formatMoney(r.currency, r.netMinor)} · accepted by OpenAI ${formatMoney(r.currency, r.reportedMinor)}` +
        (r.correctionsReportedMinor
          ? ` · corrections reported ${formatMoney(r.currency, r.correctionsReportedMinor)}`
          : "") +
        (r.unknownAmount ? ` · ${num(r.unknownAmount)} with unknown amount` : ""),
    );
  }
  lines.push(
    "",
    "DAY BY DAY (UTC)",
    `  ${"day".padEnd(12)}${["orders", "accepted", "waiting", "rejected", "expired", "not sent", "corr."].map((h) => h.padStart(9)).join("")}`,
  );
  for (const d of events.days) {
    if (d.orders.total === 0 && d.corrections.total === 0) continue;
    const o = d.orders;
    lines.push(
      `  ${d.day.padEnd(12)}${[o.total, o.accepted, o.waiting, o.failed, o.expired, o.skipped, d.corrections.total].map((v) => num(v).padStart(9)).join("")}`,
    );
  }
  return lines.join("\n");
}

// ─── CLI ─────────────────────────────────────────────────────────────────────────────────────────

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const shop = args[0];
  if (!shop || shop.startsWith("--")) {
    console.error(
      "usage: npx tsx scripts/print-reconciliation.ts <shop> [--days N | --from YYYY-MM-DD --to YYYY-MM-DD]",
    );
    process.exit(2);
  }
  const from = argValue(args, "--from");
  const to = argValue(args, "--to");
  const range = from && to ? { from, to } : { days: Number(argValue(args, "--days") ?? 30) };
  printReconciliation(shop, range)
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
