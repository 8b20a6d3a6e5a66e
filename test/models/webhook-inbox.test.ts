/**
 * The webhook inbox model on the real test database (SQLite file, or Postgres in CI's second run).
 * Appends go through a driver connection of their own (openDriverWriter), so these tests pin what
 * must not change by that: the rows read back through Prisma exactly as written, timestamps in
 * Prisma's own format (SQLite compares them as text), duplicates ignored, and claims that still see
 * appended rows as due.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import prisma, { currentDatabaseProvider, openDriverWriter } from "~/db/client.server";
import { appendToInbox, claimInbox, inboxDepth, removeFromInbox } from "~/models/webhook-inbox.server";

const SHOP = "inbox-model.myshopify.com";

function webhook(eventId: string, rawBody = JSON.stringify({ id: eventId, email: "jane@example.com" })) {
  return {
    path: "/webhooks/orders/create",
    shop: SHOP,
    topic: "orders/create",
    eventId,
    webhookId: `wh-${eventId}`,
    apiVersion: "2026-10",
    triggeredAt: null,
    rawBody,
  };
}

beforeEach(async () => {
  await prisma.webhookInbox.deleteMany({ where: { shop: SHOP } });
});
afterAll(async () => {
  await prisma.webhookInbox.deleteMany({ where: { shop: SHOP } });
});

describe("webhook inbox", () => {
  it("stores concurrent appends (one group-committed INSERT) and reads them back exactly through Prisma", async () => {
    const receivedAt = new Date("2026-11-25T10:11:12.345Z");
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendToInbox(webhook(`ev-${i}`), receivedAt)));
    const rows = await prisma.webhookInbox.findMany({ where: { shop: SHOP }, orderBy: { eventId: "asc" } });
    expect(rows).toHaveLength(40);
    for (const row of rows) {
      expect(row.receivedAt.toISOString()).toBe(receivedAt.toISOString());
      expect(row.nextAttemptAt.toISOString()).toBe(receivedAt.toISOString());
      expect(row.attempts).toBe(0);
      expect(row.bodyCiphertext).not.toContain("jane@example.com"); // PII only encrypted at rest
    }
    // Claimed (due: nextAttemptAt ≤ now) and decrypted back to the exact body.
    const claimed = await claimInbox({ limit: 100, leaseMs: 60_000, now: new Date("2026-11-25T10:11:12.345Z") });
    expect(claimed.map((e) => e.eventId).sort()).toEqual(rows.map((r) => r.eventId).sort());
    expect(claimed.find((e) => e.eventId === "ev-7")!.rawBody).toBe(webhook("ev-7").rawBody);
    // Not due a millisecond earlier: the timestamps compare as instants, not as differently formatted text.
    await prisma.webhookInbox.updateMany({ where: { shop: SHOP }, data: { nextAttemptAt: receivedAt } });
    expect(await claimInbox({ limit: 100, leaseMs: 60_000, now: new Date(receivedAt.getTime() - 1) })).toEqual([]);
    await removeFromInbox(claimed.map((e) => e.id));
    expect(await prisma.webhookInbox.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("a redelivery of a waiting event adds nothing", async () => {
    await appendToInbox(webhook("dup"));
    await Promise.all([appendToInbox(webhook("dup")), appendToInbox(webhook("dup")), appendToInbox(webhook("other"))]);
    expect(await prisma.webhookInbox.count({ where: { shop: SHOP } })).toBe(2);
    expect(await inboxDepth()).toBeGreaterThanOrEqual(2);
  });

  it("the driver writer stores dates exactly as Prisma does", async () => {
    const at = new Date("2026-01-02T03:04:05.006Z");
    await prisma.webhookInbox.create({
      data: {
        ...webhook("via-prisma"),
        rawBody: undefined,
        bodyCiphertext: "x",
        receivedAt: at,
        nextAttemptAt: at,
      } as never,
    });
    const writer = openDriverWriter({ connections: 1 });
    try {
      await writer.execute(
        `INSERT INTO "WebhookInbox" ("path", "shop", "topic", "eventId", "webhookId", "apiVersion", "triggeredAt", "bodyCiphertext", "receivedAt", "nextAttemptAt", "attempts") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
        ["/webhooks/orders/create", SHOP, "orders/create", "via-driver", "wh", "2026-10", null, "x", at, at],
      );
    } finally {
      await writer.close();
    }
    // The stored text itself (an expression, so Prisma does not parse it back into a Date).
    const column =
      currentDatabaseProvider() === "postgres" ? `'[' || "receivedAt"::text || ']'` : `'[' || "receivedAt" || ']'`;
    const stored = await prisma.$queryRawUnsafe<{ eventId: string; at: string }[]>(
      `SELECT "eventId", ${column} AS "at" FROM "WebhookInbox" WHERE "shop" = '${SHOP}' ORDER BY "eventId"`,
    );
    expect(stored).toHaveLength(2);
    expect(stored[0].at).toMatch(/^\[2026-01-02.03:04:05\.006/);
    expect(stored[0].at).toBe(stored[1].at);
  });
});

describe("webhook inbox beside an open Prisma transaction (same process)", () => {
  it("an append waits for the transaction's commit without failing, and both are kept", async () => {
    let appended = false;
    let appendedBeforeCommit: boolean | undefined;
    let append!: Promise<void>;
    await prisma.$transaction(
      async (tx) => {
        await tx.webhookInbox.create({
          data: {
            ...webhook("in-tx"),
            rawBody: undefined,
            bodyCiphertext: "x",
            receivedAt: new Date(),
            nextAttemptAt: new Date(),
          } as never,
        });
        // The transaction holds the write lock (SQLite) while the append is attempted.
        append = appendToInbox(webhook("beside-tx")).then(() => void (appended = true));
        await new Promise((r) => setTimeout(r, 150));
        appendedBeforeCommit = appended;
      },
      { timeout: 10_000 },
    );
    await append;
    if (currentDatabaseProvider() === "sqlite") expect(appendedBeforeCommit).toBe(false); // one writer at a time
    const ids = (await prisma.webhookInbox.findMany({ where: { shop: SHOP } })).map((r) => r.eventId).sort();
    expect(ids).toEqual(["beside-tx", "in-tx"]);
  });
});
