/**
 * One list of webhooks (app/webhooks/registry.server.ts) serves the lean path, the inbox and any
 * Pub/Sub/EventBridge consumer; it must agree with the Remix route files and shopify.app.toml.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { handlerForPath, handlerForTopic, ingestForTopic, WEBHOOK_HANDLERS } from "~/webhooks/registry.server";

const toml = readFileSync(path.join(process.cwd(), "shopify.app.toml"), "utf8");

function subscriptions(): { uri: string; topics: string[] }[] {
  return toml
    .split("[[webhooks.subscriptions]]")
    .slice(1)
    .map((block) => ({
      uri: /uri\s*=\s*"([^"]+)"/.exec(block)?.[1] ?? "",
      topics: [...(/(?:compliance_)?topics\s*=\s*\[([^\]]*)\]/.exec(block)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map(
        (m) => m[1],
      ),
    }));
}

describe("webhook registry", () => {
  it("has exactly the subscriptions of shopify.app.toml, path for path and topic for topic", () => {
    const fromToml = subscriptions()
      .map((s) => ({ path: s.uri, topics: [...s.topics].sort() }))
      .sort((a, b) => a.path.localeCompare(b.path));
    const fromRegistry = WEBHOOK_HANDLERS.map((h) => ({ path: h.path, topics: [...h.topics].sort() })).sort((a, b) =>
      a.path.localeCompare(b.path),
    );
    expect(fromRegistry).toEqual(fromToml);
  });

  it("has a Remix route file for every path (the routes and the lean path answer the same URLs)", () => {
    for (const { path: p } of WEBHOOK_HANDLERS) {
      const file = path.join(process.cwd(), "app", "routes", `${p.slice(1).replaceAll("/", ".")}.tsx`);
      expect(existsSync(file), file).toBe(true);
    }
  });

  it("looks handlers up by path (trailing slash tolerated) and by topic", () => {
    expect(handlerForPath("/webhooks/orders/create")?.topics).toEqual(["orders/create"]);
    expect(handlerForPath("/webhooks/orders/create/")?.path).toBe("/webhooks/orders/create");
    expect(handlerForPath("/webhooks/nope")).toBeUndefined();
    expect(handlerForTopic("shop/redact")?.path).toBe("/webhooks/compliance");
    expect(ingestForTopic("refunds/create")).toBe(handlerForPath("/webhooks/refunds/create")?.ingest);
    expect(ingestForTopic("products/update")).toBeUndefined();
  });
});
