// Step 5: the backfill (its own module, scripts/backfill/run.ts, issue 6). Loaded lazily so the
// installer works, and says so, in a checkout where the backfill is not there.
import type { Bundle } from '../bundle/load.ts';
import type { BundleOptions } from '../bundle/render.ts';
import type { PortClient } from '../clients/port/index.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';

export interface BackfillKindSummary {
  fetched: number;
  written: number;
  unchanged: number;
  deleted: number;
  failed: number;
  complete: boolean;
  failures: Array<{ identifier?: string; reason: string }>;
}

export interface BackfillSummary {
  ok: boolean;
  kinds: Record<string, BackfillKindSummary>;
}

export interface BackfillRunOptions {
  bundle: Bundle;
  port: PortClient;
  gitlab: GitLabClient;
  groups: Array<{ id: number; full_path: string }>;
  options?: BundleOptions;
  dryRun?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

type RunBackfill = (options: BackfillRunOptions) => Promise<BackfillSummary>;

/** `scripts/backfill/run.ts`'s `runBackfill`, or undefined when the module is absent. */
export async function loadBackfill(): Promise<RunBackfill | undefined> {
  // A computed specifier: the type checker must not require the module to exist.
  const specifier = new URL('../backfill/run.ts', import.meta.url).href;
  try {
    const mod = (await import(specifier)) as { runBackfill?: RunBackfill };
    return typeof mod.runBackfill === 'function' ? mod.runBackfill : undefined;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // Only the backfill module itself being absent; a broken import inside it must surface.
    if ((e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'ENOENT') && String(e.message).includes('backfill/run.ts')) return undefined;
    throw err;
  }
}
