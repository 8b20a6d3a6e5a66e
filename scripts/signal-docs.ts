/**
 * Writes the results of the last `npm run simulate` (build/simulate/latest.json) into docs/SIGNAL.md
 * (between `simulate:start` / `simulate:end`) and the headline into README.md (between
 * `simulate-headline:start` / `-end`), so both show measured figures only.
 *
 *   npx tsx scripts/signal-docs.ts           # print the section
 *   npx tsx scripts/signal-docs.ts --write   # and replace them in docs/SIGNAL.md and README.md
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  formatTable,
  headlineOf,
  pct,
  type BuyerOutcome,
  type GroupMetrics,
  type TargetCheck,
} from "../sim/attribution-report";
import type { BuyerSpec } from "../sim/population";

const ROOT = process.cwd();
const RESULT = path.join(ROOT, "build", "simulate", "latest.json");
const DOC = path.join(ROOT, "docs", "SIGNAL.md");
const README = path.join(ROOT, "README.md");

interface Result {
  generatedAt: string;
  mode: string;
  seed: number;
  buyers: number;
  durationSeconds: number;
  outcomes: (BuyerOutcome & { spec: BuyerSpec })[];
  overall: GroupMetrics;
  groups: Record<string, GroupMetrics>;
  perBlocker: Record<string, GroupMetrics>;
  perTiming: Record<string, GroupMetrics>;
  perCheckout: Record<string, GroupMetrics>;
  unreachableChoiceReasons: Record<string, number>;
  targets: TargetCheck[];
}

const rows = (groups: Record<string, GroupMetrics>) => Object.entries(groups).map(([label, m]) => ({ label, m }));

function headlineTable(r: Result): string[] {
  // Recomputed from the buyers' outcomes, so the figures follow sim/attribution-report.ts.
  const h = headlineOf(r.outcomes);
  return [
    "| population-weighted (drawn buyers) | this app | the decision guide |",
    "|---|---:|---:|",
    `| orders OpenAI may count that the pixel alone does not get counted | ${pct(h.pixelLostShare)} | 20-30% |`,
    `| of those orders, counted thanks to server events | ${pct(h.serverRecoveredShare)} | 15-25% |`,
    `| ad-driven orders OpenAI may count that reach it with their \`oppref\`: pixel alone → pixel + server + embed | ${pct(h.opprefShareByPixel)} → ${pct(h.opprefShareWithServer)} | — |`,
    `| orders OpenAI may count, counted with server events over counted by the pixel alone | ${h.serverLift === null ? "–" : `+${pct(h.serverLift)}`} | — |`,
  ];
}

function readmeSection(r: Result): string {
  const h = headlineOf(r.outcomes);
  return [
    `${r.mode === "full" ? "Full" : "Quick"} run, seed ${r.seed}, ${r.buyers} buyers (${h.buyers} drawn from the population), ${r.generatedAt.slice(0, 10)}:`,
    "",
    ...headlineTable(r),
    "",
    formatTable([...rows(r.perBlocker), { label: "**all buyers**", m: r.overall }]),
    "",
    ...r.targets.map((t) => `- ${t.ok ? "✅" : "❌"} ${t.name}: ${t.detail}`),
  ].join("\n");
}

function section(r: Result): string {
  const h = headlineOf(r.outcomes);
  const lines = [
    `${r.mode === "full" ? "Full" : "Quick"} run, seed ${r.seed}, ${r.buyers} buyers (${r.buyers - h.buyers} coverage + ${h.buyers} drawn), ` +
      `${r.generatedAt.slice(0, 10)}, ${r.durationSeconds} s in all (\`build/simulate/latest.json\`).`,
    "",
    ...headlineTable(r),
    "",
    "Per kind of buyer (all buyers, coverage included). *OpenAI counted*: by the pixel only / the server only /",
    "both with one id. *oppref at OpenAI*: by the source of the `oppref` OpenAI kept (pixel image tag, the",
    "pixel's receipt, `landing_site`, the embed's cart attribute). *target scope*: in-scope orders whose",
    "`oppref` reached OpenAI. *correctly not sent*: of orders whose buyer did not allow it. *server lift*:",
    "orders OpenAI may count, counted with server events over counted by the pixel alone.",
    "",
    formatTable([...rows(r.groups), { label: "**all buyers**", m: r.overall }]),
    "",
    "By visit timing and by checkout:",
    "",
    formatTable([...rows(r.perTiming), ...rows(r.perCheckout)]),
    "",
    "Refusals that could not reach the app (no receipt, no cart attribute):",
    "",
    ...(Object.keys(r.unreachableChoiceReasons).length
      ? Object.entries(r.unreachableChoiceReasons).map(([why, n]) => `- ${n} × ${why}`)
      : ["- none"]),
    `- of them sent by the server under the shop's consent policy: ${r.overall.unreachableChoicesSent}`,
    "",
    "Targets:",
    "",
    ...r.targets.map((t) => `- ${t.ok ? "✅" : "❌"} ${t.name}: ${t.detail}`),
  ];
  return lines.join("\n");
}

const result = JSON.parse(readFileSync(RESULT, "utf8")) as Result;
const text = section(result);
function replaceBetween(file: string, marker: string, text: string) {
  const doc = readFileSync(file, "utf8");
  const start = doc.indexOf(`<!-- ${marker}:start -->`);
  const end = doc.indexOf(`<!-- ${marker}:end -->`);
  if (start < 0 || end < start) throw new Error(`${file} has no ${marker}:start / ${marker}:end markers`);
  writeFileSync(file, `${doc.slice(0, start)}<!-- ${marker}:start -->\n${text}\n${doc.slice(end)}`);
}

if (process.argv.includes("--write")) {
  replaceBetween(DOC, "simulate", text);
  replaceBetween(README, "simulate-headline", readmeSection(result));
  console.log("docs/SIGNAL.md and README.md updated");
} else {
  console.log(text);
}
