/**
 * LOCAL_PREVIEW=true left on a deploy whose NODE_ENV is not "production" (it was never set) used to
 * serve /app, the merchant's settings, without any Shopify session token. The preview now also
 * needs a loopback SHOPIFY_APP_URL: the app refuses to start with a public one, whatever NODE_ENV says.
 */
import { describe, expect } from "vitest";
import { startAppProcess } from "../helpers/app-process";
import { attack } from "./harness";

describe("local preview on a public deploy", () => {
  for (const NODE_ENV of ["development", "test"]) {
    attack(`LOCAL_PREVIEW=true with a public SHOPIFY_APP_URL and NODE_ENV=${NODE_ENV}`, async (strike) => {
      await strike(async () => {
        let served: number | null = null;
        const started = startAppProcess({
          NODE_ENV,
          LOCAL_PREVIEW: "true",
          SHOPIFY_APP_URL: "https://app.example.test",
          RUN_WORKER: "false",
        }).then(async (app) => {
          served = (await fetch(new URL("/app", app.url), { redirect: "manual" })).status;
          await app.stop();
        });
        await expect(started).rejects.toThrow(/loopback SHOPIFY_APP_URL/);
        expect(served).toBeNull();
      });
    });
  }
});
