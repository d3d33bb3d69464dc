// Which mode a sync runs in, and from when: the decision alone (pure), so that it is tested on its own.
import type { WatermarkRead } from './watermark.ts';

export const DEFAULT_FULL_AFTER_HOURS = 24;
/**
 * Re-read this much before the watermark. The watermark is this machine's clock at the start of
 * the last run, compared with GitLab's `updated_at` (its database's clock): the overlap absorbs
 * clock skew between the runner and GitLab, changes committed by transactions (and Sidekiq jobs)
 * that began before the last run started but became visible only after it listed, and read
 * replicas that lag. Re-reading costs little: what did not change compares equal and is not written.
 */
export const DEFAULT_OVERLAP_MINUTES = 15;

export interface SyncPlan {
  mode: 'incremental' | 'full';
  /** Why this mode, in one sentence. */
  reason: string;
  /** Incremental: list what GitLab changed at or after this ISO date-time. */
  updatedSince?: string;
}

export interface PlanOptions {
  forceFull: boolean;
  fullAfterHours: number;
  overlapMinutes: number;
  nowMs: number;
}

export function planSync(read: WatermarkRead, o: PlanOptions): SyncPlan {
  if (o.forceFull) return { mode: 'full', reason: 'a full sync was asked for (--full)' };
  if (read.status !== 'ok') return { mode: 'full', reason: `${read.problem}: a full sync, so that nothing is missed` };
  const w = read.watermark;
  const fullAgeH = (o.nowMs - Date.parse(w.lastFullSyncStartedAt)) / 3_600_000;
  if (fullAgeH >= o.fullAfterHours) {
    return { mode: 'full', reason: `the last full sync started ${round(fullAgeH)} h ago (--full-after-hours ${o.fullAfterHours}): deletions GitLab sends no event for are only found by a full listing` };
  }
  const since = new Date(Date.parse(w.lastSyncStartedAt) - o.overlapMinutes * 60_000).toISOString();
  return { mode: 'incremental', reason: `changes since the last successful sync (${w.lastSyncStartedAt}) minus a ${o.overlapMinutes} min overlap`, updatedSince: since };
}

function round(h: number): number {
  return Math.round(h * 10) / 10;
}
