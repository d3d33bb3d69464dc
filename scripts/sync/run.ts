// `runSync`: the scheduled catch-up. Hooks first (re-enabled hooks start delivering at once),
// then the data: a full backfill-and-reconcile, or — when the watermark in Port is sound and the
// last full sync recent — only what GitLab changed since the last successful sync (minus an
// overlap). The watermark advances to this run's start only when nothing failed and every
// listing was complete; otherwise the next run covers this run's window again.
import { runBackfill, type BackfillOptions, type BackfillSummary } from '../backfill/run.ts';
import { desiredHookEvents } from '../install/hook-plan.ts';
import { defaultOptions } from '../bundle/render.ts';
import { checkAndRepairHooks, type SyncHooksOptions, type SyncHooksReport } from './hooks.ts';
import { planSync, type PlanOptions } from './plan.ts';
import { readWatermark, writeWatermark, type SyncWatermark, type WatermarkRead } from './watermark.ts';
import type { Bundle } from '../bundle/load.ts';
import type { InstallInputs } from '../install/inputs.ts';
import type { PortClient } from '../clients/port/index.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';

export interface SyncSummary extends BackfillSummary {
  mode: 'incremental' | 'full';
  /** Why this mode. */
  reason: string;
  watermark: {
    /** What Port held before this run. */
    read: WatermarkRead['status'];
    problem?: string;
    previous: SyncWatermark | null;
    /** What this run stored (absent: not stored, see `notStored`). */
    stored?: SyncWatermark;
    notStored?: string;
  };
  hooks: SyncHooksReport;
}

export interface SyncOptions extends Omit<BackfillOptions, 'updatedSince' | 'kinds' | 'groups' | 'port'> {
  /** The install's Port client (`port.forInstall(installId)`). */
  port: PortClient;
  gitlab: GitLabClient;
  bundle: Bundle;
  inputs: InstallInputs;
  groups: BackfillOptions['groups'];
  installId: string;
  full?: boolean;
  fullAfterHours: number;
  overlapMinutes: number;
  skipHooks?: boolean;
  hooks?: SyncHooksOptions;
}

export async function runSync(o: SyncOptions): Promise<SyncSummary> {
  const now = o.now ?? Date.now;
  const startedAt = now();
  const dryRun = o.dryRun === true;

  // A dry run inspects the hooks and says what it would repair, changing nothing.
  const hooks: SyncHooksReport = o.skipHooks
    ? { status: 'skipped', message: 'not checked (--skip-hooks)', reenabled: 0, removedDuplicates: 0, checks: [] }
    : await checkAndRepairHooks(o.port, o.gitlab, o.bundle, o.groups, o.installId, { ...o.hooks, dryRun, events: desiredHookEvents(o.bundle, { ...defaultOptions(o.bundle), ...(o.options ?? {}) }) });

  const read = await readWatermark(o.port, o.installId, startedAt);
  const planOptions: PlanOptions = { forceFull: o.full === true, fullAfterHours: o.fullAfterHours, overlapMinutes: o.overlapMinutes, nowMs: startedAt };
  const plan = planSync(read, planOptions);
  o.log?.(`sync: ${plan.mode} — ${plan.reason}`);

  const { installId: _i, inputs: _in, full: _f, fullAfterHours: _h, overlapMinutes: _m, skipHooks: _s, hooks: _k, ...backfillOptions } = o;
  const data = await runBackfill({
    ...backfillOptions,
    // Incremental: every kind, releases only reconciled under projects that are gone (they have no
    // updated_after, and listing them costs a request per project: the hook or the full sync brings them).
    ...(plan.mode === 'incremental' ? { updatedSince: plan.updatedSince } : {}),
  });

  const previous = read.status === 'ok' ? read.watermark : null;
  const watermark: SyncSummary['watermark'] = { read: read.status, ...(read.status === 'ok' ? {} : { problem: read.problem }), previous };
  const started = new Date(startedAt).toISOString();
  if (dryRun) watermark.notStored = 'a dry run stores nothing';
  else if (!data.ok) watermark.notStored = 'something failed or a listing was incomplete: the next sync covers this window again';
  else {
    const next: SyncWatermark = { lastSyncStartedAt: started, lastFullSyncStartedAt: plan.mode === 'full' ? started : previous!.lastFullSyncStartedAt };
    try {
      await writeWatermark(o.port, o.installId, { ...next, mode: plan.mode, title: `sync of ${o.groups.map((g) => g.full_path).join(', ')}` });
      watermark.stored = next;
    } catch (err) {
      watermark.notStored = `Port refused the watermark: ${(err as Error).message}; the next sync covers this window again`;
    }
  }
  return {
    ...data,
    ok: data.ok && hooks.status !== 'problems' && (dryRun || watermark.stored !== undefined),
    mode: plan.mode,
    reason: plan.reason,
    since: plan.mode === 'incremental' ? plan.updatedSince! : (data.since ?? null),
    watermark,
    hooks,
  };
}
