// Every vitest worker gets its own migrated database (PrismaSessionStorage hangs on a missing
// table): migrate one template with the real migrations, then copy it per worker. Each run gets its
// own folder (and, on Postgres, its own databases), so two runs on one machine never share one.
//
// SQLite (default): template.sqlite copied to test-<worker>.sqlite in the run folder.
// Postgres: TEST_DATABASE_PROVIDER=postgres and TEST_POSTGRES_URL (a server URL whose user may
// CREATE DATABASE; `scripts/ci/start-postgres.sh` prints one). A template database is migrated with
// `prisma migrate deploy` (prisma/postgres/migrations), then cloned per worker with
// CREATE DATABASE … TEMPLATE …; all of them are dropped when the run ends.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { dropPostgresDatabase } from "../scripts/postgres-databases";
import { POSTGRES_SCHEMA, postgresSchemaFrom, SQLITE_SCHEMA } from "../scripts/postgres-schema";
import { POSTGRES_WORKER_IDS, postgresTestSettings, withDatabase } from "./helpers/test-database";

export default async function setup() {
  const root = path.join(process.cwd(), "test-artifacts");
  mkdirSync(root, { recursive: true });
  for (const entry of readdirSync(root)) {
    const full = path.join(root, entry);
    if (entry.startsWith("run-") && Date.now() - statSync(full).mtimeMs > 3600_000)
      rmSync(full, { recursive: true, force: true });
  }
  const runId = `${Date.now()}-${process.pid}`;
  const dir = path.join(root, `run-${runId}`);
  mkdirSync(dir, { recursive: true });
  process.env.TEST_RUN_DIR = dir;
  // Integration tests run the real built app (server.js: express + Remix + worker) as a child
  // process, built fresh into this run's folder.
  const buildDir = path.join(dir, "build");
  execFileSync("npx", ["remix", "vite:build", "--logLevel", "error"], {
    env: { ...process.env, REMIX_BUILD_DIR: buildDir },
    stdio: ["ignore", "ignore", "inherit"],
  });
  execFileSync(
    "npx",
    [
      "esbuild",
      "server.ts",
      "scripts/worker.ts",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--packages=external",
      "--target=node22",
      `--outdir=${buildDir}`,
      "--entry-names=[name]",
      "--log-level=warning",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  process.env.APP_BUILD_DIR = buildDir;

  // The SQLite template exists in every run: a few tests start their own app on a private copy.
  const template = path.join(dir, "template.sqlite");
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${template}` },
    stdio: "ignore",
  });
  for (const id of ["0", "1", "2", "3", "4", "5", "6", "7", "8"]) {
    copyFileSync(template, path.join(dir, `test-${id}.sqlite`));
  }

  if (process.env.TEST_DATABASE_PROVIDER === "postgres") {
    const dropAll = await setupPostgres(runId);
    return async () => {
      await dropAll();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  return () => rmSync(dir, { recursive: true, force: true });
}

async function setupPostgres(runId: string): Promise<() => Promise<void>> {
  // The Postgres schema is derived from prisma/schema.prisma; a stale copy (or client) would fail
  // every test with a confusing validation error, so say what to run instead.
  const sqliteSchema = readFileSync(SQLITE_SCHEMA, "utf8");
  if (readFileSync(POSTGRES_SCHEMA, "utf8") !== postgresSchemaFrom(sqliteSchema)) {
    throw new Error(
      "prisma/postgres/schema.prisma is stale: run `npm run db:postgres-schema` and add the Postgres migration",
    );
  }
  execFileSync("node", ["scripts/generate-prisma-clients.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
  const settings = postgresTestSettings();
  const prefix = `oppref_test_${runId.replace(/\D/g, "_")}`;
  process.env.TEST_POSTGRES_DB_PREFIX = prefix;
  const template = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: settings.serverUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `TEST_DATABASE_PROVIDER=postgres but ${settings.redactedUrl} is not reachable (${(error as Error).message}). ` +
        'Start one with `export TEST_POSTGRES_URL="$(scripts/ci/start-postgres.sh)"`.',
    );
  }
  try {
    // Databases left behind by runs that were killed more than an hour ago.
    const stale = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'oppref_test_%'",
    );
    for (const { datname } of stale.rows) {
      const startedAt = Number(/^oppref_test_(\d+)_/.exec(datname)?.[1]);
      if (startedAt && Date.now() - startedAt > 3600_000) await dropPostgresDatabase(admin, datname);
    }
    await admin.query(`CREATE DATABASE "${template}"`);
    execFileSync("npx", ["prisma", "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: withDatabase(settings.serverUrl, template) },
      stdio: ["ignore", "ignore", "inherit"],
    });
    for (const id of POSTGRES_WORKER_IDS) await admin.query(`CREATE DATABASE "${prefix}_${id}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  return async () => {
    const client = new pg.Client({ connectionString: settings.serverUrl });
    await client.connect();
    try {
      for (const name of [template, ...POSTGRES_WORKER_IDS.map((id) => `${prefix}_${id}`)]) {
        // A database that cannot be dropped now is dropped by a later run (see above): cleaning up
        // must not turn a passing run into a failing one.
        await dropPostgresDatabase(client, name).catch((error) =>
          console.warn(`could not drop ${name}: ${(error as Error).message}`),
        );
      }
    } finally {
      await client.end();
    }
  };
}
