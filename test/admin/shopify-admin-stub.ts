/**
 * Shopify's Admin API for admin tests, stubbed at the network boundary: a wrapper around global
 * `fetch` that answers requests to `https://<shop>.myshopify.com/admin/...` like a store would and
 * passes everything else (the OpenAI stand-in on loopback) through.
 *
 * @shopify/shopify-api captures `globalThis.fetch` when its node adapter is imported, so
 * `installShopifyAdminStub()` must run BEFORE anything imports ~/shopify.server (tests import the app
 * dynamically after installing it). Requests it does not know are recorded and answered 500, so a
 * test that expects none (e.g. no token exchange with a stored session) can say so.
 */
interface AdminCall {
  shop: string;
  path: string;
  apiVersion: string | null;
  accessToken: string | null;
  query: string;
  variables: Record<string, unknown>;
  /** webPixelCreate | webPixelUpdate | webPixel | other */
  operation: string;
}

type StoreMode =
  /** The app's pixel extension is deployed: create works once, then TAKEN → query → update. */
  | "normal"
  /** The extension was never deployed: create answers NO_EXTENSION. */
  | "no_extension"
  /** The app lacks the write_pixels scope: a top-level GraphQL error. */
  | "access_denied";

export interface ShopifyAdminStub {
  calls(shop?: string): AdminCall[];
  /** Requests to a myshopify.com host that were not Admin GraphQL calls (e.g. token exchange). */
  unexpected(): string[];
  /** Every other request (e.g. to the OpenAI stand-in), passed through: method, URL and JSON body. */
  passedThrough(): { method: string; url: string; body: unknown }[];
  setMode(shop: string, mode: StoreMode): void;
  /** Pretend the shop already has the app's pixel (as after a reinstall). */
  seedPixel(shop: string, id: string, settings: string): void;
  pixel(shop: string): { id: string; settings: string } | null;
  restore(): void;
}

const ADMIN_URL = /^https:\/\/([a-z0-9][a-z0-9-]*\.myshopify\.com)(\/admin\/.*)$/;
const GRAPHQL_PATH = /^\/admin\/api\/([^/]+)\/graphql\.json$/;

export function installShopifyAdminStub(): ShopifyAdminStub {
  const original = globalThis.fetch;
  const calls: AdminCall[] = [];
  const unexpected: string[] = [];
  const passed: { method: string; url: string; body: unknown }[] = [];
  const modes = new Map<string, StoreMode>();
  const pixels = new Map<string, { id: string; settings: string }>();
  let nextPixel = 1000;

  const stubbed: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const match = ADMIN_URL.exec(request.url);
    if (!match) {
      const text = await request.clone().text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      passed.push({ method: request.method, url: request.url, body });
      return original(request);
    }
    const [, shop, path] = match;
    const graphql = GRAPHQL_PATH.exec(path.split("?")[0]);
    if (!graphql || request.method !== "POST") {
      unexpected.push(`${request.method} ${request.url}`);
      return Response.json({ errors: "not stubbed" }, { status: 500 });
    }
    const body = (await request.json()) as { query: string; variables?: Record<string, unknown> };
    const operation = /\bwebPixelCreate\s*\(/.test(body.query)
      ? "webPixelCreate"
      : /\bwebPixelUpdate\s*\(/.test(body.query)
        ? "webPixelUpdate"
        : /\bwebPixel\s*\{/.test(body.query)
          ? "webPixel"
          : "other";
    calls.push({
      shop,
      path,
      apiVersion: graphql[1],
      accessToken: request.headers.get("x-shopify-access-token"),
      query: body.query,
      variables: body.variables ?? {},
      operation,
    });
    return answer(shop, operation, body.variables ?? {});
  };

  function answer(shop: string, operation: string, variables: Record<string, unknown>): Response {
    const mode = modes.get(shop) ?? "normal";
    if (mode === "access_denied") {
      return Response.json({
        errors: [
          {
            message: `Access denied for ${operation} field. Required access: \`write_pixels\` access scope.`,
            extensions: { code: "ACCESS_DENIED" },
          },
        ],
        data: null,
      });
    }
    const settings = String((variables.webPixel as { settings?: unknown } | undefined)?.settings ?? "");
    const existing = pixels.get(shop) ?? null;
    const data = (payload: unknown) =>
      Response.json({ data: payload, extensions: { cost: { requestedQueryCost: 10 } } });
    const userError = (code: string, field: string[], message: string) => ({
      userErrors: [{ code, field, message }],
      webPixel: null,
    });
    switch (operation) {
      case "webPixelCreate":
        if (mode === "no_extension")
          return data({ webPixelCreate: userError("NO_EXTENSION", ["webPixel"], "No extension found.") });
        if (existing) return data({ webPixelCreate: userError("TAKEN", ["webPixel"], "Web pixel is taken.") });
        pixels.set(shop, { id: `gid://shopify/WebPixel/${++nextPixel}`, settings });
        return data({ webPixelCreate: { userErrors: [], webPixel: pixels.get(shop) } });
      case "webPixel":
        return data({ webPixel: existing ? { id: existing.id } : null });
      case "webPixelUpdate":
        if (!existing || existing.id !== variables.id)
          return data({ webPixelUpdate: userError("NOT_FOUND", ["id"], "Web pixel not found.") });
        pixels.set(shop, { id: existing.id, settings });
        return data({ webPixelUpdate: { userErrors: [], webPixel: pixels.get(shop) } });
      default:
        return Response.json({ errors: [{ message: "This stub only knows the web pixel operations." }] });
    }
  }

  globalThis.fetch = stubbed;
  return {
    calls: (shop) => calls.filter((c) => shop === undefined || c.shop === shop),
    unexpected: () => [...unexpected],
    passedThrough: () => [...passed],
    setMode: (shop, mode) => modes.set(shop, mode),
    seedPixel: (shop, id, settings) => pixels.set(shop, { id, settings }),
    pixel: (shop) => pixels.get(shop) ?? null,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
