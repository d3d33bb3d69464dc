// Calculation properties (calculation-property.md): a jq expression over the entity's JSON, run
// with the project's jq engine (Port's semantics). The entity's properties include its mirror and
// aggregation values; Port does not support a calculation on a calculation, so none are given.
// A jq error, or a value not of the declared type, leaves the property empty (null).
import { valueHasType } from '../../../port/blueprint-rules.ts';
import type { StoredEntity } from '../store.ts';

/** Evaluates one jq expression synchronously; throws or returns undefined on a jq error. */
export type Calculate = (expression: string, input: unknown) => unknown;

export function calculationInput(e: StoredEntity, properties: Record<string, unknown>): unknown {
  return {
    identifier: e.identifier, title: e.title, icon: e.icon, blueprint: e.blueprint, team: e.team ?? [],
    properties, relations: e.relations,
    createdAt: e.createdAt, createdBy: e.createdBy, updatedAt: e.updatedAt, updatedBy: e.updatedBy,
  };
}

/**
 * One calculation over many entities in a single jq run (compiling a program costs more than
 * running it): each entity's first output, or null when its run fails.
 */
export function calculationValues(calculate: Calculate | undefined, expression: string, type: string, inputs: unknown[]): unknown[] {
  let values: unknown;
  try {
    values = calculate?.(`[.[] | [try (${expression}) catch null] | .[0]]`, inputs);
  } catch {
    values = undefined; // does not compile: empty everywhere
  }
  return inputs.map((_, i) => {
    const v = Array.isArray(values) ? values[i] : null;
    return v !== null && v !== undefined && valueHasType(v, type) ? v : null;
  });
}
