/**
 * Group commit (app/db/group-commit.server.ts) in isolation: batching, acknowledgement only after
 * the flush, and failure isolation. The database-backed uses are covered by the webhook tests.
 */
import { describe, expect, it } from "vitest";
import { GroupCommitter } from "~/db/group-commit.server";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("GroupCommitter", () => {
  it("starts at once when idle, batches what arrives during a flush, and resolves only after the flush", async () => {
    const flushed: number[][] = [];
    const committed = new Set<number>();
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const committer = new GroupCommitter<number, string>({
      flush: async (items) => {
        flushed.push(items);
        await gate;
        items.forEach((i) => committed.add(i));
        return items.map((i) => `ok${i}`);
      },
    });
    const seen: number[] = [];
    const answer = (i: number) =>
      committer.submit(i).then((r) => {
        // The caller hears back only once its item is committed.
        expect(committed.has(i)).toBe(true);
        seen.push(i);
        return r;
      });
    const first = answer(1);
    await tick();
    expect(flushed).toEqual([[1]]); // no waiting for company when idle
    const rest = [2, 3, 4, 5].map(answer);
    await tick();
    expect(committer.waiting).toBe(4);
    expect(seen).toEqual([]);
    const firstGate = release;
    gate = new Promise<void>((r) => (release = r));
    firstGate();
    expect(await first).toBe("ok1");
    await tick();
    expect(flushed).toEqual([[1], [2, 3, 4, 5]]); // everything that queued goes in ONE batch
    release();
    expect(await Promise.all(rest)).toEqual(["ok2", "ok3", "ok4", "ok5"]);
    expect(committer.stats).toMatchObject({ batches: 2, items: 5, largestBatch: 4, splits: 0 });
  });

  it("respects maxBatch and concurrency", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const sizes: number[] = [];
    const committer = new GroupCommitter<number, number>({
      maxBatch: 3,
      concurrency: 2,
      flush: async (items) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return items;
      },
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => committer.submit(i)));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBe(2);
  });

  it("a failing batch is retried item by item: only the bad item sees the error", async () => {
    const attempts: number[][] = [];
    const committer = new GroupCommitter<number, number>({
      flush: async (items) => {
        attempts.push(items);
        await tick();
        if (items.includes(13)) throw new Error("unique violation on 13");
        return items.map((i) => i * 2);
      },
    });
    const blocker = committer.submit(0); // occupies the writer so the next ones queue up together
    const outcomes = Promise.allSettled([11, 12, 13, 14].map((i) => committer.submit(i)));
    await blocker;
    const settled = await outcomes;
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as Error).message))).toEqual([
      22,
      24,
      "unique violation on 13",
      28,
    ]);
    expect(attempts).toEqual([[0], [11, 12, 13, 14], [11], [12], [13], [14]]);
    expect(committer.stats.splits).toBe(1);
  });
});
