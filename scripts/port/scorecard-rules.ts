// Port's documented rules for scorecards beyond the JSON schema (docs "Scorecards → Concepts and
// structure"; reference/port-resources.md §1.1): which condition operator applies to which field
// type, that a rule's level is one of the scorecard's levels and never the first (the base level
// every entity starts at), and unique rule identifiers. Used by `validate` and the local Port.
import type { Scorecard, ScorecardCondition } from '../../schemas/scorecards-file.schema.ts';
import { fieldNames, fieldType, type FieldType } from './field-types.ts';
import type { Blueprint } from './types.ts';

export interface ScorecardViolation {
  /** JSON pointer inside the scorecard. */
  path: string;
  message: string;
}

type Operator = ScorecardCondition['operator'];

/** The docs' "Available operators" table, by field type (`between` family: dates only). */
const SCALAR: readonly string[] = ['string', 'number'];
const OPERATOR_TYPES: Record<string, (t: FieldType) => boolean> = {
  '=': (t) => ['string', 'number', 'boolean'].includes(t.type),
  '!=': (t) => ['string', 'number', 'boolean'].includes(t.type),
  '<': (t) => SCALAR.includes(t.type),
  '>': (t) => SCALAR.includes(t.type),
  '<=': (t) => SCALAR.includes(t.type),
  '>=': (t) => SCALAR.includes(t.type),
  contains: (t) => SCALAR.includes(t.type),
  doesNotContains: (t) => SCALAR.includes(t.type),
  beginsWith: (t) => SCALAR.includes(t.type),
  doesNotBeginsWith: (t) => SCALAR.includes(t.type),
  endsWith: (t) => SCALAR.includes(t.type),
  doesNotEndsWith: (t) => SCALAR.includes(t.type),
  containsAny: (t) => t.type === 'array',
  in: (t) => SCALAR.includes(t.type),
  between: (t) => t.format === 'date-time',
  notBetween: (t) => t.format === 'date-time',
  isEmpty: () => true,
  isNotEmpty: () => true,
};

function describe(t: FieldType): string {
  return `${t.type}${t.format ? ` (${t.format})` : ''}`;
}

/** Whether `operator` with `value` can be evaluated on a field of type `t`; a message when not. */
export function operatorProblem(operator: Operator | string, value: unknown, t: FieldType): string | undefined {
  const allowed = OPERATOR_TYPES[operator];
  if (!allowed) return `unknown operator "${operator}"`;
  const isDateRange = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (operator === '=' && isDateRange) {
    return t.format === 'date-time' ? undefined : `"=" with a date range applies to date-time fields; this one is ${describe(t)}`;
  }
  if (!allowed(t)) return `operator "${operator}" does not apply to a ${describe(t)} field (Port's operator table)`;
  if (['=', '!=', '<', '>', '<=', '>='].includes(operator) && value !== undefined && !Array.isArray(value)) {
    const vt = typeof value;
    const want = t.type === 'boolean' ? 'boolean' : t.type === 'number' ? 'number' : t.format === 'date-time' ? 'string' : t.type;
    if (vt !== want) return `compares a ${describe(t)} field with the ${vt} ${JSON.stringify(value)}, which never matches`;
    if (t.enum && (operator === '=' || operator === '!=') && !t.enum.includes(value)) return `${JSON.stringify(value)} is not one of the field's values (${t.enum.map((v) => JSON.stringify(v)).join(', ')})`;
  }
  if (operator === 'in' && Array.isArray(value) && t.enum) {
    const bad = value.filter((v) => !t.enum!.includes(v));
    if (bad.length) return `${bad.map((v) => JSON.stringify(v)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not among the field's values (${t.enum.map((v) => JSON.stringify(v)).join(', ')})`;
  }
  return undefined;
}

/** One condition against the blueprint: the field exists, and the operator fits its type. */
export function conditionProblem(c: ScorecardCondition, blueprint: Blueprint, blueprints?: ReadonlyMap<string, Blueprint>): string | undefined {
  if ('relation' in c) {
    return blueprint.relations?.[c.relation] ? undefined : `blueprint ${blueprint.identifier} has no relation "${c.relation}" (it has: ${Object.keys(blueprint.relations ?? {}).join(', ') || 'none'})`;
  }
  const t = fieldType(blueprint, c.property, blueprints);
  if (!t) return `blueprint ${blueprint.identifier} has no property "${c.property}" (it has: ${fieldNames(blueprint).join(', ')}, and the $ meta-properties)`;
  return operatorProblem(c.operator, 'value' in c ? c.value : undefined, t);
}

/** Every documented rule a scorecard breaks on `blueprint`. */
export function checkScorecard(sc: Scorecard, blueprint: Blueprint, blueprints?: ReadonlyMap<string, Blueprint>): ScorecardViolation[] {
  const out: ScorecardViolation[] = [];
  const titles = sc.levels.map((l) => l.title);
  titles.forEach((t, i) => {
    if (titles.indexOf(t) !== i) out.push({ path: `/levels/${i}/title`, message: `level "${t}" is listed twice` });
  });
  const seen = new Set<string>();
  sc.rules.forEach((r, i) => {
    if (seen.has(r.identifier)) out.push({ path: `/rules/${i}/identifier`, message: `rule "${r.identifier}" is listed twice` });
    seen.add(r.identifier);
    if (!titles.includes(r.level)) out.push({ path: `/rules/${i}/level`, message: `"${r.level}" is not one of the scorecard's levels (${titles.join(', ')})` });
    else if (r.level === titles[0]) out.push({ path: `/rules/${i}/level`, message: `"${r.level}" is the base level (the first): every entity starts there, so Port refuses a rule on it` });
    r.query.conditions.forEach((c, j) => {
      const p = conditionProblem(c, blueprint, blueprints);
      if (p) out.push({ path: `/rules/${i}/query/conditions/${j}`, message: p });
    });
  });
  sc.levels.slice(1).forEach((l, i) => {
    if (!sc.rules.some((r) => r.level === l.title)) out.push({ path: `/levels/${i + 1}`, message: `level "${l.title}" has no rule: Port does not document whether an entity passing the levels below reaches it` });
  });
  sc.filter?.conditions.forEach((c, j) => {
    const p = conditionProblem(c, blueprint, blueprints);
    if (p) out.push({ path: `/filter/conditions/${j}`, message: p });
  });
  return out;
}
