/**
 * Ranges of whole UTC days ("YYYY-MM-DD", both ends included): what the reconciliation page, its
 * CSV links and the event log filter by. Pure: "today" comes in as input.
 */
/** Inclusive range of UTC days, "YYYY-MM-DD". */
export interface DayRange {
  from: string;
  to: string;
}

const DEFAULT_RANGE_DAYS = 30;
const MAX_RANGE_DAYS = 366;
export const RANGE_PRESETS = [7, 30, 90] as const;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** The UTC day of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Midnight UTC of a "YYYY-MM-DD" day; null when it is not a real calendar day. */
function dayStart(day: string): Date | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  const date = new Date(ms);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
}

function addDays(day: string, days: number): string {
  const start = dayStart(day);
  if (!start) throw new Error(`not a day: ${day}`);
  return utcDay(new Date(start.getTime() + days * DAY_MS));
}

/** The last `days` days up to and including `today`. */
export function lastDays(today: string, days: number): DayRange {
  return { from: addDays(today, -(Math.max(1, days) - 1)), to: today };
}

/**
 * Reads a range from URL parameters: `from` + `to` (days), else `days` (a count ending today), else the
 * last 30 days. Bad or missing parts fall back to the default; a reversed range is swapped; a range
 * longer than 366 days keeps its end and is shortened; days after `today` are clamped to today.
 */
export function parseDayRange(
  params: { from?: string | null; to?: string | null; days?: string | null },
  today: string,
): DayRange {
  const from = params.from ? dayStart(params.from) : null;
  const to = params.to ? dayStart(params.to) : null;
  let range: DayRange;
  if (from && to) {
    range =
      from.getTime() <= to.getTime() ? { from: params.from!, to: params.to! } : { from: params.to!, to: params.from! };
  } else {
    const count = Number(params.days);
    range = lastDays(
      today,
      Number.isInteger(count) && count >= 1 ? Math.min(count, MAX_RANGE_DAYS) : DEFAULT_RANGE_DAYS,
    );
  }
  if (range.to > today) range = { from: range.from > today ? today : range.from, to: today };
  if (dayCount(range) > MAX_RANGE_DAYS) range = { from: addDays(range.to, -(MAX_RANGE_DAYS - 1)), to: range.to };
  return range;
}

/** [start, end): midnight UTC of `from` up to midnight UTC after `to`. */
export function rangeBounds(range: DayRange): { start: Date; end: Date } {
  const start = dayStart(range.from);
  const last = dayStart(range.to);
  if (!start || !last) throw new Error("invalid day range");
  return { start, end: new Date(last.getTime() + DAY_MS) };
}

export function dayCount(range: DayRange): number {
  const { start, end } = rangeBounds(range);
  return Math.round((end.getTime() - start.getTime()) / DAY_MS);
}

/** Every day of the range, oldest first. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) days.push(day);
  return days;
}
