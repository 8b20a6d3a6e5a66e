/**
 * /readyz: may this process take traffic? Unlike /healthz (liveness: the process answers and the
 * database answers a trivial query), readiness also checks what makes requests fail or work pile up:
 *  - the database is reachable;
 *  - every migration in the repository's history is applied (a new build against an old schema);
 *  - every encryption key id named by a stored envelope has a key in ENCRYPTION_KEY /
 *    ENCRYPTION_KEY_PREVIOUS (a rotation that dropped a key too early);
 *  - the delivery worker of this process, if it runs one, has passed recently;
 *  - the process is not shutting down (SIGTERM: load balancers should stop sending).
 * The first failing check is the reason; all checks are listed.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import prisma, { currentDatabaseProvider } from "~/db/client.server";
import { isShuttingDown } from "~/lib/graceful-shutdown.server";
import { appliedMigrationNames, storedEncryptionKeyIds } from "~/models/probe.server";
import { keyIdsOf } from "~/security/encryption.server";
import { keyRing } from "~/security/keyring.server";
import { workerLiveness } from "./worker-heartbeat.server";

export interface ReadinessCheck {
  name: "shutdown" | "database" | "migrations" | "encryption_keys" | "worker";
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ready: boolean;
  reason: string | null;
  checks: ReadinessCheck[];
}

export interface ReadinessDeps {
  client: PrismaClient;
  /** Migration folder names the schema needs; null when the folder cannot be read. */
  expectedMigrations: string[] | null;
  configuredKeyIds: string[];
  worker: ReturnType<typeof workerLiveness>;
  shuttingDown: boolean;
}

export function defaultReadinessDeps(): ReadinessDeps {
  return {
    client: prisma,
    expectedMigrations: migrationsInRepository(),
    configuredKeyIds: keyIdsOf(keyRing()),
    worker: workerLiveness(),
    shuttingDown: isShuttingDown(),
  };
}

export async function checkReadiness(deps: ReadinessDeps = defaultReadinessDeps()): Promise<Readiness> {
  const checks: ReadinessCheck[] = [];
  checks.push({ name: "shutdown", ok: !deps.shuttingDown, detail: deps.shuttingDown ? "shutting down" : "running" });

  let reachable = true;
  try {
    await deps.client.$queryRaw`SELECT 1`;
    checks.push({ name: "database", ok: true, detail: "reachable" });
  } catch (error) {
    reachable = false;
    checks.push({ name: "database", ok: false, detail: `unreachable: ${shortError(error)}` });
  }

  if (reachable) {
    checks.push(await migrationsCheck(deps));
    checks.push(await keysCheck(deps));
  }

  const worker = deps.worker;
  checks.push(
    !worker.expected
      ? { name: "worker", ok: true, detail: "no delivery worker in this process" }
      : {
          name: "worker",
          ok: worker.alive,
          detail: worker.alive
            ? "delivery worker alive"
            : `delivery worker silent for ${Math.round(worker.silentMs / 1000)} s`,
        },
  );
  const failed = checks.find((c) => !c.ok);
  return { ready: !failed, reason: failed ? `${failed.name}: ${failed.detail}` : null, checks };
}

async function migrationsCheck(deps: ReadinessDeps): Promise<ReadinessCheck> {
  if (deps.expectedMigrations === null)
    return { name: "migrations", ok: false, detail: "the migrations folder could not be read" };
  let applied: Set<string>;
  try {
    applied = new Set(await appliedMigrationNames(deps.client));
  } catch {
    return { name: "migrations", ok: false, detail: "no migrations applied (run `npm run setup`)" };
  }
  const pending = deps.expectedMigrations.filter((m) => !applied.has(m));
  return pending.length === 0
    ? { name: "migrations", ok: true, detail: `${deps.expectedMigrations.length} applied` }
    : { name: "migrations", ok: false, detail: `pending: ${pending.join(", ")} (run \`npm run setup\`)` };
}

async function keysCheck(deps: ReadinessDeps): Promise<ReadinessCheck> {
  let stored: string[];
  try {
    stored = await storedEncryptionKeyIds(deps.client);
  } catch (error) {
    return { name: "encryption_keys", ok: false, detail: `could not read stored key ids: ${shortError(error)}` };
  }
  const configured = new Set(deps.configuredKeyIds);
  const missing = stored.filter((id) => !configured.has(id));
  return missing.length === 0
    ? { name: "encryption_keys", ok: true, detail: `${stored.length} key id(s) in use, all configured` }
    : {
        name: "encryption_keys",
        ok: false,
        // Key ids are digests, not keys: safe to name so the operator can find the missing one.
        detail: `stored values use key id(s) ${missing.join(", ")} that neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS holds`,
      };
}

/** The migration folders of the history `npm run setup` applies to this database (prisma.config.ts). */
export function migrationsInRepository(root = process.cwd()): string[] | null {
  const dir =
    currentDatabaseProvider() === "postgres"
      ? path.join(root, "prisma", "postgres", "migrations")
      : path.join(root, "prisma", "migrations");
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return null;
  }
}

function shortError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].slice(0, 200);
}
