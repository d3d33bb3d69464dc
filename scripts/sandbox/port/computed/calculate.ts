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

export function calculationValue(calculate: Calculate | undefined, expression: string, type: string, input: unknown): unknown {
  if (!calculate) return null;
  let value: unknown;
  try {
    value = calculate(expression, input);
  } catch {
    return null;
  }
  return value !== null && value !== undefined && valueHasType(value, type) ? value : null;
}
