// Step 5: the backfill (scripts/backfill/run.ts, issue 6). Imported lazily: an install with
// --skip-backfill, and uninstall/doctor, do not pay for the backfill's modules.
import type { BackfillOptions, BackfillSummary } from '../backfill/types.ts';

export type { BackfillSummary, BackfillOptions };

export async function loadBackfill(): Promise<(options: BackfillOptions) => Promise<BackfillSummary>> {
  const mod = await import('../backfill/run.ts');
  return mod.runBackfill;
}
