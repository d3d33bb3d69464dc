// Per-kind counters and failures. Failure reasons are capped so that a run where every entity
// fails still has bounded memory; the counts stay exact.
import type { BackfillKind, KindFailure, KindProgress, KindSummary } from './types.ts';

export const MAX_FAILURES_KEPT = 100;

export class KindStats {
  fetched = 0;
  written = 0;
  unchanged = 0;
  deleted = 0;
  failed = 0;
  skipped = 0;
  complete = true;
  readonly failures: KindFailure[] = [];
  state: KindProgress['state'] = 'waiting';
  startedAt?: number;
  endedAt?: number;
  /** Sum of x-total over the lists read; undefined once one list did not announce its size. */
  total: number | undefined = 0;

  constructor(readonly kind: BackfillKind, readonly blueprint: string) {}

  fail(reason: string, identifier?: string, count = 1): void {
    this.failed += count;
    if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push(identifier === undefined ? { reason } : { identifier, reason });
  }

  /** A list could not be read to its end: the kind is incomplete (reconcile will not run). */
  incomplete(reason: string): void {
    this.complete = false;
    this.fail(reason);
  }

  announce(total: number | undefined): void {
    this.total = this.total !== undefined && total !== undefined ? this.total + total : undefined;
  }

  start(now: number): void {
    if (this.state === 'waiting') {
      this.state = 'running';
      this.startedAt = now;
    }
  }

  finish(now: number): void {
    this.state = 'done';
    this.endedAt = now;
  }

  progress(): KindProgress {
    return { kind: this.kind, state: this.state, fetched: this.fetched, written: this.written, unchanged: this.unchanged, failed: this.failed, total: this.total, startedAt: this.startedAt };
  }

  summary(): KindSummary {
    return {
      fetched: this.fetched,
      written: this.written,
      unchanged: this.unchanged,
      deleted: this.deleted,
      failed: this.failed,
      complete: this.complete,
      failures: [...this.failures],
      skipped: this.skipped,
      blueprint: this.blueprint,
      ...(this.startedAt !== undefined && this.endedAt !== undefined ? { seconds: Math.round((this.endedAt - this.startedAt) / 10) / 100 } : {}),
    };
  }
}
