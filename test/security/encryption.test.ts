import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, DecryptionError, encryptSecret, keyRingFrom } from "~/security/encryption.server";

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("base64");

describe("secrets at rest (AES-256-GCM)", () => {
  it("round-trips, never contains the clear text, and uses a fresh IV each time", () => {
    const ring = keyRingFrom(keyA);
    const secret = "capi_live_0123456789abcdef";
    const a = encryptSecret(ring, secret);
    const b = encryptSecret(ring, secret);
    expect(a).not.toContain(secret);
    expect(a).not.toBe(b);
    expect(decryptSecret(ring, a)).toEqual({ plaintext: secret, stale: false });
  });

  it("never repeats an IV, across refills of the IV pool", () => {
    const ring = keyRingFrom(keyA);
    const ivs = Array.from({ length: 2000 }, () => encryptSecret(ring, "x").split(".")[2]);
    expect(new Set(ivs).size).toBe(2000);
    expect(ivs.every((iv) => Buffer.from(iv, "base64url").length === 12)).toBe(true);
  });

  it("detects tampering", () => {
    const ring = keyRingFrom(keyA);
    const parts = encryptSecret(ring, "capi_secret_value_1").split(".");
    const data = Buffer.from(parts[4], "base64url");
    data[0] ^= 1;
    parts[4] = data.toString("base64url");
    expect(() => decryptSecret(ring, parts.join("."))).toThrow(DecryptionError);
  });

  it("rotates: an old envelope opens with the previous key and is reported stale", () => {
    const sealedWithA = encryptSecret(keyRingFrom(keyA), "capi_rotate_me_please");
    const rotated = keyRingFrom(keyB, keyA);
    expect(decryptSecret(rotated, sealedWithA)).toEqual({ plaintext: "capi_rotate_me_please", stale: true });
    expect(() => decryptSecret(keyRingFrom(keyB), sealedWithA)).toThrow(/not configured/);
  });
});
