/**
 * The stand-in for Shopify's Admin GraphQL API in LOCAL_PREVIEW: the web pixel calls this app makes
 * (`webPixelCreate`, `webPixel`, `webPixelUpdate`) behave like a store with the extension deployed —
 * the first create succeeds, later ones answer TAKEN — and every request is recorded.
 */
import type { AdminGraphql } from "./auth.server";

export const PREVIEW_SHOP = "demo-shop.myshopify.com";

export interface PreviewAdminRequest {
  operation: "webPixelCreate" | "webPixelUpdate" | "webPixel" | "unsupported";
  variables: Record<string, unknown>;
}

interface PreviewState {
  pixel: { id: string; settings: string } | null;
  requests: PreviewAdminRequest[];
}

// On globalThis so the dev server's module reloads keep the demo store's pixel.
const globalState = globalThis as typeof globalThis & { __previewAdmin?: PreviewState };
const state: PreviewState = (globalState.__previewAdmin ??= { pixel: null, requests: [] });

export function previewAdminRequests(): PreviewAdminRequest[] {
  return [...state.requests];
}

export const previewAdminGraphql: AdminGraphql = async (query, options = {}) => {
  const variables = options.variables ?? {};
  const operation = operationOf(query);
  state.requests.push({ operation, variables });
  const settings = String((variables.webPixel as { settings?: unknown } | undefined)?.settings ?? "");

  switch (operation) {
    case "webPixelCreate":
      if (state.pixel) {
        return reply({
          webPixelCreate: {
            userErrors: [{ code: "TAKEN", field: ["webPixel"], message: "Web pixel is taken." }],
            webPixel: null,
          },
        });
      }
      state.pixel = { id: "gid://shopify/WebPixel/1", settings };
      return reply({ webPixelCreate: { userErrors: [], webPixel: state.pixel } });
    case "webPixelUpdate":
      if (!state.pixel || variables.id !== state.pixel.id) {
        return reply({
          webPixelUpdate: {
            userErrors: [{ code: "NOT_FOUND", field: ["id"], message: "Web pixel not found." }],
            webPixel: null,
          },
        });
      }
      state.pixel = { ...state.pixel, settings };
      return reply({ webPixelUpdate: { userErrors: [], webPixel: state.pixel } });
    case "webPixel":
      return reply({ webPixel: state.pixel ? { id: state.pixel.id, settings: state.pixel.settings } : null });
    default:
      return Response.json({
        errors: [{ message: "The local preview's Admin API stand-in does not support this query." }],
      });
  }
};

function operationOf(query: string): PreviewAdminRequest["operation"] {
  if (/\bwebPixelCreate\s*\(/.test(query)) return "webPixelCreate";
  if (/\bwebPixelUpdate\s*\(/.test(query)) return "webPixelUpdate";
  if (/\bwebPixel\s*\{/.test(query)) return "webPixel";
  return "unsupported";
}

function reply(data: unknown): Response {
  return Response.json({ data });
}
