/**
 * SHA-256 of the UTF-8 bytes of a string, for the dedup ids and the hashed matching data: the same
 * bytes on every runtime, because the web pixel and the server must compute the same ids.
 *
 * Web Crypto by default: the only hash in browsers and Shopify's web pixel worker. A server process
 * installs Node's synchronous hash at start-up (app/security/node-sha256.server.ts): in Node, Web
 * Crypto's `digest` is a thread-pool job plus a promise per call, about a sixth of the webhook
 * applier's CPU in a profile for a few dozen bytes of input. The core itself stays free of Node;
 * test/conversions/sha256.test.ts holds both implementations to the same vectors.
 */

/** A synchronous SHA-256 returning the same 32 bytes Web Crypto would. */
export type SynchronousSha256 = (text: string) => Uint8Array;

let synchronous: SynchronousSha256 | null = null;

/** Installs the runtime's synchronous hash (once, at process start); null goes back to Web Crypto. */
export function installSynchronousSha256(implementation: SynchronousSha256 | null): void {
  synchronous = implementation;
}

/** Web Crypto's digest as bytes (exported so a test can compare both implementations). */
export async function webCryptoSha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

export async function sha256Bytes(text: string): Promise<Uint8Array> {
  return synchronous ? synchronous(text) : webCryptoSha256(text);
}
