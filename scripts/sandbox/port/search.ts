// Port's entity search rules (search-a-blueprints-entities.json) evaluated over stored entities:
// property and meta-property rules (`$identifier`, `$title`, `$blueprint`, `$datasource`, …),
// date ranges and presets (`between`, `notBetween`), relation rules, relation path rules (`{property: {path}, operator: "matchAny"}`, upstream paths
// with one `maxHops` step), nested `{combinator, rules}`, and cursor pagination (`limit`, `from` → `next`).
import { dateRange, inRange } from './computed/date-range.ts';
import { invalid } from './errors.ts';
import type { StoredEntity } from './store.ts';

export interface SearchQuery {
  combinator: 'and' | 'or';
  rules: unknown[];
}

type Rule = Record<string, unknown>;

/** What a relation path rule reads beyond the entity itself: relation targets and other entities. */
export interface EntityGraph {
  /** The target blueprint of a blueprint's relation, or undefined when it has no such relation. */
  target(blueprint: string, relation: string): string | undefined;
  entity(blueprint: string, identifier: string): StoredEntity | undefined;
  /** The clock (epoch ms) that date presets (`lastMonth`, …) are relative to. */
  now(): number;
}

/** Port's bounds on `maxHops` (relation-operators.md: "accepts values from 1 to 15", once per path). */
const MAX_HOPS = 15;

type PathStep = { relation: string; maxHops: number | null };

function pathSteps(rule: Rule): PathStep[] | null {
  const p = rule.property;
  if (typeof p !== 'object' || p === null || !('path' in p)) return null;
  const { path, fromBlueprint } = p as { path?: unknown; fromBlueprint?: unknown };
  if (fromBlueprint !== undefined) throw invalid('query: relation paths with "fromBlueprint" (downstream paths) are not supported by the local Port');
  if (!Array.isArray(path) || path.length === 0) throw invalid('query: property.path must be a non-empty array of relation identifiers');
  let repeats = 0;
  return path.map((step) => {
    if (typeof step === 'string') return { relation: step, maxHops: null };
    const s = step as { relation?: unknown; maxHops?: unknown };
    if (typeof s !== 'object' || s === null || typeof s.relation !== 'string') throw invalid('query: each step of property.path is a relation identifier or {relation, maxHops}');
    if (s.maxHops === undefined) return { relation: s.relation, maxHops: null };
    if (typeof s.maxHops !== 'number' || !Number.isInteger(s.maxHops) || s.maxHops < 1 || s.maxHops > MAX_HOPS) throw invalid(`query: maxHops must be an integer from 1 to ${MAX_HOPS}`);
    if (++repeats > 1) throw invalid('query: maxHops can only be applied once per path');
    return { relation: s.relation, maxHops: s.maxHops };
  });
}

const relationIds = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/**
 * The identifiers at the end of an upstream relation path (relation-operators.md, "Related to by
 * specific path"): a plain step follows the relation once; a `{relation, maxHops}` step follows it
 * 1..maxHops times and keeps every entity along the way.
 */
function pathEnds(e: StoredEntity, steps: PathStep[], graph: EntityGraph): Set<string> {
  let frontier: Array<{ bp: string; id: string; entity?: StoredEntity }> = [{ bp: e.blueprint, id: e.identifier, entity: e }];
  for (const step of steps) {
    const next: typeof frontier = [];
    for (const node of frontier) {
      const target = graph.target(node.bp, step.relation);
      if (!target) throw invalid(`query: "${step.relation}" in property.path is not a relation of blueprint "${node.bp}"`);
      let level = [node];
      for (let hop = 0; hop < (step.maxHops ?? 1); hop++) {
        const reached: typeof frontier = [];
        for (const n of level) {
          const source = n.entity ?? graph.entity(n.bp, n.id);
          for (const id of relationIds(source?.relations[step.relation])) reached.push({ bp: target, id, entity: graph.entity(target, id) });
        }
        next.push(...reached);
        level = reached;
        if (!level.length) break;
      }
    }
    frontier = next;
  }
  return new Set(frontier.map((n) => n.id));
}

function meta(e: StoredEntity, name: string): unknown {
  switch (name) {
    case '$identifier': return e.identifier;
    case '$title': return e.title;
    case '$blueprint': return e.blueprint;
    case '$icon': return e.icon;
    case '$team': return e.team ?? [];
    case '$createdAt': return e.createdAt;
    case '$updatedAt': return e.updatedAt;
    case '$createdBy': return e.createdBy;
    case '$updatedBy': return e.updatedBy;
    case '$datasource': return e.datasource;
    default: throw invalid(`query: "${name}" is not a meta-property; use one of $identifier, $title, $blueprint, $icon, $team, $createdAt, $updatedAt, $createdBy, $updatedBy, $datasource`);
  }
}

function valueOf(e: StoredEntity, rule: Rule): unknown {
  if (typeof rule.relation === 'string') return e.relations[rule.relation] ?? null;
  const p = rule.property;
  const name = typeof p === 'string' ? p : undefined;
  if (name === undefined) throw invalid('query: rules that read user context ({property, context}) are not supported by the local Port');
  return name.startsWith('$') ? meta(e, name) : (e.properties[name] ?? null);
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && /^\d{4}-/.test(a) && /^\d{4}-/.test(b)) return ta - tb;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return undefined;
}

function contains(v: unknown, needle: unknown): boolean {
  if (typeof v === 'string' && typeof needle === 'string') return v.includes(needle);
  if (Array.isArray(v)) return Array.isArray(needle) ? needle.every((n) => v.includes(n)) : v.includes(needle);
  return false;
}

function ruleMatches(e: StoredEntity, rule: Rule, graph: EntityGraph | undefined): boolean {
  if (Array.isArray(rule.rules)) return matchesQuery(e, rule as unknown as SearchQuery, graph);
  const op = rule.operator;
  const value = rule.value;
  const steps = pathSteps(rule);
  if (steps || op === 'matchAny') {
    if (!steps || op !== 'matchAny') throw invalid('query: a relation path (property.path) takes the operator "matchAny", and "matchAny" takes a relation path');
    const wanted = Array.isArray(value) ? value : [value];
    if (!wanted.every((v) => typeof v === 'string')) throw invalid('query: the value of a matchAny rule is an identifier or an array of identifiers');
    if (!graph) return false; // validation probe: the shape is valid
    const ends = pathEnds(e, steps, graph);
    return wanted.some((v) => ends.has(v as string));
  }
  const v = valueOf(e, rule);
  switch (op) {
    case '=': return Array.isArray(v) ? false : v === value;
    case '!=': return v !== value;
    case 'in': return Array.isArray(value) && (Array.isArray(v) ? v.some((x) => value.includes(x)) : value.includes(v));
    case 'notIn': return Array.isArray(value) && !(Array.isArray(v) ? v.some((x) => value.includes(x)) : value.includes(v));
    case 'contains': return contains(v, value);
    case 'doesNotContains': return !contains(v, value);
    case 'containsAny': {
      const needles = Array.isArray(value) ? value : [value];
      return needles.some((n) => contains(v, n));
    }
    case 'beginsWith': return typeof v === 'string' && typeof value === 'string' && v.startsWith(value);
    case 'doesNotBeginsWith': return !(typeof v === 'string' && typeof value === 'string' && v.startsWith(value));
    case 'endsWith': return typeof v === 'string' && typeof value === 'string' && v.endsWith(value);
    case 'doesNotEndsWith': return !(typeof v === 'string' && typeof value === 'string' && v.endsWith(value));
    case '>': case '>=': case '<': case '<=': {
      const c = compare(v, value);
      if (c === undefined) return false;
      return op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c <= 0;
    }
    case 'between': case 'notBetween': {
      const range = dateRange(value, graph?.now() ?? 0); // validates the value even in the probe
      if (!graph) return false;
      return op === 'between' ? inRange(v, range) : v !== null && !inRange(v, range);
    }
    case 'isEmpty': return isEmpty(v);
    case 'isNotEmpty': return !isEmpty(v);
    default:
      throw invalid(`query: operator "${String(op)}" is not supported by the local Port (supported: =, !=, in, notIn, contains, doesNotContains, containsAny, beginsWith, doesNotBeginsWith, endsWith, doesNotEndsWith, >, >=, <, <=, between, notBetween, isEmpty, isNotEmpty, matchAny on a relation path)`);
  }
}

export function matchesQuery(e: StoredEntity, query: SearchQuery, graph?: EntityGraph): boolean {
  const rules = query.rules as Rule[];
  return query.combinator === 'or' ? rules.some((r) => ruleMatches(e, r, graph)) : rules.every((r) => ruleMatches(e, r, graph));
}

/** Validates every rule once (so a bad operator fails even when no entity exists). */
export function assertQuerySupported(query: SearchQuery): void {
  const probe: StoredEntity = { identifier: 'x', title: null, icon: null, team: null, properties: {}, relations: {}, blueprint: 'x', createdAt: '', updatedAt: '', createdBy: '', updatedBy: '', datasource: null };
  const visit = (q: SearchQuery) => {
    for (const r of q.rules as Rule[]) {
      if (Array.isArray(r.rules)) visit(r as unknown as SearchQuery);
      else ruleMatches(probe, r, undefined);
    }
  };
  visit(query);
}

/** Cursors are opaque to clients: the offset into the result, tied to the query that produced it. */
export function encodeCursor(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint })).toString('base64url');
}

export function decodeCursor(cursor: string, fingerprint: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.q === fingerprint) return parsed.o;
  } catch { /* fall through */ }
  throw invalid('body/from is not a cursor returned as `next` by this same search; repeat the first request without `from`');
}
