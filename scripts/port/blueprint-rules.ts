// Port's blueprint rules that its published JSON schema does not express (reference/port.md §1.5):
// identifier patterns, relation targets and flags, `required` lists, enum/default/format agreement
// with the property type, mirror and ownership paths, and which changes an update may not make.
// Used by `validate` (blueprint files) and by the local Port (POST/PATCH/PUT /v1/blueprints).
import type { BlueprintProperty } from './types.ts';

export interface RuleViolation {
  /** JSON pointer into the checked object, e.g. `/schema/properties/url/format`. */
  path: string;
  message: string;
  /** Port's error code where one applies, e.g. `forbidden_format_change`. */
  error?: string;
  /** Port's `details` for the error, e.g. `{property: "url"}`. */
  details?: Record<string, unknown>;
}

/** Blueprint identifiers: unicode letters, digits, `@ _ . + : \ / -`; not `.` or `..`; ≤ 100. */
export const BLUEPRINT_IDENTIFIER = /^(?!\.{1,2}$)[\p{L}0-9@_.+:\\/-]+$/u;
export const BLUEPRINT_IDENTIFIER_MAX = 100;
/** Property, relation, calculation, mirror and aggregation identifiers: no dots, no spaces; ≤ 100. */
export const FIELD_IDENTIFIER = /^[A-Za-z0-9@_=-]+$/;
export const FIELD_IDENTIFIER_MAX = 100;
/** Blueprints every Port organisation has; relations may always target them. */
export const SYSTEM_BLUEPRINTS: ReadonlySet<string> = new Set(['_user', '_team']);

const PROPERTY_TYPES = new Set(['string', 'number', 'boolean', 'object', 'array']);
/** Formats that only make sense on an object value (a `{url, displayName}` link). */
const OBJECT_FORMATS = new Set(['labeled-url']);

/** RFC 6901 pointer from segments (escapes `~` and `/`). */
export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entries(v: unknown): Array<[string, unknown]> {
  return isObject(v) ? Object.entries(v) : [];
}

/** Whether a JSON value has the given Port property type. */
export function valueHasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    default: return false;
  }
}

function checkFieldId(kind: string, id: string, path: string, out: RuleViolation[]): void {
  if (id.length > FIELD_IDENTIFIER_MAX) {
    out.push({ path, message: `${kind} identifier "${id.slice(0, 40)}…" is ${id.length} characters; the maximum is ${FIELD_IDENTIFIER_MAX}` });
  } else if (!FIELD_IDENTIFIER.test(id)) {
    out.push({ path, message: `${kind} identifier "${id}" is invalid: use only letters, digits and @ _ = - (no dots or spaces)` });
  }
}

/** Type, format, items, enum, enumColors and default of one property (or of array `items`). */
function checkPropertyShape(prop: Record<string, unknown>, path: string, out: RuleViolation[], isItems = false): void {
  const type = prop.type;
  if (typeof type !== 'string' || !PROPERTY_TYPES.has(type)) {
    out.push({ path: `${path}/type`, message: `type ${JSON.stringify(type)} is not one of string, number, boolean, object, array` });
    return;
  }
  const format = prop.format;
  if (typeof format === 'string') {
    if (OBJECT_FORMATS.has(format) ? type !== 'object' : type !== 'string') {
      out.push({ path: `${path}/format`, message: `format "${format}" needs type "${OBJECT_FORMATS.has(format) ? 'object' : 'string'}", not "${type}"` });
    }
  }
  if (type === 'array') {
    if (isItems) {
      out.push({ path: `${path}/type`, message: 'array items cannot themselves be arrays' });
    } else if (!isObject(prop.items)) {
      out.push({ path: `${path}/items`, message: 'an array property needs `items` with the element type, e.g. {"type": "string"}' });
    } else {
      checkPropertyShape(prop.items, `${path}/items`, out, true);
    }
  } else if (prop.items !== undefined && !isItems) {
    out.push({ path: `${path}/items`, message: `\`items\` only applies to array properties; this property is "${type}"` });
  }
  if (prop.enum !== undefined) {
    if (!Array.isArray(prop.enum) || prop.enum.length === 0) {
      out.push({ path: `${path}/enum`, message: '`enum` must be a non-empty array of allowed values' });
    } else {
      if (type === 'array' || type === 'object' || type === 'boolean') {
        out.push({ path: `${path}/enum`, message: `\`enum\` applies to string and number properties, not "${type}" (for arrays put it in \`items\`)` });
      }
      prop.enum.forEach((v, i) => {
        if (v !== null && !valueHasType(v, type)) {
          out.push({ path: `${path}/enum/${i}`, message: `enum value ${JSON.stringify(v)} is not a ${type}` });
        }
      });
      for (const [key] of entries(prop.enumColors)) {
        if (!prop.enum.some((v) => String(v) === key)) {
          out.push({ path: `${path}/enumColors${pointer(key)}`, message: `enumColors names "${key}", which is not one of the enum values` });
        }
      }
    }
  } else if (prop.enumColors !== undefined) {
    out.push({ path: `${path}/enumColors`, message: '`enumColors` needs an `enum` on the same property' });
  }
  if (prop.default !== undefined && prop.default !== null && !valueHasType(prop.default, type)) {
    out.push({ path: `${path}/default`, message: `default ${JSON.stringify(prop.default)} is not a ${type}` });
  } else if (Array.isArray(prop.enum) && prop.default !== undefined && prop.default !== null && !prop.enum.includes(prop.default)) {
    out.push({ path: `${path}/default`, message: `default ${JSON.stringify(prop.default)} is not one of the enum values` });
  }
}

/**
 * Port's rules for one blueprint beyond its JSON schema. `knownBlueprints` are the identifiers of
 * blueprints that exist (or will exist, when checking a bundle); the blueprint itself, `_user` and
 * `_team` are always valid relation targets.
 */
export function checkBlueprint(blueprint: unknown, knownBlueprints: ReadonlySet<string>): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (!isObject(blueprint)) return [{ path: '', message: 'a blueprint must be a JSON object' }];

  const id = blueprint.identifier;
  if (typeof id !== 'string') {
    out.push({ path: '/identifier', message: 'the blueprint needs a string `identifier`' });
  } else if (id.length > BLUEPRINT_IDENTIFIER_MAX) {
    out.push({ path: '/identifier', message: `blueprint identifier is ${id.length} characters; the maximum is ${BLUEPRINT_IDENTIFIER_MAX}` });
  } else if (!BLUEPRINT_IDENTIFIER.test(id)) {
    out.push({ path: '/identifier', message: `blueprint identifier "${id}" is invalid: use letters, digits and @ _ . + : \\ / - (no spaces, no "="), and not "." or ".."` });
  }
  const self = typeof id === 'string' ? id : undefined;
  const targetExists = (t: string) => t === self || SYSTEM_BLUEPRINTS.has(t) || knownBlueprints.has(t);

  // Every field identifier names one thing: a property, relation, calculation, mirror or aggregation.
  const seen = new Map<string, string>();
  const claim = (id: string, kind: string, path: string) => {
    const prior = seen.get(id);
    if (prior) out.push({ path, message: `"${id}" is already used as a ${prior} identifier; identifiers must be unique across properties, relations, mirror, calculation and aggregation properties` });
    else seen.set(id, kind);
  };

  const schema = isObject(blueprint.schema) ? blueprint.schema : undefined;
  const properties = schema?.properties;
  for (const [pid, prop] of entries(properties)) {
    const path = pointer('schema', 'properties', pid);
    checkFieldId('property', pid, path, out);
    claim(pid, 'property', path);
    if (isObject(prop)) checkPropertyShape(prop, path, out);
  }
  if (schema && Array.isArray(schema.required)) {
    const propIds = new Set(Object.keys(isObject(properties) ? properties : {}));
    schema.required.forEach((r, i) => {
      if (typeof r !== 'string' || !propIds.has(r)) {
        out.push({ path: `/schema/required/${i}`, message: `required names ${JSON.stringify(r)}, which is not a property of this blueprint (required relations use "required": true on the relation)` });
      }
    });
    const dup = schema.required.filter((r, i, a) => a.indexOf(r) !== i);
    if (dup.length) out.push({ path: '/schema/required', message: `required lists ${JSON.stringify(dup[0])} more than once` });
  }

  const relationIds = new Set<string>();
  for (const [rid, rel] of entries(blueprint.relations)) {
    const path = pointer('relations', rid);
    checkFieldId('relation', rid, path, out);
    claim(rid, 'relation', path);
    relationIds.add(rid);
    if (!isObject(rel)) continue;
    if (rel.many === true && rel.required === true) {
      out.push({ path, message: `relation "${rid}" has both "many" and "required" set to true, which Port does not allow; make it optional or single` });
    }
    if (typeof rel.target === 'string' && !targetExists(rel.target)) {
      out.push({ path: `${path}/target`, message: `relation "${rid}" targets blueprint "${rel.target}", which does not exist; create "${rel.target}" first (or add the relation in a later PATCH)`, error: 'not_found' });
    }
  }

  for (const [cid, calc] of entries(blueprint.calculationProperties)) {
    const path = pointer('calculationProperties', cid);
    checkFieldId('calculation property', cid, path, out);
    claim(cid, 'calculation property', path);
    if (isObject(calc) && typeof calc.calculation === 'string' && calc.calculation.trim() === '') {
      out.push({ path: `${path}/calculation`, message: 'calculation must be a non-empty jq expression over the entity' });
    }
  }

  for (const [mid, mirror] of entries(blueprint.mirrorProperties)) {
    const path = pointer('mirrorProperties', mid);
    checkFieldId('mirror property', mid, path, out);
    claim(mid, 'mirror property', path);
    if (!isObject(mirror) || typeof mirror.path !== 'string') continue;
    const [first, ...rest] = mirror.path.split('.');
    if (rest.length === 0) {
      out.push({ path: `${path}/path`, message: `mirror path "${mirror.path}" must be "<relation>.<property>"` });
    } else if (!relationIds.has(first) && first !== '$team') {
      out.push({ path: `${path}/path`, message: `mirror path "${mirror.path}" starts with "${first}", which is not a relation of this blueprint` });
    }
  }

  for (const [aid, agg] of entries(blueprint.aggregationProperties)) {
    const path = pointer('aggregationProperties', aid);
    checkFieldId('aggregation property', aid, path, out);
    claim(aid, 'aggregation property', path);
    if (isObject(agg) && typeof agg.target === 'string' && !targetExists(agg.target)) {
      out.push({ path: `${path}/target`, message: `aggregation "${aid}" targets blueprint "${agg.target}", which does not exist`, error: 'not_found' });
    }
  }

  const ownership = blueprint.ownership;
  if (isObject(ownership) && ownership.type === 'Inherited' && typeof ownership.path === 'string') {
    const first = ownership.path.split('.')[0];
    if (!relationIds.has(first)) {
      out.push({ path: '/ownership/path', message: `inherited ownership path "${ownership.path}" starts with "${first}", which is not a relation of this blueprint`, error: 'invalid_inherited_ownership_path' });
    }
  }
  return out;
}

function describeKind(p: Record<string, unknown> | undefined): string {
  if (!p) return '?';
  const items = isObject(p.items) ? `<${p.items.type}${p.items.format ? `:${p.items.format}` : ''}>` : '';
  return `${p.type}${items}${p.format ? ` (format ${p.format})` : ''}`;
}

/**
 * What an update may not change: a property's `type`, `format`, or array `items.type`/`items.format`
 * (Port answers 422 `forbidden_format_change` with `details.property`), or a relation's `many`.
 * Removing and adding properties is allowed. Changing a kind needs a new property plus a migration.
 */
export function checkBlueprintChange(before: unknown, after: unknown): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (!isObject(before) || !isObject(after)) return out;
  const oldProps = isObject(before.schema) && isObject(before.schema.properties) ? before.schema.properties : {};
  const newProps = isObject(after.schema) && isObject(after.schema.properties) ? after.schema.properties : {};
  for (const [pid, next] of Object.entries(newProps)) {
    const prev = oldProps[pid];
    if (!isObject(prev) || !isObject(next)) continue;
    const a = prev as BlueprintProperty;
    const b = next as BlueprintProperty;
    const changed =
      a.type !== b.type ||
      (a.format ?? null) !== (b.format ?? null) ||
      (a.type === 'array' && ((a.items?.type ?? null) !== (b.items?.type ?? null) || (a.items?.format ?? null) !== (b.items?.format ?? null)));
    if (changed) {
      out.push({
        path: pointer('schema', 'properties', pid),
        message: `property "${pid}" cannot change from ${describeKind(prev)} to ${describeKind(next)}; create a new property and migrate the data instead`,
        error: 'forbidden_format_change',
        details: { property: pid },
      });
    }
  }
  const oldRels = isObject(before.relations) ? before.relations : {};
  for (const [rid, next] of entries(after.relations)) {
    const prev = oldRels[rid];
    if (isObject(prev) && isObject(next) && Boolean(prev.many) !== Boolean(next.many)) {
      out.push({
        path: pointer('relations', rid, 'many'),
        message: `relation "${rid}" cannot change "many" from ${Boolean(prev.many)} to ${Boolean(next.many)}; create a new relation instead`,
        details: { relation: rid },
      });
    }
  }
  return out;
}
