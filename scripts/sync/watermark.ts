// The sync's watermark, kept in Port so that the next run finds it wherever it runs (a CI runner
// has no disk that survives the job). One entity per install (identifier = the install id, which
// already names the GitLab instance and the top-level groups) in a small blueprint of its own:
// it is bookkeeping, not catalog data, so it lives outside the bundle's nine blueprints, no
// webhook or backfill ever writes it, and no reconcile ever deletes it. `sync` creates the
// blueprint on first use.
import type { PortClient } from '../clients/port/index.ts';
import type { Blueprint, Entity } from '../port/types.ts';

export const SYNC_STATE_BLUEPRINT = 'gitlabSyncState';
/** Bumped when the stored shape changes; a stored state of another version is treated as corrupt (a full sync). */
export const WATERMARK_FORMAT = 1;
/** A stored time further ahead of this machine's clock than this is not trusted (clock skew between runners). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export const SYNC_STATE_BLUEPRINT_BODY: Blueprint = {
  identifier: SYNC_STATE_BLUEPRINT,
  title: 'GitLab sync state',
  icon: 'GitLab',
  description: 'Where `port-gitlab sync` keeps its watermark: one entity per install (identifier = install id). Bookkeeping, not catalog data; deleting an entity makes the next sync a full one.',
  schema: {
    properties: {
      lastSyncStartedAt: { title: 'Last successful sync started', type: 'string', format: 'date-time', description: 'Start of the last sync that listed everything it should and failed nothing; the next incremental sync lists what GitLab changed since then (minus the overlap).' },
      lastFullSyncStartedAt: { title: 'Last successful full sync started', type: 'string', format: 'date-time', description: 'A sync becomes full when this is older than --full-after-hours.' },
      lastMode: { title: 'Last mode', type: 'string', enum: ['incremental', 'full'] },
      formatVersion: { title: 'Format version', type: 'number' },
    },
    required: [],
  },
  relations: {},
};

export interface SyncWatermark {
  /** ISO date-time: start of the last successful sync (any mode). */
  lastSyncStartedAt: string;
  /** ISO date-time: start of the last successful full sync. */
  lastFullSyncStartedAt: string;
}

export type WatermarkRead =
  | { status: 'ok'; watermark: SyncWatermark }
  | { status: 'missing' | 'corrupt' | 'unreadable'; problem: string };

/** Checks a stored state entity: everything that is not a sound, past watermark is corrupt (never a guess). */
export function parseWatermark(entity: Entity | null, nowMs: number): WatermarkRead {
  if (!entity) return { status: 'missing', problem: 'no watermark in Port (the first sync of this install, or its state entity was deleted)' };
  const p = (entity.properties ?? {}) as Record<string, unknown>;
  if (p.formatVersion !== WATERMARK_FORMAT) return { status: 'corrupt', problem: `format version ${JSON.stringify(p.formatVersion ?? null)}, expected ${WATERMARK_FORMAT}` };
  const times: Partial<Record<keyof SyncWatermark, number>> = {};
  for (const key of ['lastSyncStartedAt', 'lastFullSyncStartedAt'] as const) {
    const v = p[key];
    const t = typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(t)) return { status: 'corrupt', problem: `${key} is ${JSON.stringify(v ?? null)}, not a date-time` };
    if (t > nowMs + FUTURE_TOLERANCE_MS) return { status: 'corrupt', problem: `${key} ${String(v)} is in the future` };
    times[key] = t;
  }
  if (times.lastFullSyncStartedAt! > times.lastSyncStartedAt!) return { status: 'corrupt', problem: 'the last full sync is newer than the last sync' };
  return { status: 'ok', watermark: { lastSyncStartedAt: new Date(times.lastSyncStartedAt!).toISOString(), lastFullSyncStartedAt: new Date(times.lastFullSyncStartedAt!).toISOString() } };
}

/** The install's watermark; any failure to read it is reported (and means a full sync), never thrown. */
export async function readWatermark(port: PortClient, installId: string, nowMs: number): Promise<WatermarkRead> {
  try {
    return parseWatermark(await port.getEntity(SYNC_STATE_BLUEPRINT, installId), nowMs);
  } catch (err) {
    return { status: 'unreadable', problem: `could not read the watermark from Port: ${(err as Error).message}` };
  }
}

/** Stores the watermark (creating the state blueprint the first time). Throws what Port refused. */
export async function writeWatermark(port: PortClient, installId: string, w: SyncWatermark & { mode: 'incremental' | 'full'; title: string }): Promise<void> {
  const entity: Entity = {
    identifier: installId,
    title: w.title,
    properties: { lastSyncStartedAt: w.lastSyncStartedAt, lastFullSyncStartedAt: w.lastFullSyncStartedAt, lastMode: w.mode, formatVersion: WATERMARK_FORMAT },
    relations: {},
  };
  if (!(await port.getBlueprint(SYNC_STATE_BLUEPRINT))) await port.createBlueprint(SYNC_STATE_BLUEPRINT_BODY, { createCatalogPage: false });
  // Replace, not merge: a stale field of another format must not survive.
  await port.upsertEntity(SYNC_STATE_BLUEPRINT, entity, { upsert: true, merge: false });
}
