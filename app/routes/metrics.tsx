import type { LoaderFunctionArgs } from "@remix-run/node";
import { metricsResponse } from "~/ops/metrics.server";

// Prometheus scrape endpoint, bearer-token protected (METRICS_TOKEN; unset → 404): app/ops/metrics.server.ts.
export const loader = ({ request }: LoaderFunctionArgs) => metricsResponse(request);
