// An entity checked against its blueprint the way Port checks it on write (reference/port.md §1.6):
// identifier pattern, declared properties with the right type/format/enum, required properties,
// declared relations with the right single/many shape. Used by `preview`/`validate` on mapped
// entities and by the local Port on every entity write.
import { createAjv } from '../schema/ajv.ts';
import { isObject, pointer, valueHasType, type RuleViolation } from './blueprint-rules.ts';
import type { ValidateFunction } from 'ajv';

export type { RuleViolation } from './blueprint-rules.ts';

/** Entity identifiers (and relation values): unicode letters, digits, `@ _ . + : \ / = -`; ≤ 1000. */
export const ENTITY_IDENTIFIER = /^(?!\.{1,2}$)[\p{L}0-9@_.+:\\/=-]+$/u;
export const ENTITY_IDENTIFIER_MAX = 1000;

export interface EntityCheckOptions {
  /** A partial write (PATCH, or upsert with merge): required properties/relations may be absent. */
  partial?: boolean;
}

function isSearchQuery(v: unknown): boolean {
  return isObject(v) && typeof v.combinator === 'string' && Array.isArray(v.rules);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Why `id` is not a valid entity identifier, or undefined when it is. */
export function entityIdentifierProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `must be a string, got ${id === null ? 'null' : Array.isArray(id) ? 'an array' : typeof id} (add "| tostring" to the jq)`;
  if (id.length === 0) return 'must not be empty';
  if (id.length > ENTITY_IDENTIFIER_MAX) return `is ${id.length} characters long; the maximum is ${ENTITY_IDENTIFIER_MAX}`;
  if (!ENTITY_IDENTIFIER.test(id)) {
    return `${show(id)} is invalid: only letters, digits and @ _ . + : \\ / = - are allowed (no spaces), and not "." or ".."`;
  }
  return undefined;
}

// String formats checked with the ajv-formats Port's published schemas use (`date-time` is
// RFC 3339 with a time zone). `url` is checked as an absolute URL with a scheme and host instead:
// ajv-formats' `url` rejects `localhost` and IP hosts, which self-managed GitLab and the sandbox
// use, and Port's own URL check is unpublished. Formats without a value syntax (markdown, yaml,
// proto, team, blueprints) only need a string.
const ajv = createAjv();
const formatValidators = new Map<string, ValidateFunction>();
const AJV_FORMATS: Record<string, string> = { 'date-time': 'date-time', timer: 'date-time', email: 'email', user: 'email', ipv4: 'ipv4', ipv6: 'ipv6' };
const IDN_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

function isAbsoluteUrl(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/.test(value)) return false;
  try {
    return new URL(value).host !== '';
  } catch {
    return false;
  }
}

function formatProblem(value: string, format: string): string | undefined {
  if (format === 'url') return isAbsoluteUrl(value) ? undefined : 'is not an absolute URL such as "https://gitlab.com/group/project"';
  if (format === 'idn-email') return IDN_EMAIL.test(value) ? undefined : 'is not an email address';
  const ajvFormat = AJV_FORMATS[format];
  if (!ajvFormat) return undefined;
  let v = formatValidators.get(ajvFormat);
  if (!v) {
    v = ajv.compile({ type: 'string', format: ajvFormat });
    formatValidators.set(ajvFormat, v);
  }
  if (v(value)) return undefined;
  switch (ajvFormat) {
    case 'date-time': return 'is not an RFC 3339 date-time such as "2024-05-01T12:00:00Z" (GitLab\'s "2024-05-01 12:00:00 UTC" needs converting)';
    default: return `is not a valid ${format === 'user' ? 'user email' : format}`;
  }
}

interface Spec {
  type?: unknown;
  format?: unknown;
  enum?: unknown;
  items?: unknown;
  minLength?: unknown;
  maxLength?: unknown;
  pattern?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  minItems?: unknown;
  maxItems?: unknown;
}

function checkValue(value: unknown, spec: Spec, name: string, path: string, out: RuleViolation[]): void {
  const type = String(spec.type);
  if (!valueHasType(value, type)) {
    out.push({ path, message: `${name} must be ${type === 'array' || type === 'object' ? 'an' : 'a'} ${type}, got ${show(value)}` });
    return;
  }
  if (Array.isArray(spec.enum) && !spec.enum.includes(value)) {
    out.push({ path, message: `${name} is ${show(value)}, which is not one of ${show(spec.enum)}` });
  }
  if (typeof value === 'string') {
    if (typeof spec.format === 'string') {
      const problem = formatProblem(value, spec.format);
      if (problem) out.push({ path, message: `${name} ${show(value)} ${problem}` });
    }
    if (typeof spec.minLength === 'number' && value.length < spec.minLength) out.push({ path, message: `${name} is shorter than ${spec.minLength} characters` });
    if (typeof spec.maxLength === 'number' && value.length > spec.maxLength) out.push({ path, message: `${name} is longer than ${spec.maxLength} characters` });
    if (typeof spec.pattern === 'string') {
      try {
        if (!new RegExp(spec.pattern, 'u').test(value)) out.push({ path, message: `${name} ${show(value)} does not match the pattern ${spec.pattern}` });
      } catch { /* an invalid pattern is the blueprint's problem, reported by checkBlueprint's schema */ }
    }
  }
  if (typeof value === 'number') {
    if (typeof spec.minimum === 'number' && value < spec.minimum) out.push({ path, message: `${name} is below the minimum ${spec.minimum}` });
    if (typeof spec.maximum === 'number' && value > spec.maximum) out.push({ path, message: `${name} is above the maximum ${spec.maximum}` });
  }
  if (isObject(value) && spec.format === 'labeled-url' && typeof value.url !== 'string') {
    out.push({ path, message: `${name} must be {"url": "...", "displayName": "..."}` });
  }
  if (Array.isArray(value)) {
    if (typeof spec.minItems === 'number' && value.length < spec.minItems) out.push({ path, message: `${name} has fewer than ${spec.minItems} items` });
    if (typeof spec.maxItems === 'number' && value.length > spec.maxItems) out.push({ path, message: `${name} has more than ${spec.maxItems} items` });
    if (isObject(spec.items)) {
      value.forEach((item, i) => checkValue(item, spec.items as Spec, `${name}[${i}]`, `${path}/${i}`, out));
    }
  }
}

/**
 * Checks an entity against its blueprint. `blueprint` is the blueprint object (as stored or as in
 * blueprints/*.json). With `partial`, absent required properties and relations are accepted
 * (PATCH and merge upserts only change what they send); a present `null` is still checked.
 * An identifier given as a search query is resolved by Port before the write, so it is not checked here.
 */
export function checkEntity(entity: unknown, blueprint: unknown, options: EntityCheckOptions = {}): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (!isObject(entity)) return [{ path: '', message: 'an entity must be a JSON object' }];
  const bp = isObject(blueprint) ? blueprint : {};
  const bpId = typeof bp.identifier === 'string' ? bp.identifier : 'the blueprint';
  const schema = isObject(bp.schema) ? bp.schema : {};
  const declared = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const relations = isObject(bp.relations) ? bp.relations : {};

  if (entity.identifier === undefined) {
    if (!options.partial) out.push({ path: '/identifier', message: 'the entity has no identifier' });
  } else if (!isSearchQuery(entity.identifier)) {
    const problem = entityIdentifierProblem(entity.identifier);
    if (problem) out.push({ path: '/identifier', message: `identifier ${problem}` });
  }
  if (entity.title !== undefined && entity.title !== null && typeof entity.title !== 'string') {
    out.push({ path: '/title', message: `title must be a string or null, got ${show(entity.title)}` });
  }
  if (entity.icon !== undefined && entity.icon !== null && typeof entity.icon !== 'string') {
    out.push({ path: '/icon', message: `icon must be a string or null, got ${show(entity.icon)}` });
  }

  const computed = new Map<string, string>([
    ...Object.keys(isObject(bp.calculationProperties) ? bp.calculationProperties : {}).map((k) => [k, 'a calculation property'] as [string, string]),
    ...Object.keys(isObject(bp.mirrorProperties) ? bp.mirrorProperties : {}).map((k) => [k, 'a mirror property'] as [string, string]),
    ...Object.keys(isObject(bp.aggregationProperties) ? bp.aggregationProperties : {}).map((k) => [k, 'an aggregation property'] as [string, string]),
  ]);

  const props = entity.properties;
  if (props !== undefined && !isObject(props)) {
    out.push({ path: '/properties', message: 'properties must be an object of property identifier → value' });
  }
  const given = isObject(props) ? props : {};
  for (const [pid, value] of Object.entries(given)) {
    const path = pointer('properties', pid);
    const spec = declared[pid];
    if (!isObject(spec)) {
      const kind = computed.get(pid);
      out.push({ path, message: kind ? `"${pid}" is ${kind} of ${bpId}; Port computes it, so it cannot be written` : `"${pid}" is not a property of blueprint ${bpId}; declare it in the blueprint or remove it from the entity` });
      continue;
    }
    if (value === null) {
      if (required.has(pid)) out.push({ path, message: `"${pid}" is required by ${bpId} and cannot be null` });
      continue;
    }
    checkValue(value, spec, `property "${pid}"`, path, out);
  }
  if (!options.partial) {
    for (const r of required) {
      if (!(r in given)) out.push({ path: pointer('properties', r), message: `required property "${r}" of ${bpId} is missing` });
    }
  }

  const rels = entity.relations;
  if (rels !== undefined && !isObject(rels)) {
    out.push({ path: '/relations', message: 'relations must be an object of relation identifier → entity identifier(s)' });
  }
  const givenRels = isObject(rels) ? rels : {};
  for (const [rid, value] of Object.entries(givenRels)) {
    const path = pointer('relations', rid);
    const rel = relations[rid];
    if (!isObject(rel)) {
      out.push({ path, message: `"${rid}" is not a relation of blueprint ${bpId}` });
      continue;
    }
    if (value === null) {
      if (rel.required === true) out.push({ path, message: `relation "${rid}" is required by ${bpId} and cannot be null` });
      continue;
    }
    if (isSearchQuery(value)) continue; // resolved by Port against the target blueprint
    if (rel.many === true) {
      if (!Array.isArray(value)) {
        out.push({ path, message: `relation "${rid}" is many: give an array of identifiers, got ${show(value)}` });
        continue;
      }
      value.forEach((v, i) => {
        const problem = entityIdentifierProblem(v);
        if (problem) out.push({ path: `${path}/${i}`, message: `relation "${rid}"[${i}] ${problem}` });
      });
    } else {
      if (typeof value !== 'string') {
        out.push({ path, message: `relation "${rid}" is single: give one identifier string, got ${show(value)}` });
        continue;
      }
      const problem = entityIdentifierProblem(value);
      if (problem) out.push({ path, message: `relation "${rid}" ${problem}` });
    }
  }
  if (!options.partial) {
    for (const [rid, rel] of Object.entries(relations)) {
      if (isObject(rel) && rel.required === true && !(rid in givenRels)) {
        out.push({ path: pointer('relations', rid), message: `required relation "${rid}" of ${bpId} is missing` });
      }
    }
  }
  return out;
}
