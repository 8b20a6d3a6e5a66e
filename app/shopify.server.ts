import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import prisma from "~/db/client.server";
import { config } from "./config.server";
import { EncryptedSessionStorage } from "./security/encrypted-session-storage.server";
import { keyRing } from "./security/keyring.server";

import { API_VERSION } from "./api-version";
import { markReinstalled } from "./models/settings.server";
import { logger } from "./logger.server";

const env = config();

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: env.SCOPES.split(",")
    .map((s) => s.trim())
    .filter(Boolean),
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // Access and refresh tokens are encrypted at rest with the app's key ring.
  sessionStorage: new EncryptedSessionStorage(new PrismaSessionStorage(prisma), keyRing),
  distribution: AppDistribution.AppStore,
  // Shopify's library logs through pino (one JSON line each). Its "info" lines are per request
  // ("Authenticating admin request"), so they go out at debug, like every per-request line.
  logger: {
    level: logger.isLevelEnabled("trace")
      ? LogSeverity.Debug
      : logger.isLevelEnabled("debug")
        ? LogSeverity.Info
        : LogSeverity.Warning,
    log: (severity, message) => {
      const level =
        severity === LogSeverity.Error
          ? "error"
          : severity === LogSeverity.Warning
            ? "warn"
            : severity === LogSeverity.Info
              ? "debug"
              : "trace";
      logger[level]({ source: "shopify" }, message);
    },
  },
  hooks: {
    // A merchant who reinstalls (before shop/redact) is a live shop again: sending resumes.
    afterAuth: async ({ session }) => {
      await markReinstalled(session.shop);
    },
  },
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
});

export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const sessionStorage = shopify.sessionStorage;
/** Admin API access with a shop's stored offline session, outside a request (the backfill). */
export const unauthenticated = shopify.unauthenticated;
