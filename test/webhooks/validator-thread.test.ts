/**
 * Shopify's validator on its own thread (app/webhooks/validator-thread.server.ts, used by the lean
 * /webhooks/* path) must answer exactly what it answers in the process: same library, same secret.
 * Each case goes through verifyWebhookParts both ways; the outcome (the verified webhook or the
 * status of the refusal) must be identical.
 */
import { createHmac } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { validateOnThread, verifyWebhookParts, type WebhookRequestParts } from "~/webhooks/verify.server";
import { startValidatorThread } from "~/webhooks/validator-thread.server";

const SECRET = process.env.SHOPIFY_API_SECRET!;
const BODY = JSON.stringify({ id: 820982911946154500, total_price: "12.34" });
const sign = (body: string, secret = SECRET) => createHmac("sha256", secret).update(body).digest("base64");

const GOOD: Record<string, string> = {
  "content-type": "application/json",
  "x-shopify-hmac-sha256": sign(BODY),
  "x-shopify-topic": "orders/create",
  "x-shopify-shop-domain": "thread.myshopify.com",
  "x-shopify-api-version": "2026-10",
  "x-shopify-webhook-id": "wh-1",
  "x-shopify-event-id": "ev-1",
  "x-shopify-triggered-at": "2026-11-25T10:00:00Z",
};

function parts(headers: Record<string, string>, rawBody = BODY, method = "POST"): WebhookRequestParts {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method,
    url: "http://localhost/webhooks/orders/create",
    headers: {
      get: (name) => lower[name.toLowerCase()] ?? null,
      entries: () => Object.entries(headers)[Symbol.iterator](),
    },
    rawBody,
  };
}

async function outcome(run: Promise<unknown>): Promise<unknown> {
  try {
    return { verified: { ...((await run) as object) } };
  } catch (error) {
    if (error instanceof Response) return { refused: error.status };
    throw error;
  }
}

const without = (name: string) => Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== name));

const CASES: [string, WebhookRequestParts, unknown][] = [
  ["a correctly signed webhook", parts(GOOD), "verified"],
  [
    "header names in another case",
    parts(Object.fromEntries(Object.entries(GOOD).map(([k, v]) => [k.toUpperCase(), v]))),
    "verified",
  ],
  [
    "a body that is not JSON, signed",
    parts({ ...GOOD, "x-shopify-hmac-sha256": sign("not json") }, "not json"),
    "verified",
  ],
  [
    "signed with another secret",
    parts({ ...GOOD, "x-shopify-hmac-sha256": sign(BODY, "someone-else") }),
    { refused: 401 },
  ],
  ["a body changed after signing", parts(GOOD, BODY.replace("12.34", "99.99")), { refused: 401 }],
  ["no signature", parts(without("x-shopify-hmac-sha256")), { refused: 400 }],
  ["no topic", parts(without("x-shopify-topic")), { refused: 400 }],
  ["no shop domain", parts(without("x-shopify-shop-domain")), { refused: 400 }],
  ["no webhook id", parts(without("x-shopify-webhook-id")), { refused: 400 }],
  ["not a POST", parts(GOOD, BODY, "GET"), { refused: 405 }],
];

describe("Shopify's webhook validator on its own thread", () => {
  it.each(CASES)("%s: the same outcome as in the process", async (_name, request, expected) => {
    const here = await outcome(verifyWebhookParts(request));
    const onThread = await outcome(verifyWebhookParts(request, validateOnThread));
    expect(onThread).toEqual(here);
    if (expected === "verified")
      expect(here).toMatchObject({
        verified: { shop: "thread.myshopify.com", topic: "orders/create", webhookId: "wh-1", eventId: "ev-1" },
      });
    else expect(here).toEqual(expected);
  });

  it("many webhooks at once, each answered for itself", async () => {
    const requests = Array.from({ length: 200 }, (_, i) => {
      const body = JSON.stringify({ id: 1000 + i });
      return parts(
        {
          ...GOOD,
          "x-shopify-webhook-id": `wh-${i}`,
          "x-shopify-hmac-sha256": i % 3 === 0 ? sign(body, "forged") : sign(body),
        },
        body,
      );
    });
    const answers = await Promise.all(requests.map((r) => outcome(verifyWebhookParts(r, validateOnThread))));
    answers.forEach((answer, i) => {
      if (i % 3 === 0) expect(answer).toEqual({ refused: 401 });
      else expect(answer).toMatchObject({ verified: { webhookId: `wh-${i}` } });
    });
  });

  describe("a thread of its own", () => {
    const thread = startValidatorThread({
      apiKey: "k",
      apiSecretKey: SECRET,
      apiVersion: "2026-10",
      hostName: "app.example.test",
      hostScheme: "https",
      isEmbeddedApp: true,
      scopes: [],
    });
    afterAll(() => thread.close());

    it("answers directly, and after close refuses instead of hanging", async () => {
      const request = {
        method: "POST",
        url: "http://localhost/webhooks/orders/create",
        headers: Object.entries(GOOD).filter(
          ([k]) => k.startsWith("x-shopify-") && !["x-shopify-event-id", "x-shopify-triggered-at"].includes(k),
        ) as [string, string][],
        rawBody: BODY,
      };
      expect(await thread.validate(request)).toMatchObject({ valid: true, domain: "thread.myshopify.com" });
      await thread.close();
      await expect(thread.validate(request)).rejects.toThrow(/closed/);
    });
  });
});
