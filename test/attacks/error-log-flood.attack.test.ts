/**
 * Attack: flood the production build with requests that fail — unknown paths (Remix 404s, documents
 * and `_data`), webhook paths with the wrong method (the lean path's 405s, and Remix's for a route
 * without an action), requests Express cannot turn into a Remix request (a Host header that is no
 * host: 500) — with secrets in the query string. Each must cost exactly one single-line JSON log
 * line: no stack spread over lines, no Remix console dump, no query string. And loader data is
 * never cacheable: `_data` answers and documents say `Cache-Control: private, no-store`, including
 * the admin pages' real loader data (served in local-preview mode).
 */
import { request as httpRequest } from "node:http";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect } from "vitest";
import { startAppProcess, type AppProcess } from "../helpers/app-process";
import { attack, reportFigure, startProductionApp } from "./harness";

const started: AppProcess[] = [];
afterEach(async () => {
  for (const app of started.splice(0)) await app.kill("SIGKILL").catch(() => undefined);
});

/** A raw GET with a Host header of our choosing (fetch would not send a malformed one). */
function rawGet(baseUrl: string, path: string, host: string): Promise<number> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: "GET", headers: { Host: host }, setHost: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

interface LogLine {
  level: number;
  msg: string;
  http?: { method: string; path: string; status: number };
  error?: { type: string; message: string; stack?: string };
}

function isCacheSafe(value: string | null): boolean {
  const directives = (value ?? "").split(",").map((d) => d.trim().toLowerCase());
  return directives.includes("private") && directives.includes("no-store");
}

describe("attack: error floods and cacheable loader data", () => {
  attack(
    "404/405/500 flood: one single-line JSON log line each, no stack over lines, no query string",
    async (strike) => {
      const app = await startProductionApp();
      started.push(app);
      const secret = `s${randomBytes(8).toString("hex")}`;
      const base = app.output().length;
      const counts = { 404: 0, 405: 0, 500: 0 };
      const statuses: number[] = [];
      const cacheControl: (string | null)[] = [];
      const PER_KIND = 60;
      await strike(async () => {
        const one = async (run: () => Promise<number>, expected: 404 | 405 | 500) => {
          const status = await run();
          statuses.push(status);
          expect(status).toBe(expected);
          counts[expected]++;
        };
        const get = async (path: string, init: RequestInit = {}) => {
          const response = await fetch(new URL(path, app.url), { redirect: "manual", ...init });
          await response.arrayBuffer();
          cacheControl.push(response.headers.get("cache-control"));
          return response.status;
        };
        const work: Promise<void>[] = [];
        for (let i = 0; i < PER_KIND; i++) {
          work.push(one(() => get(`/nope-${i}?id_token=${secret}&hmac=${secret}`), 404));
          work.push(one(() => get(`/nope-${i}/x?_data=routes/app&id_token=${secret}`), 404));
          work.push(one(() => get(`/webhooks/orders/create?token=${secret}`), 405));
          work.push(one(() => get(`/healthz?token=${secret}`, { method: "POST", body: "x" }), 405));
          work.push(one(() => rawGet(app.url, `/?id_token=${secret}`, "exa mple"), 500));
          if (work.length >= 50) await Promise.all(work.splice(0));
        }
        await Promise.all(work);
      });
      // Remix's 404 documents and `_data` answers carry loader data's headers too.
      expect(cacheControl.filter((c) => c !== null && !isCacheSafe(c))).toEqual([]);

      // Lines come out after the answers: wait until every failure has its line.
      const total = counts[404] + counts[405] + counts[500];
      const deadline = Date.now() + 15_000;
      let lines: string[] = [];
      while (Date.now() < deadline) {
        lines = app.output().slice(base).split("\n").filter(Boolean);
        if (lines.length >= total) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const parsed = lines.map((line) => {
        expect(line.startsWith("{") && line.endsWith("}"), `not one JSON line: ${line.slice(0, 160)}`).toBe(true);
        return JSON.parse(line) as LogLine;
      });
      // Exactly one line per failed request, and nothing else.
      expect(parsed).toHaveLength(total);
      const byStatus = (status: number) => parsed.filter((l) => l.http?.status === status);
      expect(byStatus(404)).toHaveLength(counts[404]);
      expect(byStatus(405)).toHaveLength(counts[405]);
      expect(byStatus(500)).toHaveLength(counts[500]);
      for (const line of byStatus(404)) expect(line).toMatchObject({ level: 40, msg: "not found" });
      for (const line of byStatus(405)) expect(line).toMatchObject({ level: 40, msg: "method not allowed" });
      for (const line of byStatus(500)) {
        expect(line).toMatchObject({ level: 50, msg: "request failed", error: { type: "TypeError" } });
        expect(line.error?.stack).toBeDefined(); // the frames are there, in one JSON string
      }
      const output = app.output().slice(base);
      expect(output).not.toContain(secret);
      expect(output).not.toMatch(/\n\s+at /); // no stack frame on a line of its own
      expect(output).not.toContain("ErrorResponseImpl");
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(4096);
      reportFigure("error flood: log lines per failed request", parsed.length / total, "lines");
    },
    120_000,
  );

  attack("loader data is never cacheable: admin documents and _data answers", async (strike) => {
    // The admin's loaders with real data, without Shopify: the offline preview (loopback only).
    const app = await startAppProcess({
      NODE_ENV: "test",
      LOCAL_PREVIEW: "true",
      SHOPIFY_APP_URL: "http://127.0.0.1",
      RUN_WORKER: "false",
    });
    started.push(app);
    const checked: { path: string; status: number; cacheControl: string | null }[] = [];
    await strike(async () => {
      const paths = [
        "/app",
        "/app/events",
        "/app/reconciliation",
        "/app?_data=routes/app",
        "/app?_data=routes/app._index",
        "/app/events?_data=routes/app.events",
        "/app/reconciliation?_data=routes/app.reconciliation",
        "/app/nope",
        "/app/nope?_data=routes/app",
      ];
      for (const path of paths) {
        const response = await fetch(new URL(path, app.url), { redirect: "manual" });
        await response.arrayBuffer();
        checked.push({ path, status: response.status, cacheControl: response.headers.get("cache-control") });
      }
    });
    // The pages really served their loaders' data (not a redirect to a login).
    expect(checked.filter((c) => !c.path.includes("nope")).map((c) => c.status)).toEqual(Array(7).fill(200));
    expect(checked.filter((c) => !isCacheSafe(c.cacheControl))).toEqual([]);
  });
});
