/**
 * The backfill end to end in this process: the Admin API stand-in on loopback (pages and a bulk
 * operation), the real database, the real webhook ingest, the delivery worker and the OpenAI
 * stand-in. What must hold: every order of the last 7 days reaches OpenAI once, under the same id a
 * webhook (and the pixel) would use; orders older than 7 days are never read; a rerun and an order
 * a webhook already brought change nothing; Shopify refusing the token fails the job with a reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { runBackfillPass, type BackfillRunnerOptions } from "~/backfill/runner.server";
import { backfillJobOf } from "~/models/backfill-jobs.server";
import { runUntilIdle } from "~/outbox/worker.server";
import { ingestOrderWebhook } from "~/webhooks/orders.server";
import { startAdminApiStandin, type AdminApiStandin } from "../../sim/admin-api";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder } from "../../sim/order-factory";
import { acceptedKeys, backfillShop, orderKeys, startBackfill } from "./helpers";

let admin: AdminApiStandin;
let openai: OpenAiStandin;

beforeAll(async () => {
  admin = await startAdminApiStandin({ bulkPolls: 3 });
  openai = await startOpenAiStandin();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.url;
});
afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
  await admin?.close();
  await openai?.close();
});

async function runToEnd(options: BackfillRunnerOptions = {}) {
  const passes: string[] = [];
  for (let i = 0; i < 200; i++) {
    const pass = await runBackfillPass({ bulkPollMs: 0, ...options });
    passes.push(pass);
    if (pass === "idle") break;
  }
  return passes;
}

describe("backfill of the last 7 days", () => {
  it("pages: each recent order once to OpenAI, older ones never read, a webhook-delivered order not twice", async () => {
    const s = await backfillShop("bf-pages", openai);
    const now = new Date();
    const ids = admin.seedOrders(s.shop, 230, { now });
    // Placed 8 days ago: outside OpenAI's window, never fetched.
    const [old] = [makeShopifyOrder({ id: ids[0] - 1, processedAt: new Date(now.getTime() - 8 * 86_400_000) })];
    admin.seed(s.shop, [old]);
    // One order already arrived by webhook before the merchant connected the backfill.
    const viaWebhook = makeShopifyOrder({ id: ids[5], landingSite: `/?oppref=oa_bf${ids[5]}` });
    await ingestOrderWebhook({
      shop: s.shop,
      topic: "orders/create",
      webhookId: "wh-live-1",
      eventId: "evt-live-1",
      apiVersion: "2026-10",
      triggeredAt: null,
      rawBody: JSON.stringify(viaWebhook),
      payload: viaWebhook,
    });

    expect((await startBackfill(s.shop, now)).status).toBe("started");
    await runToEnd({ pageSize: 50 });
    const job = await backfillJobOf(s.shop);
    expect(job).toMatchObject({ state: "done", mode: "pages", done: 230, total: 230, failureReason: null });
    expect(admin.calls(s.shop).filter((c) => c.operation === "orders")).toHaveLength(5);
    expect(admin.served(s.shop).has(String(old.id))).toBe(false);

    await runUntilIdle({ baseUrl: openai.url });
    const accepted = acceptedKeys(openai, s.pixelId);
    expect(new Set(accepted)).toEqual(await orderKeys(ids));
    expect(accepted).toHaveLength(230);
    const rows = await prisma.conversionEvent.count({ where: { shop: s.shop, eventName: "order_created" } });
    expect(rows).toBe(230);

    // Starting again changes nothing: one backfill per shop, and its orders are already recorded.
    expect((await startBackfill(s.shop)).status).toBe("exists");
    expect(await runBackfillPass()).toBe("idle");
  }, 120_000);

  it("bulk: a large window goes through one bulk operation and its JSONL file", async () => {
    const s = await backfillShop("bf-bulk", openai);
    const ids = admin.seedOrders(s.shop, 120);
    await startBackfill(s.shop);
    const passes = await runToEnd({ bulkThreshold: 100 });
    expect(passes.filter((p) => p === "waiting").length).toBeGreaterThanOrEqual(1); // Shopify was still building it
    expect(await backfillJobOf(s.shop)).toMatchObject({ state: "done", mode: "bulk", done: 120, total: 120 });
    expect(admin.calls(s.shop).filter((c) => c.operation === "bulkOperationRunQuery")).toHaveLength(1);
    expect(admin.calls(s.shop).filter((c) => c.operation === "orders")).toHaveLength(0);
    await runUntilIdle({ baseUrl: openai.url });
    expect(new Set(acceptedKeys(openai, s.pixelId))).toEqual(await orderKeys(ids));
  }, 120_000);

  it("a refused token fails the job with the reason, and a failed job can be started again", async () => {
    const s = await backfillShop("bf-401", openai);
    admin.seedOrders(s.shop, 3);
    admin.revoke(s.accessToken);
    await startBackfill(s.shop);
    await runToEnd();
    const failed = await backfillJobOf(s.shop);
    expect(failed?.state).toBe("failed");
    expect(failed?.failureReason).toMatch(/refused the app's access token \(401\)/);
    expect(await prisma.conversionEvent.count({ where: { shop: s.shop } })).toBe(0);
    expect((await startBackfill(s.shop)).status).toBe("started");
  }, 60_000);

  it("a shop without a stored session fails with a reason instead of retrying for ever", async () => {
    const s = await backfillShop("bf-nosession", openai);
    await prisma.session.deleteMany({ where: { shop: s.shop } });
    await startBackfill(s.shop);
    await runToEnd();
    expect(await backfillJobOf(s.shop)).toMatchObject({
      state: "failed",
      failureReason: "the app has no access token for this shop",
    });
  }, 60_000);
});
