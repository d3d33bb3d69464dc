// What the install changes in Port's blueprints: new ones are created in Ocean's three stages
// (bare → relations/ownership → calculation/mirror/aggregation); existing ones get only additive
// changes (ours merged over theirs; properties, relations and enum values they have are kept).
// A type or format change Port forbids stops the plan before anything is written.
import { DERIVED_KEYS } from './detach-derived.ts';
import { checkBlueprintChange, type RuleViolation } from '../port/blueprint-rules.ts';
import type { Blueprint, StoredBlueprint } from '../port/types.ts';

export interface BlueprintChange {
  /** e.g. `schema.properties.url`, `relations.project`, `title`. */
  path: string;
  kind: 'add' | 'update';
  detail: string;
}

/** The PATCH bodies of one stage (undefined: nothing to send in that stage). */
export interface BlueprintStages {
  /** Stage 1: POST bare (new) or PATCH title/icon/description/schema (existing). */
  base?: Partial<Blueprint>;
  /** Stage 2: PATCH relations and ownership. */
  relations?: Partial<Blueprint>;
  /** Stage 3: PATCH calculation, mirror and aggregation properties. */
  derived?: Partial<Blueprint>;
}

export interface BlueprintPlanItem {
  identifier: string;
  action: 'create' | 'update' | 'unchanged';
  changes: BlueprintChange[];
  stages: BlueprintStages;
}

export interface BlueprintPlan {
  items: BlueprintPlanItem[];
  /** Changes Port refuses (type/format/many); the install must not start when any exist. */
  forbidden: Array<RuleViolation & { blueprint: string }>;
}

const RELATION_KEYS = ['relations', 'ownership'] as const;
const META_KEYS = ['title', 'icon', 'description'] as const;
const MAP_KEYS = ['relations', ...DERIVED_KEYS] as const;

type Json = unknown;
type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality with key order ignored. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Ours over theirs, keeping their enum values (so existing entity values stay valid). */
function mergeEnum(have: Obj | undefined, want: Obj): Obj {
  const out: Obj = { ...(have ?? {}), ...want };
  if (have && Array.isArray(have.enum) && Array.isArray(want.enum)) {
    const values = [...(want.enum as unknown[])];
    for (const v of have.enum as unknown[]) if (!values.some((x) => jsonEqual(x, v))) values.push(v);
    out.enum = values;
    if (isObj(have.enumColors) || isObj(want.enumColors)) out.enumColors = { ...(have.enumColors as Obj | undefined), ...(want.enumColors as Obj | undefined) };
  }
  return out;
}

function mergeField(existing: Obj, desired: Obj): Obj {
  const out = mergeEnum(existing, desired);
  if (isObj(desired.items)) out.items = mergeEnum(isObj(existing.items) ? existing.items : undefined, desired.items);
  return out;
}

/** Merges a map of fields (properties, relations, …); reports what it adds or changes. */
function mergeMap(path: string, existing: unknown, desired: unknown, changes: BlueprintChange[]): Obj | undefined {
  if (!isObj(desired) || Object.keys(desired).length === 0) return isObj(existing) ? existing : undefined;
  const base: Obj = isObj(existing) ? { ...existing } : {};
  for (const [key, want] of Object.entries(desired)) {
    const have = base[key];
    if (!isObj(have)) {
      base[key] = want;
      changes.push({ path: `${path}.${key}`, kind: 'add', detail: describeField(want) });
      continue;
    }
    const merged = isObj(want) ? mergeField(have, want) : want;
    if (!jsonEqual(merged, have)) {
      const diffs = Object.keys({ ...(merged as Obj), ...have })
        .filter((k) => !jsonEqual((merged as Obj)[k], have[k]))
        .map((k) => `${k}: ${short(have[k])} → ${short((merged as Obj)[k])}`);
      changes.push({ path: `${path}.${key}`, kind: 'update', detail: diffs.join('; ') });
      base[key] = merged;
    }
  }
  return base;
}

function describeField(f: unknown): string {
  if (!isObj(f)) return short(f);
  if (isObj(f.calculationSpec)) return `aggregation: ${String(f.calculationSpec.func)} of ${String(f.target)}${typeof f.calculationSpec.property === 'string' ? `.${f.calculationSpec.property}` : ''}`;
  if (typeof f.target === 'string') return `relation to ${f.target}${f.many ? ' (many)' : ''}`;
  if (typeof f.path === 'string') return `mirror of ${f.path}`;
  if (typeof f.calculation === 'string') return `calculated ${String(f.type)}`;
  return `${String(f.type)}${f.format ? ` (${String(f.format)})` : ''}`;
}

/** Only the keys whose value is a non-empty map or a defined value. */
function pick(bp: Obj, keys: readonly string[]): Partial<Blueprint> | undefined {
  const out: Obj = {};
  for (const k of keys) {
    const v = bp[k];
    if (v === undefined || v === null) continue;
    if (isObj(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return Object.keys(out).length ? (out as Partial<Blueprint>) : undefined;
}

function planCreate(desired: Blueprint): BlueprintPlanItem {
  const d = desired as Obj;
  const base: Obj = { identifier: desired.identifier, title: desired.title, schema: desired.schema };
  for (const k of ['icon', 'description', 'changelogDestination']) if (d[k] !== undefined) base[k] = d[k];
  const changes: BlueprintChange[] = Object.keys(desired.schema.properties).map((p) => ({ path: `schema.properties.${p}`, kind: 'add' as const, detail: describeField(desired.schema.properties[p]) }));
  for (const k of MAP_KEYS) for (const [id, f] of Object.entries((d[k] as Obj | undefined) ?? {})) changes.push({ path: `${k}.${id}`, kind: 'add', detail: describeField(f) });
  return { identifier: desired.identifier, action: 'create', changes, stages: { base: base as Partial<Blueprint>, relations: pick(d, RELATION_KEYS), derived: pick(d, DERIVED_KEYS) } };
}

function planUpdate(desired: Blueprint, existing: StoredBlueprint): { item: BlueprintPlanItem; merged: Obj } {
  const d = desired as Obj;
  const e = existing as Obj;
  const changes: BlueprintChange[] = [];
  const base: Obj = {};
  for (const k of META_KEYS) {
    if (d[k] !== undefined && !jsonEqual(d[k], e[k])) {
      base[k] = d[k];
      changes.push({ path: k, kind: e[k] === undefined ? 'add' : 'update', detail: `${short(e[k])} → ${short(d[k])}` });
    }
  }
  const existingSchema: Obj = isObj(e.schema) ? e.schema : {};
  const propChanges: BlueprintChange[] = [];
  const properties = mergeMap('schema.properties', existingSchema.properties, desired.schema.properties, propChanges);
  const required = [...new Set([...((existingSchema.required as string[] | undefined) ?? []), ...(desired.schema.required ?? [])])];
  const requiredChanged = !jsonEqual(required, existingSchema.required ?? []);
  if (propChanges.length || requiredChanged) {
    base.schema = { ...existingSchema, properties, required };
    changes.push(...propChanges);
    if (requiredChanged) changes.push({ path: 'schema.required', kind: 'update', detail: `${short(existingSchema.required ?? [])} → ${short(required)}` });
  }

  const stage2: Obj = {};
  const relChanges: BlueprintChange[] = [];
  const relations = mergeMap('relations', e.relations, d.relations, relChanges);
  if (relChanges.length) stage2.relations = relations;
  changes.push(...relChanges);
  if (d.ownership !== undefined && !jsonEqual(d.ownership, e.ownership)) {
    stage2.ownership = d.ownership;
    changes.push({ path: 'ownership', kind: e.ownership === undefined ? 'add' : 'update', detail: short(d.ownership) });
  }

  const stage3: Obj = {};
  for (const k of DERIVED_KEYS) {
    const c: BlueprintChange[] = [];
    const merged = mergeMap(k, e[k], d[k], c);
    if (c.length) stage3[k] = merged;
    changes.push(...c);
  }

  const merged: Obj = { ...e, ...base, ...stage2, ...stage3 };
  const stages: BlueprintStages = {
    base: Object.keys(base).length ? (base as Partial<Blueprint>) : undefined,
    relations: Object.keys(stage2).length ? (stage2 as Partial<Blueprint>) : undefined,
    derived: Object.keys(stage3).length ? (stage3 as Partial<Blueprint>) : undefined,
  };
  return { item: { identifier: desired.identifier, action: changes.length ? 'update' : 'unchanged', changes, stages }, merged };
}

/** Compares the bundle's blueprints with Port's; `existing` holds what Port has (any blueprints). */
export function planBlueprints(desired: readonly Blueprint[], existing: readonly StoredBlueprint[]): BlueprintPlan {
  const byId = new Map(existing.map((b) => [b.identifier, b]));
  const items: BlueprintPlanItem[] = [];
  const forbidden: BlueprintPlan['forbidden'] = [];
  for (const bp of desired) {
    const have = byId.get(bp.identifier);
    if (!have) {
      items.push(planCreate(bp));
      continue;
    }
    const { item, merged } = planUpdate(bp, have);
    items.push(item);
    for (const v of checkBlueprintChange(have, merged)) forbidden.push({ ...v, blueprint: bp.identifier });
  }
  return { items, forbidden };
}

export function formatBlueprintPlan(plan: BlueprintPlan): string {
  const lines: string[] = [];
  for (const item of plan.items) {
    if (item.action === 'unchanged') {
      lines.push(`  = ${item.identifier} (unchanged)`);
      continue;
    }
    lines.push(`  ${item.action === 'create' ? '+' : '~'} ${item.identifier} (${item.action === 'create' ? 'create' : 'update'}: ${item.changes.length} change${item.changes.length === 1 ? '' : 's'})`);
    for (const c of item.changes) lines.push(`      ${c.kind === 'add' ? '+' : '~'} ${c.path}: ${c.detail}`);
  }
  for (const f of plan.forbidden) lines.push(`  ✗ ${f.blueprint}${f.path}: ${f.message}`);
  return lines.join('\n');
}

export function explainForbidden(plan: BlueprintPlan): string {
  const list = plan.forbidden.map((f) => `  - ${f.blueprint}: ${f.message}`).join('\n');
  return `Port forbids these blueprint changes (forbidden_format_change: a property's type or format, or a relation's "many", cannot change after creation):\n${list}\nNothing was written. In Port, rename or delete the conflicting property of that blueprint (its values are lost) or migrate it to a new property, then run the installer again.`;
}
