// Every vitest worker gets its own migrated SQLite file (PrismaSessionStorage hangs on a missing
// table): migrate one template with the real migrations, then copy it per worker. Each run gets its
// own folder, so two runs on one machine never share (or overwrite) a database.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";

export default function setup() {
  const root = path.join(process.cwd(), "test-artifacts");
  mkdirSync(root, { recursive: true });
  for (const entry of readdirSync(root)) {
    const full = path.join(root, entry);
    if (entry.startsWith("run-") && Date.now() - statSync(full).mtimeMs > 3600_000) rmSync(full, { recursive: true, force: true });
  }
  const dir = path.join(root, `run-${Date.now()}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.env.TEST_RUN_DIR = dir;
  // Integration tests run the real built app (server.js: express + Remix + worker) as a child
  // process, built fresh into this run's folder.
  const buildDir = path.join(dir, "build");
  execFileSync("npx", ["remix", "vite:build", "--logLevel", "error"], {
    env: { ...process.env, REMIX_BUILD_DIR: buildDir },
    stdio: ["ignore", "ignore", "inherit"],
  });
  execFileSync(
    "npx",
    ["esbuild", "server.ts", "scripts/worker.ts", "--bundle", "--platform=node", "--format=esm", "--packages=external", "--target=node22", `--outdir=${buildDir}`, "--entry-names=[name]", "--log-level=warning"],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  process.env.APP_BUILD_DIR = buildDir;
  const template = path.join(dir, "template.sqlite");
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${template}` },
    stdio: "ignore",
  });
  for (const id of ["0", "1", "2", "3", "4", "5", "6", "7", "8"]) {
    copyFileSync(template, path.join(dir, `test-${id}.sqlite`));
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
