// Each entity's scorecard levels, evaluated when it is read, as Port documents them (docs
// "Scorecards → Concepts and structure"): an entity the scorecard's filter does not match is not
// evaluated; every other starts at the first (base) level and climbs one level at a time while it
// passes every rule of the next level — failing one Bronze rule keeps it at Basic even when it
// passes every Silver rule. The answer has the shape Port's entity JSON carries:
// `scorecards: {<scorecardId>: {level, rules: [{identifier, status: SUCCESS|FAILURE, level}]}}`.
// Conditions use the search rules' semantics (search.ts) plus what scorecards add: `between` /
// `notBetween` / `=` on a date range or preset, and `not` on isEmpty/isNotEmpty.
// Port recomputes rule results asynchronously ("may take up to 24 h to sync on large blueprints");
// the local Port computes them on every read, i.e. always up to date.
import type { Scorecard, ScorecardCondition } from '../../../schemas/scorecards-file.schema.ts';
import { matchesQuery } from './search.ts';
import type { StoredEntity } from './store.ts';

export interface RuleResult {
  identifier: string;
  status: 'SUCCESS' | 'FAILURE';
  level: string;
}

export interface EntityScorecard {
  level: string;
  rules: RuleResult[];
}

const DAY = 86_400_000;

/** A date preset as an absolute range ending now (inferred: Port documents the names, not the bounds). */
export function presetRange(preset: string, now: number): { from: number; to: number } {
  const startOfDay = Math.floor(now / DAY) * DAY;
  const monthsAgo = (n: number) => {
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() - n);
    return d.getTime();
  };
  switch (preset) {
    case 'today': return { from: startOfDay, to: startOfDay + DAY - 1 };
    case 'tomorrow': return { from: startOfDay + DAY, to: startOfDay + 2 * DAY - 1 };
    case 'yesterday': return { from: startOfDay - DAY, to: startOfDay - 1 };
    case 'lastWeek': return { from: now - 7 * DAY, to: now };
    case 'last2Weeks': return { from: now - 14 * DAY, to: now };
    case 'lastMonth': return { from: monthsAgo(1), to: now };
    case 'last3Months': return { from: monthsAgo(3), to: now };
    case 'last6Months': return { from: monthsAgo(6), to: now };
    case 'last12Months': return { from: monthsAgo(12), to: now };
    default: throw new Error(`unknown date preset ${preset}`);
  }
}

function fieldValue(e: StoredEntity, property: string): unknown {
  if (property === '$createdAt') return e.createdAt;
  if (property === '$updatedAt') return e.updatedAt;
  return e.properties[property];
}

function conditionHolds(e: StoredEntity, c: ScorecardCondition, now: number): boolean {
  if ('property' in c && 'value' in c && c.value !== null && typeof c.value === 'object' && !Array.isArray(c.value)) {
    const range = 'preset' in c.value ? presetRange(c.value.preset, now) : { from: Date.parse(c.value.from), to: Date.parse(c.value.to) };
    const raw = fieldValue(e, c.property);
    const t = typeof raw === 'string' ? Date.parse(raw) : NaN;
    const inside = !Number.isNaN(t) && t >= range.from && t <= range.to;
    return c.operator === 'notBetween' ? !Number.isNaN(t) && !inside : inside;
  }
  const { not, ...rule } = c as ScorecardCondition & { not?: boolean };
  const holds = matchesQuery(e, { combinator: 'and', rules: [rule] });
  return not ? !holds : holds;
}

function queryHolds(e: StoredEntity, q: Scorecard['rules'][number]['query'], now: number): boolean {
  const results = q.conditions.map((c) => conditionHolds(e, c, now));
  return q.combinator === 'or' ? results.some(Boolean) : results.every(Boolean);
}

/** The entity's result for one scorecard, or undefined when its filter leaves the entity out. */
export function evaluateScorecard(sc: Scorecard, e: StoredEntity, now: number): EntityScorecard | undefined {
  if (sc.filter && !queryHolds(e, sc.filter, now)) return undefined;
  const rules: RuleResult[] = sc.rules.map((r) => ({ identifier: r.identifier, status: queryHolds(e, r.query, now) ? 'SUCCESS' : 'FAILURE', level: r.level }));
  let level = sc.levels[0]!.title;
  for (const l of sc.levels.slice(1)) {
    if (rules.some((r) => r.level === l.title && r.status === 'FAILURE')) break;
    level = l.title;
  }
  return { level, rules };
}

/** Every scorecard of the entity's blueprint that evaluates it. */
export function entityScorecards(scorecards: readonly Scorecard[], e: StoredEntity, now: number): Record<string, EntityScorecard> {
  const out: Record<string, EntityScorecard> = {};
  for (const sc of scorecards) {
    const r = evaluateScorecard(sc, e, now);
    if (r) out[sc.identifier] = r;
  }
  return out;
}
