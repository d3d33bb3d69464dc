// After install's backfill (a full listing and reconcile of every kind, exactly what a full sync
// does) the sync watermark is stored, so that the first `port-gitlab sync` is incremental instead
// of listing everything again. A failure to store it costs only that: the first sync is full.
import type { PortClient } from '../clients/port/index.ts';
import { explainError } from './errors.ts';
import { writeWatermark, type SyncWatermark } from '../sync/watermark.ts';

export type StoredInstallWatermark = { ok: true; watermark: SyncWatermark } | { ok: false; note: string };

export async function writeInstallWatermark(port: PortClient, installId: string, groups: ReadonlyArray<{ full_path: string }>, startedAtMs: number): Promise<StoredInstallWatermark> {
  const started = new Date(startedAtMs).toISOString();
  const watermark: SyncWatermark = { lastSyncStartedAt: started, lastFullSyncStartedAt: started };
  try {
    await writeWatermark(port, installId, { ...watermark, mode: 'full', title: `sync of ${groups.map((g) => g.full_path).join(', ')}` });
    return { ok: true, watermark };
  } catch (err) {
    return { ok: false, note: `the sync watermark could not be stored in Port (${explainError(err).message}): the first \`port-gitlab sync\` will be a full one` };
  }
}
