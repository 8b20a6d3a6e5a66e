/**
 * `npm run test:faults`: the fault-injection suite (test/faults) — real child processes, real HTTP on
 * loopback, the real SQLite file, the OpenAI stand-in — followed by ONE summary line over all of its
 * scenarios: scenarios run, events expected, accepted, duplicated (must be 0), lost (must be 0).
 *
 * Exit code: vitest's, or 1 when any scenario reports a duplicate or a loss.
 * Extra arguments go to vitest (e.g. `npm run test:faults -- -t sigkill`). FAULT_SEED changes the seed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { scenarioLine, summaryLine, type ScenarioFigures } from "../test/faults/harness";

const summaryFile = path.join(os.tmpdir(), `fault-summary-${process.pid}-${Date.now()}.jsonl`);
const run = spawnSync("npx", ["vitest", "run", "test/faults", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, FAULT_SUMMARY_FILE: summaryFile },
});

const rows: (ScenarioFigures & { suite: string })[] = existsSync(summaryFile)
  ? readFileSync(summaryFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ScenarioFigures & { suite: string })
  : [];
rmSync(summaryFile, { force: true });

console.log("");
for (const row of rows) console.log(scenarioLine(row));
console.log(summaryLine("all", rows));

const broken = rows.some((r) => r.duplicated > 0 || r.lost > 0);
process.exit(run.status !== 0 ? (run.status ?? 1) : broken || rows.length === 0 ? 1 : 0);
