/**
 * The shop's Admin GraphQL API for the backfill, with the stored offline session: Shopify's own
 * client (@shopify/admin-api-client, what @shopify/shopify-api builds its GraphQL client on) and the
 * session the Shopify app package keeps valid (`unauthenticated.admin` refreshes an expiring offline
 * token). Tests and the demo point it at the loopback stand-in (sim/admin-api.ts) with
 * SHOPIFY_ADMIN_API_ORIGIN; the config refuses any other origin, so a token never goes elsewhere.
 */
import { createAdminApiClient } from "@shopify/admin-api-client";
import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { API_VERSION } from "~/api-version";
import { configValue } from "~/config.server";
import { unauthenticated } from "~/shopify.server";

/** One GraphQL request: `data` on success; throws AdminApiError otherwise. */
export type AdminQuery = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/** Why the Admin API could not answer. `permanent`: asking again will not help (no token, no scope). */
export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

export async function adminQueryFor(shop: string): Promise<AdminQuery> {
  let accessToken: string | undefined;
  try {
    const { session } = await unauthenticated.admin(shop);
    accessToken = session.accessToken;
  } catch (error) {
    if (error instanceof SessionNotFoundError)
      throw new AdminApiError("the app has no access token for this shop", true);
    const name = error instanceof Error ? error.name : "error";
    throw new AdminApiError(`the shop's access token could not be loaded (${name})`, false);
  }
  if (!accessToken) throw new AdminApiError("the app has no access token for this shop", true);
  const origin = configValue("SHOPIFY_ADMIN_API_ORIGIN");
  const client = createAdminApiClient({
    storeDomain: shop,
    apiVersion: API_VERSION,
    accessToken,
    retries: 2,
    // The stand-in serves every shop on one origin: the shop goes in a header instead of the host.
    customFetchApi: (url, init) =>
      fetch(origin ? String(url).replace(/^https:\/\/[^/]+/, origin) : url, {
        ...init,
        headers: origin
          ? { ...(init?.headers as Record<string, string>), "X-Shopify-Shop-Domain": shop }
          : init?.headers,
        redirect: "manual",
        signal: AbortSignal.timeout(30_000),
      }),
  });
  return async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    let response: Response;
    try {
      response = await client.fetch(query, { variables });
    } catch (error) {
      throw new AdminApiError(
        `Shopify's Admin API did not answer (${error instanceof Error ? error.name : "error"})`,
        false,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new AdminApiError(`Shopify refused the app's access token (${response.status})`, true);
    }
    if (!response.ok) throw new AdminApiError(`Shopify's Admin API answered ${response.status}`, false);
    const body = (await response.json().catch(() => null)) as {
      data?: T;
      errors?: { message?: string; extensions?: { code?: string } }[] | string;
    } | null;
    if (!body) throw new AdminApiError("Shopify's Admin API answered with no JSON", false);
    if (body.errors) {
      const first = Array.isArray(body.errors) ? body.errors[0] : { message: body.errors };
      const code = first?.extensions?.code;
      // THROTTLED: the bucket refills within seconds; ACCESS_DENIED: read_orders is missing.
      throw new AdminApiError(
        `Shopify's Admin API: ${String(first?.message ?? "error").slice(0, 200)}`,
        code === "ACCESS_DENIED",
      );
    }
    if (body.data === undefined) throw new AdminApiError("Shopify's Admin API answered without data", false);
    return body.data;
  };
}
