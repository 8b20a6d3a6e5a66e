/**
 * `npm run worker`'s metrics: a small node:http listener on METRICS_PORT that answers `GET /metrics`
 * (same token, same exposition as the web process's route) and nothing else. Delivery and applying
 * stored webhooks happen in the worker, so its counters live here; a worker has no other HTTP server.
 */
import http from "node:http";
import { logger } from "~/logger.server";
import { serveMetrics } from "./metrics.server";

export function startMetricsListener(port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET", "Content-Type": "text/plain" }).end("Method Not Allowed");
      return;
    }
    serveMetrics(req, res).catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, "metrics scrape failed");
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      logger.info({ port: bound }, "metrics listener started");
      resolve(server);
    });
  });
}
