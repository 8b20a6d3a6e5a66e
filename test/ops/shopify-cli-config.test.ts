/**
 * `shopify app dev` launches only the web processes declared in shopify.web.toml files. What can be
 * proven without a Partner login: Shopify's CLI (the pinned devDependency) loads and validates the
 * app's configuration, web files included, in `shopify app build`; and every dev command is one the
 * CLI can run (it splits commands on "&&" and spaces and runs them without a shell, in the web
 * file's folder) naming an npm script that exists.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = process.cwd();
const WEB_FILES = ["shopify.web.toml", "worker/shopify.web.toml"];

/** The app's configuration files in a folder of their own (the build then has no extension to bundle). */
function configCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "shopify-cli-config-"));
  for (const file of ["shopify.app.toml", "package.json", ...WEB_FILES]) {
    cpSync(path.join(root, file), path.join(dir, file), { recursive: true });
  }
  return dir;
}

async function shopifyAppBuild(dir: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(
      path.join(root, "node_modules", ".bin", "shopify"),
      ["app", "build", "--skip-dependencies-installation", "--path", dir],
      { env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", CI: "1" }, timeout: 60_000 },
    );
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("shopify.web.toml", () => {
  it("Shopify's CLI loads the app configuration with both web processes", async () => {
    const result = await shopifyAppBuild(configCopy());
    expect(result.output).toMatch(/built!/);
    expect(result.ok).toBe(true);
  }, 90_000);

  it("the CLI really reads the worker's web file: a second frontend there is refused", async () => {
    const dir = configCopy();
    const file = path.join(dir, "worker", "shopify.web.toml");
    writeFileSync(file, readFileSync(file, "utf8").replace('roles = ["background"]', 'roles = ["frontend"]'));
    const result = await shopifyAppBuild(dir);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/worker\/shopify\.web\.toml/);
  }, 90_000);

  it("declares the web server (frontend + backend) and the delivery worker (background)", () => {
    const roles = WEB_FILES.map((file) => parse(readFileSync(path.join(root, file), "utf8")).roles);
    expect(roles).toEqual([["frontend", "backend"], ["background"]]);
  });

  it("every dev command runs without a shell and names an existing npm script or binary", () => {
    const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: object }).scripts;
    for (const file of WEB_FILES) {
      const commands = (parse(readFileSync(path.join(root, file), "utf8")) as { commands: Record<string, string> })
        .commands;
      for (const command of Object.values(commands)) {
        for (const step of command.split("&&").map((s) => s.trim())) {
          // No shell: quotes, pipes, redirections, `;` and VAR=value prefixes would be passed as arguments.
          expect(step).not.toMatch(/["'|;<>$`]|^\w+=/);
          const [bin, sub, name] = step.split(" ");
          expect(bin).toBe("npm");
          if (sub === "run") expect(Object.keys(scripts)).toContain(name);
          else expect([sub, name]).toEqual(["exec", "remix"]);
        }
      }
    }
  });
});
