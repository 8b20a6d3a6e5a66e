/**
 * THE way every admin loader and action authenticates, so the local-preview bypass lives in exactly
 * one place.
 *
 * Normally: Shopify's `authenticate.admin` (session token → stored offline session, token exchange
 * when needed) and the shop's Admin GraphQL client.
 * LOCAL_PREVIEW=true (the offline demo; config() refuses it when NODE_ENV=production or when
 * SHOPIFY_APP_URL is not loopback, and this file checks both again): a fixed demo shop and a stub Admin API, so /app opens in a browser without Shopify.
 */
import { config, isLoopbackUrl } from "~/config.server";
import { authenticate } from "~/shopify.server";
import { previewAdminGraphql, PREVIEW_SHOP } from "./preview-admin.server";

/** The part of Shopify's `admin.graphql` this app uses. */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

export interface AdminContext {
  shop: string;
  graphql: AdminGraphql;
  /** true when no Shopify is behind this request (LOCAL_PREVIEW). */
  preview: boolean;
}

export async function authenticateAdmin(request: Request): Promise<AdminContext> {
  if (isLocalPreview()) return { shop: PREVIEW_SHOP, graphql: previewAdminGraphql, preview: true };
  const { session, admin } = await authenticate.admin(request);
  return {
    shop: session.shop,
    graphql: (query, options) => admin.graphql(query, options),
    preview: false,
  };
}

export function isLocalPreview(): boolean {
  const env = config();
  return env.LOCAL_PREVIEW === "true" && env.NODE_ENV !== "production" && isLoopbackUrl(env.SHOPIFY_APP_URL);
}
