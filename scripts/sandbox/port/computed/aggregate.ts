// Aggregation properties (aggregation-property.md): the target entities a holder reaches (paths.ts)
// that match the query, counted, averaged per period, or summed / averaged / min / max / median of
// a number property. Averages per period follow Port's documented rule for number charts
// (dashboards/data-widgets.md): the count (or sum) is divided by the number of periods the matched
// entities span by `measureTimeBy`, a partial period counting as a whole one; a month is 30 days.
import type { StoredBlueprint } from '../../../port/types.ts';
import { matchesQuery, type EntityGraph, type SearchQuery } from '../search.ts';
import type { StoredEntity } from '../store.ts';
import { follow, routesOf } from './paths.ts';

const PERIOD_MS: Record<string, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 };

/** Port's documented limit: an aggregation is computed only on blueprints of at most 20,000 entities. */
export const MAX_HOLDER_ENTITIES = 20_000;

export interface AggregationSpec {
  target: string;
  calculationSpec: { calculationBy: 'entities' | 'property'; func: string; property?: string; averageOf?: string; measureTimeBy?: string };
  query?: SearchQuery;
  pathFilter?: unknown;
}

export interface AggregateEnv extends EntityGraph {
  blueprint(identifier: string): StoredBlueprint | undefined;
  entities(blueprint: string): StoredEntity[];
}

function timeOf(e: StoredEntity, by: string | undefined): number | undefined {
  const v = by === undefined || by === '$createdAt' ? e.createdAt : by === '$updatedAt' ? e.updatedAt : e.properties[by];
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** How many `averageOf` periods the entities span (at least one). */
function periods(entities: StoredEntity[], spec: AggregationSpec['calculationSpec']): number {
  const length = PERIOD_MS[spec.averageOf ?? ''];
  if (!length) return 1; // averageOf "total"
  const times = entities.map((e) => timeOf(e, spec.measureTimeBy)).filter((t): t is number => t !== undefined);
  if (!times.length) return 1;
  return Math.max(1, Math.ceil((Math.max(...times) - Math.min(...times)) / length));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The value of one aggregation over the target entities one holder reaches. */
export function aggregate(matched: StoredEntity[], spec: AggregationSpec['calculationSpec']): number | null {
  if (spec.calculationBy === 'entities') {
    if (spec.func === 'count') return matched.length;
    // Entities without a time to measure by are in no period.
    const timed = PERIOD_MS[spec.averageOf ?? ''] ? matched.filter((e) => timeOf(e, spec.measureTimeBy) !== undefined) : matched;
    return timed.length / periods(timed, spec);
  }
  const withValue = matched.filter((e) => typeof e.properties[spec.property ?? ''] === 'number');
  const values = withValue.map((e) => e.properties[spec.property!] as number);
  switch (spec.func) {
    case 'sum': return values.reduce((a, b) => a + b, 0);
    case 'min': return values.length ? Math.min(...values) : null;
    case 'max': return values.length ? Math.max(...values) : null;
    case 'median': return values.length ? median(values) : null;
    case 'average': {
      if (!values.length) return null;
      const sum = values.reduce((a, b) => a + b, 0);
      return PERIOD_MS[spec.averageOf ?? ''] ? sum / periods(withValue.filter((e) => timeOf(e, spec.measureTimeBy) !== undefined), spec) : sum / values.length;
    }
    default: return null;
  }
}

/**
 * One aggregation for a batch of holders: the target blueprint is scanned once (query first), and
 * each matching target is linked to the holders it reaches.
 */
export function aggregateFor(env: AggregateEnv, holderBlueprint: string, holders: StoredEntity[], spec: AggregationSpec): Map<string, number | null> {
  const out = new Map<string, number | null>();
  if (env.entities(holderBlueprint).length > MAX_HOLDER_ENTITIES) {
    for (const h of holders) out.set(h.identifier, null);
    return out;
  }
  const routes = routesOf(env, holderBlueprint, spec.target, spec.pathFilter);
  const wanted = new Set(holders.map((h) => h.identifier));
  const reached = new Map<string, Map<string, StoredEntity>>(); // holder → target identifier → entity
  const link = (holder: string, target: StoredEntity) => {
    let m = reached.get(holder);
    if (!m) reached.set(holder, (m = new Map()));
    m.set(target.identifier, target);
  };
  const matches = (t: StoredEntity) => !spec.query || matchesQuery(t, spec.query, env);
  if (routes.some((r) => r.fromTarget)) {
    for (const t of env.entities(spec.target)) {
      if (!matches(t)) continue;
      for (const r of routes) if (r.fromTarget) for (const h of follow(env, t, r.relations)) if (wanted.has(h)) link(h, t);
    }
  }
  for (const r of routes) {
    if (r.fromTarget) continue;
    for (const h of holders) {
      for (const id of follow(env, h, r.relations)) {
        const t = env.entity(spec.target, id);
        if (t && matches(t)) link(h.identifier, t);
      }
    }
  }
  for (const h of holders) out.set(h.identifier, aggregate([...(reached.get(h.identifier)?.values() ?? [])], spec.calculationSpec));
  return out;
}
