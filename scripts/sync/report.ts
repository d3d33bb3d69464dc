// Human output of `sync`: the mode and why, the hooks, the backfill's per-kind table, the watermark.
import { formatSummary } from '../backfill/report.ts';
import type { SyncSummary } from './run.ts';

export function formatSyncSummary(s: SyncSummary): string[] {
  const table = formatSummary(s);
  const lines = [`sync: ${s.mode}${s.dryRun ? ' (dry run: nothing written, deleted or stored)' : ''} — ${s.reason}`];
  lines.push(`  hooks: ${s.hooks.message}`);
  for (const c of s.hooks.checks) if (c.status !== 'ok') lines.push(`    ${c.status === 'fail' ? '✗' : '!'} ${c.message}${c.fix ? ` (fix: ${c.fix})` : ''}`);
  // The backfill's table, without its own verdict line (the sync's follows).
  lines.push(...table.slice(0, -1));
  lines.push(s.watermark.stored
    ? `  watermark stored in Port: last sync ${s.watermark.stored.lastSyncStartedAt}, last full sync ${s.watermark.stored.lastFullSyncStartedAt}`
    : `  watermark not advanced: ${s.watermark.notStored ?? 'unknown reason'}`);
  lines.push(s.ok ? 'sync: ok' : 'sync: FAILED (see above); the exit code is 1');
  return lines;
}
