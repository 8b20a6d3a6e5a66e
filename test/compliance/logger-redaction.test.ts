/**
 * The logger's redaction is structural: whatever object a careless call logs, secrets and buyer data
 * come out as "[redacted]". These cases are the mistakes that are easy to make.
 */
import { describe, expect, it } from "vitest";
import { createLogger } from "~/logger.server";

function capture(object: Record<string, unknown>): string {
  const lines: string[] = [];
  const log = createLogger({ level: "trace", destination: { write: (line: string) => void lines.push(line) } });
  log.info(object, "message");
  return lines.join("");
}

const EMAIL = "jane.secret@example.com";
const PHONE = "+1 415 555 2671";
const API_KEY = "capi_live_0123456789abcdef";

describe("log redaction", () => {
  it("censors credentials wherever a settings-like object carries them", () => {
    const out = capture({
      apiKey: API_KEY,
      settings: { apiKey: API_KEY, apiKeyCiphertext: "v1.k.iv.tag.ct" },
      session: { accessToken: "shpat_abc", refreshToken: "shprt_abc" },
      headers: { authorization: `Bearer ${API_KEY}`, cookie: "sid=1", "x-shopify-hmac-sha256": "c2ln" },
      request: { headers: { "x-shopify-hmac-sha256": "c2ln" } },
      env: { ENCRYPTION_KEY: "a2V5", SHOPIFY_API_SECRET: "shpss_x" },
    });
    for (const secret of [API_KEY, "v1.k.iv", "shpat_abc", "shprt_abc", "sid=1", "c2ln", "a2V5", "shpss_x"])
      expect(out).not.toContain(secret);
    expect(out).toContain("[redacted]");
  });

  it("censors a webhook body or order logged by mistake", () => {
    const order = {
      id: 1,
      email: EMAIL,
      phone: PHONE,
      contact_email: EMAIL,
      browser_ip: "203.0.113.10",
      customer: { email: EMAIL, phone: PHONE, first_name: "Jane", last_name: "Secretname" },
      billing_address: { address1: "1 Secret St", phone: PHONE, zip: "94103" },
      shipping_address: { address1: "1 Secret St" },
      client_details: { browser_ip: "203.0.113.10", user_agent: "UA" },
    };
    const out = capture({
      order,
      hook: { rawBody: JSON.stringify(order), payload: order },
      nested: { deeper: { email: EMAIL, phone: PHONE } },
    });
    for (const pii of [EMAIL, PHONE, "Secretname", "1 Secret St", "203.0.113.10"]) expect(out).not.toContain(pii);
    expect(out).toContain('"id":1');
  });

  it("censors CAPI matching data, even hashed, and click references", () => {
    const event = {
      id: "o1_x",
      oppref: "oa_click",
      user: { emails_sha256: ["ab".repeat(32)], ip_address: "203.0.113.9" },
    };
    const out = capture({
      event,
      batch: { events: [event] },
      emails_sha256: ["cd".repeat(32)],
      ip_address: "198.51.100.1",
    });
    for (const value of ["ab".repeat(32), "cd".repeat(32), "203.0.113.9", "198.51.100.1", "oa_click"])
      expect(out).not.toContain(value);
    expect(out).toContain("o1_x");
  });
});
