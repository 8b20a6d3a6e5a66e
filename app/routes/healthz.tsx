import { livenessAnswer } from "~/ops/liveness.server";

// Liveness + database reachability for load balancers. Says nothing about any shop. In production
// server.ts answers /healthz before Remix (app/ops/liveness.server.ts); this route serves the dev server.
export const loader = async () => {
  const { status, body } = await livenessAnswer();
  return new Response(body, { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });
};
