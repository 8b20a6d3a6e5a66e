/**
 * The app's configuration, read once from the environment and checked. A missing or malformed
 * variable stops start-up with a message that names it, instead of failing later on a request.
 */
import { z } from "zod";

const base64Key32 = z
  .string({ required_error: "is required (32 random bytes, base64: `openssl rand -base64 32`)" })
  .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes encoded as base64");

const RETENTION_DAYS_RULE = "must be a whole number of days from 8 to 3650";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string({ required_error: "is required (the app's client id)" }).min(1, "is empty"),
  SHOPIFY_API_SECRET: z.string({ required_error: "is required (the app's client secret)" }).min(1, "is empty"),
  SHOPIFY_APP_URL: z
    .string({ required_error: "is required (public https URL of this app)" })
    .url("must be an absolute URL"),
  SCOPES: z.string().default("read_orders,write_pixels,read_customer_events"),
  DATABASE_URL: z
    .string()
    .default("file:./prisma/dev.sqlite")
    .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), "must start with file: (SQLite) or postgres://"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ENCRYPTION_KEY: base64Key32,
  // Comma-separated older keys, still accepted for decryption while values are re-encrypted.
  ENCRYPTION_KEY_PREVIOUS: z.string().optional(),
  OPENAI_CAPI_URL: z.string().url("must be an absolute URL").default("https://bzr.openai.com"),
  // "true" in the offline demo only: lets /app open without Shopify. Refused in production.
  LOCAL_PREVIEW: z.enum(["true", "false"]).default("false"),
  // The delivery worker runs inside the web process unless this is "false" (run it separately).
  RUN_WORKER: z.enum(["true", "false"]).default("true"),
  WORKER_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  // Finished events, receipts and webhook records older than this are purged by the worker; never
  // before OpenAI's 7-day window has closed. Digits only ("1e3" is not a number of days).
  RETENTION_DAYS: z.preprocess(
    (v) => (typeof v === "string" ? v.trim() || undefined : v),
    z
      .string()
      .regex(/^\d{1,5}$/, RETENTION_DAYS_RULE)
      .transform(Number)
      .pipe(z.number().min(8, RETENTION_DAYS_RULE).max(3650, RETENTION_DAYS_RULE))
      .default("90"),
  ),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // When a webhook is answered 200: "stored" (default) = once the verified webhook is committed to
  // the inbox, its effects applied moments later in batches; "processed" = after its effects are
  // committed (group-committed batches, at about a quarter of the rate: docs/PERFORMANCE.md).
  // Both acknowledge nothing that is not on disk.
  WEBHOOK_ACK: z.enum(["processed", "stored"]).default("stored"),
  // Postgres connections per process (pg pool); web processes group-commit, so a few go a long way.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  // Tests only: where the Admin API is reached instead of https://<shop> (a stand-in on loopback).
  // Refused unless loopback, so a stored access token can never be sent anywhere else.
  SHOPIFY_ADMIN_API_ORIGIN: z
    .string()
    .url()
    .refine((url) => isLoopbackUrl(url), "must be a loopback URL (a test stand-in)")
    .optional(),
  // Open connections the web server accepts at once; more are closed on arrival.
  MAX_CONNECTIONS: z.coerce.number().int().min(16).max(100_000).default(2048),
  // Webhook body bytes held in memory at once across all requests (MB); beyond it 503 + Retry-After.
  WEBHOOK_BODIES_IN_FLIGHT_MB: z.coerce.number().int().min(8).max(4096).default(32),
  // Reverse proxies in front of the app that append X-Forwarded-For (a load balancer: 1). 0 = none:
  // rate limits key on the TCP peer's address and X-Forwarded-For is ignored (a client can forge it).
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  // How long an applier owns a claimed inbox row before another may take it (its process died).
  WEBHOOK_INBOX_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  // SIGTERM/SIGINT: how long requests in flight and the worker's current batch may take to finish
  // before the process exits anyway (exit code 1; leases cover what was left). Below the orchestrator's
  // kill grace period (Kubernetes: 30 s), above the OpenAI request timeout (15 s).
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(25_000),
  // Bearer token for GET /metrics (Prometheus). Unset: the endpoint does not exist (404).
  // (Empty, as in .env.example: unset.)
  METRICS_TOKEN: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^[\x21-\x7e]{16,}$/, "must be at least 16 printable characters without spaces (`openssl rand -hex 24`)")
      .optional(),
  ),
  // `npm run worker` serves GET /metrics on this port (its own counters: delivery happens there). 0 = none.
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
});

export type AppConfig = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    // Name the variable and the rule; never echo the value (it may be a secret).
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".")} ${i.message}`));
  }
  const config = result.data;
  if (config.NODE_ENV === "production" && config.LOCAL_PREVIEW === "true") {
    throw new ConfigError(["LOCAL_PREVIEW must not be true in production (it bypasses Shopify authentication)"]);
  }
  // NODE_ENV is often simply unset on a deploy: the preview also needs an app URL only this machine
  // can reach, whatever NODE_ENV says.
  if (config.LOCAL_PREVIEW === "true" && !isLoopbackUrl(config.SHOPIFY_APP_URL)) {
    throw new ConfigError([
      "LOCAL_PREVIEW may only be true with a loopback SHOPIFY_APP_URL (it bypasses Shopify authentication)",
    ]);
  }
  if (config.METRICS_PORT > 0 && !config.METRICS_TOKEN) {
    throw new ConfigError([
      "METRICS_PORT needs METRICS_TOKEN (the metrics listener answers only with the bearer token)",
    ]);
  }
  return config;
}

/** http(s)://localhost, 127.x.x.x or [::1]: an address no other machine reaches. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * One variable, checked by the same rule as in config(), for modules that are also loaded where the
 * whole app configuration is not set (database access from scripts, tests, the bench). An empty
 * value counts as unset. Start-up still validates everything through config().
 */
export function configValue<K extends keyof AppConfig>(
  name: K,
  env: Record<string, string | undefined> = process.env,
): AppConfig[K] {
  const raw = env[name];
  const result = schema.shape[name].safeParse(raw === "" ? undefined : raw);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => `${name} ${i.message}`));
  return result.data as AppConfig[K];
}

let cached: AppConfig | undefined;
export function config(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
