// The history window: everything open plus everything updated since `since` (default 90 days).
// The same window decides what reconcile may consider stale: an entity whose stored state says
// it would have been listed, yet was not, is gone from GitLab; anything older was never looked for.

export const DEFAULT_SINCE_DAYS = 90;

export interface HistoryWindow {
  /** ISO date-time, or null for "everything". */
  since: string | null;
}

export function resolveWindow(sinceDays: number | null | undefined, nowMs: number): HistoryWindow {
  const days = sinceDays === undefined ? DEFAULT_SINCE_DAYS : sinceDays;
  if (days === null) return { since: null };
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`sinceDays must be a number of days >= 0 or null (everything), got ${days}`);
  return { since: new Date(nowMs - days * 86_400_000).toISOString() };
}

/** True when a stored date-time is at or after the window start. */
export function inWindow(window: HistoryWindow, stored: unknown): boolean {
  if (window.since === null) return true;
  if (typeof stored !== 'string') return false;
  const t = Date.parse(stored);
  return Number.isFinite(t) && t >= Date.parse(window.since);
}
