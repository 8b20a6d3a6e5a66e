/**
 * shop/redact erases every table that holds shop or customer data, including webhooks stored but not
 * yet applied (WEBHOOK_ACK=stored keeps their encrypted raw bodies); and on SQLite erased rows are
 * overwritten (secure_delete), not left in free pages.
 */
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { appendToInbox } from "~/models/webhook-inbox.server";
import { rowsHeldForShop } from "~/models/privacy.server";
import { compliancePayload, status } from "./helpers";
import { configureShop, uniqueShop } from "../helpers/shops";
import { testDatabaseProvider } from "../helpers/test-database";

describe("shop/redact coverage", () => {
  it("deletes the shop's stored, not yet applied webhooks with everything else", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("redact-inbox");
    await configureShop(shop, { pixelId, apiKey });
    const bystander = uniqueShop("redact-inbox-bystander").shop;
    for (const s of [shop, bystander]) {
      await appendToInbox({
        path: "/webhooks/orders/create",
        shop: s,
        topic: "orders/create",
        eventId: `evt-${s}`,
        webhookId: `wh-${s}`,
        apiVersion: "2026-10",
        triggeredAt: null,
        rawBody: JSON.stringify({ id: 1, email: "jane@example.com" }),
      });
    }
    expect((await rowsHeldForShop(shop)).webhookInbox).toBe(1);
    expect(await status("shop/redact", shop, compliancePayload("shop/redact", shop))).toBe(200);
    expect(Object.values(await rowsHeldForShop(shop)).every((n) => n === 0)).toBe(true);
    expect((await rowsHeldForShop(bystander)).webhookInbox).toBe(1);
  });

  it.runIf(testDatabaseProvider() === "sqlite")(
    "SQLite connections overwrite deleted rows (secure_delete)",
    async () => {
      const [row] = await prisma.$queryRawUnsafe<{ secure_delete: bigint | number }[]>("PRAGMA secure_delete");
      expect(Number(row.secure_delete)).toBe(1);
    },
  );
});
