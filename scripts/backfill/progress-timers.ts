// While a run lasts: a log line per running kind every `progressIntervalMs` (default 10 s), and
// the live progress (`onProgress`, every 200 ms) that the CLI draws as bars.
import type { KindStats } from './stats.ts';
import type { BackfillOptions } from './types.ts';

export function startProgressTimers(stats: readonly KindStats[], o: Pick<BackfillOptions, 'log' | 'progressIntervalMs' | 'onProgress'>, now: () => number): () => void {
  const timers: NodeJS.Timeout[] = [];
  const interval = o.progressIntervalMs ?? 10_000;
  const log = o.log;
  if (interval > 0 && log) {
    timers.push(setInterval(() => {
      for (const s of stats) {
        if (s.state !== 'running') continue;
        const secs = (now() - (s.startedAt ?? now())) / 1000;
        const rate = secs > 0 ? Math.round((s.written + s.unchanged) / secs) : 0;
        log(`backfill: ${s.kind}: fetched ${s.fetched}${s.total !== undefined ? `/${s.total}` : ''}, written ${s.written}, unchanged ${s.unchanged}, failed ${s.failed} (${rate}/s)`);
      }
    }, interval));
  }
  const onProgress = o.onProgress;
  if (onProgress) timers.push(setInterval(() => onProgress({ at: now(), kinds: stats.map((s) => s.progress()) }), 200));
  // Timers never keep the process alive: a run that ends (or throws) stops them.
  for (const t of timers) t.unref();
  return () => timers.forEach(clearInterval);
}
