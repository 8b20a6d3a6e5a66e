/**
 * Global setup of the attack suite: a results file for this run, and at the end one summary line:
 * attacks tried, attacks that changed data (must be 0), and the figures attacks reported.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

interface ResultLine {
  kind: "attack" | "figure";
  name: string;
  changedData?: boolean;
  value?: number;
  unit?: string;
}

export default function setup() {
  const dir = path.join(process.cwd(), "test-artifacts");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `attacks-${process.pid}.jsonl`);
  rmSync(file, { force: true });
  process.env.ATTACK_RESULTS_FILE = file;
  return () => {
    let lines: ResultLine[] = [];
    try {
      lines = readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ResultLine);
    } catch {
      // no attack ran
    }
    rmSync(file, { force: true });
    const attacks = lines.filter((l) => l.kind === "attack");
    const changed = attacks.filter((l) => l.changedData);
    const figures = lines.filter((l) => l.kind === "figure").map((l) => `${l.name} ${l.value} ${l.unit}`);
    for (const l of changed) console.log(`attack changed data: ${l.name}`);
    console.log(
      `attack suite: ${attacks.length} attacks tried, ${changed.length} changed data` +
        (figures.length ? `; ${figures.join("; ")}` : ""),
    );
  };
}
