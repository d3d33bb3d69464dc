// Human output of the backfill: the per-kind summary table with failures and reconcile
// decisions, and the live progress display (bars with counts, rate and ETA on a TTY).
import type { BackfillProgress, BackfillSummary, KindProgress } from './types.ts';

const MAX_REASONS_SHOWN = 5;

export function formatSummary(s: BackfillSummary): string[] {
  const lines: string[] = [];
  const head = s.dryRun ? 'backfill (dry run: Port validated the writes, nothing was written or deleted)' : 'backfill';
  lines.push(`${head}${s.interrupted ? ' — INTERRUPTED, run it again to complete' : ''}${s.stopped ? ' — STOPPED: Port stopped answering' : ''}${s.seconds !== undefined ? ` in ${s.seconds} s` : ''}${s.since === undefined ? '' : s.since === null ? ', window: everything' : `, window: open + updated since ${s.since}`}`);
  const w = s.dryRun ? 'would write' : 'written';
  lines.push(`  ${'kind'.padEnd(14)}${'fetched'.padStart(9)}${w.padStart(12)}${'unchanged'.padStart(11)}${'deleted'.padStart(9)}${'failed'.padStart(8)}  listing`);
  for (const [kind, k] of Object.entries(s.kinds)) {
    lines.push(`  ${kind.padEnd(14)}${String(k.fetched).padStart(9)}${String(k.written).padStart(12)}${String(k.unchanged).padStart(11)}${String(k.deleted).padStart(9)}${String(k.failed).padStart(8)}  ${k.complete ? 'complete' : 'INCOMPLETE'}${k.skipped ? ` (${k.skipped} skipped by the mappings)` : ''}`);
  }
  for (const [kind, k] of Object.entries(s.kinds)) {
    if (k.failures.length) {
      lines.push(`  ${kind}: ${k.failed} failed${k.failed > MAX_REASONS_SHOWN ? ` (first ${MAX_REASONS_SHOWN})` : ''}:`);
      for (const f of k.failures.slice(0, MAX_REASONS_SHOWN)) lines.push(`    - ${f.identifier ? `${f.identifier}: ` : ''}${f.reason}`);
    }
    const r = k.reconcile;
    if (r && r.status !== 'nothing-stale') {
      lines.push(`  ${kind} reconcile (${r.status}): ${r.reason}`);
      if (r.status === 'dry-run' && r.staleIdentifiers?.length) lines.push(`    would delete: ${r.staleIdentifiers.join(', ')}${(r.stale ?? 0) > r.staleIdentifiers.length ? ', …' : ''}`);
      for (const kept of r.kept?.slice(0, MAX_REASONS_SHOWN) ?? []) lines.push(`    - kept ${kept.identifier}: ${kept.reason}`);
    }
  }
  lines.push(...bottleneckLines(s));
  if (s.stopped) lines.push(`  stopped: ${s.stopped.reason}`);
  const code = backfillExitCode(s);
  lines.push(s.interrupted ? `backfill: INTERRUPTED; the exit code is ${code} — run it again to complete the work` : s.ok ? 'backfill: ok' : `backfill: FAILED (see above); the exit code is ${code}`);
  return lines;
}

/** The exit code of a finished run (README "Backfill"): the summary's last line names it. */
export function backfillExitCode(s: Pick<BackfillSummary, 'ok' | 'interrupted'>): number {
  return s.interrupted ? 130 : s.ok ? 0 : 1;
}

/** A run shorter than this says nothing about limits: start-up and phases dominate it. */
const MIN_SECONDS_FOR_HINT = 10;
/** Slots all taken for at least this share of the run: that API set the pace. */
const BOTTLENECK_SATURATION = 0.5;

/** Which API held the run back, and the flag that gives it more room. */
function bottleneckLines(s: BackfillSummary): string[] {
  if (!s.usage || (s.seconds ?? 0) < MIN_SECONDS_FOR_HINT) return [];
  const sides = [
    { name: 'Port', u: s.usage.port, flag: '--port-concurrency', limit: "your Port organisation's rate limit" },
    { name: 'GitLab', u: s.usage.gitlab, flag: '--gitlab-concurrency', limit: "GitLab's rate limits (GitLab.com: 2,000 requests/min per user)" },
  ].filter((x) => x.u.saturation >= BOTTLENECK_SATURATION);
  return sides.map(({ name, u, flag, limit }) =>
    `  ${name} set the pace: its ${u.slots} request slots were all busy ${Math.round(u.saturation * 100)}% of the run (${u.meanMs} ms a request); \`port-gitlab backfill ${flag} ${u.slots * 2}\` would allow more if ${limit} allows`);
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const m = Math.floor(seconds / 60);
  const sec = Math.floor(seconds % 60);
  return `${m}:${String(sec).padStart(2, '0')}`;
}

/** One line per kind: a bar (when GitLab announced a total), counts, rate and ETA. */
export function progressLines(p: BackfillProgress, width = 24): string[] {
  return p.kinds.map((k: KindProgress) => {
    const secs = k.startedAt !== undefined ? (p.at - k.startedAt) / 1000 : 0;
    const done = k.written + k.unchanged + k.failed;
    const rate = secs > 0 ? done / secs : 0;
    let bar = ' '.repeat(width + 2);
    let eta = '';
    if (k.total && k.total > 0) {
      const share = Math.min(1, k.fetched / k.total);
      const filled = Math.round(share * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      eta = k.state === 'running' && rate > 0 ? ` ETA ${clock((k.total - done) / rate)}` : '';
    } else if (k.state === 'running') {
      bar = `[${'~'.repeat(width)}]`;
    }
    const state = k.state === 'done' ? 'done' : k.state === 'waiting' ? 'waiting' : `${Math.round(rate)}/s${eta}`;
    return `${k.kind.padEnd(14)}${bar} ${String(k.fetched).padStart(7)}${k.total ? `/${k.total}` : ''} fetched, ${k.written} written, ${k.unchanged} unchanged, ${k.failed} failed  ${state}`;
  });
}

/** Redraws the progress lines in place on a TTY stream. */
export class TtyProgress {
  private drawn = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  draw(p: BackfillProgress): void {
    const lines = progressLines(p, 24).map((l) => l.slice(0, Math.max(20, (this.out.columns ?? 120) - 1)));
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A`);
    for (const l of lines) this.out.write(`\x1b[2K${l}\n`);
    this.drawn = lines.length;
  }
}
