/**
 * The attack suite's harness (`npm run test:attacks`, vitest.attacks.config.ts): the production build
 * (NODE_ENV=production, this run's `build/`) as a child process on loopback, attacked over real HTTP.
 *
 * `attack(name, run)` is one attack: it fingerprints every row of every table, runs the attack,
 * fingerprints again and fails if anything changed. Each outcome is appended to the run's results
 * file; test/attacks/summary.ts prints the totals (attacks tried, attacks that changed data) and the
 * figures attacks report with `reportFigure` (e.g. memory and latency under a body flood).
 */
import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import { Prisma } from "@prisma/client";
import { expect, it } from "vitest";
import prisma from "~/db/client.server";
import { startAppProcess, type AppProcess } from "../helpers/app-process";

/** The documented production settings (README, .env.example), on this worker's database. */
export function startProductionApp(env: Record<string, string> = {}): Promise<AppProcess> {
  return startAppProcess({ NODE_ENV: "production", RUN_WORKER: "false", LOG_LEVEL: "warn", ...env });
}

/** What an attack may leave behind: by default nothing at all. */
export interface AttackAllowance {
  /**
   * The record of a webhook refused by a rule of the apply step (WebhookDelivery with its
   * rejectedReason, e.g. an order id already seen under another shop): the refusal's trace, no effect.
   */
  rejectionRecords?: boolean;
}

/** A digest of every row of every table: equal before and after ⇔ the attack changed no data. */
export async function databaseFingerprint(allow: AttackAllowance = {}): Promise<string> {
  const hash = createHash("sha256");
  for (const model of Object.values(Prisma.ModelName).sort()) {
    const delegate = (prisma as unknown as Record<string, { findMany(args?: object): Promise<unknown[]> }>)[
      model.charAt(0).toLowerCase() + model.slice(1)
    ];
    const where =
      allow.rejectionRecords && model === Prisma.ModelName.WebhookDelivery
        ? { where: { rejectedReason: null } }
        : undefined;
    const rows = (await delegate.findMany(where)).map((row) =>
      JSON.stringify(row, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
    );
    hash.update(`${model}\n${rows.sort().join("\n")}\n`);
  }
  return hash.digest("hex");
}

function results(line: Record<string, unknown>) {
  const file = process.env.ATTACK_RESULTS_FILE;
  if (file) appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** Records one attack outcome (for attacks that judge "changed data" themselves). */
export function recordAttack(name: string, changedData: boolean) {
  results({ kind: "attack", name, changedData });
}

/** A figure printed in the suite's summary line, e.g. ("peak RSS", 312, "MB"). */
export function reportFigure(name: string, value: number, unit: string) {
  results({ kind: "figure", name, value, unit });
}

/** Performs the attack itself; the harness fingerprints the database around it. */
export type Strike = (perform: () => Promise<void>) => Promise<void>;

/**
 * One attack as a test: `run` prepares what the attack needs (a victim shop, a captured body), then
 * calls `strike` with the attack itself (which asserts the answers it must get). No row of the
 * database may differ after the strike from before it.
 */
export function attack(
  name: string,
  run: (strike: Strike) => Promise<void>,
  timeout = 60_000,
  allow: AttackAllowance = {},
) {
  it(
    name,
    async () => {
      let struck = false;
      let changed = true;
      await run(async (perform) => {
        struck = true;
        const before = await databaseFingerprint(allow);
        try {
          await perform();
          changed = (await databaseFingerprint(allow)) !== before;
        } finally {
          recordAttack(name, changed);
        }
      });
      expect(struck, "the attack never struck").toBe(true);
      expect(changed, "the attack changed data").toBe(false);
    },
    timeout,
  );
}
