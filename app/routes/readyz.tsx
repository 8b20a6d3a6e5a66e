import { checkReadiness } from "~/ops/readiness.server";

// Readiness for load balancers and orchestrators: 503 with the reason while this process should get
// no traffic (app/ops/readiness.server.ts). /healthz stays the cheap liveness check.
export const loader = async () => {
  const readiness = await checkReadiness();
  return Response.json(readiness, { status: readiness.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } });
};
