/**
 * The one "start the app and wait until it listens" step shared by the demo, the benchmarks and the
 * tests: the app's web server prints `listening on http://127.0.0.1:<port>` once it accepts
 * requests (server.ts). Resolves with that URL; rejects, with what the process printed, if it exits
 * first or has not announced itself within `timeoutMs` — a start-up that hangs fails instead of
 * waiting forever.
 */
import type { ChildProcess } from "node:child_process";

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export function waitUntilListening(
  child: ChildProcess,
  options: { what: string; timeoutMs?: number; output?: () => string },
): Promise<string> {
  const { what, timeoutMs = 30_000 } = options;
  let stdout = "";
  const printed = () => options.output?.() ?? stdout;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${printed()}`)),
      timeoutMs,
    );
    child.stdout!.on("data", (data) => {
      stdout += data;
      const match = LISTENING.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${printed()}`));
    });
  });
}
