/**
 * Which encryption keys the stored values need, and re-encryption with the current one. Every
 * encrypted column is listed here once: the start-up check and `npm run keys:rotate` both use it.
 */
import prisma from "~/db/client.server";
import { isSealed } from "~/security/encrypted-session-storage.server";
import { ConfigError } from "~/config.server";
import {
  configuredKeyIds,
  DecryptionError,
  decryptSecret,
  encryptSecret,
  keyIdOf,
  type KeyRing,
} from "~/security/encryption.server";

/** Distinct key ids found in the stored envelopes, per table and column. */
async function storedKeyIds(): Promise<Map<string, Set<string>>> {
  const [settings, inbox, sessions] = await Promise.all([
    prisma.shopSettings.findMany({
      where: { apiKeyCiphertext: { not: null } },
      select: { apiKeyCiphertext: true },
      distinct: ["apiKeyCiphertext"],
    }),
    prisma.$queryRaw<{ id: string }[]>`SELECT DISTINCT substr("bodyCiphertext", 4, 8) AS "id" FROM "WebhookInbox"`,
    prisma.session.findMany({ select: { accessToken: true, refreshToken: true } }),
  ]);
  const ids = (values: (string | null)[]) =>
    new Set(values.flatMap((v) => (v ? [keyIdOf(v)].filter((id): id is string => id !== null) : [])));
  return new Map([
    ["ShopSettings.apiKeyCiphertext", ids(settings.map((s) => s.apiKeyCiphertext))],
    ["WebhookInbox.bodyCiphertext", new Set(inbox.map((r) => r.id))],
    ["Session.accessToken/refreshToken", ids(sessions.flatMap((r) => [r.accessToken, r.refreshToken]))],
  ]);
}

/**
 * Start-up check: a stored value sealed with a key that is not configured would fail on use, hours
 * later and one row at a time. Say so now, naming the column and what to do.
 */
export async function assertStoredKeysConfigured(ring: KeyRing): Promise<void> {
  const known = configuredKeyIds(ring);
  const problems: string[] = [];
  for (const [column, ids] of await storedKeyIds()) {
    const missing = [...ids].filter((id) => !known.has(id));
    if (missing.length > 0) {
      problems.push(
        `${column} holds values encrypted with key id(s) ${missing.join(", ")}, which neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS provides: add the old key to ENCRYPTION_KEY_PREVIOUS (then run \`npm run keys:rotate\`)`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

export interface RotationReport {
  reencrypted: number;
  current: number;
  undecryptable: number;
}

/** Re-encrypts every stored value not sealed with the current key. Values that cannot be opened are counted and left as they are. */
export async function rotateStoredKeys(ring: KeyRing): Promise<Record<string, RotationReport>> {
  const report: Record<string, RotationReport> = {};
  const reseal = (value: string, tally: RotationReport): string | null => {
    try {
      const { plaintext, stale } = decryptSecret(ring, value);
      if (!stale) {
        tally.current++;
        return null;
      }
      tally.reencrypted++;
      return encryptSecret(ring, plaintext);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      tally.undecryptable++;
      return null;
    }
  };

  const settingsTally = (report["ShopSettings.apiKeyCiphertext"] = { reencrypted: 0, current: 0, undecryptable: 0 });
  const settings = await prisma.shopSettings.findMany({
    where: { apiKeyCiphertext: { not: null } },
    select: { shop: true, apiKeyCiphertext: true },
  });
  for (const row of settings) {
    const sealed = reseal(row.apiKeyCiphertext!, settingsTally);
    if (sealed !== null) {
      await prisma.shopSettings.updateMany({
        where: { shop: row.shop, apiKeyCiphertext: row.apiKeyCiphertext },
        data: { apiKeyCiphertext: sealed },
      });
    }
  }

  // Shopify session tokens: sealed ones re-sealed if stale; plaintext ones (from before encryption) sealed.
  const sessionTally = (report["Session.accessToken/refreshToken"] = { reencrypted: 0, current: 0, undecryptable: 0 });
  const sessions = await prisma.session.findMany({ select: { id: true, accessToken: true, refreshToken: true } });
  for (const row of sessions) {
    const data: { accessToken?: string; refreshToken?: string } = {};
    for (const field of ["accessToken", "refreshToken"] as const) {
      const value = row[field];
      if (!value) continue;
      const sealed = isSealed(value) ? reseal(value, sessionTally) : encryptSecret(ring, value);
      if (!isSealed(value)) sessionTally.reencrypted++;
      if (sealed !== null) data[field] = sealed;
    }
    if (Object.keys(data).length > 0) {
      await prisma.session.updateMany({
        where: { id: row.id, accessToken: row.accessToken, refreshToken: row.refreshToken },
        data,
      });
    }
  }

  const inboxTally = (report["WebhookInbox.bodyCiphertext"] = { reencrypted: 0, current: 0, undecryptable: 0 });
  let after = 0;
  for (;;) {
    const rows = await prisma.webhookInbox.findMany({
      where: { id: { gt: after } },
      select: { id: true, bodyCiphertext: true },
      orderBy: { id: "asc" },
      take: 500,
    });
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    for (const row of rows) {
      const sealed = reseal(row.bodyCiphertext, inboxTally);
      if (sealed !== null) {
        await prisma.webhookInbox.updateMany({
          where: { id: row.id, bodyCiphertext: row.bodyCiphertext },
          data: { bodyCiphertext: sealed },
        });
      }
    }
  }
  return report;
}
