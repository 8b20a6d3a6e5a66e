/**
 * Structured logs (pino). Redaction is structural: any field that can carry a secret or PII is
 * censored wherever it appears, so a careless `log.info({ settings })` still leaks nothing.
 */
import pino from "pino";

const REDACTED_PATHS = [
  "apiKey",
  "*.apiKey",
  "api_key",
  "*.api_key",
  "apiKeyCiphertext",
  "*.apiKeyCiphertext",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "accessToken",
  "*.accessToken",
  "email",
  "*.email",
  "phone",
  "*.phone",
  "first_name",
  "*.first_name",
  "last_name",
  "*.last_name",
  // Secrets: session tokens, webhook signatures, cookies, the encryption keys.
  "refreshToken",
  "*.refreshToken",
  "access_token",
  "*.access_token",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "password",
  "*.password",
  "cookie",
  "*.cookie",
  "headers.cookie",
  'headers["set-cookie"]',
  '*.headers["x-shopify-hmac-sha256"]',
  'headers["x-shopify-hmac-sha256"]',
  "ENCRYPTION_KEY",
  "ENCRYPTION_KEY_PREVIOUS",
  "SHOPIFY_API_SECRET",
  "*.ENCRYPTION_KEY",
  "*.ENCRYPTION_KEY_PREVIOUS",
  "*.SHOPIFY_API_SECRET",
  // Raw buyer data as Shopify sends it (a webhook body or part of one, logged by mistake).
  "rawBody",
  "*.rawBody",
  "customer",
  "*.customer",
  "billing_address",
  "*.billing_address",
  "shipping_address",
  "*.shipping_address",
  "browser_ip",
  "*.browser_ip",
  "client_details",
  "*.client_details",
  "contact_email",
  "*.contact_email",
  "*.*.email",
  "*.*.phone",
  // Matching data, even hashed (pseudonymous personal data), and whole CAPI events/payloads.
  "user",
  "*.user",
  "events[*].user",
  "*.events[*].user",
  "events[*].oppref",
  "*.events[*].oppref",
  "ip_address",
  "*.ip_address",
  "emails_sha256",
  "*.emails_sha256",
  "phone_numbers_sha256",
  "*.phone_numbers_sha256",
  "payload",
  "*.payload",
  "oppref",
  "*.oppref",
];

/** A logger with the app's redaction; `destination` lets tests capture exactly what would be written. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}) {
  const settings = {
    level: options.level ?? process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    base: { app: "oppref-conversions" },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

export const logger = createLogger();
