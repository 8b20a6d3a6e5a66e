/**
 * Starting the backfill from the settings page: only after OpenAI accepted the saved credentials, only
 * once the merchant acknowledged the warning about other integrations, once per shop.
 */
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { backfillViewFor, startBackfillFromAdmin } from "~/admin/backfill.server";
import { backfillJobOf } from "~/models/backfill-jobs.server";
import { configureShop, uniqueShop } from "../helpers/shops";

async function shopWithCredentials(status: "ok" | "unknown" | "rejected") {
  const s = uniqueShop("bf-admin");
  await configureShop(s.shop, { pixelId: s.pixelId, apiKey: s.apiKey });
  await prisma.shopSettings.update({ where: { shop: s.shop }, data: { credentialsStatus: status } });
  return s.shop;
}

describe("starting the backfill from the admin", () => {
  it("is offered only once OpenAI accepted the saved credentials", async () => {
    for (const status of ["unknown", "rejected"] as const) {
      const shop = await shopWithCredentials(status);
      expect((await backfillViewFor(shop)).state).toBe("unavailable");
      const result = await startBackfillFromAdmin(shop, { acknowledged: true });
      expect(result.ok).toBe(false);
      expect(await backfillJobOf(shop)).toBeNull();
    }
    expect((await backfillViewFor(await shopWithCredentials("ok"))).state).toBe("offer");
  });

  it("needs the warning acknowledged", async () => {
    const shop = await shopWithCredentials("ok");
    const refused = await startBackfillFromAdmin(shop, { acknowledged: false });
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/no other integration/) });
    expect(await backfillJobOf(shop)).toBeNull();
  });

  it("starts once, over OpenAI's 7 days, and a second start changes nothing", async () => {
    const shop = await shopWithCredentials("ok");
    const now = new Date("2026-12-02T12:00:00Z");
    const started = await startBackfillFromAdmin(shop, { acknowledged: true }, now);
    expect(started).toMatchObject({ ok: true, view: { state: "running", done: 0, total: null } });
    const job = await backfillJobOf(shop);
    expect(job?.since.toISOString()).toBe("2026-11-25T12:00:00.000Z");
    expect(job?.acknowledgedAt.toISOString()).toBe(now.toISOString());
    await startBackfillFromAdmin(shop, { acknowledged: true }, new Date("2026-12-03T12:00:00Z"));
    expect((await backfillJobOf(shop))?.since.toISOString()).toBe("2026-11-25T12:00:00.000Z");
  });
});
