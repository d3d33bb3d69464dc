// Reconcile: after a kind was listed completely, delete the entities of its blueprint that belong
// to this install (ownership.ts: by URL or relation chain, whoever wrote them last) and that
// GitLab no longer has. Stale sets are computed parents first (a job is stale when its pipeline is), deletions
// run children first (Port refuses to delete an entity others still point at). Guards: an
// incomplete listing, or more stale entities than `threshold` of ours, deletes nothing.
import type { PortClient } from '../clients/port/index.ts';
import type { EntitiesQuery, Entity, QueryRule } from '../port/types.ts';
import { deleteInBulk, PORT_SEARCH_MAX_LIMIT } from '../clients/port/index.ts';
import type { Limiter } from './limiter.ts';
import type { KindStats } from './stats.ts';
import type { ReconcileReport } from './types.ts';
import { describe } from './writer.ts';

export const MAX_LISTED_STALE = 100;

/** What reconcile reads of each stored entity to decide whether it is stale. */
export const RECONCILE_FIELDS = ['identifier', 'properties.state', 'properties.updatedAt', 'properties.createdAt', 'properties.finishedAt', 'relations.project', 'relations.pipeline'];

export interface ReconcileKind {
  stats: KindStats;
  /** Why reconcile must not run for this kind (incomplete listing, interrupted, …). */
  blocked?: string;
  /** True when a stored entity of ours is gone from GitLab. Called after every parent kind was decided. */
  isStale(stored: Entity): boolean;
  /**
   * Port held no entity of the blueprint when this run began writing it: everything ours in it
   * was written by this run from a complete listing, so reading it all back (a first run's
   * whole catalogue, ~15% of the run) would find nothing stale.
   */
  emptyBeforeRun?: boolean;
  /**
   * Incremental sync: the searches (each ANDed with the ownership query) that select every entity
   * of ours `isStale` could find stale (reconcile-candidates.ts); [] reads nothing. Called at the
   * kind's turn, after its parents were decided. Absent or undefined: every entity of ours is read.
   */
  candidates?: () => Array<QueryRule | EntitiesQuery> | undefined;
}

export interface ReconcileOptions {
  port: PortClient;
  limiter: Limiter;
  dryRun: boolean;
  threshold: number;
  /** The Port search query that selects this install's entities of a blueprint (ownership.ts). */
  ours: (blueprint: string) => EntitiesQuery;
  log: (line: string) => void;
}

/**
 * Decides (parents first) and deletes (children first). `kinds` is in parent-first order.
 * Returns the identifiers approved for deletion per blueprint (what the stale rules of later
 * kinds may rely on) through `approved`, which the caller's `isStale` closures read.
 */
export async function reconcile(kinds: ReconcileKind[], approved: Map<string, Set<string>>, o: ReconcileOptions): Promise<Map<KindStats, ReconcileReport>> {
  const reports = new Map<KindStats, ReconcileReport>();
  const toDelete: Array<{ k: ReconcileKind; ids: string[] }> = [];

  for (const k of kinds) {
    const bp = k.stats.blueprint;
    if (k.blocked) {
      reports.set(k.stats, { status: 'skipped', reason: k.blocked });
      continue;
    }
    if (k.emptyBeforeRun) {
      reports.set(k.stats, { status: 'nothing-stale', reason: `Port had no ${bp} entity before this run wrote them; none can be stale` });
      continue;
    }
    let ours: number | undefined;
    const stale: string[] = [];
    const narrowed = k.candidates?.();
    const read = new Set<string>();
    try {
      const searches = narrowed ? narrowed.map((rule): EntitiesQuery => ({ combinator: 'and', rules: [o.ours(bp), rule] })) : [o.ours(bp)];
      for (const query of searches) {
        const pages = o.port.searchEntityPages(bp, { query, include: RECONCILE_FIELDS, limit: PORT_SEARCH_MAX_LIMIT });
        // Bounded: the client stops at Port's last page (and refuses a repeated cursor).
        for (;;) {
          const next = await o.limiter.run(() => pages.next());
          if (next.done) break;
          for (const e of next.value) {
            const id = String(e.identifier);
            if (read.has(id)) continue; // in two searches of the same kind
            read.add(id);
            if (k.isStale(e)) stale.push(id);
          }
        }
      }
      // The deletion threshold's base: every entity of ours, or, when only candidates were read, the
      // blueprint's count (Port counts no subset; with several installs in one org it counts theirs too).
      ours = !narrowed ? read.size : stale.length ? await o.limiter.run(() => o.port.countEntities(bp)) : undefined;
    } catch (err) {
      reports.set(k.stats, { status: 'skipped', reason: `could not read this install's ${bp} entities from Port: ${describe(err)}` });
      continue;
    }
    const base = { ...(ours !== undefined ? { ours } : {}), ...(narrowed ? { read: read.size } : {}), stale: stale.length, staleIdentifiers: stale.slice(0, MAX_LISTED_STALE) };
    if (stale.length === 0) {
      const reason = narrowed
        ? `all ${read.size} ${bp} entities of this install that could have gone since the window began still exist in GitLab (the rest waits for the full sync)`
        : `all ${ours} ${bp} entities of this install still exist in GitLab`;
      reports.set(k.stats, { status: 'nothing-stale', reason, ...base });
      continue;
    }
    const share = stale.length / ours!;
    if (share > o.threshold) {
      reports.set(k.stats, {
        status: 'refused', ...base,
        reason: `${stale.length} of ${ours} ${bp} entities (${pct(share)}) are gone from GitLab, more than the ${pct(o.threshold)} deletion threshold; nothing deleted. If GitLab really lost them, run again with a higher threshold (--delete-threshold)`,
      });
      continue;
    }
    approved.set(bp, new Set(stale));
    if (o.dryRun) {
      reports.set(k.stats, { status: 'dry-run', reason: `would delete ${stale.length} of ${ours} ${bp} entities gone from GitLab`, ...base });
      continue;
    }
    reports.set(k.stats, { status: 'deleted', reason: '', ...base });
    toDelete.push({ k, ids: stale });
  }

  for (const { k, ids } of toDelete.reverse()) {
    const bp = k.stats.blueprint;
    const { deleted, kept } = await deleteInBulk(o.port, bp, ids, { run: (request) => o.limiter.run(request), reason: describe });
    k.stats.deleted += deleted;
    const report = reports.get(k.stats)!;
    report.reason = `deleted ${deleted} of ${ids.length} stale ${bp} entities${kept.length ? `; ${kept.length} kept because Port refused (another entity depends on them)` : ''}`;
    if (kept.length) report.kept = kept.slice(0, MAX_LISTED_STALE);
    o.log(`backfill: reconcile ${k.stats.kind}: ${report.reason}`);
  }
  return reports;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
