/**
 * Is the app still installed on the shop? Asked by shop/redact when a session row exists: a missed
 * app/uninstalled leaves the session behind, and the erasure Shopify asks for 48 h later must not be
 * skipped for ever because of it. One Admin API call with the stored offline token answers it:
 * Shopify revokes the token at uninstall, so 401 means uninstalled.
 */
import { API_VERSION } from "~/api-version";
import { configValue } from "~/config.server";
import { sessionStorage } from "~/shopify.server";

export type Installation = "installed" | "uninstalled";

class InstallationUnknownError extends Error {
  constructor(detail: string) {
    super(`could not tell whether the app is installed: ${detail}`);
    this.name = "InstallationUnknownError";
  }
}

/**
 * "uninstalled" when every stored token of the shop is refused (401) or none is left; "installed"
 * when one still works. Throws InstallationUnknownError on any other answer (Shopify down, a
 * timeout): the caller answers 500 and Shopify delivers the webhook again later.
 */
export async function installationOf(shop: string): Promise<Installation> {
  const sessions = await sessionStorage.findSessionsByShop(shop);
  const origin = configValue("SHOPIFY_ADMIN_API_ORIGIN") ?? `https://${shop}`;
  for (const session of sessions) {
    if (!session.accessToken) continue;
    let status: number;
    try {
      const response = await fetch(`${origin}/admin/api/${API_VERSION}/graphql.json`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Access-Token": session.accessToken,
          "X-Shopify-Shop-Domain": shop,
        },
        body: JSON.stringify({ query: "{ shop { id } }" }),
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      throw new InstallationUnknownError(error instanceof Error ? error.name : "request failed");
    }
    if (status >= 200 && status < 300) return "installed";
    if (status !== 401) throw new InstallationUnknownError(`Admin API answered ${status}`);
  }
  return "uninstalled";
}
