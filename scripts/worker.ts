/**
 * The delivery worker on its own (`npm run worker`, `npm run worker -- --once`). Run as many as you
 * like beside the web process(es); leases keep them from sending the same row at the same time.
 * It also applies webhooks stored by web processes running with WEBHOOK_ACK=stored (the inbox).
 * `--inbox-only`: apply stored webhooks and deliver nothing (appliers and senders scaled apart;
 * the bench measures the applier alone this way).
 */
import { config, ConfigError } from "~/config.server";
import "~/security/node-sha256.server";
import { assertStoredKeysConfigured } from "~/models/key-inventory.server";
import { keyRing } from "~/security/keyring.server";
import prisma, { initDatabase } from "~/db/client.server";
import { closeHttpServer, shutDownOnSignals } from "~/lib/graceful-shutdown.server";
import { startMetricsListener } from "~/ops/metrics-listener.server";
import { runUntilIdle, startDeliveryWorker } from "~/outbox/worker.server";
import { drainInbox, startInboxApplier } from "~/webhooks/inbox.server";
import { startBackfillRunner } from "~/backfill/runner.server";

async function main() {
  const env = config();
  await initDatabase();
  // Every stored encrypted value must be openable with the configured keys (clear error otherwise).
  await assertStoredKeysConfigured(keyRing());
  if (process.argv.includes("--once")) {
    await drainInbox();
    const reports = await runUntilIdle({ baseUrl: env.OPENAI_CAPI_URL });
    const total = reports.reduce((n, r) => n + r.delivered, 0);
    console.log(`delivered ${total} event(s) in ${reports.length} batch(es)`);
    process.exit(0);
  }
  const worker = process.argv.includes("--inbox-only")
    ? null
    : startDeliveryWorker({ baseUrl: env.OPENAI_CAPI_URL, intervalMs: env.WORKER_INTERVAL_MS });
  const inbox = startInboxApplier();
  const backfill = startBackfillRunner({ intervalMs: env.WORKER_INTERVAL_MS });
  // This process's counters (deliveries, applied webhooks) for Prometheus: app/ops/metrics.server.ts.
  const metricsServer = env.METRICS_PORT > 0 ? await startMetricsListener(env.METRICS_PORT) : null;
  // SIGTERM/SIGINT: finish the OpenAI request in flight and record its answer (or release the lease),
  // finish the inbox batch, close the database, exit (app/lib/graceful-shutdown.server.ts).
  shutDownOnSignals(
    [
      { name: "background work", run: () => Promise.all([worker?.stop(), inbox.stop(), backfill.stop()]) },
      { name: "metrics listener", run: async () => metricsServer && (await closeHttpServer(metricsServer)) },
      { name: "database", run: () => prisma.$disconnect() },
    ],
    { timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
  );
}

main().catch((error) => {
  console.error(
    error instanceof ConfigError ? error.message : `Worker failed: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
});
