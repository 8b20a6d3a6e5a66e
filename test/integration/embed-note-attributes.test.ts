/**
 * End to end for the theme embed's cart attributes: a signed orders/create webhook whose ONLY oppref is
 * the `_oppref` note attribute (what the embed wrote to the cart; `landing_site` has none, no pixel
 * receipt) reaches the OpenAI stand-in with that oppref, and the source is recorded as note_attributes.
 * Real HTTP to the built app, the real SQLite file, the delivery worker, the contract stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUntilIdle } from "~/outbox/worker.server";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder } from "../../sim/order-factory";
import { sendWebhook } from "../../sim/shopify-webhooks";
import { startAppProcess, TEST_SECRET, type AppProcess } from "../helpers/app-process";
import { configureShop, eventsOf, uniqueShop } from "../helpers/shops";

let standin: OpenAiStandin;
let app: AppProcess;

beforeAll(async () => {
  standin = await startOpenAiStandin();
  app = await startAppProcess({ OPENAI_CAPI_URL: standin.url, RUN_WORKER: "false" });
});
afterAll(async () => {
  await app?.stop();
  await standin?.close();
});

describe("the embed's _oppref note attribute → OpenAI", () => {
  it("an order whose only oppref is _oppref is sent with it, source note_attributes", async () => {
    const { shop, pixelId, apiKey } = uniqueShop("embed-notes");
    standin.addPixel(pixelId, apiKey);
    await configureShop(shop, { pixelId, apiKey });
    const clickedAt = Date.now() - 2 * 24 * 3600 * 1000;
    const order = {
      ...makeShopifyOrder({ id: 830000000000 + Math.floor(Math.random() * 1e9), landingSite: "/collections/all" }),
      // Exactly what the embed writes to the cart; Shopify copies cart attributes to note_attributes.
      note_attributes: [
        { name: "_oppref", value: "oa_click_from_embed" },
        { name: "_oppref_at", value: String(clickedAt) },
        { name: "_oppref_consent", value: `marketing=granted&sale_of_data=allowed&source=privacy_api&at=${clickedAt}` },
      ],
    };
    expect(
      await sendWebhook(app.url, { topic: "orders/create", shop, body: JSON.stringify(order), secret: TEST_SECRET }),
    ).toBe(200);

    await runUntilIdle({ baseUrl: standin.url });
    const accepted = standin.accepted(pixelId);
    expect(accepted).toHaveLength(1);
    expect(accepted[0].event.oppref).toBe("oa_click_from_embed");
    const rows = await eventsOf(shop);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "delivered", opprefSource: "note_attributes" });
  });
});
