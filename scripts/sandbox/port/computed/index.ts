// The local Port computes a blueprint's aggregation, mirror and calculation properties when its
// entities are read (GET, search), never when they are written: bulk writes stay as fast as
// before, and a read returns what Port would after its next recalculation (Port refreshes
// aggregations every 15 minutes; here they are always current). Values are returned among the
// entity's `properties`, as Port's entity routes do.
import { readsOf } from '../../../port/derived-rules.ts';
import type { StoredBlueprint } from '../../../port/types.ts';
import type { PortContext } from '../context.ts';
import type { SearchQuery } from '../search.ts';
import type { StoredEntity } from '../store.ts';
import { aggregateFor, type AggregateEnv, type AggregationSpec } from './aggregate.ts';
import { calculationInput, calculationValue, type Calculate } from './calculate.ts';
import { mirrorValue } from './mirror.ts';

export type { Calculate } from './calculate.ts';

/** The identifiers of a blueprint's computed fields. */
export function computedFields(bp: StoredBlueprint | undefined): string[] {
  if (!bp) return [];
  return [...Object.keys(bp.aggregationProperties ?? {}), ...Object.keys(bp.mirrorProperties ?? {}), ...Object.keys(bp.calculationProperties ?? {})];
}

function env(ctx: PortContext): AggregateEnv {
  return {
    blueprint: (id) => ctx.state.blueprints[id],
    entities: (bp) => Object.values(ctx.state.entities[bp] ?? {}),
    entity: (bp, id) => {
      const b = ctx.state.entities[bp];
      return b && Object.hasOwn(b, id) ? b[id] : undefined;
    },
    target: (bp, relation) => ctx.state.blueprints[bp]?.relations?.[relation]?.target,
    now: () => ctx.now(),
  };
}

/**
 * The computed properties of some entities of one blueprint, by identifier. `wanted` limits the
 * work to the fields a read returns (`include`/`exclude`); a calculation's own reads are added.
 */
export function computedValues(ctx: PortContext, blueprint: string, entities: StoredEntity[], calculate: Calculate | undefined, wanted: (field: string) => boolean = () => true): Map<string, Record<string, unknown>> {
  const bp = ctx.state.blueprints[blueprint];
  const out = new Map<string, Record<string, unknown>>();
  const fields = computedFields(bp).filter(wanted);
  if (!bp || !fields.length || !entities.length) return out;
  const calcs = Object.entries(bp.calculationProperties ?? {}).filter(([id]) => fields.includes(id));
  const needed = new Set([...fields, ...calcs.flatMap(([, c]) => readsOf(c.calculation))]);
  const e = env(ctx);
  for (const x of entities) out.set(x.identifier, {});

  for (const [id, spec] of Object.entries(bp.aggregationProperties ?? {})) {
    if (!needed.has(id)) continue;
    for (const [identifier, value] of aggregateFor(e, blueprint, entities, spec as unknown as AggregationSpec)) out.get(identifier)![id] = value;
  }
  for (const [id, m] of Object.entries(bp.mirrorProperties ?? {})) {
    if (!needed.has(id)) continue;
    for (const x of entities) out.get(x.identifier)![id] = mirrorValue(e, x, m.path);
  }
  for (const x of entities) {
    const values = out.get(x.identifier)!;
    if (!calcs.length) continue;
    const input = calculationInput(x, { ...x.properties, ...values });
    for (const [id, c] of calcs) values[id] = calculationValue(calculate, c.calculation, c.type, input);
  }
  for (const values of out.values()) for (const k of Object.keys(values)) if (!fields.includes(k)) delete values[k];
  return out;
}

/** The fields an `include`/`exclude` projection keeps (see entities.ts `project`). */
export function projectedFields(include?: string[], exclude?: string[]): (field: string) => boolean {
  return (field) => {
    if (include?.length && !include.includes('properties') && !include.includes(`properties.${field}`)) return false;
    return !exclude?.includes('properties') && !exclude?.includes(`properties.${field}`);
  };
}

/** Whether a query filters on any of the given fields (then they are computed before filtering). */
export function queryReads(query: SearchQuery | undefined, fields: readonly string[]): boolean {
  if (!query || !fields.length) return false;
  return (query.rules as Array<Record<string, unknown>>).some((r) => (Array.isArray(r?.rules) ? queryReads(r as unknown as SearchQuery, fields) : typeof r?.property === 'string' && fields.includes(r.property)));
}

/** Stored entities with their computed properties merged in (new objects; the store is untouched). */
export function withComputed(ctx: PortContext, blueprint: string, entities: StoredEntity[], calculate: Calculate | undefined, wanted?: (field: string) => boolean): StoredEntity[] {
  const values = computedValues(ctx, blueprint, entities, calculate, wanted);
  if (!values.size) return entities;
  return entities.map((x) => ({ ...x, properties: { ...x.properties, ...values.get(x.identifier) } }));
}
