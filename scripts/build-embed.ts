/**
 * Bundles the theme app embed's script (extensions/openai-embed/src → assets/oppref-embed.js). A theme
 * app extension ships its assets as they are (Shopify's CLI does not build them), so the bundle is
 * committed; test/extensions/embed-bundle.test.ts fails when it is stale or over budget.
 *
 *   npx tsx scripts/build-embed.ts   → writes the asset and prints its size
 */
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** The budget for a script that runs on every storefront page. */
export const EMBED_GZIP_BUDGET_BYTES = 2048;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const EMBED_DIR = path.join(ROOT, "extensions/openai-embed");
export const EMBED_ASSET = path.join(EMBED_DIR, "assets", "oppref-embed.js");

export interface EmbedBuild {
  code: string;
  rawBytes: number;
  gzipBytes: number;
}

export async function buildEmbed(): Promise<EmbedBuild> {
  const result = await build({
    entryPoints: [path.join(EMBED_DIR, "src", "index.ts")],
    bundle: true,
    minify: true,
    // Optional chaining and ?? stay as they are (down-levelling them costs ~15 % of the budget); every
    // browser Shopify's Online Store supports has had them since 2020. A classic script (loaded defer).
    target: "es2020",
    platform: "browser",
    format: "iife",
    legalComments: "none",
    // No "use strict" prologue: the bundle is an IIFE that needs no sloppy-mode opt-out (saves bytes).
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    write: false,
    absWorkingDir: ROOT,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  return { code, rawBytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length };
}

async function main() {
  const built = await buildEmbed();
  writeFileSync(EMBED_ASSET, built.code);
  console.log(
    `${path.relative(ROOT, EMBED_ASSET)}: ${built.rawBytes} bytes raw, ${built.gzipBytes} bytes gzip (budget ${EMBED_GZIP_BUDGET_BYTES})`,
  );
  if (built.gzipBytes > EMBED_GZIP_BUDGET_BYTES) {
    console.error("Embed script is over budget.");
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
