/**
 * Shopify's Admin GraphQL API on loopback, for the one question the subscription code asks: the
 * orders' `sourceName` and `lineItems.sellingPlan` (`nodes(ids:)` over `gid://shopify/Order/…`).
 * Answers in Shopify's shape: a node per id, `null` for an unknown order, `sellingPlan: null` on
 * lines bought without a plan; 401 for a token it does not know. Every call is recorded.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StandinOrder {
  sourceName: string;
  /** One entry per line item: its selling plan id, or null for a one-time purchase. */
  sellingPlanIds: (string | null)[];
}

export interface SellingPlanCall {
  shop: string;
  token: string;
  ids: string[];
}

export interface SellingPlanStandin {
  url: string;
  /** The shop's order as Shopify would know it; its token must be `token`. */
  addOrder(shop: string, token: string, orderId: string, order: StandinOrder): void;
  calls(): SellingPlanCall[];
  close(): Promise<void>;
}

export async function startSellingPlanStandin(): Promise<SellingPlanStandin> {
  const orders = new Map<string, StandinOrder>();
  const tokens = new Map<string, string>();
  const calls: SellingPlanCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const shop = String(req.headers["x-shopify-shop-domain"] ?? "");
      const token = String(req.headers["x-shopify-access-token"] ?? "");
      let ids: string[] = [];
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { variables?: { ids?: unknown } };
        ids = Array.isArray(body.variables?.ids) ? body.variables.ids.map(String) : [];
      } catch {
        ids = [];
      }
      calls.push({ shop, token, ids });
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
      if (req.method !== "POST" || !/^\/admin\/api\/[^/]+\/graphql\.json$/.test(req.url ?? "")) {
        return json(404, { errors: "Not Found" });
      }
      if (!token || tokens.get(shop) !== token) return json(401, { errors: "Invalid API key or access token" });
      const nodes = ids.map((gid) => {
        const order = orders.get(`${shop}|${gid.replace(/^gid:\/\/shopify\/Order\//, "")}`);
        if (!order) return null;
        return {
          id: gid,
          sourceName: order.sourceName,
          lineItems: {
            nodes: order.sellingPlanIds.map((planId) => ({
              sellingPlan: planId === null ? null : { sellingPlanId: planId, name: "Delivery every month" },
            })),
          },
        };
      });
      json(200, { data: { nodes } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    addOrder: (shop, token, orderId, order) => {
      tokens.set(shop, token);
      orders.set(`${shop}|${orderId}`, order);
    },
    calls: () => calls.map((c) => ({ ...c, ids: [...c.ids] })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
