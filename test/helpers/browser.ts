/**
 * Debian's Chromium for browser tests (never a downloaded browser). With CI set a missing browser
 * FAILS the run (launch throws); on a developer machine without it the suite is skipped with a note.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Whether a browser suite should run here; warns (naming the suite) when it is skipped. */
export function browserTestsEnabled(suite: string): boolean {
  const enabled = existsSync(CHROMIUM) || Boolean(process.env.CI);
  if (!enabled)
    console.warn(`${suite} skipped: ${CHROMIUM} not found (apt-get install -y chromium); with CI set this fails`);
  return enabled;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
