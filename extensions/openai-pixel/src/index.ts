/**
 * Web pixel entry point: Shopify's strict sandbox (a web worker) calls the function given to
 * `register` with the runtime; all behaviour lives in ./pixel.ts.
 *
 * `register` is `shopify.extend("WebPixel::Render", fn)` (see node_modules/@shopify/web-pixels-extension
 * /build/esm/register.mjs): a few bytes, so importing it costs the bundle nothing.
 */
import { register } from "@shopify/web-pixels-extension";
import { createOpenAiPixel, type PixelApi } from "./pixel";

register((api) => createOpenAiPixel(api as unknown as PixelApi));
