/**
 * Shared pieces of the fault-injection suite (test/faults): a seeded RNG, the "exactly once, nothing
 * lost" check against the OpenAI stand-in, and the summary every scenario adds its figures to.
 *
 * Figures per scenario:
 * - expected: event keys (type or custom name + id) that must be accepted by OpenAI;
 * - accepted: how many of those the stand-in accepted (it keeps the FIRST per key, like OpenAI);
 * - duplicated: events OpenAI accepted that the app did not mean to send under that key — an id minted
 *   twice for one order, a second event for one order, anything not in `expected` — plus database rows
 *   that duplicate a business key. Must be 0;
 * - lost: expected keys never accepted. Must be 0;
 * - resent: same-id retransmissions OpenAI's first-wins dedup absorbed (at-least-once delivery at
 *   work, e.g. after a crash between OpenAI's answer and our commit): informative, not an error.
 */
import { appendFileSync } from "node:fs";
import prisma from "~/db/client.server";
import type { OpenAiStandin } from "../../sim/openai-standin";

export interface ScenarioFigures {
  scenario: string;
  status: "run" | "skipped";
  expected: number;
  accepted: number;
  duplicated: number;
  lost: number;
  resent: number;
  notes?: string;
}

export { seededRandom } from "../helpers/seeded-random";

export const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export { sleep };

/**
 * Compares what OpenAI accepted for `pixelId` with what had to arrive, and with the app's own rows
 * for `shop`: every expected key accepted, nothing else accepted, every `delivered` row accepted,
 * no row left open, no business key stored twice.
 */
export async function deliveryFigures(
  scenario: string,
  standin: OpenAiStandin,
  targets: { shop: string; pixelId: string; expected: Iterable<string> }[],
  resent: number,
  notes?: string,
): Promise<ScenarioFigures & { problems: string[] }> {
  const problems: string[] = [];
  let expectedCount = 0;
  let acceptedCount = 0;
  let duplicated = 0;
  let lost = 0;
  for (const target of targets) {
    const expected = new Set(target.expected);
    expectedCount += expected.size;
    const accepted = standin.accepted(target.pixelId).filter((a) => a.source === "capi");
    const acceptedKeys = accepted.map((a) => eventKey(a.event.type, a.event.custom_event_name, a.event.id));
    const acceptedSet = new Set(acceptedKeys);
    duplicated += acceptedKeys.length - acceptedSet.size; // impossible at a first-wins receiver, counted anyway
    for (const key of expected) {
      if (acceptedSet.has(key)) acceptedCount++;
      else lost++;
    }
    const unexpected = [...acceptedSet].filter((key) => !expected.has(key));
    duplicated += unexpected.length;
    if (unexpected.length)
      problems.push(`${target.shop}: accepted but not expected: ${unexpected.slice(0, 5).join(", ")}`);

    const rows = await prisma.conversionEvent.findMany({
      where: { shop: target.shop },
      select: { status: true, eventName: true, eventId: true, orderId: true, eventType: true },
    });
    const open = rows.filter((r) => r.status === "pending" || r.status === "sending");
    if (open.length) problems.push(`${target.shop}: ${open.length} event(s) still open`);
    const notAccepted = rows.filter((r) => r.status === "delivered" && !acceptedSet.has(rowKey(r)));
    if (notAccepted.length)
      problems.push(`${target.shop}: ${notAccepted.length} row(s) marked delivered that OpenAI never accepted`);
    const keys = rows.filter((r) => r.eventId !== null).map(rowKey);
    const dupRows = keys.length - new Set(keys).size;
    const ordersWithTwoCreates = countDuplicates(
      rows.filter((r) => r.eventName === "order_created" && r.orderId).map((r) => r.orderId!),
    );
    duplicated += dupRows + ordersWithTwoCreates;
    if (dupRows + ordersWithTwoCreates)
      problems.push(
        `${target.shop}: duplicated rows ${dupRows}, orders with two order_created rows ${ordersWithTwoCreates}`,
      );
  }
  if (lost) problems.push(`${lost} expected event(s) lost`);
  return {
    scenario,
    status: "run",
    expected: expectedCount,
    accepted: acceptedCount,
    duplicated,
    lost,
    resent,
    notes,
    problems,
  };
}

function rowKey(row: { eventType: string; eventName: string; eventId: string | null }): string {
  return row.eventType === "custom" ? `custom:${row.eventName}:${row.eventId}` : `${row.eventName}:${row.eventId}`;
}

function eventKey(type: string, customName: string | undefined, id: string): string {
  return type === "custom" ? `custom:${customName}:${id}` : `${type}:${id}`;
}

function countDuplicates(values: string[]): number {
  return values.length - new Set(values).size;
}

/** Records a scenario's figures: for this file's summary line and for scripts/fault-suite.ts. */
export class FaultSummary {
  private readonly rows: ScenarioFigures[] = [];
  constructor(private readonly suite: string) {}

  add(figures: ScenarioFigures): void {
    const { scenario, status, expected, accepted, duplicated, lost, resent, notes } = figures;
    const row = { scenario, status, expected, accepted, duplicated, lost, resent, notes };
    this.rows.push(row);
    const file = process.env.FAULT_SUMMARY_FILE;
    if (file) appendFileSync(file, `${JSON.stringify({ suite: this.suite, ...row })}\n`);
  }

  line(): string {
    return summaryLine(this.suite, this.rows);
  }

  /** One line per scenario, then the summary line. */
  report(): string {
    return [...this.rows.map(scenarioLine), this.line()].join("\n");
  }
}

export function scenarioLine(row: ScenarioFigures): string {
  const figures =
    row.status === "run"
      ? `expected=${row.expected} accepted=${row.accepted} duplicated=${row.duplicated} lost=${row.lost} resent=${row.resent}`
      : "skipped";
  return `  ${row.scenario.padEnd(30)} ${figures}${row.notes ? `  (${row.notes})` : ""}`;
}

export function summaryLine(label: string, rows: ScenarioFigures[]): string {
  const run = rows.filter((r) => r.status === "run");
  const sum = (k: "expected" | "accepted" | "duplicated" | "lost" | "resent") => run.reduce((n, r) => n + r[k], 0);
  const skipped = rows.length - run.length;
  return (
    `[fault suite: ${label}] scenarios run=${run.length}${skipped ? ` (skipped ${skipped})` : ""}, ` +
    `events expected=${sum("expected")}, accepted=${sum("accepted")}, duplicated=${sum("duplicated")}, lost=${sum("lost")}` +
    ` (same-id resends absorbed by OpenAI dedup: ${sum("resent")})`
  );
}

/** The app process is alive and answers /healthz with 200. */
export async function healthy(url: string, child: { exitCode: number | null }): Promise<boolean> {
  if (child.exitCode !== null) return false;
  try {
    const response = await fetch(new URL("/healthz", url));
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
