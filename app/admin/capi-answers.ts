/**
 * What an answer from the Conversions API means for the merchant, in their words. Used by the
 * connection check on save and by "Send test event". OpenAI's own message is always quoted, because
 * it is the most precise thing we have; our sentence says what to do about it.
 */
import type { CapiResponseInfo } from "~/openai/capi-client";

type CredentialVerdict = "ok" | "rejected" | "unknown";

export interface CapiAnswer {
  /** What the answer says about the stored credentials. */
  verdict: CredentialVerdict;
  /** The merchant-facing explanation, ending with OpenAI's words when there are any. */
  message: string;
}

const WRONG_KEY_TYPE = "Wrong key type — use a Conversions API key from OpenAI Ads Manager, not an Advertiser API key.";
const UNKNOWN_PIXEL =
  "OpenAI doesn't know this Pixel ID, or the pixel doesn't belong to this key. Check the Pixel ID in Ads Manager and that the key was created for this pixel.";
const UNREACHABLE = "Couldn't reach OpenAI to check the credentials.";

export function explainCapiAnswer(info: CapiResponseInfo): CapiAnswer {
  const quoted = info.message ? ` OpenAI said: “${info.message}”` : "";
  if (info.class === "accepted") {
    return { verdict: "ok", message: `OpenAI accepted the Pixel ID and Conversions API key (HTTP ${info.status}).` };
  }
  if (info.status === 401) return { verdict: "rejected", message: `${WRONG_KEY_TYPE} (HTTP 401)${quoted}` };
  if (info.status === 403) return { verdict: "rejected", message: `${UNKNOWN_PIXEL} (HTTP 403)${quoted}` };
  if (info.status === null) {
    return { verdict: "unknown", message: `${UNREACHABLE} ${info.message}. Check again in a few minutes.` };
  }
  if (info.class === "retry") {
    return {
      verdict: "unknown",
      message: `OpenAI is busy or unavailable right now (HTTP ${info.status}); the credentials could not be checked.${quoted}`,
    };
  }
  return { verdict: "unknown", message: `OpenAI refused the check request (HTTP ${info.status}).${quoted}` };
}
