// What a scorecard condition, a search rule or a widget can refer to on a blueprint, and its type:
// schema properties, calculation, mirror and aggregation properties, and Port's meta-properties
// (docs "meta-properties": $identifier, $title, $team, $icon, $createdAt, $updatedAt,
// $createdBy, $updatedBy, $blueprint). A mirror's type is its target property's, resolved
// through the relation chain when the blueprints are known.
import type { Blueprint, PropertyFormat, PropertyType } from './types.ts';

export interface FieldType {
  type: PropertyType;
  format?: PropertyFormat;
  enum?: readonly unknown[];
  /** Where it comes from, for messages. */
  kind: 'property' | 'calculation' | 'mirror' | 'aggregation' | 'meta';
}

export const META_FIELDS: Readonly<Record<string, FieldType>> = {
  $identifier: { type: 'string', kind: 'meta' },
  $title: { type: 'string', kind: 'meta' },
  $icon: { type: 'string', kind: 'meta' },
  $team: { type: 'array', kind: 'meta' },
  $blueprint: { type: 'string', kind: 'meta' },
  $createdAt: { type: 'string', format: 'date-time', kind: 'meta' },
  $updatedAt: { type: 'string', format: 'date-time', kind: 'meta' },
  $createdBy: { type: 'string', kind: 'meta' },
  $updatedBy: { type: 'string', kind: 'meta' },
};

/** The field's type, or undefined when the blueprint has no such field. */
export function fieldType(blueprint: Blueprint, name: string, blueprints?: ReadonlyMap<string, Blueprint>, depth = 0): FieldType | undefined {
  if (name in META_FIELDS) return META_FIELDS[name];
  const p = blueprint.schema.properties[name];
  if (p) return { type: p.type, ...(p.format ? { format: p.format } : {}), ...(p.enum ? { enum: p.enum } : {}), kind: 'property' };
  const c = blueprint.calculationProperties?.[name];
  if (c) return { type: c.type, ...(c.format ? { format: c.format } : {}), kind: 'calculation' };
  if (blueprint.aggregationProperties?.[name]) return { type: 'number', kind: 'aggregation' };
  const m = blueprint.mirrorProperties?.[name];
  if (m) {
    const parts = m.path.split('.');
    let bp: Blueprint | undefined = blueprint;
    for (const rel of parts.slice(0, -1)) bp = bp && blueprints?.get(bp.relations?.[rel]?.target ?? '');
    const target = bp && depth < 5 ? fieldType(bp, parts.at(-1)!, blueprints, depth + 1) : undefined;
    return { ...(target ?? { type: 'string' }), kind: 'mirror' };
  }
  return undefined;
}

/** Every name `fieldType` knows on the blueprint (for "did you mean" lists). */
export function fieldNames(blueprint: Blueprint): string[] {
  return [
    ...Object.keys(blueprint.schema.properties),
    ...Object.keys(blueprint.calculationProperties ?? {}),
    ...Object.keys(blueprint.mirrorProperties ?? {}),
    ...Object.keys(blueprint.aggregationProperties ?? {}),
  ];
}
