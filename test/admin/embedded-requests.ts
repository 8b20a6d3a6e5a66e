/**
 * Requests as the embedded admin sends them, authenticated for real: a stored offline session
 * (PrismaSessionStorage, the test database) and a session token (JWT) signed with the app's API
 * secret, exactly what App Bridge puts in `Authorization: Bearer …` or `id_token=`.
 */
import { Session } from "@shopify/shopify-api";
import { getJwt } from "@shopify/shopify-api/test-helpers";

const APP_URL = process.env.SHOPIFY_APP_URL ?? "https://app.example.test";
const ACCESS_TOKEN_PREFIX = "shpat_admin_test_";

interface SessionStore {
  storeSession(session: Session): Promise<boolean>;
}

/** The offline session Shopify's token exchange would have stored at install. */
export async function storeOfflineSession(storage: SessionStore, shop: string): Promise<Session> {
  const session = new Session({
    id: `offline_${shop}`,
    shop,
    state: "installed",
    isOnline: false,
    scope: "read_orders,write_pixels,read_customer_events",
    accessToken: `${ACCESS_TOKEN_PREFIX}${shop.split(".")[0]}`,
    expires: new Date(Date.now() + 24 * 3600 * 1000),
  });
  await storage.storeSession(session);
  return session;
}

export async function sessionToken(shop: string, secret = process.env.SHOPIFY_API_SECRET!): Promise<string> {
  const { token } = await getJwt(shop.replace(/\.myshopify\.com$/, ""), process.env.SHOPIFY_API_KEY!, secret);
  return token;
}

/** The admin loading the app's page inside its iframe: `/app?embedded=1&shop=…&host=…&id_token=…`. */
export async function documentRequest(shop: string, path = "/app", token?: string): Promise<Request> {
  const url = new URL(path, APP_URL);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64"));
  url.searchParams.set("id_token", token ?? (await sessionToken(shop)));
  return new Request(url);
}

/** A form POST from the page (Remix fetcher), with the session token App Bridge adds to fetch. */
export async function actionRequest(
  shop: string,
  form: Record<string, string | string[]>,
  token?: string,
): Promise<Request> {
  const body = new FormData();
  for (const [key, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
  }
  return new Request(new URL("/app?index", APP_URL), {
    method: "POST",
    headers: { Authorization: `Bearer ${token ?? (await sessionToken(shop))}` },
    body,
  });
}
