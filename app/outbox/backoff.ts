/**
 * Retry timing for events OpenAI could not take right now (429, 5xx, network). Exponential with
 * "equal jitter" so a fleet of workers that failed together does not retry together, never sooner
 * than OpenAI's Retry-After, never later than an hour between tries.
 */
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60 * 60 * 1_000;

export function retryDelayMs(
  attempts: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** exponent);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
