/**
 * Shopify's Admin GraphQL API on loopback, for the "send the last 7 days" backfill (tests and the
 * demo): the orders of each seeded shop as Shopify serves them.
 *  - `orders(first, after, query: "created_at:>='…'", sortKey: CREATED_AT)`: a connection with
 *    opaque cursors and `pageInfo { hasNextPage endCursor }`;
 *  - `ordersCount(query)`: `{ count, precision: "EXACT" }`;
 *  - `bulkOperationRunQuery(query)`: one bulk query per shop at a time (a second one gets Shopify's
 *    userError), `node(id)` on the BulkOperation reports CREATED → RUNNING → COMPLETED (after
 *    `bulkPolls` looks) with a `url` to a JSONL file served here: each order on one line, each of
 *    its line items on a later line with `__parentId`, as Shopify writes nested connections.
 * Calls need `X-Shopify-Access-Token` (401 otherwise, or when the token was revoked). The stand-in
 * answers whatever the query names with every field it knows (it is no GraphQL engine): the app's
 * selection is checked by the parity test instead, field by field.
 *
 * Orders are seeded in the webhook (REST) shape of sim/order-factory.ts and served in the GraphQL
 * shape by `graphqlOrderFromRest`, written from Shopify's GraphQL Order schema.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { makeShopifyOrder, type OrderSpec } from "./order-factory";

type Rest = Record<string, any>;

const gid = (type: string, id: unknown) => (id === null || id === undefined ? null : `gid://shopify/${type}/${id}`);

function moneySet(set: Rest | null | undefined) {
  if (!set) return null;
  const money = (m: Rest | null | undefined) =>
    m ? { amount: String(m.amount), currencyCode: m.currency_code } : null;
  return { shopMoney: money(set.shop_money), presentmentMoney: money(set.presentment_money) };
}

function address(a: Rest | null | undefined) {
  if (!a) return null;
  return {
    firstName: a.first_name ?? null,
    lastName: a.last_name ?? null,
    city: a.city ?? null,
    province: a.province ?? null,
    provinceCode: a.province_code ?? null,
    countryCodeV2: a.country_code ?? null,
    zip: a.zip ?? null,
    phone: a.phone ?? null,
  };
}

/** The Admin GraphQL `Order` of a REST order body (what Shopify serves for the same order). */
export function graphqlOrderFromRest(rest: Rest, storefrontOrigin = "https://shop.example.com"): Rest {
  const customer = rest.customer as Rest | null | undefined;
  const landing =
    typeof rest.landing_site === "string" ? new URL(rest.landing_site, storefrontOrigin).toString() : null;
  return {
    id: rest.admin_graphql_api_id ?? gid("Order", rest.id),
    name: rest.name ?? null,
    createdAt: rest.created_at ?? null,
    processedAt: rest.processed_at ?? null,
    test: rest.test === true,
    sourceName: rest.source_name ?? null,
    // GraphQL's Order.tags is a list; REST's is one comma-separated string.
    tags:
      typeof rest.tags === "string"
        ? rest.tags
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean)
        : [],
    email: rest.email ?? null,
    phone: rest.phone ?? null,
    checkoutToken: rest.checkout_token ?? null,
    cancelledAt: rest.cancelled_at ?? null,
    cancelReason: typeof rest.cancel_reason === "string" ? rest.cancel_reason.toUpperCase() : null,
    displayFinancialStatus: typeof rest.financial_status === "string" ? rest.financial_status.toUpperCase() : null,
    currencyCode: rest.currency ?? null,
    presentmentCurrencyCode: rest.presentment_currency ?? null,
    clientIp: rest.browser_ip ?? rest.client_details?.browser_ip ?? null,
    totalPriceSet: moneySet(rest.total_price_set),
    customAttributes: ((rest.note_attributes as Rest[] | undefined) ?? []).map((a) => ({
      key: a.name,
      value: a.value,
    })),
    customerJourneySummary: landing ? { firstVisit: { landingPage: landing } } : { firstVisit: null },
    customer: customer
      ? {
          id: gid("Customer", customer.id),
          firstName: customer.first_name ?? null,
          lastName: customer.last_name ?? null,
          defaultEmailAddress: customer.email ? { emailAddress: customer.email } : null,
          defaultPhoneNumber: customer.phone ? { phoneNumber: customer.phone } : null,
        }
      : null,
    billingAddress: address(rest.billing_address),
    shippingAddress: address(rest.shipping_address),
    lineItems: {
      nodes: ((rest.line_items as Rest[] | undefined) ?? []).map((line) => ({
        id: gid("LineItem", line.id),
        title: line.title ?? null,
        sku: line.sku ?? null,
        quantity: line.quantity ?? null,
        variant: line.variant_id ? { id: gid("ProductVariant", line.variant_id) } : null,
        product: line.product_id ? { id: gid("Product", line.product_id) } : null,
        originalUnitPriceSet: moneySet(line.price_set),
      })),
    },
  };
}

interface BulkOperation {
  id: string;
  shop: string;
  since: Date;
  polls: number;
  status: "CREATED" | "RUNNING" | "COMPLETED";
  jsonl: string | null;
  rootObjectCount: number;
  objectCount: number;
}

export interface AdminApiCall {
  shop: string;
  operation: "orders" | "ordersCount" | "bulkOperationRunQuery" | "bulkOperation" | "bulkFile" | "other";
  token: string;
}

export interface AdminApiStandin {
  url: string;
  /** Adds REST-shaped orders (sim/order-factory.ts) to the shop. */
  seed(shop: string, orders: Rest[]): void;
  /** `count` web orders, ids from `firstId`, placed evenly over the last `days` days (default 6). */
  seedOrders(
    shop: string,
    count: number,
    spec?: { firstId?: number; days?: number; now?: Date } & Partial<OrderSpec>,
  ): number[];
  revoke(token: string): void;
  calls(shop?: string): AdminApiCall[];
  /** Orders served to the app, by id (pages and bulk files). */
  served(shop: string): Map<string, number>;
  close(): Promise<void>;
}

const SINCE = /created_at:>=\s*'?([0-9T:.\-+Z]+)'?/;

export async function startAdminApiStandin(
  options: {
    /** Looks at a bulk operation before it completes (default 2). */
    bulkPolls?: number;
    /** Delay before every GraphQL answer, like a distant store (default 0). */
    latencyMs?: number;
  } = {},
): Promise<AdminApiStandin> {
  const shops = new Map<string, Rest[]>();
  const revoked = new Set<string>();
  const calls: AdminApiCall[] = [];
  const served = new Map<string, Map<string, number>>();
  const bulk = new Map<string, BulkOperation>();
  let nextBulk = 1;
  let baseUrl = "";

  const ordersOf = (shop: string, since: Date | null) =>
    (shops.get(shop) ?? [])
      .filter((o) => since === null || Date.parse(o.created_at) >= since.getTime())
      .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || String(a.id).localeCompare(String(b.id)));

  const markServed = (shop: string, order: Rest) => {
    const byId = served.get(shop) ?? new Map<string, number>();
    served.set(shop, byId);
    byId.set(String(order.id), (byId.get(String(order.id)) ?? 0) + 1);
  };

  const sinceOf = (text: unknown): Date | null => {
    const match = typeof text === "string" ? SINCE.exec(text) : null;
    return match ? new Date(match[1]) : null;
  };

  function jsonlOf(operation: BulkOperation): string {
    const lines: string[] = [];
    for (const rest of ordersOf(operation.shop, operation.since)) {
      markServed(operation.shop, rest);
      const { lineItems, ...order } = graphqlOrderFromRest(rest);
      lines.push(JSON.stringify(order));
      for (const item of lineItems.nodes) lines.push(JSON.stringify({ ...item, __parentId: order.id }));
    }
    operation.rootObjectCount = ordersOf(operation.shop, operation.since).length;
    operation.objectCount = lines.length;
    return lines.length ? `${lines.join("\n")}\n` : "";
  }

  function graphql(shop: string, query: string, variables: Rest): { status: number; body: unknown } {
    const data = (payload: unknown) => ({
      status: 200,
      body: {
        data: payload,
        extensions: {
          cost: { requestedQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990 } },
        },
      },
    });
    if (/\bbulkOperationRunQuery\s*\(/.test(query)) {
      const running = [...bulk.values()].find((b) => b.shop === shop && b.status !== "COMPLETED");
      if (running) {
        return data({
          bulkOperationRunQuery: {
            bulkOperation: null,
            userErrors: [
              {
                field: null,
                code: "OPERATION_IN_PROGRESS",
                message: "A bulk query operation for this app and shop is already in progress",
              },
            ],
          },
        });
      }
      const since = sinceOf(variables.query);
      if (!since)
        return data({
          bulkOperationRunQuery: {
            bulkOperation: null,
            userErrors: [{ field: ["query"], message: "Invalid bulk query" }],
          },
        });
      const operation: BulkOperation = {
        id: `gid://shopify/BulkOperation/${nextBulk++}`,
        shop,
        since,
        polls: 0,
        status: "CREATED",
        jsonl: null,
        rootObjectCount: 0,
        objectCount: 0,
      };
      bulk.set(operation.id, operation);
      return data({
        bulkOperationRunQuery: { bulkOperation: { id: operation.id, status: operation.status }, userErrors: [] },
      });
    }
    if (/\bnode\s*\(/.test(query)) {
      const operation = bulk.get(String(variables.id));
      if (!operation || operation.shop !== shop) return data({ node: null });
      operation.polls++;
      if (operation.status !== "COMPLETED") {
        if (operation.polls >= (options.bulkPolls ?? 2)) {
          operation.jsonl = jsonlOf(operation);
          operation.status = "COMPLETED";
        } else operation.status = "RUNNING";
      }
      const completed = operation.status === "COMPLETED";
      const id = operation.id.split("/").pop();
      return data({
        node: {
          id: operation.id,
          status: operation.status,
          errorCode: null,
          objectCount: String(operation.objectCount),
          rootObjectCount: String(operation.rootObjectCount),
          url: completed && operation.jsonl ? `${baseUrl}/bulk/${id}.jsonl` : null,
          partialDataUrl: null,
        },
      });
    }
    if (/\bordersCount\s*\(/.test(query)) {
      return data({ ordersCount: { count: ordersOf(shop, sinceOf(variables.query)).length, precision: "EXACT" } });
    }
    if (/\borders\s*\(/.test(query)) {
      const all = ordersOf(shop, sinceOf(variables.query));
      const first = Math.min(250, Math.max(1, Number(variables.first ?? 50)));
      const start =
        typeof variables.after === "string" ? Number(Buffer.from(variables.after, "base64url").toString()) + 1 : 0;
      const page = all.slice(start, start + first);
      page.forEach((o) => markServed(shop, o));
      const end = start + page.length - 1;
      return data({
        orders: {
          nodes: page.map((o) => graphqlOrderFromRest(o)),
          pageInfo: {
            hasNextPage: start + first < all.length,
            endCursor: page.length ? Buffer.from(String(end)).toString("base64url") : null,
          },
        },
      });
    }
    return {
      status: 200,
      body: { errors: [{ message: "This stand-in knows orders, ordersCount and bulk operations only." }] },
    };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const file = /^\/bulk\/(\d+)\.jsonl$/.exec(url.pathname);
      if (req.method === "GET" && file) {
        const operation = bulk.get(`gid://shopify/BulkOperation/${file[1]}`);
        if (!operation?.jsonl) return void res.writeHead(404).end();
        calls.push({ shop: operation.shop, operation: "bulkFile", token: "" });
        return void res.writeHead(200, { "Content-Type": "application/jsonl" }).end(operation.jsonl);
      }
      const shop = String(req.headers["x-shopify-shop-domain"] ?? "") || hostShop(req.headers.host);
      const token = String(req.headers["x-shopify-access-token"] ?? "");
      if (req.method !== "POST" || !/^\/admin\/api\/[^/]+\/graphql\.json$/.test(url.pathname)) {
        return void res.writeHead(404).end();
      }
      if (!token || revoked.has(token)) {
        return void res
          .writeHead(401, { "Content-Type": "application/json" })
          .end('{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}');
      }
      let body: { query?: string; variables?: Rest };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return void res.writeHead(400).end('{"errors":"bad JSON"}');
      }
      const query = body.query ?? "";
      calls.push({ shop, operation: operationOf(query), token });
      const answer = graphql(shop, query, body.variables ?? {});
      setTimeout(
        () => res.writeHead(answer.status, { "Content-Type": "application/json" }).end(JSON.stringify(answer.body)),
        options.latencyMs ?? 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const seed = (shop: string, orders: Rest[]) => shops.set(shop, [...(shops.get(shop) ?? []), ...orders]);
  return {
    url: baseUrl,
    seed,
    seedOrders(shop, count, spec = {}) {
      const now = (spec.now ?? new Date()).getTime();
      const span = (spec.days ?? 6) * 24 * 3600 * 1000;
      const firstId = spec.firstId ?? 5_000_000_000_000 + Math.floor(Math.random() * 1e9);
      const ids = Array.from({ length: count }, (_, i) => firstId + i);
      seed(
        shop,
        ids.map((id, i) =>
          makeShopifyOrder({
            landingSite: `/?oppref=oa_bf${id}`,
            ...spec,
            id,
            processedAt: new Date(now - span + Math.floor(((i + 1) * span) / (count + 1))),
          }),
        ),
      );
      return ids;
    },
    revoke: (token) => revoked.add(token),
    calls: (shop) => calls.filter((c) => shop === undefined || c.shop === shop),
    served: (shop) => new Map(served.get(shop) ?? []),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function hostShop(host: string | undefined): string {
  return host && host.endsWith(".myshopify.com") ? host : "";
}

function operationOf(query: string): AdminApiCall["operation"] {
  if (/\bbulkOperationRunQuery\s*\(/.test(query)) return "bulkOperationRunQuery";
  if (/\bnode\s*\(/.test(query)) return "bulkOperation";
  if (/\bordersCount\s*\(/.test(query)) return "ordersCount";
  if (/\borders\s*\(/.test(query)) return "orders";
  return "other";
}
