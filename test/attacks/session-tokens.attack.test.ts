/**
 * Attack: read the database (a leaked backup, a read-only SQL hole) and take the shops' Shopify
 * access tokens. They must not be there in the clear: the app's session storage (the one
 * app/shopify.server.ts hands to Shopify's library) seals them with the app's key ring.
 */
import { randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { rotateStoredKeys } from "~/models/key-inventory.server";
import { keyRing } from "~/security/keyring.server";
import { sessionStorage } from "~/shopify.server";

function offlineSession(label: string) {
  const shop = `${label}-${randomBytes(4).toString("hex")}.myshopify.com`;
  const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
  const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
  const session = new Session({
    id: `offline_${shop}`,
    shop,
    state: "s",
    isOnline: false,
    accessToken,
    scope: "read_orders",
  });
  session.refreshToken = refreshToken;
  return { session, shop, accessToken, refreshToken };
}

describe("attack: reading Shopify access tokens from the database", () => {
  it("the app's session storage keeps no token in the clear, and gives it back decrypted", async () => {
    const { session, accessToken, refreshToken } = offlineSession("token-at-rest");
    await sessionStorage.storeSession(session);
    expect(session.accessToken).toBe(accessToken); // the caller's object is untouched

    const row = await prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    const raw = JSON.stringify(row);
    expect(raw).not.toContain(accessToken);
    expect(raw).not.toContain(refreshToken);
    expect(row.accessToken).toMatch(/^v1\./);

    const loaded = await sessionStorage.loadSession(session.id);
    expect(loaded?.accessToken).toBe(accessToken);
    expect(loaded?.refreshToken).toBe(refreshToken);
    expect((await sessionStorage.findSessionsByShop(session.shop)).map((s) => s.accessToken)).toEqual([accessToken]);
  });

  it("a plaintext row from before still loads, and keys:rotate seals it", async () => {
    const { session, accessToken } = offlineSession("token-legacy");
    await new PrismaSessionStorage(prisma).storeSession(session);
    expect((await prisma.session.findUniqueOrThrow({ where: { id: session.id } })).accessToken).toBe(accessToken);
    expect((await sessionStorage.loadSession(session.id))?.accessToken).toBe(accessToken);

    await rotateStoredKeys(keyRing());
    const row = await prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.accessToken).not.toContain(accessToken);
    expect((await sessionStorage.loadSession(session.id))?.accessToken).toBe(accessToken);
  });
});
