/**
 * AES-256-GCM for secrets at rest (the merchant's Conversions API key).
 * Envelope: "v1.<keyId>.<iv>.<tag>.<ciphertext>" (base64url parts). keyId is a short digest of the
 * key, so after a rotation (ENCRYPTION_KEY = new, ENCRYPTION_KEY_PREVIOUS = old) we know which key
 * opens a value and can re-encrypt it with the current one.
 */
import { createCipheriv, createDecipheriv, createHash, randomFillSync } from "node:crypto";

export interface KeyRing {
  current: Buffer;
  previous: Buffer[];
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptionError";
  }
}

export function keyRingFrom(currentBase64: string, previousBase64?: string): KeyRing {
  const current = Buffer.from(currentBase64, "base64");
  if (current.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes (base64)");
  const previous = (previousBase64 ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => Buffer.from(s, "base64"))
    .filter((k) => k.length === 32);
  return { current, previous };
}

const keyIds = new WeakMap<Buffer, string>();
function keyId(key: Buffer): string {
  let id = keyIds.get(key);
  if (id === undefined) {
    id = createHash("sha256").update(key).digest("base64url").slice(0, 8);
    keyIds.set(key, id);
  }
  return id;
}

/**
 * A fresh random 96-bit IV per encryption, drawn from a pool refilled 4 KB at a time: the webhook
 * inbox encrypts every body, and one getrandom call per IV was a third of the encryption's cost.
 * Each slice is handed out once and copied, so no IV is ever reused.
 */
const IV_BYTES = 12;
const ivPool = Buffer.alloc(IV_BYTES * 341);
let ivOffset = ivPool.length;
function freshIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

/** The key id an envelope names, or null when it is not one of ours. */
export function keyIdOf(envelope: string): string | null {
  const parts = envelope.split(".");
  return parts.length === 5 && parts[0] === "v1" ? parts[1] : null;
}

/** Key ids the ring can open. */
export function configuredKeyIds(ring: KeyRing): Set<string> {
  return new Set([ring.current, ...ring.previous].map(keyId));
}

export function encryptSecret(ring: KeyRing, plaintext: string): string {
  const iv = freshIv();
  const cipher = createCipheriv("aes-256-gcm", ring.current, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    "v1",
    keyId(ring.current),
    iv.toString("base64url"),
    tag.toString("base64url"),
    ciphertext.toString("base64url"),
  ].join(".");
}

/** Returns the plaintext and whether it was sealed with an older key (caller should re-encrypt). */
export function decryptSecret(ring: KeyRing, envelope: string): { plaintext: string; stale: boolean } {
  const parts = envelope.split(".");
  if (parts.length !== 5 || parts[0] !== "v1") throw new DecryptionError("unrecognised secret envelope");
  const [, id, iv, tag, data] = parts;
  const candidates = [ring.current, ...ring.previous];
  const key = candidates.find((k) => keyId(k) === id);
  if (!key) throw new DecryptionError("secret was encrypted with a key that is not configured");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString(
      "utf8",
    );
    return { plaintext, stale: key !== ring.current };
  } catch {
    throw new DecryptionError("secret could not be decrypted (wrong key or tampered value)");
  }
}

/** The ids of every key the ring can open (current and previous): what envelopes name after "v1.". */
export function keyIdsOf(ring: KeyRing): string[] {
  return [ring.current, ...ring.previous].map(keyId);
}
