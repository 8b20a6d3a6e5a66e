/**
 * Installs Node's synchronous SHA-256 into the pure core (app/conversions/sha256.ts) for this
 * process. Imported for its effect by every server entry (server.ts, the worker, the Remix build's
 * entry, the test setup); without it the core falls back to Web Crypto, which gives the same bytes,
 * only slower.
 */
import { createHash } from "node:crypto";
import { installSynchronousSha256 } from "~/conversions/sha256";

export function nodeSha256(text: string): Uint8Array {
  const digest = createHash("sha256").update(text, "utf8").digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

installSynchronousSha256(nodeSha256);
