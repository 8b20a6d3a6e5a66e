/**
 * Turns the app's web pixel on (or updates it) in the merchant's store through the Admin GraphQL
 * API: `webPixelCreate`; if Shopify answers TAKEN (the app already has a pixel there), read its id
 * and `webPixelUpdate` it. Settings are public (shipped to every storefront visitor): only the
 * Pixel ID, URLs and switches go in, never the Conversions API key.
 */
import type { AdminGraphql } from "./auth.server";
import type { WebPixelFact } from "./readiness";

/** Keys must match extensions/openai-pixel/shopify.extension.toml `[settings.fields.*]`. */
export interface WebPixelSettings {
  pixelId: string;
  receiptUrl: string;
  shopDomain: string;
  funnelEvents: string;
  enabled: "true" | "false";
}

export function webPixelSettings(input: {
  appUrl: string;
  shop: string;
  pixelId: string;
  browserPixelEnabled: boolean;
  funnelEvents: readonly string[];
}): WebPixelSettings {
  return {
    pixelId: input.pixelId,
    receiptUrl: new URL("/pixel/receipt", input.appUrl).toString(),
    shopDomain: input.shop,
    funnelEvents: input.funnelEvents.join(","),
    enabled: input.browserPixelEnabled ? "true" : "false",
  };
}

export const WEB_PIXEL_CREATE = `#graphql
mutation WebPixelCreate($webPixel: WebPixelInput!) {
  webPixelCreate(webPixel: $webPixel) {
    userErrors { code field message }
    webPixel { id settings }
  }
}`;

export const WEB_PIXEL_QUERY = `#graphql
query WebPixel {
  webPixel { id }
}`;

export const WEB_PIXEL_UPDATE = `#graphql
mutation WebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
  webPixelUpdate(id: $id, webPixel: $webPixel) {
    userErrors { code field message }
    webPixel { id settings }
  }
}`;

export type PixelActivation =
  | { ok: true; action: "created" | "updated"; webPixelId: string; message: string }
  | { ok: false; code: string | null; message: string };

interface UserError {
  code: string | null;
  field: string[] | null;
  message: string;
}

export const NO_EXTENSION_MESSAGE =
  "Shopify couldn't find this app's browser pixel in your store (NO_EXTENSION): the app's pixel has not been released to stores yet. Server events keep working; save again later, or contact the app's support.";

export async function activateWebPixel(graphql: AdminGraphql, settings: WebPixelSettings): Promise<PixelActivation> {
  const webPixel = { settings: JSON.stringify(settings) };
  try {
    const created = await mutation(graphql, WEB_PIXEL_CREATE, "webPixelCreate", { webPixel });
    if (created.userErrors.length === 0 && created.webPixelId) {
      return {
        ok: true,
        action: "created",
        webPixelId: created.webPixelId,
        message: "Browser pixel turned on in your store.",
      };
    }
    if (!created.userErrors.some((e) => e.code === "TAKEN")) return failure(created.userErrors);

    const existingId = await currentWebPixelId(graphql);
    if (!existingId) {
      return {
        ok: false,
        code: "TAKEN",
        message:
          "Shopify says this app already has a browser pixel in your store, but didn't say which one. Save again in a minute.",
      };
    }
    const updated = await mutation(graphql, WEB_PIXEL_UPDATE, "webPixelUpdate", { id: existingId, webPixel });
    if (updated.userErrors.length === 0) {
      return {
        ok: true,
        action: "updated",
        webPixelId: updated.webPixelId ?? existingId,
        message: "Browser pixel updated in your store.",
      };
    }
    return failure(updated.userErrors);
  } catch (error) {
    // Shopify's client throws a Response to re-authenticate (e.g. an expired token): let Remix handle it.
    if (error instanceof Response) throw error;
    return {
      ok: false,
      code: null,
      message: `Shopify refused the request to turn on the browser pixel: ${describe(error)}`,
    };
  }
}

function failure(errors: UserError[]): PixelActivation {
  const first = errors[0];
  if (!first)
    return { ok: false, code: null, message: "Shopify didn't confirm the browser pixel. Save again to retry." };
  if (errors.some((e) => e.code === "NO_EXTENSION"))
    return { ok: false, code: "NO_EXTENSION", message: NO_EXTENSION_MESSAGE };
  if (first.code === "INVALID_SETTINGS" || first.code === "INVALID_CONFIGURATION_JSON") {
    return {
      ok: false,
      code: first.code,
      message: `Shopify rejected the browser pixel's settings (${first.code}): ${first.message}`,
    };
  }
  return {
    ok: false,
    code: first.code,
    message: `Shopify couldn't turn on the browser pixel (${first.code ?? "error"}): ${first.message}`,
  };
}

async function mutation(
  graphql: AdminGraphql,
  query: string,
  field: "webPixelCreate" | "webPixelUpdate",
  variables: Record<string, unknown>,
): Promise<{ userErrors: UserError[]; webPixelId: string | null }> {
  const body = await readBody(await graphql(query, { variables }));
  const payload = record(record(body.data)[field]);
  const userErrors = Array.isArray(payload.userErrors) ? payload.userErrors.map(toUserError) : [];
  const id = record(payload.webPixel).id;
  return { userErrors, webPixelId: typeof id === "string" ? id : null };
}

async function currentWebPixelId(graphql: AdminGraphql): Promise<string | null> {
  const body = await readBody(await graphql(WEB_PIXEL_QUERY));
  const id = record(record(body.data).webPixel).id;
  return typeof id === "string" ? id : null;
}

/** The body, or a thrown Error carrying GraphQL's top-level `errors` (e.g. a missing scope). */
async function readBody(response: Response): Promise<{ data?: unknown }> {
  const body = record(await response.json());
  if (Array.isArray(body.errors) && body.errors.length > 0 && !body.data) {
    throw new Error(
      body.errors
        .map((e) => record(e).message)
        .filter(Boolean)
        .join("; ") || "GraphQL error",
    );
  }
  return body;
}

function toUserError(value: unknown): UserError {
  const e = record(value);
  return {
    code: typeof e.code === "string" ? e.code : null,
    field: Array.isArray(e.field) ? e.field.map(String) : null,
    message: typeof e.message === "string" ? e.message : "unknown error",
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function describe(error: unknown): string {
  // Shopify's GraphqlQueryError carries the first GraphQL error's message (e.g. "Access denied for webPixelCreate field").
  return error instanceof Error && error.message ? error.message : "unknown error";
}

export const WEB_PIXEL_SETTINGS_QUERY = `#graphql
query WebPixelSettings {
  webPixel { id settings }
}`;

/**
 * The app's web pixel as Shopify reports it now, for the readiness checklist. Shopify answers a
 * store without this app's pixel with a GraphQL error ("No web pixel was found"), read as "none".
 */
export async function readWebPixel(graphql: AdminGraphql): Promise<WebPixelFact> {
  try {
    const body = await readBody(await graphql(WEB_PIXEL_SETTINGS_QUERY));
    const pixel = record(record(body.data).webPixel);
    if (typeof pixel.id !== "string") return { kind: "none" };
    const raw = pixel.settings;
    const settings = typeof raw === "string" ? record(JSON.parse(raw)) : record(raw);
    return { kind: "found", settings };
  } catch (error) {
    if (error instanceof Response) throw error;
    const message = describe(error);
    if (/no web ?pixel|not found/i.test(message)) return { kind: "none" };
    return { kind: "error", message };
  }
}
