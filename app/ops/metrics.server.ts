/**
 * Prometheus metrics (prom-client): what an on-call engineer needs to see the app is ingesting,
 * applying and delivering. Served at `GET /metrics` behind METRICS_TOKEN by the web process, and by
 * `npm run worker` on METRICS_PORT (app/ops/metrics-listener.server.ts).
 *
 * Two kinds of series:
 *  - counters and histograms of what THIS process did (webhooks received by the web process,
 *    applied and delivered where the worker runs); Prometheus sums them over the targets;
 *  - queue gauges read from the database at scrape time (app/models/queue-depth.server.ts): every
 *    process reports the same value, so aggregate them with max(), not sum().
 *
 * Every label value comes from a fixed set defined here (topics the app subscribes to, outcomes,
 * status classes, auth failure kinds), never from a request: a forged header can make a counter
 * count, never make a new series (unbounded label values are a memory attack). Nothing is per shop.
 *
 * The instrumentation is the one-line calls of `metrics` below; call sites record once per request
 * or per batch.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { configValue } from "~/config.server";
import { queueDepths, type QueueDepths } from "~/models/queue-depth.server";

/** Every topic the app is subscribed to (app/webhooks/registry.server.ts, shopify.app.toml); anything else is "other". */
export const TOPIC_LABELS = [
  "orders/create",
  "orders/paid",
  "orders/cancelled",
  "refunds/create",
  "app/uninstalled",
  "app/scopes_update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
  "other",
] as const;
type TopicLabel = (typeof TOPIC_LABELS)[number];

/** The webhook route's answer, by HTTP status (app/webhooks/lean-path.server.ts). */
export const RECEIVED_OUTCOMES = {
  200: "accepted",
  400: "bad_request",
  401: "bad_signature",
  405: "method_not_allowed",
  413: "too_large",
  503: "busy",
  500: "error",
} as const;
type ReceivedOutcome = (typeof RECEIVED_OUTCOMES)[keyof typeof RECEIVED_OUTCOMES];

/** What applying a verified webhook did. */
export const APPLIED_OUTCOMES = ["applied", "duplicate", "refused", "ignored", "failed"] as const;
type AppliedOutcome = (typeof APPLIED_OUTCOMES)[number];

export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "network"] as const;
type StatusClass = (typeof STATUS_CLASSES)[number];

/** The delivery batch report's outcome counts (app/outbox/deliver.server.ts BatchReport). */
export const EVENT_OUTCOMES = ["delivered", "rejected", "retried", "skipped", "held", "expired"] as const;
type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export const AUTH_FAILURE_KINDS = ["webhook_hmac", "openai_credentials", "metrics_token"] as const;
type AuthFailureKind = (typeof AUTH_FAILURE_KINDS)[number];

/**
 * The process's metrics, created once per process: server.ts and the Remix build are separate
 * bundles that each carry a copy of this module, and both must count into the registry /metrics serves.
 */
function createMetricSet() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "oppref_" });

  const webhooksReceived = new Counter({
    name: "oppref_webhooks_received_total",
    help: "Webhook requests answered by this process, by topic and outcome (accepted = 200).",
    labelNames: ["topic", "outcome"],
    registers: [registry],
  });
  const webhooksApplied = new Counter({
    name: "oppref_webhooks_applied_total",
    help: "Verified webhooks applied by this process (their effects committed), by topic and outcome.",
    labelNames: ["topic", "outcome"],
    registers: [registry],
  });
  const openaiAnswers = new Counter({
    name: "oppref_openai_answers_total",
    help: "Conversions API requests sent by the delivery worker, by the class of OpenAI's answer.",
    labelNames: ["status_class"],
    registers: [registry],
  });
  const deliveryBatches = new Histogram({
    name: "oppref_delivery_batch_size",
    help: "Events claimed per delivery batch (one shop's batch).",
    buckets: [1, 10, 50, 100, 250, 500, 1000],
    registers: [registry],
  });
  const deliveryEvents = new Counter({
    name: "oppref_delivery_events_total",
    help: "Events a delivery batch settled, by outcome (held = waits for a receipt or for setup; retried = OpenAI asked for later).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const deliveryLatency = new Histogram({
    name: "oppref_delivery_latency_seconds",
    help: "Per delivered event: from the webhook's ingest (the event stored) to OpenAI's 2xx.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 21600, 86400],
    registers: [registry],
  });
  const authFailures = new Counter({
    name: "oppref_auth_failures_total",
    help: "Authentication failures: webhook HMAC wrong, OpenAI rejecting a shop's Conversions API key, wrong metrics token.",
    labelNames: ["kind"],
    registers: [registry],
  });

  // Every series of the labelled counters exists from the start (at 0), so rate() and alerts see the
  // first increment, and the exposition shows the whole bounded label set.
  for (const topic of TOPIC_LABELS) {
    for (const outcome of Object.values(RECEIVED_OUTCOMES)) webhooksReceived.inc({ topic, outcome }, 0);
    for (const outcome of APPLIED_OUTCOMES) webhooksApplied.inc({ topic, outcome }, 0);
  }
  for (const cls of STATUS_CLASSES) openaiAnswers.inc({ status_class: cls }, 0);
  for (const outcome of EVENT_OUTCOMES) deliveryEvents.inc({ outcome }, 0);
  for (const kind of AUTH_FAILURE_KINDS) authFailures.inc({ kind }, 0);

  /** One set of queries per scrape for all the queue gauges (they are collected concurrently). */
  let scrape: Promise<QueueDepths> | null = null;
  function depths(): Promise<QueueDepths> {
    scrape ??= queueDepths().finally(() => setTimeout(() => (scrape = null), 0));
    return scrape;
  }
  function queueGauge(name: string, help: string, value: (d: QueueDepths) => number) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(value(await depths()));
      },
    });
  }
  queueGauge(
    "oppref_inbox_depth",
    "Stored webhooks not yet applied (WEBHOOK_ACK=stored), from the database.",
    (d) => d.inbox,
  );
  queueGauge(
    "oppref_inbox_quarantined",
    "Stored webhooks no configured key can decrypt (set aside; configure the key), from the database.",
    (d) => d.inboxQuarantined,
  );
  queueGauge(
    "oppref_inbox_oldest_age_seconds",
    "Apply lag: age of the oldest stored webhook not yet applied (0 when none), from the database.",
    (d) => d.oldestInboxAgeSeconds,
  );
  queueGauge("oppref_outbox_depth", "Conversion events pending or being sent, from the database.", (d) => d.outbox);
  queueGauge(
    "oppref_outbox_oldest_pending_age_seconds",
    "Age of the oldest pending conversion event (waiting, held or in backoff; 0 when none), from the database.",
    (d) => d.oldestPendingAgeSeconds,
  );

  return {
    registry,
    webhooksReceived,
    webhooksApplied,
    openaiAnswers,
    deliveryBatches,
    deliveryEvents,
    deliveryLatency,
    authFailures,
  };
}
type MetricSet = ReturnType<typeof createMetricSet>;

declare global {
  var __opprefMetrics: MetricSet | undefined;
}

const {
  registry,
  webhooksReceived,
  webhooksApplied,
  openaiAnswers,
  deliveryBatches,
  deliveryEvents,
  deliveryLatency,
  authFailures,
} = (globalThis.__opprefMetrics ??= createMetricSet());
function topicLabel(topic: unknown): TopicLabel {
  return typeof topic === "string" && (TOPIC_LABELS as readonly string[]).includes(topic)
    ? (topic as TopicLabel)
    : "other";
}

/**
 * The topic a webhook on a route counts under: the header's, if it is one the route is subscribed
 * to (a signed body can be replayed under any header); else the route's own when it has one topic.
 */
function routeTopic(routeTopics: readonly string[], headerTopic: unknown): TopicLabel {
  if (typeof headerTopic === "string" && routeTopics.includes(headerTopic)) return topicLabel(headerTopic);
  return routeTopics.length === 1 ? topicLabel(routeTopics[0]) : "other";
}

function receivedOutcome(status: number): ReceivedOutcome {
  return RECEIVED_OUTCOMES[status as keyof typeof RECEIVED_OUTCOMES] ?? "error";
}

/** The outcome of an ingest function's result (app/webhooks/registry.server.ts), in the bounded set. */
function appliedOutcome(result: unknown): AppliedOutcome {
  if (result === "duplicate") return "duplicate";
  // The batch path answers with the outcome's name.
  if (result === "refused") return "refused";
  if (typeof result === "object" && result !== null) {
    if ("refused" in result) return "refused";
    if ((result as { outcome?: unknown }).outcome === "ignored") return "ignored";
  }
  if (typeof result === "string" && result !== "stored") return "ignored";
  return "applied";
}

export function statusClass(status: number | null): StatusClass {
  if (status === null || status === 0) return "network";
  if (status >= 200 && status < 300) return "2xx";
  if (status >= 300 && status < 400) return "3xx";
  return status >= 500 ? "5xx" : "4xx";
}

/** The one-line calls the app makes. */
export const metrics = {
  /** A webhook request on a route with `routeTopics` was answered with `status`. */
  webhookReceived(routeTopics: readonly string[], headerTopic: unknown, status: number): void {
    webhooksReceived.inc({ topic: routeTopic(routeTopics, headerTopic), outcome: receivedOutcome(status) });
    if (status === 401) authFailures.inc({ kind: "webhook_hmac" });
  },
  /** A verified webhook was applied (`result` is the ingest function's) or failed ("failed"). */
  webhookApplied(routeTopics: readonly string[], headerTopic: unknown, result: unknown): void {
    const outcome = result === "failed" ? "failed" : appliedOutcome(result);
    webhooksApplied.inc({ topic: routeTopic(routeTopics, headerTopic), outcome });
  },
  /** One Conversions API request answered (`null`: no answer, a network failure or timeout). */
  openaiAnswered(status: number | null): void {
    openaiAnswers.inc({ status_class: statusClass(status) });
  },
  /** One shop's delivery batch finished, with its counts by outcome. */
  deliveryBatchFinished(report: { claimed: number } & Record<EventOutcome, number>): void {
    deliveryBatches.observe(report.claimed);
    for (const outcome of EVENT_OUTCOMES) if (report[outcome] > 0) deliveryEvents.inc({ outcome }, report[outcome]);
  },
  /** Events OpenAI accepted at `deliveredAt`, each stored at one of `storedAt`. */
  eventsDelivered(storedAt: readonly Date[], deliveredAt: Date): void {
    for (const at of storedAt) deliveryLatency.observe(Math.max(0, (deliveredAt.getTime() - at.getTime()) / 1000));
  },
  authFailed(kind: AuthFailureKind): void {
    authFailures.inc({ kind });
  },
};

/** True when `presented` is the configured token, compared in constant time (and without a length oracle). */
function tokenMatches(presented: string, token: string): boolean {
  // timingSafeEqual needs equal lengths: comparing digests keeps the length of the token out of the timing too.
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

interface MetricsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The answer to a scrape: 404 when METRICS_TOKEN is not set (the endpoint does not exist), 401
 * without the right bearer token, else the text exposition (never cached).
 */
async function answerScrape(authorization: string | null | undefined): Promise<MetricsAnswer> {
  const token = configValue("METRICS_TOKEN");
  if (!token) return { status: 404, headers: { "Content-Type": "text/plain" }, body: "Not Found" };
  const presented = /^Bearer ([^\s]+)$/i.exec(authorization ?? "")?.[1] ?? "";
  if (!tokenMatches(presented, token)) {
    metrics.authFailed("metrics_token");
    return {
      status: 401,
      headers: { "Content-Type": "text/plain", "WWW-Authenticate": 'Bearer realm="metrics"' },
      body: "Unauthorized",
    };
  }
  return {
    status: 200,
    headers: { "Content-Type": registry.contentType, "Cache-Control": "private, no-store" },
    body: await registry.metrics(),
  };
}

/** `GET /metrics` in the web process (app/routes/metrics.tsx). */
export async function metricsResponse(request: Request): Promise<Response> {
  const answer = await answerScrape(request.headers.get("Authorization"));
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** `GET /metrics` on node:http (the worker's listener, app/ops/metrics-listener.server.ts). */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const answer = await answerScrape(req.headers.authorization);
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}
