/**
 * Shopify's Admin GraphQL API on loopback, for the installation check of shop/redact: a token
 * answers 200 until it is revoked (as Shopify revokes it at uninstall), then 401. Every call is recorded.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface AdminApiStandin {
  url: string;
  revoke(token: string): void;
  calls(): { shop: string; token: string }[];
  close(): Promise<void>;
}

export async function startAdminApiStandin(): Promise<AdminApiStandin> {
  const revoked = new Set<string>();
  const calls: { shop: string; token: string }[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const token = String(req.headers["x-shopify-access-token"] ?? "");
      calls.push({ shop: String(req.headers["x-shopify-shop-domain"] ?? ""), token });
      if (!req.url?.endsWith("/graphql.json") || !token || revoked.has(token)) {
        res.writeHead(401, { "Content-Type": "application/json" }).end('{"errors":"Invalid API key or access token"}');
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"data":{"shop":{"id":"gid://shopify/Shop/1"}}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    revoke: (token) => revoked.add(token),
    calls: () => [...calls],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
