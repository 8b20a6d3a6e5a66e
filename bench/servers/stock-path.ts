/**
 * The stock path the issue measures, for comparison: Shopify's `authenticate.webhook` (from
 * app/shopify.server.ts: HMAC check, then the shop's offline session loaded from the database on
 * every call) plus one Prisma write per request, on plain node:http (no Remix routing in the way).
 * Bundled and started by `npm run bench`.
 */
import http from "node:http";
import prisma from "~/db/client.server";
import { authenticate } from "~/shopify.server";

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", async () => {
    let status = 200;
    try {
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(key, value);
      const request = new Request(`http://localhost${req.url}`, {
        method: req.method,
        headers,
        body: Buffer.concat(chunks),
      });
      const { shop, topic, webhookId } = await authenticate.webhook(request);
      const eventId = headers.get("x-shopify-event-id") ?? webhookId;
      await prisma.webhookDelivery.create({ data: { shop, topic, eventId, webhookId } });
    } catch (error) {
      status = error instanceof Response ? error.status : 500;
    }
    res.writeHead(status, { "Content-Length": "0" });
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});
process.on("SIGINT", () => process.exit(0)); // lets BENCH_PROFILE write a CPU profile
