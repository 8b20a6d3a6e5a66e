// The web pixel hashes with Web Crypto and the server with Node's createHash: a dedup id or a hashed
// email that differed by one byte between them would double-count or fail to match. Both must give
// the same bytes for every input, including non-ASCII and malformed UTF-16.
import { afterEach, describe, expect, it } from "vitest";
import { sha256Bytes, installSynchronousSha256, webCryptoSha256 } from "~/conversions/sha256";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { sha256Hex } from "~/conversions/normalize-user";
import { nodeSha256 } from "~/security/node-sha256.server";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const INPUTS = [
  "",
  "abc",
  "shopify-order:v1:820982911946154508",
  "jane.doe@example.com",
  "münchen straße",
  "東京都",
  "emoji 🛒",
  "lone surrogate \ud800 here",
  "x".repeat(10_000),
];

describe("SHA-256 on the server and in the browser", () => {
  afterEach(() => {
    // Back to what test/setup-env.ts installed.
    installSynchronousSha256(nodeSha256);
  });

  it("matches the FIPS 180-2 vector for 'abc'", async () => {
    expect(hex(await sha256Bytes("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it.each(INPUTS.map((s) => [s.slice(0, 24), s]))("Node and Web Crypto agree on %j", async (_label, input) => {
    const node = await sha256Bytes(input);
    const web = await webCryptoSha256(input);
    expect(node).toBeInstanceOf(Uint8Array);
    expect(node.byteLength).toBe(32);
    expect(hex(node)).toBe(hex(web));
  });

  it("gives the same dedup id and hashed email with either implementation", async () => {
    const withNode = [await dedupIdForOrder("820982911946154508"), await sha256Hex("jane.doe@example.com")];
    installSynchronousSha256(null);
    const withWebCrypto = [await dedupIdForOrder("820982911946154508"), await sha256Hex("jane.doe@example.com")];
    expect(withNode).toEqual(withWebCrypto);
  });
});
