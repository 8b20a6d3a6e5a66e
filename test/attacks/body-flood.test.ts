/**
 * Memory exhaustion without authentication: 100 concurrent 5 MB webhook bodies with a forged HMAC.
 * The figures (peak RSS of the app process, /healthz p99 during the flood) are printed in the suite's
 * summary line, not asserted: timing on a shared machine is not a unit test. Targets: RSS < 400 MB,
 * healthz p99 < 100 ms. What is asserted: no forged body is accepted and no data changes.
 */
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { webhookHeaders } from "../../sim/shopify-webhooks";
import type { AppProcess } from "../helpers/app-process";
import { attack, reportFigure, startProductionApp } from "./harness";

const BODIES = 100;
const BODY_BYTES = 5 * 1024 * 1024;

let app: AppProcess;
beforeAll(async () => {
  app = await startProductionApp();
});
afterAll(async () => {
  await app?.stop();
});

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * The flood, from a child process of its own so that this process's probe of /healthz measures the
 * app, not a client busy writing 500 MB. Prints the answers' statuses (0: closed before answering).
 */
const FLOOD_SCRIPT = `
import { spawn } from "node:child_process";
const [url, count, bytes, headersJson] = process.argv.slice(1);
const body = Buffer.alloc(Number(bytes), "x");
const headers = { ...JSON.parse(headersJson), "Content-Length": String(body.length) };
const one = () => new Promise((resolve) => {
  const req = http.request(url, { method: "POST", agent: false, headers }, (res) => {
    res.resume();
    res.on("end", () => resolve(res.statusCode));
    res.on("error", () => resolve(res.statusCode));
  });
  req.on("error", () => resolve(0));
  req.end(body);
});
const statuses = await Promise.all(Array.from({ length: Number(count) }, one));
process.stdout.write(JSON.stringify(statuses));
`;

function flood(url: URL): Promise<number[]> {
  const headers = webhookHeaders({
    topic: "orders/create",
    shop: "flood.myshopify.com",
    body: "{}",
    secret: "not-the-secret",
  });
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        FLOOD_SCRIPT,
        url.href,
        String(BODIES),
        String(BODY_BYTES),
        JSON.stringify(headers),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", () => {
      try {
        resolve(JSON.parse(out) as number[]);
      } catch {
        reject(new Error(`flood client failed: ${out}`));
      }
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

describe("unauthenticated body flood", () => {
  attack(
    `${BODIES} concurrent 5 MB bodies with a forged HMAC`,
    async (strike) => {
      const pid = app.child.pid!;
      const url = new URL("/webhooks/orders/create", app.url);
      await strike(async () => {
        const before = rssMb(pid);
        let peak = before;
        let flooding = true;
        const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 10);
        const latencies: number[] = [];
        const probe = (async () => {
          while (flooding) {
            const started = performance.now();
            const response = await fetch(new URL("/healthz", app.url));
            await response.arrayBuffer();
            latencies.push(performance.now() - started);
          }
        })();
        const statuses = await flood(url);
        flooding = false;
        await probe;
        // What stays held after the flood: sample for another half second.
        await new Promise((r) => setTimeout(r, 500));
        clearInterval(sampler);
        const after = rssMb(pid);
        peak = Math.max(peak, after);

        const counts: Record<string, number> = {};
        for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
        console.log(`body flood answers: ${JSON.stringify(counts)}; healthz probes: ${latencies.length}`);
        expect(statuses.every((s) => s === 401 || s === 503 || s === 0)).toBe(true);
        reportFigure("RSS before flood", Math.round(before), "MB");
        reportFigure("body flood peak RSS", Math.round(peak), "MB (target < 400)");
        reportFigure("RSS after flood", Math.round(after), "MB");
        reportFigure("healthz p99 during flood", Math.round(percentile(latencies, 99)), "ms (target < 100)");
      });
    },
    180_000,
  );
});
