// Environment every test process sees. shopifyApp() throws at import without these.
process.env.SHOPIFY_API_KEY ??= "test-api-key";
process.env.SHOPIFY_API_SECRET ??= "test-api-secret";
process.env.SHOPIFY_APP_URL ??= "https://app.example.test";
process.env.SCOPES ??= "read_orders,write_pixels,read_customer_events";
process.env.ENCRYPTION_KEY ??= "x3Jc0nQw9bqkz0mJ1oXv4yQGx6oBq2m5yWc1kWcJt2M=";
process.env.OPENAI_CAPI_URL ??= "http://127.0.0.1:9";
process.env.NODE_ENV ??= "test";
// test/global-setup.ts makes one migrated database per run and worker: a SQLite file in the run's
// folder (TEST_RUN_DIR), or with TEST_DATABASE_PROVIDER=postgres a database on TEST_POSTGRES_URL's server.
const { workerDatabaseUrl } = await import("./helpers/test-database");
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL ?? workerDatabaseUrl();

// Tests share their database with child processes (the app, workers). On SQLite: wait for locks
// instead of failing with SQLITE_BUSY, exactly like the app does.
const { initDatabase, default: prisma } = await import("~/db/client.server");
await initDatabase();

// Each test file starts with no work due. The files of one vitest worker share its database, and a
// worker pass claims every due event, stored webhook and running backfill in it: what an earlier
// file left due would be sent, logged and counted by this file's app processes, under this file's
// assertions. (Finished rows stay: nothing claims them.)
// A process the previous file SIGKILLed can leave its Postgres transaction running for a moment, and
// Postgres then ends one of two deadlocked statements: that one is simply run again.
async function againAfterDeadlock(statement: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await statement();
      return;
    } catch (error) {
      if (attempt >= 5 || !/deadlock detected/i.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
await againAfterDeadlock(() => prisma.webhookInbox.deleteMany({}));
await againAfterDeadlock(() =>
  prisma.conversionEvent.deleteMany({ where: { status: { in: ["pending", "sending"] } } }),
);
await againAfterDeadlock(() => prisma.backfillJob.deleteMany({ where: { state: "running" } }));

// The server processes hash with Node (app/security/node-sha256.server.ts); so do the tests.
await import("~/security/node-sha256.server");

export {};
