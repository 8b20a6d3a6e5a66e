// Environment every test process sees. shopifyApp() throws at import without these.
process.env.SHOPIFY_API_KEY ??= "test-api-key";
process.env.SHOPIFY_API_SECRET ??= "test-api-secret";
process.env.SHOPIFY_APP_URL ??= "https://app.example.test";
process.env.SCOPES ??= "read_orders,write_pixels,read_customer_events";
process.env.ENCRYPTION_KEY ??= "x3Jc0nQw9bqkz0mJ1oXv4yQGx6oBq2m5yWc1kWcJt2M=";
process.env.OPENAI_CAPI_URL ??= "http://127.0.0.1:9";
process.env.NODE_ENV ??= "test";
// test/global-setup.ts makes a folder per run (TEST_RUN_DIR) holding one migrated file per worker.
process.env.DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? `file:${process.env.TEST_RUN_DIR}/test-${process.env.VITEST_POOL_ID ?? "0"}.sqlite`;

// Tests share their database file with child processes (the app, workers): wait for locks
// instead of failing with SQLITE_BUSY, exactly like the app does.
const { initDatabase } = await import("~/db.server");
await initDatabase();
