/**
 * Graceful shutdown for the web server and the worker processes (SIGTERM from an orchestrator, or
 * Ctrl-C). The steps run in order: stop taking work (close the listening socket: no new connections;
 * requests in flight finish, so a webhook still gets its 200 only once it is stored), let background
 * work finish what it started (the delivery worker records OpenAI's answer or releases its lease),
 * then close the database. Exit 0 when all steps are done; exit 1 if they take longer than
 * SHUTDOWN_TIMEOUT_MS (anything unfinished is then covered by leases running out).
 */
import type { Server } from "node:http";
import { logger } from "~/logger.server";

export interface ShutdownStep {
  name: string;
  run(): Promise<unknown>;
}

let shuttingDown = false;

/** True once a shutdown signal arrived: /readyz answers 503 so load balancers stop sending traffic. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

export function shutDownOnSignals(
  steps: ShutdownStep[],
  options: { timeoutMs: number; exit?: (code: number) => void },
): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const started = Date.now();
    logger.info({ signal, timeoutMs: options.timeoutMs }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ signal, timeoutMs: options.timeoutMs }, "shutdown timed out; exiting with work unfinished");
      exit(1);
    }, options.timeoutMs);
    timer.unref();
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        failed = true;
        logger.error(
          { step: step.name, err: error instanceof Error ? error.message : String(error) },
          "shutdown step failed",
        );
      }
    }
    clearTimeout(timer);
    logger.info({ signal, ms: Date.now() - started }, "shut down");
    exit(failed ? 1 : 0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/**
 * Stops accepting connections and resolves once every request in flight has been answered.
 * Keep-alive connections are closed as soon as they are idle (between requests), so a client
 * holding one open cannot keep the process alive.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    server.close((error) => {
      clearInterval(idle);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
