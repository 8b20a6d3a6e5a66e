/**
 * Production entry (`npm start`): serves the Remix app and runs the delivery worker in the same
 * process. Set RUN_WORKER=false to run workers separately (`npm run worker`), e.g. several of them.
 *
 * `/webhooks/*` is answered by a lean node:http path in front of Express/Remix (same process, same
 * ingest functions: app/webhooks/lean-path.server.ts), and so is the `/healthz` liveness probe
 * (app/ops/liveness.server.ts), so it stays cheap while webhooks flood in; everything else goes to Remix.
 * WEBHOOK_ACK=stored acknowledges webhooks once stored; the worker (here with RUN_WORKER=true, else
 * `npm run worker`) applies them moments later (docs/SCALING.md).
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import "~/security/node-sha256.server";
import express, { type ErrorRequestHandler } from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { config, ConfigError } from "~/config.server";
import { assertStoredKeysConfigured } from "~/models/key-inventory.server";
import { keyRing } from "~/security/keyring.server";
import prisma, { initDatabase } from "~/db/client.server";
import { closeHttpServer, shutDownOnSignals } from "~/lib/graceful-shutdown.server";
import { startDeliveryWorker } from "~/outbox/worker.server";
import { startInboxApplier } from "~/webhooks/inbox.server";
import { startBackfillRunner } from "~/backfill/runner.server";
import { createLeanWebhookPath } from "~/webhooks/lean-path.server";
import { handleLiveness } from "~/ops/liveness.server";
import { noteRequestError, requestErrorSink, watchErrorResponses } from "~/ops/error-log.server";

async function main() {
  const env = config();
  await initDatabase();
  // Every stored encrypted value must be openable with the configured keys (clear error otherwise).
  await assertStoredKeysConfigured(keyRing());
  const root = path.dirname(fileURLToPath(import.meta.url));
  const buildDir = root.endsWith(`${path.sep}build`) ? root : path.join(root, "build");
  const build = (await import(pathToFileURL(path.join(buildDir, "server", "index.js")).href)) as ServerBuild;

  const app = express();
  app.disable("x-powered-by");
  app.use("/assets", express.static(path.join(buildDir, "client", "assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h" }));
  // The TCP peer's address: rate limits key on it unless TRUSTED_PROXY_HOPS says a proxy sits in front.
  // requestErrors: where Remix's handleError notes a failure for the request's one log line.
  app.all(
    "*",
    createRequestHandler({
      build,
      getLoadContext: (req, res) => ({ remoteAddress: req.socket.remoteAddress, requestErrors: requestErrorSink(res) }),
    }),
  );
  app.use(expressErrors);

  const webhooks = createLeanWebhookPath({ ack: env.WEBHOOK_ACK });
  const server = http.createServer((req, res) => {
    if (handleLiveness(req, res)) return;
    if (webhooks.handle(req, res)) return;
    // One JSON log line per 404/405/5xx or thrown error (app/ops/error-log.server.ts); the lean
    // webhook path logs its own, so the hot path carries no watcher.
    watchErrorResponses(req, res);
    app(req, res);
  });
  // A client that trickles its headers or body, or opens connections without end, must not hold
  // memory and sockets for ever: Shopify sends a webhook in well under a second and gives up after 5 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxConnections = env.MAX_CONNECTIONS;
  server.listen(env.PORT, "0.0.0.0", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : env.PORT;
    // One plain line on stdout: tests and the demo read the port from it.
    console.log(`listening on http://127.0.0.1:${port}`);
  });
  const worker =
    env.RUN_WORKER === "true"
      ? startDeliveryWorker({ baseUrl: env.OPENAI_CAPI_URL, intervalMs: env.WORKER_INTERVAL_MS })
      : null;
  // Background work lives where the worker lives: here with RUN_WORKER=true (one process does all),
  // else in `npm run worker` processes, so web processes spend their time answering.
  const inbox = env.RUN_WORKER === "true" ? startInboxApplier() : null;
  const backfill = env.RUN_WORKER === "true" ? startBackfillRunner({ intervalMs: env.WORKER_INTERVAL_MS }) : null;

  installGracefulShutdown(server, [worker, inbox, backfill], env.SHUTDOWN_TIMEOUT_MS);
}

/**
 * An error that reached Express (the Remix adapter could not form a request, a static file could not
 * be read): a plain answer without a stack (Express's default writes the stack to stderr and, outside
 * production, into the page), noted for the request's one log line.
 */
const expressErrors: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  noteRequestError(res, error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = (error as { status?: unknown } | null)?.status;
  const code = typeof status === "number" && status >= 400 && status < 600 ? status : 500;
  res
    .status(code)
    .type("text/plain")
    .set("Cache-Control", "no-store")
    .send(code >= 500 ? "Internal Server Error" : "Bad Request");
};

/**
 * SIGTERM/SIGINT: stop accepting connections and wait for the requests in flight (a webhook's 200
 * comes only once it is stored), then let the worker and the inbox applier finish what they started,
 * then close the database (app/lib/graceful-shutdown.server.ts).
 */
function installGracefulShutdown(
  server: http.Server,
  background: ({ stop(): Promise<void> } | null)[],
  timeoutMs: number,
) {
  shutDownOnSignals(
    [
      { name: "http server", run: () => closeHttpServer(server) },
      { name: "background work", run: () => Promise.all(background.map((b) => b?.stop())) },
      { name: "database", run: () => prisma.$disconnect() },
    ],
    { timeoutMs },
  );
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error("Start-up failed:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
