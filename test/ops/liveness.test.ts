/**
 * /healthz on the node:http path in front of Remix: the same answer as the Remix route, HEAD without a
 * body, never cached, and every other request passed on (returns false) so Remix still serves it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleLiveness } from "~/ops/liveness.server";
import { loader } from "~/routes/healthz";

let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (!handleLiveness(req, res)) {
      res.writeHead(404, { "Content-Length": "9" });
      res.end("not ours\n");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("liveness probe in front of Remix", () => {
  it("GET /healthz answers 200 {ok:true}, not cacheable, like the Remix route", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const route = await loader();
    expect(await response.json()).toEqual(await route.json());
    expect(route.status).toBe(200);
  });

  it("HEAD /healthz answers without a body; a query string is the same probe", async () => {
    const head = await fetch(`${base}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await fetch(`${base}/healthz?from=lb`)).status).toBe(200);
  });

  it("other paths and methods are left to Remix", async () => {
    for (const [path, method] of [
      ["/healthzz", "GET"],
      ["/healthz/x", "GET"],
      ["/healthz", "POST"],
      ["/readyz", "GET"],
    ] as const) {
      const response = await fetch(`${base}${path}`, { method });
      expect([path, method, response.status]).toEqual([path, method, 404]);
      expect(await response.text()).toBe("not ours\n");
    }
  });
});
