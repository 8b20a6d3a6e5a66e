/**
 * `/healthz` answered by plain node:http in front of Express/Remix (server.ts), like the webhooks.
 *
 * Why: a liveness probe must stay cheap exactly when the process is busiest. Through Remix every probe
 * pays for routing, a web Request and the framework's response handling; during a flood of webhook
 * bodies that work queues behind the flood on the one JS thread and the load balancer sees a slow or
 * dead instance. Here a probe costs one trivial database query. The Remix route (app/routes/healthz.tsx)
 * gives the same answer where server.ts is not in front (`remix vite:dev`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { databaseAnswers } from "~/models/health.server";

/** The probe's answer: 200 `{"ok":true}`, or 503 `{"ok":false}` when the database does not answer. */
export async function livenessAnswer(): Promise<{ status: number; body: string }> {
  const ok = await databaseAnswers();
  return { status: ok ? 200 : 503, body: JSON.stringify({ ok }) };
}

/** Answers GET/HEAD /healthz and returns true; returns false for every other request. */
export function handleLiveness(req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  const path = url.indexOf("?") === -1 ? url : url.slice(0, url.indexOf("?"));
  if (path !== "/healthz" || (req.method !== "GET" && req.method !== "HEAD")) return false;
  void livenessAnswer().then(({ status, body }) => {
    res.writeHead(status, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": String(Buffer.byteLength(body)),
      "Cache-Control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  return true;
}
