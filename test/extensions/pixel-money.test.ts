/**
 * The web pixel and the server must compute the same minor units, or OpenAI keeps whichever of the two
 * `order_created` events came first with its own amount. The pixel bundles only the exponents that are
 * not 2 (app/conversions/minor-units.ts); the server knows every ISO 4217 code (money.ts). This runs the
 * real pixel on a fake runtime for every code in the server's table and compares what reaches the image
 * tag with what the server's toMinorUnits says about the same amount.
 */
import { describe, expect, it } from "vitest";
import { KNOWN_CURRENCY_CODES, toMinorUnits } from "~/conversions/money";
import { createOpenAiPixel } from "../../extensions/openai-pixel/src/pixel";
import { checkoutData, createFakeRuntime, productVariant, productViewedData } from "./fake-pixel-runtime";

/** What the server makes of it: minor units, or null when it refuses the amount. */
function serverMinorUnits(code: string, amount: number): number | null {
  try {
    return toMinorUnits(code, amount);
  } catch {
    return null;
  }
}

/** What the pixel puts in the image tag of a product view: [data[amount], the item's amount], null when absent. */
async function pixelMinorUnits(currencyCode: string, amount: number): Promise<[number | null, number | null]> {
  const runtime = createFakeRuntime({ marketingAllowed: true });
  createOpenAiPixel(runtime.api, { fetch: runtime.fetch });
  await runtime.publish("product_viewed", productViewedData({ amount, currencyCode }));
  const [tag] = runtime.imageTags();
  const params = new URL(tag.url).searchParams;
  const [item] = JSON.parse(params.get("data[contents]") ?? "[]");
  const total = params.get("data[amount]");
  if (total !== null) expect(params.get("data[currency]")).toBe(currencyCode.toUpperCase());
  return [total === null ? null : Number(total), item?.amount ?? null];
}

// Whole units, every exponent's last exact digit, one digit too many for each, and float-drift cases.
const AMOUNTS = [0, 7, 8900, 0.1, 1.15, 129.99, 12.345, 1.2345, 8900.5, 0.12345, 90071992547.40991];

describe("pixel and server agree on minor units", () => {
  it.each(KNOWN_CURRENCY_CODES)("%s", async (code) => {
    for (const amount of AMOUNTS) {
      const expected = serverMinorUnits(code, amount);
      expect([amount, await pixelMinorUnits(code, amount)]).toEqual([amount, [expected, expected]]);
    }
    // Shopify's codes are upper-case, but the pixel accepts any case, like the server.
    expect(await pixelMinorUnits(code.toLowerCase(), 129.99)).toEqual(Array(2).fill(serverMinorUnits(code, 129.99)));
  });

  it("order_created carries the server's amount too, or leaves the order to the server", async () => {
    for (const [code, amount] of [
      ["KWD", 12.345],
      ["JPY", 8900],
      ["CLF", 1.2345],
      ["USD", 12.345],
    ] as const) {
      const runtime = createFakeRuntime({ marketingAllowed: true });
      createOpenAiPixel(runtime.api, { fetch: runtime.fetch });
      const variant = productVariant({ amount, currencyCode: code });
      await runtime.publish(
        "checkout_completed",
        checkoutData({ amount, currencyCode: code, lines: [{ variant, quantity: 1 }] }),
      );
      const expected = serverMinorUnits(code, amount);
      const tags = runtime.imageTags().map((call) => new URL(call.url).searchParams.get("data[amount]"));
      expect([code, tags]).toEqual([code, expected === null ? [] : [String(expected)]]);
    }
  });
});
