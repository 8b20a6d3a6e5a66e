/**
 * Group commit: many writers, one transaction. Callers `submit` an item and get a promise that
 * settles only after the transaction holding their item has COMMITTED, so a webhook is never
 * acknowledged before its rows are durable, and N concurrent webhooks cost one commit (one fsync on
 * SQLite, one round of WAL flush on Postgres) instead of N.
 *
 * Batching is natural: items that arrive while a commit is running wait for it and then go together
 * in the next one, so under load the batch size grows with the arrival rate. An item submitted while
 * nothing is being written starts a commit at once, or after `lingerMs` (a millisecond or two) where
 * concurrent callers need that long to catch up.
 *
 * Failure isolation: if a batch's flush fails (one item's error, a unique-key race with another
 * process, a Postgres deadlock), nothing of it was committed, and each of its items is retried alone;
 * only an item whose own flush fails sees the error. Items must therefore be safe to run twice up to
 * the commit: they write only through the transaction they are given.
 */

export interface GroupCommitOptions<TItem, TResult> {
  /** Writes all items durably, in order, and returns one result per item (same order). */
  flush: (items: TItem[]) => Promise<TResult[]>;
  /** Largest batch (default 256). */
  maxBatch?: number;
  /** Batches written at the same time (default 1: SQLite has one writer; more helps on Postgres). */
  concurrency?: number;
  /**
   * When nothing is being written, wait this long before starting, so that requests arriving
   * together share the commit (default 0). Worth a millisecond or two when callers cannot reach
   * `submit` while a batch is being written (SQLite: one connection, their reads wait behind it).
   */
  lingerMs?: number;
}

interface Pending<TItem, TResult> {
  item: TItem;
  resolve: (result: TResult) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitStats {
  batches: number;
  items: number;
  largestBatch: number;
  /** Batches whose flush failed and whose items were retried one by one. */
  splits: number;
}

export class GroupCommitter<TItem, TResult> {
  private readonly queue: Pending<TItem, TResult>[] = [];
  private running = 0;
  private readonly maxBatch: number;
  private readonly concurrency: number;
  readonly stats: GroupCommitStats = { batches: 0, items: 0, largestBatch: 0, splits: 0 };

  constructor(private readonly options: GroupCommitOptions<TItem, TResult>) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 256);
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  submit(item: TItem): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a commit (not counting the ones being written). */
  get waiting(): number {
    return this.queue.length;
  }

  private lingering = false;

  private pump() {
    if (this.lingering) return;
    const linger = this.options.lingerMs ?? 0;
    if (linger > 0 && this.running === 0 && this.queue.length > 0 && this.queue.length < this.maxBatch) {
      this.lingering = true;
      setTimeout(() => {
        this.lingering = false;
        this.drain();
      }, linger);
      return;
    }
    this.drain();
  }

  private drain() {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.running++;
      void this.write(batch).finally(() => {
        this.running--;
        // Whatever queued meanwhile has waited long enough: no lingering.
        this.drain();
      });
    }
  }

  private async write(batch: Pending<TItem, TResult>[]): Promise<void> {
    this.stats.batches++;
    this.stats.items += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    try {
      const results = await this.options.flush(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
    }
    // Nothing of the batch was committed: give every item its own transaction and its own answer.
    this.stats.splits++;
    for (const p of batch) {
      try {
        const [result] = await this.options.flush([p.item]);
        p.resolve(result);
      } catch (error) {
        p.reject(error);
      }
    }
  }
}
