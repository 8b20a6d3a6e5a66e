import { databaseAnswers } from "~/models/health.server";

// Liveness + database reachability for load balancers. Says nothing about any shop.
export const loader = async () => {
  const ok = await databaseAnswers();
  return Response.json({ ok }, { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
};
