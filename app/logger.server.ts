/**
 * Structured logs (pino). Redaction is structural: any field that can carry a secret or PII is
 * censored wherever it appears, so a careless `log.info({ settings })` still leaks nothing.
 */
import pino from "pino";

export const REDACTED_PATHS = [
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
];

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  base: { app: "oppref-conversions" },
});
