/**
 * Shopify's session storage with the access and refresh tokens encrypted at rest (AES-256-GCM, the
 * app's key ring, like the Conversions API keys). A wrapper around Shopify's Prisma storage through
 * the session-storage interface: the tokens are sealed on the way in and opened on the way out, so
 * the library and the rest of the app see ordinary sessions. Rows written before this (plaintext)
 * still load; `npm run keys:rotate` seals them.
 */
import { Session } from "@shopify/shopify-api";
import type { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { PrismaClient } from "@prisma/client";
import { decryptSecret, encryptSecret, keyIdOf, type KeyRing } from "./encryption.server";

type Inner = Pick<
  PrismaSessionStorage<PrismaClient>,
  "storeSession" | "loadSession" | "deleteSession" | "deleteSessions" | "findSessionsByShop" | "isReady"
>;

/** A stored token: our envelope, or a plaintext token from before encryption. */
export function isSealed(value: string): boolean {
  return keyIdOf(value) !== null;
}

function openToken(ring: KeyRing, value: string): string {
  return isSealed(value) ? decryptSecret(ring, value).plaintext : value;
}

export class EncryptedSessionStorage {
  constructor(
    private readonly inner: Inner,
    private readonly ring: () => KeyRing,
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    // A copy: the caller's session (still in use by the library) keeps its plaintext tokens.
    const sealed = new Session(session.toObject());
    const ring = this.ring();
    if (sealed.accessToken) sealed.accessToken = encryptSecret(ring, sealed.accessToken);
    if (sealed.refreshToken) sealed.refreshToken = encryptSecret(ring, sealed.refreshToken);
    return this.inner.storeSession(sealed);
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(id);
    return session ? this.open(session) : undefined;
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map((s) => this.open(s));
  }

  /** Also waits for the inner storage (Shopify's Prisma storage checks its table at start). */
  isReady(): Promise<boolean> {
    return (this.inner as unknown as { isReady(): Promise<boolean> }).isReady();
  }

  private open(session: Session): Session {
    const ring = this.ring();
    if (session.accessToken) session.accessToken = openToken(ring, session.accessToken);
    if (session.refreshToken) session.refreshToken = openToken(ring, session.refreshToken);
    return session;
  }
}
