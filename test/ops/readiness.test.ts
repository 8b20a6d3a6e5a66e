/**
 * /readyz: ready on the migrated test database, and 503 with the reason in each not-ready state —
 * database unreachable, migrations not applied or pending, a stored value encrypted with a key that
 * is not configured, the in-process worker silent, shutting down.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import prisma, { createPrismaClient, currentDatabaseProvider } from "~/db/client.server";
import { checkReadiness, defaultReadinessDeps, type ReadinessDeps } from "~/ops/readiness.server";
import { encryptSecret, keyRingFrom } from "~/security/encryption.server";
import { loader } from "~/routes/readyz";
import { uniqueShop } from "../helpers/shops";

const healthy = (): ReadinessDeps => ({ ...defaultReadinessDeps(), worker: { expected: false }, shuttingDown: false });
const clients: { $disconnect(): Promise<void> }[] = [];
afterAll(async () => {
  for (const c of clients) await c.$disconnect().catch(() => undefined);
});

describe(`/readyz on ${currentDatabaseProvider()}`, () => {
  it("is ready on a migrated database with the configured key", async () => {
    const readiness = await checkReadiness(healthy());
    expect(readiness).toMatchObject({ ready: true, reason: null });
    expect(readiness.checks.map((c) => c.name)).toEqual([
      "shutdown",
      "database",
      "migrations",
      "encryption_keys",
      "worker",
    ]);
  });

  it("the route answers 200 with the checks (no worker in the test process)", async () => {
    const response = await loader();
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ ready: true });
  });

  it("database unreachable → not ready", async () => {
    const client =
      currentDatabaseProvider() === "postgres"
        ? createPrismaClient("postgresql://nobody:nothing@127.0.0.1:9/none")
        : createPrismaClient(`file:${path.join(tmpdir(), "no-such-dir-readyz", "x", "db.sqlite")}`);
    clients.push(client);
    const readiness = await checkReadiness({ ...healthy(), client });
    expect(readiness.ready).toBe(false);
    expect(readiness.reason).toMatch(/^database: unreachable/);
  });

  it.runIf(currentDatabaseProvider() === "sqlite")("a database without migrations → not ready", async () => {
    const client = createPrismaClient(`file:${path.join(mkdtempSync(path.join(tmpdir(), "readyz-")), "empty.sqlite")}`);
    clients.push(client);
    const readiness = await checkReadiness({ ...healthy(), client });
    expect(readiness.reason).toBe("migrations: no migrations applied (run `npm run setup`)");
  });

  it("a migration in the repository not applied → not ready, naming it", async () => {
    const deps = healthy();
    const readiness = await checkReadiness({
      ...deps,
      expectedMigrations: [...(deps.expectedMigrations ?? []), "29991231000000_from_a_newer_build"],
    });
    expect(readiness.ready).toBe(false);
    expect(readiness.reason).toBe("migrations: pending: 29991231000000_from_a_newer_build (run `npm run setup`)");
  });

  it("a stored value encrypted with a key that is not configured → not ready, naming the key id", async () => {
    const { shop } = uniqueShop("readyz");
    const droppedKey = keyRingFrom(Buffer.alloc(32, 7).toString("base64"));
    const envelope = encryptSecret(droppedKey, "capi_secret_never_logged");
    await prisma.shopSettings.create({ data: { shop, apiKeyCiphertext: envelope } });
    try {
      const readiness = await checkReadiness(healthy());
      expect(readiness.ready).toBe(false);
      expect(readiness.reason).toContain(`encryption_keys: stored values use key id(s) ${envelope.split(".")[1]}`);
      expect(JSON.stringify(readiness)).not.toContain("capi_secret_never_logged");
    } finally {
      await prisma.shopSettings.delete({ where: { shop } });
    }
  });

  it("the in-process delivery worker silent → not ready", async () => {
    const readiness = await checkReadiness({
      ...healthy(),
      worker: { expected: true, alive: false, silentMs: 90_000 },
    });
    expect(readiness.reason).toBe("worker: delivery worker silent for 90 s");
  });

  it("shutting down → not ready", async () => {
    const readiness = await checkReadiness({ ...healthy(), shuttingDown: true });
    expect(readiness.reason).toBe("shutdown: shutting down");
  });
});
