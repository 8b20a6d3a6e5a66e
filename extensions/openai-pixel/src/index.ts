/**
 * Web pixel entry point: Shopify's strict sandbox (a web worker) calls the function given to
 * `register` with the runtime; all behaviour lives in ./pixel.ts.
 *
 * `register` is `shopify.extend("WebPixel::Render", fn)` (see node_modules/@shopify/web-pixels-extension
 * /build/esm/register.mjs): a few bytes, so importing it costs the bundle nothing.
 */
import { register } from "@shopify/web-pixels-extension";
import { createOpenAiPixel, type PixelApi } from "./pixel";

// Set only by scripts/build-pixel.ts for tests (a loopback OpenAI stand-in). Shopify's own build does
// not define it, so production always uses OpenAI's image tag URL.
declare const __OPENAI_PIXEL_TEST_IMAGE_TAG_BASE__: string | undefined;

register((api) => {
  createOpenAiPixel(api as unknown as PixelApi, {
    imageTagBase:
      typeof __OPENAI_PIXEL_TEST_IMAGE_TAG_BASE__ === "string" ? __OPENAI_PIXEL_TEST_IMAGE_TAG_BASE__ : undefined,
  });
});
