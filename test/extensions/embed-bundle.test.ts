/**
 * The theme app embed as Shopify deploys it: the committed asset is exactly what scripts/build-embed.ts
 * builds from src/, within the gzip budget, loaded with `defer` by an app embed block (target body), and
 * the extension folder holds only what Shopify's CLI accepts for a theme app extension.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildEmbed,
  EMBED_ASSET,
  EMBED_DIR,
  EMBED_GZIP_BUDGET_BYTES,
  type EmbedBuild,
} from "../../scripts/build-embed";

let built: EmbedBuild;
beforeAll(async () => {
  built = await buildEmbed();
});

const BLOCK = path.join(EMBED_DIR, "blocks", "oppref-embed.liquid");

describe("embed bundle", () => {
  it(`is at most ${EMBED_GZIP_BUDGET_BYTES} bytes gzipped`, () => {
    console.info(`embed script: ${built.rawBytes} bytes raw, ${built.gzipBytes} bytes gzip`);
    expect(built.gzipBytes).toBeGreaterThan(500); // a real bundle, not an empty file
    expect(built.gzipBytes).toBeLessThanOrEqual(EMBED_GZIP_BUDGET_BYTES);
  });

  it("the committed asset is the current build (run `npx tsx scripts/build-embed.ts` after changing src/)", () => {
    expect(readFileSync(EMBED_ASSET, "utf8")).toBe(built.code);
  });

  it("is a plain browser script: no module syntax, no server code, one request target", () => {
    expect(built.code).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b|^import |^export /m);
    // The only URL it requests is the cart's, under Shopify.routes.root (Markets subfolders).
    expect(built.code).toContain('"cart/update.js"');
    expect(built.code).not.toMatch(/https?:\/\/(?!placeholder\.invalid)/);
    expect(built.code).not.toMatch(/sendBeacon|XMLHttpRequest/);
  });
});

describe("app embed block", () => {
  const liquid = readFileSync(BLOCK, "utf8");

  it("loads the asset with defer (never blocking the page)", () => {
    const tag = /<script\b([^>]*)>\s*<\/script>/.exec(liquid);
    expect(tag).not.toBeNull();
    const attributes = tag![1];
    expect(attributes).toMatch(/\sdefer[\s>]/);
    expect(attributes).not.toMatch(/\sasync\b/);
    const src = /src="\{\{\s*'([^']+)'\s*\|\s*asset_url\s*\}\}"/.exec(attributes);
    expect(src?.[1]).toBe(path.basename(EMBED_ASSET));
  });

  it("is an app embed block: schema target body", () => {
    const schema = /\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(liquid);
    expect(schema).not.toBeNull();
    const parsed = JSON.parse(schema![1]);
    expect(parsed.target).toBe("body");
    expect(typeof parsed.name).toBe("string");
    expect(parsed.name.length).toBeLessThanOrEqual(25); // Shopify's limit for a block name
  });

  it("shopify.extension.toml declares a theme extension", () => {
    const toml = readFileSync(path.join(EMBED_DIR, "shopify.extension.toml"), "utf8");
    expect(toml).toMatch(/^type = "theme"$/m);
    expect(toml).toMatch(/^name = "openai-embed"$/m);
  });

  it("ships only what a theme app extension may contain (src/ is in .shopifyignore)", () => {
    // The rules of @shopify/cli's theme extension validation: these folders, these file types.
    const allowed: Record<string, RegExp> = {
      assets: /\.(jpg|jpeg|json|js|css|png|svg|wasm)$/,
      blocks: /\.liquid$/,
      locales: /\.json$/,
      snippets: /\.liquid$/,
    };
    const ignored = readFileSync(path.join(EMBED_DIR, ".shopifyignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    expect(ignored).toContain("src/*");
    for (const dir of readdirSync(EMBED_DIR)) {
      if (!statSync(path.join(EMBED_DIR, dir)).isDirectory() || dir === "src") continue;
      expect(Object.keys(allowed)).toContain(dir);
      for (const file of readdirSync(path.join(EMBED_DIR, dir))) expect(file).toMatch(allowed[dir]);
    }
  });
});
