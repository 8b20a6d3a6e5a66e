/**
 * Whether the delivery worker in THIS process is alive, for /readyz. The worker beats at the start
 * and end of every pass. A process without a worker (RUN_WORKER=false, the Remix dev server beside
 * `npm run worker:dev`) has nothing to report.
 */
let startedWorkers = 0;
let lastBeat: number | null = null;
let passRunning = false;

export function workerStarted(): void {
  startedWorkers++;
  lastBeat = Date.now();
}

export function workerStopped(): void {
  startedWorkers = Math.max(0, startedWorkers - 1);
}

export function deliveryPassStarted(): void {
  passRunning = true;
  lastBeat = Date.now();
}

export function deliveryPassFinished(): void {
  passRunning = false;
  lastBeat = Date.now();
}

/** A running pass may wait on OpenAI (15 s per request, several batches); an idle worker polls every interval. */
const RUNNING_PASS_LIMIT_MS = 5 * 60_000;
const IDLE_LIMIT_MS = 60_000;

export function workerLiveness(
  now = Date.now(),
): { expected: false } | { expected: true; alive: boolean; silentMs: number } {
  if (startedWorkers === 0 || lastBeat === null) return { expected: false };
  const silentMs = now - lastBeat;
  return { expected: true, alive: silentMs <= (passRunning ? RUNNING_PASS_LIMIT_MS : IDLE_LIMIT_MS), silentMs };
}
