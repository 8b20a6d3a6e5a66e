// The pure core must run unchanged in a browser web worker (the Shopify web pixel sandbox): no I/O, no
// Node built-ins, no environment. These checks fail the build the moment someone adds one.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const DIR = path.join(process.cwd(), "app", "conversions");
const FILES = readdirSync(DIR).filter((name) => name.endsWith(".ts"));

describe("app/conversions is pure", () => {
  it("has the expected files and no index.ts", () => {
    expect(FILES).not.toContain("index.ts");
    expect(FILES.length).toBeGreaterThanOrEqual(14);
  });

  it.each(FILES)("%s has no I/O imports or globals", (file) => {
    const source = readFileSync(path.join(DIR, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "") // block comments
      .replace(/(^|[^:])\/\/.*$/gm, "$1"); // line comments
    expect(source).not.toMatch(/from\s+["']node:/);
    expect(source).not.toMatch(/from\s+["'](fs|path|crypto|http|https|os|child_process)["']/);
    expect(source).not.toMatch(/@prisma|\/db\.server|\.server["']/);
    expect(source).not.toMatch(/\bprocess\.|\bfetch\(|\brequire\(/);
    expect(source).not.toMatch(/\bMath\.random\(|\bnew Date\(\)|\bDate\.now\(/); // deterministic: time comes in as input
  });

  it.each(FILES)("%s bundles for a browser worker", async (file) => {
    const result = await build({
      entryPoints: [path.join(DIR, file)],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2020",
      write: false,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
  });

  it("the dedup id (what the web pixel bundles) stays tiny", async () => {
    const result = await build({
      entryPoints: [path.join(DIR, "dedup-id.ts")],
      bundle: true,
      minify: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    expect(result.outputFiles[0].contents.byteLength).toBeLessThan(4 * 1024);
  });
});
