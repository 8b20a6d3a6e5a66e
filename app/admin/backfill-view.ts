/**
 * What the settings page shows about "Send the last 7 days' orders" (app/components/BackfillCard.tsx),
 * built from the shop's BackfillJob and its connection facts. Pure, so the texts are tested as such.
 */
export type BackfillViewState = "unavailable" | "offer" | "running" | "done" | "failed";

export interface BackfillView {
  state: BackfillViewState;
  /** Orders read and handed to the same checks as live orders. */
  done: number;
  /** Orders Shopify counted in the window; null until known. */
  total: number | null;
  /** 0-100 for the progress bar. */
  percent: number;
  /** Why it is unavailable, why it failed, or what it is retrying after. */
  detail: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface BackfillFacts {
  credentialsStatus: string;
  hasApiKey: boolean;
  hasPixelId: boolean;
  job: {
    state: string;
    done: number;
    total: number | null;
    failureReason: string | null;
    startedAt: Date;
    finishedAt: Date | null;
  } | null;
}

export function backfillView(facts: BackfillFacts): BackfillView {
  const job = facts.job;
  if (!job) {
    const ready = facts.credentialsStatus === "ok" && facts.hasApiKey && facts.hasPixelId;
    return {
      state: ready ? "offer" : "unavailable",
      done: 0,
      total: null,
      percent: 0,
      detail: ready ? null : "Save a Pixel ID and a Conversions API key that OpenAI accepts first.",
      startedAt: null,
      finishedAt: null,
    };
  }
  const state: BackfillViewState = job.state === "done" ? "done" : job.state === "failed" ? "failed" : "running";
  const total = job.total;
  const percent = state === "done" ? 100 : total && total > 0 ? Math.min(100, Math.floor((job.done / total) * 100)) : 0;
  return {
    state,
    done: job.done,
    total,
    percent,
    detail: job.failureReason,
    startedAt: job.startedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** "1,234 of 2,000 orders" (or "1,234 orders" while the total is unknown). */
export function backfillProgressText(view: Pick<BackfillView, "done" | "total">): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return view.total === null ? `${n(view.done)} orders` : `${n(view.done)} of ${n(view.total)} orders`;
}
