// What this run created, so that a fresh install that fails midway can remove exactly that (and
// nothing that existed before it). Undone in reverse order: children before what they point to.
import { explainError } from './errors.ts';

export interface RollbackReport {
  undone: string[];
  failed: Array<{ what: string; reason: string }>;
}

export class CreationJournal {
  private readonly entries: Array<{ what: string; undo: () => Promise<unknown> }> = [];

  record(what: string, undo: () => Promise<unknown>): void {
    this.entries.push({ what, undo });
  }

  get size(): number {
    return this.entries.length;
  }

  /** Undoes every recorded creation, newest first; keeps going past failures and reports them. */
  async rollback(): Promise<RollbackReport> {
    const report: RollbackReport = { undone: [], failed: [] };
    while (this.entries.length) {
      const e = this.entries.pop()!;
      try {
        await e.undo();
        report.undone.push(e.what);
      } catch (err) {
        report.failed.push({ what: e.what, reason: explainError(err).message });
      }
    }
    return report;
  }
}
