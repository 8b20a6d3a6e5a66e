/**
 * "Send test event": one `validate_only` order_created with the saved credentials. OpenAI checks it
 * like a real purchase and stores nothing; the page shows what OpenAI answered.
 */
import type { CapiEvent } from "~/conversions/capi-event";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { THANK_YOU_PATH } from "~/conversions/order-event";
import { postEvents } from "~/openai/capi-client";
import { getCapiCredentials, recordCredentialCheck } from "~/models/settings.server";
import { explainCapiAnswer } from "./capi-answers";
import type { TestEventReport } from "./types";

/** A made-up 19.99 USD purchase of one item, timestamped now. */
async function buildTestOrderEvent(shop: string, nowMs: number): Promise<CapiEvent> {
  // A synthetic order id per click: validate_only stores nothing, and a fresh id can never collide
  // with a real order's dedup id.
  const id = await dedupIdForOrder(nowMs);
  return {
    id,
    type: "order_created",
    timestamp_ms: nowMs,
    action_source: "web",
    source_url: `https://${shop}${THANK_YOU_PATH}`,
    data: {
      type: "contents",
      amount: 1999,
      currency: "USD",
      contents: [
        {
          id: "test-product",
          name: "Test product",
          content_type: "product",
          quantity: 1,
          amount: 1999,
          currency: "USD",
        },
      ],
    },
  };
}

export async function sendTestEvent(
  shop: string,
  deps: { capiBaseUrl: string; now?: () => number },
): Promise<TestEventReport> {
  const credentials = await getCapiCredentials(shop);
  if (!credentials) {
    return {
      intent: "test",
      ok: false,
      httpStatus: null,
      code: null,
      openAiMessage: "",
      summary: "Save a Pixel ID and a Conversions API key first: the test uses the saved ones.",
      eventId: null,
    };
  }
  const event = await buildTestOrderEvent(shop, (deps.now ?? Date.now)());
  const info = await postEvents({ baseUrl: deps.capiBaseUrl, ...credentials }, [event], { validateOnly: true });
  const answer = explainCapiAnswer(info);
  // A clear yes or no about the credentials updates the status header; anything else leaves it alone.
  if (answer.verdict !== "unknown")
    await recordCredentialCheck(shop, answer.verdict, answer.verdict === "ok" ? null : answer.message);

  const ok = info.class === "accepted";
  return {
    intent: "test",
    ok,
    httpStatus: info.status,
    code: info.code,
    openAiMessage: info.message,
    summary: ok
      ? "OpenAI accepted a test order_created (validate_only: nothing was recorded in your reports)."
      : answer.message,
    eventId: event.id,
  };
}
