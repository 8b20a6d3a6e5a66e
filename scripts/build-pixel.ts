/**
 * Bundles the web pixel with esbuild, the way Shopify's CLI does (one ES2020 file), to measure it and
 * to give the bundle/e2e tests the real artifact. `shopify app deploy` builds its own copy from the
 * same source; this file does not replace that.
 *
 *   npx tsx scripts/build-pixel.ts            → extensions/openai-pixel/dist/pixel.js (+ size report)
 *
 * The budget is 4 KB gzip (Shopify's hard cap is 128 KB); test/extensions/pixel-bundle.test.ts
 * fails above it.
 */
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const PIXEL_GZIP_BUDGET_BYTES = 4096;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PIXEL_DIR = path.join(ROOT, "extensions/openai-pixel");

export interface PixelBuildOptions {
  /** Write the bundle here (default extensions/openai-pixel/dist/pixel.js); null = do not write. */
  outfile?: string | null;
  /** Tests only: where the image tag goes instead of https://bzr.openai.com (a loopback stand-in). */
  testImageTagBase?: string;
  /** Which entry: the registered extension (default) or pixel.ts alone (exports createOpenAiPixel). */
  entry?: "extension" | "pixel";
}

export interface PixelBuild {
  code: string;
  rawBytes: number;
  gzipBytes: number;
  outfile: string | null;
}

export async function buildPixel(options: PixelBuildOptions = {}): Promise<PixelBuild> {
  const entry = options.entry ?? "extension";
  const outfile =
    options.outfile === undefined ? path.join(PIXEL_DIR, "dist", entry === "pixel" ? "pixel-core.js" : "pixel.js") : options.outfile;
  const define: Record<string, string> = {};
  if (options.testImageTagBase !== undefined) {
    define.__OPENAI_PIXEL_TEST_IMAGE_TAG_BASE__ = JSON.stringify(options.testImageTagBase);
  }
  const result = await build({
    entryPoints: [path.join(PIXEL_DIR, "src", entry === "pixel" ? "pixel.ts" : "index.ts")],
    bundle: true,
    minify: true,
    target: "es2020",
    platform: "browser",
    // The sandbox evaluates one classic worker script: an IIFE. The standalone core is an ES module
    // so a test can import createOpenAiPixel from it.
    format: entry === "pixel" ? "esm" : "iife",
    legalComments: "none",
    define,
    write: false,
    absWorkingDir: ROOT,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  if (outfile) {
    mkdirSync(path.dirname(outfile), { recursive: true });
    writeFileSync(outfile, code);
  }
  return {
    code,
    rawBytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
    outfile,
  };
}

async function main() {
  const built = await buildPixel();
  const core = await buildPixel({ entry: "pixel" });
  const rel = (file: string | null) => (file ? path.relative(ROOT, file) : "-");
  console.log(`${rel(built.outfile)}: ${built.rawBytes} bytes raw, ${built.gzipBytes} bytes gzip (budget ${PIXEL_GZIP_BUDGET_BYTES})`);
  console.log(`${rel(core.outfile)}: ${core.rawBytes} bytes raw, ${core.gzipBytes} bytes gzip (standalone core, ESM)`);
  if (built.gzipBytes > PIXEL_GZIP_BUDGET_BYTES) {
    console.error("Pixel bundle is over budget.");
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
