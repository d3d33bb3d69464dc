// Port's date rules `between` / `notBetween` (search-and-query/operators/comparison-operators.md):
// a `{from, to}` range or a preset. Presets are relative to now: `lastMonth` is the past 30 days
// (not the calendar month), `lastWeek` the past 7, `last3Months` 90, `last6Months` 180,
// `last12Months` 365; `today`/`yesterday`/`tomorrow` are UTC calendar days (the local Port has no
// user time zone). Both ends are inclusive.
import { invalid } from '../errors.ts';

const DAY = 86_400_000;

/** Past-N-days presets (and the future ones Port offers in catalog filters). */
const PAST_DAYS: Record<string, number> = {
  lastDay: 1, lastWeek: 7, last2Weeks: 14, lastMonth: 30, last3Months: 90, last6Months: 180, last12Months: 365, last2Years: 730, last3Years: 1095,
};
const NEXT_DAYS: Record<string, number> = { nextDay: 1, nextWeek: 7, next2Weeks: 14, nextMonth: 30, next3Months: 90, next6Months: 180, next12Months: 365 };

export const DATE_PRESETS: readonly string[] = [...Object.keys(PAST_DAYS), ...Object.keys(NEXT_DAYS), 'today', 'yesterday', 'tomorrow'];

export interface Range {
  from: number;
  to: number;
}

/** The range a rule value names at `now` (epoch ms). */
export function dateRange(value: unknown, now: number): Range {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.preset === 'string') {
      const p = v.preset;
      if (p in PAST_DAYS) return { from: now - PAST_DAYS[p]! * DAY, to: now };
      if (p in NEXT_DAYS) return { from: now, to: now + NEXT_DAYS[p]! * DAY };
      const midnight = Math.floor(now / DAY) * DAY;
      if (p === 'today') return { from: midnight, to: midnight + DAY - 1 };
      if (p === 'yesterday') return { from: midnight - DAY, to: midnight - 1 };
      if (p === 'tomorrow') return { from: midnight + DAY, to: midnight + 2 * DAY - 1 };
      throw invalid(`query: date preset "${p}" is not one of ${DATE_PRESETS.join(', ')}`);
    }
    if (typeof v.from === 'string' && typeof v.to === 'string') {
      const from = Date.parse(v.from);
      const to = Date.parse(v.to);
      if (!Number.isNaN(from) && !Number.isNaN(to)) return { from, to };
    }
  }
  throw invalid('query: between/notBetween takes {"preset": "<preset>"} or {"from": "<date-time>", "to": "<date-time>"}');
}

/** Whether a property value (a date-time string) lies in the range; not a date: never. */
export function inRange(value: unknown, range: Range): boolean {
  if (typeof value !== 'string') return false;
  const t = Date.parse(value);
  return !Number.isNaN(t) && t >= range.from && t <= range.to;
}
