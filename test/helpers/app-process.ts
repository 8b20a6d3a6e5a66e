/**
 * The real app as a child process (`build/server.js`: express + Remix + delivery worker), on
 * loopback, with its own environment. Tests talk to it over HTTP like Shopify would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { waitUntilListening } from "../../scripts/wait-until-listening";

export const TEST_SECRET = process.env.SHOPIFY_API_SECRET ?? "test-api-secret";

export interface AppProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `script` is "server.js" (web + worker) or "worker.js" (worker alone), from this run's build;
 * `args` its command line (e.g. the worker's `--inbox-only`).
 */
export async function startAppProcess(
  env: Record<string, string>,
  script: "server.js" | "worker.js" = "server.js",
  args: readonly string[] = [],
): Promise<AppProcess> {
  const buildDir = process.env.APP_BUILD_DIR ?? path.join(process.cwd(), "build");
  const child = spawn(process.execPath, [path.join(buildDir, script), ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "test",
      SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "test-api-key",
      SHOPIFY_API_SECRET: TEST_SECRET,
      SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL ?? "https://app.example.test",
      ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? "",
      DATABASE_URL: process.env.DATABASE_URL ?? "",
      PORT: "0",
      LOG_LEVEL: "warn",
      // Most tests check effects right after the 200, so they run the processed mode unless they
      // ask for the default (stored) themselves.
      WEBHOOK_ACK: "processed",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  // "close", not "exit": it comes once the process has exited AND its stdout/stderr are drained, so
  // output() after stop() or kill() holds the last lines the process wrote (e.g. "shut down").
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  // Only the web server announces a URL; a worker process is "started" once spawned.
  const url =
    script !== "server.js"
      ? ""
      : await waitUntilListening(child, { what: "app", timeoutMs: 20_000, output: () => out });
  return {
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Polls until `check` is true (no fixed sleeps; bounded). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
