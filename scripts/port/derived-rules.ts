// Port's rules for aggregation, calculation and mirror properties that reach into other
// blueprints (port-resources.md §1.4, aggregation-property.md, calculation-property.md,
// mirror-property.md): what they name must exist, with the right kind. Used by `validate` (the
// bundle's blueprints) and by the local Port (POST/PATCH/PUT /v1/blueprints), which both know the
// other blueprints; blueprint-rules.ts checks one blueprint alone.
import { isObject, pointer, type RuleViolation } from './blueprint-rules.ts';

type Obj = Record<string, unknown>;

/** The other blueprints, by identifier (the checked blueprint itself is found too). */
export type BlueprintLookup = (identifier: string) => Obj | undefined;

/** Meta-properties every entity has (meta-properties.md); `$createdAt`/`$updatedAt` are dates. */
const META_PROPERTIES = new Set(['$identifier', '$title', '$team', '$icon', '$createdAt', '$updatedAt', '$createdBy', '$updatedBy', '$blueprint']);
const META_DATES = new Set(['$createdAt', '$updatedAt']);

function schemaProperty(bp: Obj, id: string): Obj | undefined {
  const props = isObject(bp.schema) && isObject(bp.schema.properties) ? bp.schema.properties : {};
  const p = props[id];
  return isObject(p) ? p : undefined;
}

function mapOf(bp: Obj, key: string): Obj {
  return isObject(bp[key]) ? (bp[key] as Obj) : {};
}

/** Any field of the blueprint a rule or a mirror may read: property, mirror, calculation, aggregation or meta. */
function hasField(bp: Obj, id: string): boolean {
  return META_PROPERTIES.has(id) || schemaProperty(bp, id) !== undefined || id in mapOf(bp, 'mirrorProperties') || id in mapOf(bp, 'calculationProperties') || id in mapOf(bp, 'aggregationProperties');
}

/** Where a relation path ends: the blueprint reached, or the step that does not exist. */
function walk(start: Obj, path: readonly string[], lookup: BlueprintLookup): { end: Obj } | { missing: string; on: string } {
  let at = start;
  for (const rel of path) {
    const r = mapOf(at, 'relations')[rel];
    const next = isObject(r) && typeof r.target === 'string' ? lookup(r.target) : undefined;
    if (!isObject(r)) return { missing: rel, on: String(at.identifier) };
    if (!next) return { missing: `${rel} (its target ${String(r.target)})`, on: String(at.identifier) };
    at = next;
  }
  return { end: at };
}

/** Property names a search query reads (nested `{combinator, rules}` included). */
function queryProperties(query: unknown): string[] {
  if (!isObject(query) || !Array.isArray(query.rules)) return [];
  return query.rules.flatMap((r) => {
    if (!isObject(r)) return [];
    if (Array.isArray(r.rules)) return queryProperties(r);
    return typeof r.property === 'string' ? [r.property] : [];
  });
}

function checkAggregation(holder: Obj, aid: string, agg: Obj, lookup: BlueprintLookup, out: RuleViolation[]): void {
  const path = pointer('aggregationProperties', aid);
  if (typeof agg.target !== 'string') return;
  const target = lookup(agg.target);
  if (!target) return; // blueprint-rules.ts reports a missing target
  const spec = isObject(agg.calculationSpec) ? agg.calculationSpec : {};
  if (typeof spec.property === 'string') {
    const p = schemaProperty(target, spec.property);
    if (!p) out.push({ path: `${path}/calculationSpec/property`, message: `aggregation "${aid}" reads "${spec.property}", which is not a property of blueprint "${agg.target}"` });
    else if (p.type !== 'number') out.push({ path: `${path}/calculationSpec/property`, message: `aggregation "${aid}" ${String(spec.func)}s "${spec.property}" of "${agg.target}", which is a ${String(p.type)}; ${String(spec.func)} needs a number property` });
  }
  if (typeof spec.measureTimeBy === 'string' && !META_DATES.has(spec.measureTimeBy)) {
    const p = schemaProperty(target, spec.measureTimeBy);
    if (!p || p.type !== 'string' || p.format !== 'date-time') {
      out.push({ path: `${path}/calculationSpec/measureTimeBy`, message: `aggregation "${aid}" measures time by "${spec.measureTimeBy}", which is not a date-time property of "${agg.target}" (use one, or $createdAt / $updatedAt)` });
    }
  }
  for (const prop of queryProperties(agg.query)) {
    if (!hasField(target, prop)) out.push({ path: `${path}/query`, message: `aggregation "${aid}" filters on "${prop}", which blueprint "${agg.target}" does not have` });
  }
  const filters = Array.isArray(agg.pathFilter) ? agg.pathFilter : [];
  filters.forEach((f, i) => {
    if (!isObject(f) || !Array.isArray(f.path)) return;
    const from = typeof f.fromBlueprint === 'string' ? f.fromBlueprint : undefined;
    const fp = `${path}/pathFilter/${i}`;
    if (from !== undefined && from !== agg.target) {
      out.push({ path: `${fp}/fromBlueprint`, message: `pathFilter of "${aid}" starts from "${from}"; it can only start from the target "${agg.target}" (or, omitted, from this blueprint)` });
      return;
    }
    const start = from === undefined ? holder : target;
    const end = from === undefined ? agg.target : String(holder.identifier);
    const reached = walk(start, f.path.map(String), lookup);
    if ('missing' in reached) out.push({ path: `${fp}/path`, message: `pathFilter of "${aid}": "${reached.missing}" is not a relation of blueprint "${reached.on}"` });
    else if (reached.end.identifier !== end) out.push({ path: `${fp}/path`, message: `pathFilter of "${aid}" ends at "${String(reached.end.identifier)}", not at "${end}"` });
  });
}

/** `.properties.x` / `.properties["x"]` reads of a jq calculation. */
export function readsOf(calculation: string): string[] {
  return [...calculation.matchAll(/\.properties\s*(?:\.\s*"?([A-Za-z0-9@_=-]+)"?|\[\s*"([A-Za-z0-9@_=-]+)"\s*\])/g)].map((m) => m[1] ?? m[2]!);
}

/** Violations of the cross-blueprint rules of one blueprint's derived properties. */
export function checkDerivedReferences(blueprint: unknown, lookup: BlueprintLookup): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (!isObject(blueprint)) return out;
  const self: BlueprintLookup = (id) => (id === blueprint.identifier ? blueprint : lookup(id));
  for (const [aid, agg] of Object.entries(mapOf(blueprint, 'aggregationProperties'))) if (isObject(agg)) checkAggregation(blueprint, aid, agg, self, out);

  const calculations = mapOf(blueprint, 'calculationProperties');
  for (const [cid, calc] of Object.entries(calculations)) {
    if (!isObject(calc) || typeof calc.calculation !== 'string') continue;
    for (const read of readsOf(calc.calculation)) {
      if (read in calculations) {
        out.push({ path: pointer('calculationProperties', cid, 'calculation'), message: `calculation "${cid}" reads the calculation property "${read}"; Port does not support a calculation on a calculation (read what "${read}" reads instead)` });
      }
    }
  }

  for (const [mid, mirror] of Object.entries(mapOf(blueprint, 'mirrorProperties'))) {
    if (!isObject(mirror) || typeof mirror.path !== 'string') continue;
    const steps = mirror.path.split('.');
    const field = steps.pop()!;
    if (steps.length === 0 || steps[0] === '$team') continue; // shape: blueprint-rules.ts
    const reached = walk(blueprint, steps, self);
    const path = pointer('mirrorProperties', mid, 'path');
    if ('missing' in reached) out.push({ path, message: `mirror "${mid}": "${reached.missing}" is not a relation of blueprint "${reached.on}"` });
    else if (!hasField(reached.end, field)) out.push({ path, message: `mirror "${mid}" reads "${field}", which blueprint "${String(reached.end.identifier)}" does not have` });
  }
  return out;
}
