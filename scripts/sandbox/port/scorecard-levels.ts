// Each entity's scorecard levels, evaluated when it is read, as Port documents them (docs
// "Scorecards → Concepts and structure"): an entity the scorecard's filter does not match is not
// evaluated; every other starts at the first (base) level and climbs one level at a time while it
// passes every rule of the next level — failing one Bronze rule keeps it at Basic even when it
// passes every Silver rule. The answer has the shape Port's entity JSON carries:
// `scorecards: {<scorecardId>: {level, rules: [{identifier, status: SUCCESS|FAILURE, level}]}}`.
// Conditions use the search rules' semantics (search.ts; date presets as computed/date-range.ts
// reads them, as the aggregations do) plus what scorecards add: `=` on a date range or preset,
// and `not` on isEmpty/isNotEmpty.
// Port recomputes rule results asynchronously ("may take up to 24 h to sync on large blueprints");
// the local Port computes them on every read, i.e. always up to date.
import type { Scorecard, ScorecardCondition } from '../../../schemas/scorecards-file.schema.ts';
import { matchesQuery, type EntityGraph } from './search.ts';
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

const isRange = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

function conditionHolds(e: StoredEntity, c: ScorecardCondition, graph: EntityGraph): boolean {
  const { not, ...rule } = c as ScorecardCondition & { not?: boolean };
  // `=` with a date range or preset means "within it" (the published condition schema allows it).
  const asSearch = 'value' in rule && rule.operator === '=' && isRange(rule.value) ? { ...rule, operator: 'between' } : rule;
  const holds = matchesQuery(e, { combinator: 'and', rules: [asSearch] }, graph);
  return not ? !holds : holds;
}

function queryHolds(e: StoredEntity, q: Scorecard['rules'][number]['query'], graph: EntityGraph): boolean {
  const results = q.conditions.map((c) => conditionHolds(e, c, graph));
  return q.combinator === 'or' ? results.some(Boolean) : results.every(Boolean);
}

/** The entity's result for one scorecard, or undefined when its filter leaves the entity out. */
export function evaluateScorecard(sc: Scorecard, e: StoredEntity, graph: EntityGraph): EntityScorecard | undefined {
  if (sc.filter && !queryHolds(e, sc.filter, graph)) return undefined;
  const rules: RuleResult[] = sc.rules.map((r) => ({ identifier: r.identifier, status: queryHolds(e, r.query, graph) ? 'SUCCESS' : 'FAILURE', level: r.level }));
  let level = sc.levels[0]!.title;
  for (const l of sc.levels.slice(1)) {
    if (rules.some((r) => r.level === l.title && r.status === 'FAILURE')) break;
    level = l.title;
  }
  return { level, rules };
}

/** Every scorecard of the entity's blueprint that evaluates it. */
export function entityScorecards(scorecards: readonly Scorecard[], e: StoredEntity, graph: EntityGraph): Record<string, EntityScorecard> {
  const out: Record<string, EntityScorecard> = {};
  for (const sc of scorecards) {
    const r = evaluateScorecard(sc, e, graph);
    if (r) out[sc.identifier] = r;
  }
  return out;
}
