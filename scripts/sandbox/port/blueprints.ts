// Blueprint routes of the local Port: create, get, list, patch (shallow merge), put (replace) and
// delete, with Port's rules from scripts/port/blueprint-rules.ts applied on every write.
import { checkBlueprint, checkBlueprintChange } from '../../port/blueprint-rules.ts';
import { checkDerivedReferences } from '../../port/derived-rules.ts';
import type { Blueprint, StoredBlueprint } from '../../port/types.ts';
import { isoNow, recordAudit, type PortContext, type Writer } from './context.ts';
import { PortApiError, identifierTaken, invalid, notFound, violationsError } from './errors.ts';

/** `_user` and `_team` exist in every Port organisation and cannot be changed through the API. */
const SYSTEM_BLUEPRINTS: Blueprint[] = [
  { identifier: '_user', title: 'User', icon: 'User', schema: { properties: { port_type: { type: 'string', title: 'User type' }, status: { type: 'string', title: 'Status' } }, required: [] }, relations: {} },
  { identifier: '_team', title: 'Team', icon: 'Team', schema: { properties: { description: { type: 'string', title: 'Description' } }, required: [] }, relations: {} },
];

export function ensureSystemBlueprints(ctx: PortContext): void {
  for (const bp of SYSTEM_BLUEPRINTS) {
    if (ctx.state.blueprints[bp.identifier]) continue;
    const at = isoNow(ctx);
    ctx.state.blueprints[bp.identifier] = { ...structuredClone(bp), createdAt: at, updatedAt: at, createdBy: 'port', updatedBy: 'port' };
    ctx.state.entities[bp.identifier] ??= {};
  }
}

export function isProtected(identifier: string): boolean {
  return identifier.startsWith('_');
}

export function getBlueprint(ctx: PortContext, identifier: string): StoredBlueprint {
  const bp = ctx.state.blueprints[identifier];
  if (!bp) throw notFound(`Blueprint with identifier "${identifier}" was not found`);
  return bp;
}

export function listBlueprints(ctx: PortContext): StoredBlueprint[] {
  return Object.values(ctx.state.blueprints);
}

/** Every stored blueprint's identifier (relation and aggregation targets must be among them). */
function blueprintIds(ctx: PortContext): Set<string> {
  return new Set(Object.keys(ctx.state.blueprints));
}

function validate(ctx: PortContext, blueprint: Blueprint, before?: StoredBlueprint): void {
  if (before) {
    const change = checkBlueprintChange(before, blueprint);
    if (change.length) throw violationsError(`Blueprint "${blueprint.identifier}" cannot be changed this way`, change);
  }
  const violations = [...checkBlueprint(blueprint, blueprintIds(ctx)), ...checkDerivedReferences(blueprint, (id) => ctx.state.blueprints[id])];
  if (violations.length) throw violationsError(`Blueprint "${String(blueprint.identifier)}" breaks Port's rules`, violations);
}

/** Drops entity values of properties and relations the blueprint no longer declares (Port deletes that data). */
function pruneEntities(ctx: PortContext, bp: Blueprint): void {
  const props = new Set(Object.keys(bp.schema?.properties ?? {}));
  const rels = new Set(Object.keys(bp.relations ?? {}));
  for (const e of Object.values(ctx.state.entities[bp.identifier] ?? {})) {
    // New objects, not deletes: audit views share the stored ones (see toView).
    e.properties = Object.fromEntries(Object.entries(e.properties).filter(([k]) => props.has(k)));
    e.relations = Object.fromEntries(Object.entries(e.relations).filter(([k]) => rels.has(k)));
  }
}

function store(ctx: PortContext, blueprint: Blueprint, writer: Writer, before?: StoredBlueprint): StoredBlueprint {
  const at = isoNow(ctx);
  const stored: StoredBlueprint = {
    ...structuredClone(blueprint),
    schema: { required: [], ...structuredClone(blueprint.schema) },
    createdAt: before?.createdAt ?? at,
    createdBy: before?.createdBy ?? writer.by,
    updatedAt: at,
    updatedBy: writer.by,
  };
  ctx.state.blueprints[blueprint.identifier] = stored;
  ctx.state.entities[blueprint.identifier] ??= {};
  if (before) pruneEntities(ctx, stored);
  recordAudit(ctx, writer, { action: before ? 'UPDATE' : 'CREATE', resourceType: 'blueprint', status: 'SUCCESS', context: { blueprint: blueprint.identifier } });
  return stored;
}

export function createBlueprint(ctx: PortContext, body: Blueprint, writer: Writer, createCatalogPage: boolean): StoredBlueprint {
  if (ctx.state.blueprints[body.identifier]) throw identifierTaken(`A blueprint with identifier "${body.identifier}" already exists`);
  validate(ctx, body);
  const stored = store(ctx, body, writer);
  if (createCatalogPage && !ctx.state.catalogPages.includes(body.identifier)) ctx.state.catalogPages.push(body.identifier);
  return stored;
}

function assertWritable(identifier: string): void {
  if (isProtected(identifier)) throw new PortApiError(422, 'protected_blueprint', `Blueprint "${identifier}" is a system blueprint and cannot be changed through this route`);
}

function withoutMeta(bp: StoredBlueprint): Blueprint {
  const { createdAt: _a, updatedAt: _b, createdBy: _c, updatedBy: _d, ...rest } = bp;
  return rest as Blueprint;
}

function assertSameIdentifier(path: string, body: { identifier?: unknown }): void {
  if (body.identifier !== undefined && body.identifier !== path) {
    throw invalid(`body/identifier "${String(body.identifier)}" differs from the blueprint in the path ("${path}"); renaming blueprints is not supported`);
  }
}

/** PATCH: the given top-level keys replace the stored ones; keys not given stay. */
export function patchBlueprint(ctx: PortContext, identifier: string, body: Partial<Blueprint>, writer: Writer): StoredBlueprint {
  const before = getBlueprint(ctx, identifier);
  assertWritable(identifier);
  assertSameIdentifier(identifier, body);
  const next = { ...withoutMeta(before), ...structuredClone(body), identifier } as Blueprint;
  validate(ctx, next, before);
  return store(ctx, next, writer, before);
}

/** PUT: the body replaces the blueprint (title and schema required by the route's schema). */
export function putBlueprint(ctx: PortContext, identifier: string, body: Blueprint, writer: Writer): StoredBlueprint {
  const before = getBlueprint(ctx, identifier);
  assertWritable(identifier);
  assertSameIdentifier(identifier, body);
  const next = { ...structuredClone(body), identifier } as Blueprint;
  validate(ctx, next, before);
  return store(ctx, next, writer, before);
}

/** DELETE: Port needs the entities deleted first, and no other blueprint may relate to this one. */
export function deleteBlueprint(ctx: PortContext, identifier: string, writer: Writer): void {
  getBlueprint(ctx, identifier);
  assertWritable(identifier);
  const count = Object.keys(ctx.state.entities[identifier] ?? {}).length;
  if (count > 0) {
    throw new PortApiError(422, 'has_entities', `Blueprint "${identifier}" still has ${count} entities; delete them first (DELETE /v1/blueprints/${identifier}/all-entities)`);
  }
  for (const other of Object.values(ctx.state.blueprints)) {
    if (other.identifier === identifier) continue;
    const rel = Object.entries(other.relations ?? {}).find(([, r]) => r.target === identifier);
    if (rel) {
      throw new PortApiError(422, 'has_dependents', `Blueprint "${other.identifier}" has relation "${rel[0]}" to "${identifier}"; remove that relation first`);
    }
    // Undocumented in Port; the local Port takes the strict side, so that our uninstall and rollback are proven to work either way.
    const agg = Object.entries(other.aggregationProperties ?? {}).find(([, a]) => (a as { target?: unknown }).target === identifier);
    if (agg) {
      throw new PortApiError(422, 'has_dependents', `Blueprint "${other.identifier}" has aggregation property "${agg[0]}" targeting "${identifier}"; remove that aggregation property first`);
    }
  }
  delete ctx.state.blueprints[identifier];
  delete ctx.state.entities[identifier];
  if (ctx.state.scorecards) delete ctx.state.scorecards[identifier]; // its scorecards go with it
  ctx.state.catalogPages = ctx.state.catalogPages.filter((p) => p !== identifier);
  recordAudit(ctx, writer, { action: 'DELETE', resourceType: 'blueprint', status: 'SUCCESS', context: { blueprint: identifier } });
}
