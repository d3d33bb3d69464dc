// Entity routes of the local Port (reference/port.md §1.6): create vs upsert (replace) vs
// upsert+merge (update only given fields), related entities that must exist unless
// `create_missing_related_entities` (then bare placeholders are created), identifier and relation
// search queries, dependents on delete, bulk writes with per-index errors, search with cursors.
import { randomBytes } from 'node:crypto';
import { checkEntity } from '../../port/entity-check.ts';
import type { StoredBlueprint } from '../../port/types.ts';
import { getBlueprint, isProtected } from './blueprints.ts';
import { isoNow, recordAudit, type PortContext, type Writer } from './context.ts';
import { PortApiError, identifierTaken, invalid, notFound, violationsError } from './errors.ts';
import { computedFields, projectedFields, queryReads, withComputed } from './computed/index.ts';
import { assertQuerySupported, decodeCursor, encodeCursor, matchesQuery, type EntityGraph, type SearchQuery } from './search.ts';
import type { StoredEntity } from './store.ts';

export interface WriteFlags {
  upsert: boolean;
  merge: boolean;
  createMissingRelatedEntities: boolean;
  validationOnly?: boolean;
}

/** The entity as Port's entity responses publish it: identifier, title, icon, team, properties, relations. */
export interface EntityView {
  identifier: string;
  title?: string;
  icon?: string;
  team?: string | string[];
  properties: Record<string, unknown>;
  relations: Record<string, string | string[] | null>;
}

export function toView(e: StoredEntity): EntityView {
  return {
    identifier: e.identifier,
    ...(e.title !== null ? { title: e.title } : {}),
    ...(e.icon !== null ? { icon: e.icon } : {}),
    ...(e.team !== null ? { team: e.team } : {}),
    // Shared, not copied: a stored entity's properties and relations objects are replaced on
    // every change, never modified (copying them was most of a bulk write's cost).
    properties: e.properties,
    relations: e.relations,
  };
}

/** `include`/`exclude` projections: top-level fields or `properties.<id>` / `relations.<id>`. */
export function project(view: EntityView, include?: string[], exclude?: string[]): Partial<EntityView> {
  // Copies of the levels this function changes; the values themselves are shared (see toView).
  let out: Record<string, unknown> = { ...view, properties: { ...view.properties }, relations: { ...view.relations } };
  if (include?.length) {
    const picked: Record<string, unknown> = {};
    for (const path of include) {
      const [head, key] = path.split('.', 2);
      if (key === undefined) {
        if (head in out) picked[head] = out[head];
      } else if (head === 'properties' || head === 'relations') {
        const src = out[head] as Record<string, unknown>;
        picked[head] = { ...((picked[head] as Record<string, unknown>) ?? {}), ...(key in src ? { [key]: src[key] } : {}) };
      }
    }
    out = picked;
  }
  for (const path of exclude ?? []) {
    const [head, key] = path.split('.', 2);
    if (key === undefined) delete out[head];
    else if ((head === 'properties' || head === 'relations') && out[head]) delete (out[head] as Record<string, unknown>)[key];
  }
  return out as Partial<EntityView>;
}

function bucket(ctx: PortContext, blueprint: string): Record<string, StoredEntity> {
  return (ctx.state.entities[blueprint] ??= {});
}

function isQuery(v: unknown): v is SearchQuery {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Array.isArray((v as SearchQuery).rules);
}

export function getEntity(ctx: PortContext, blueprint: string, identifier: string): StoredEntity {
  getBlueprint(ctx, blueprint);
  const e = bucket(ctx, blueprint)[identifier];
  if (!e) throw notFound(`Entity with identifier "${identifier}" of blueprint "${blueprint}" was not found`);
  return e;
}

export function listEntities(ctx: PortContext, blueprint: string): StoredEntity[] {
  getBlueprint(ctx, blueprint);
  return Object.values(bucket(ctx, blueprint));
}

export function countEntities(ctx: PortContext, blueprint: string): number {
  getBlueprint(ctx, blueprint);
  return Object.keys(bucket(ctx, blueprint)).length;
}

/** Relation targets and entities, for relation path rules. */
export function entityGraph(ctx: PortContext): EntityGraph {
  return {
    target: (bp, relation) => ctx.state.blueprints[bp]?.relations?.[relation]?.target,
    entity: (bp, id) => {
      const b = ctx.state.entities[bp];
      return b && Object.hasOwn(b, id) ? b[id] : undefined;
    },
    now: () => ctx.now(),
  };
}

function findByQuery(ctx: PortContext, blueprint: string, query: SearchQuery): StoredEntity[] {
  assertQuerySupported(query);
  const graph = entityGraph(ctx);
  return Object.values(bucket(ctx, blueprint)).filter((e) => matchesQuery(e, query, graph));
}

/** "Map by property": the identifier query must find exactly one existing entity; it never creates. */
function resolveIdentifier(ctx: PortContext, blueprint: string, query: SearchQuery): string {
  const found = findByQuery(ctx, blueprint, query);
  if (found.length === 0) throw notFound(`No entity of blueprint "${blueprint}" matches the identifier search query; a search identifier never creates an entity`);
  if (found.length > 1) throw invalid(`The identifier search query matches ${found.length} entities of blueprint "${blueprint}"; it must match exactly one`);
  return found[0].identifier;
}

/** Replaces relation search queries with the identifiers they find in the target blueprint. */
function resolveRelationQueries(ctx: PortContext, bp: StoredBlueprint, relations: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rid, value] of Object.entries(relations)) {
    const rel = bp.relations?.[rid];
    if (!isQuery(value) || !rel) {
      out[rid] = value;
      continue;
    }
    const found = findByQuery(ctx, rel.target, value).slice(0, 100).map((e) => e.identifier);
    if (rel.many) out[rid] = found;
    else if (found.length === 1) out[rid] = found[0];
    else throw invalid(`Relation "${rid}" is single but its search query found ${found.length} entities of "${rel.target}"; it must find exactly one`);
  }
  return out;
}

function placeholder(ctx: PortContext, blueprint: string, identifier: string, writer: Writer): StoredEntity {
  const at = isoNow(ctx);
  return { identifier, title: null, icon: null, team: null, properties: {}, relations: {}, blueprint, createdAt: at, updatedAt: at, createdBy: writer.by, updatedBy: writer.by, datasource: writer.userAgent };
}

/**
 * Related entities must exist; with `createMissing` Port creates bare placeholders (identifier
 * only), except in the protected `_user`/`_team` blueprints. Returns the placeholders to create.
 */
function missingRelated(ctx: PortContext, bp: StoredBlueprint, relations: Record<string, unknown>, createMissing: boolean, writer: Writer): StoredEntity[] {
  const toCreate: StoredEntity[] = [];
  for (const [rid, value] of Object.entries(relations)) {
    const target = bp.relations?.[rid]?.target;
    if (!target || value === null || value === undefined) continue;
    const ids = Array.isArray(value) ? (value as string[]) : [value as string];
    for (const id of ids) {
      if (bucket(ctx, target)[id] || toCreate.some((p) => p.blueprint === target && p.identifier === id)) continue;
      if (!createMissing) throw notFound(`Relation "${rid}" points to entity "${id}" of blueprint "${target}", which does not exist; create it first or pass create_missing_related_entities=true`);
      if (isProtected(target)) throw notFound(`Relation "${rid}" points to "${id}" in the protected blueprint "${target}", which does not exist; Port cannot create ${target} entities as placeholders`);
      toCreate.push(placeholder(ctx, target, id, writer));
    }
  }
  return toCreate;
}

export interface WriteResult {
  entity: StoredEntity;
  created: boolean;
}

/** One entity write: POST (with upsert/merge), PATCH (`mode: 'patch'`) or PUT (`mode: 'put'`). */
export function writeEntity(
  ctx: PortContext,
  blueprint: string,
  body: Record<string, unknown>,
  flags: WriteFlags,
  writer: Writer,
  mode: 'post' | 'patch' | 'put' = 'post',
  pathIdentifier?: string,
): WriteResult {
  const bp = getBlueprint(ctx, blueprint);
  const entities = bucket(ctx, blueprint);
  let identifier: string;
  if (pathIdentifier !== undefined) {
    identifier = pathIdentifier;
    if (body.identifier !== undefined && body.identifier !== pathIdentifier) {
      throw invalid(`body/identifier "${String(body.identifier)}" differs from the entity in the path ("${pathIdentifier}")`);
    }
  } else if (isQuery(body.identifier)) {
    identifier = resolveIdentifier(ctx, blueprint, body.identifier);
  } else if (body.identifier === undefined) {
    identifier = `e_${randomBytes(8).toString('hex')}`; // Port generates an identifier when none is given
  } else {
    identifier = body.identifier as string;
  }
  const existing = entities[identifier];
  if (mode !== 'post' && !existing) throw notFound(`Entity with identifier "${identifier}" of blueprint "${blueprint}" was not found`);
  if (mode === 'post' && existing && !flags.upsert) {
    throw identifierTaken(`An entity with identifier "${identifier}" already exists in blueprint "${blueprint}"; use upsert=true to replace it, or upsert=true&merge=true to update it`);
  }
  const mergeUpdate = Boolean(existing) && (mode === 'patch' || (mode === 'post' && flags.upsert && flags.merge));

  const givenRelations = resolveRelationQueries(ctx, bp, (body.relations as Record<string, unknown> | undefined) ?? {});
  const checked = { ...body, identifier, relations: givenRelations };
  const violations = checkEntity(checked, bp, { partial: mergeUpdate });
  if (violations.length) throw violationsError(`Entity "${identifier}" does not match blueprint "${blueprint}"`, violations);
  const placeholders = missingRelated(ctx, bp, givenRelations, flags.createMissingRelatedEntities, writer);

  const at = isoNow(ctx);
  const given = <T>(key: string, fallback: T): T => (key in body ? ((body[key] ?? null) as T) : fallback);
  const next: StoredEntity = mergeUpdate
    ? {
        ...existing!,
        title: given('title', existing!.title),
        icon: given('icon', existing!.icon),
        team: given('team', existing!.team),
        properties: { ...existing!.properties, ...((body.properties as Record<string, unknown>) ?? {}) },
        relations: { ...existing!.relations, ...(givenRelations as StoredEntity['relations']) },
        updatedAt: at,
        updatedBy: writer.by,
        datasource: writer.userAgent,
      }
    : {
        identifier,
        blueprint,
        title: given<string | null>('title', null),
        icon: given<string | null>('icon', null),
        team: isQuery(body.team) ? null : given<string | string[] | null>('team', null),
        properties: { ...((body.properties as Record<string, unknown>) ?? {}) },
        relations: { ...givenRelations } as StoredEntity['relations'],
        createdAt: existing?.createdAt ?? at,
        createdBy: existing?.createdBy ?? writer.by,
        updatedAt: at,
        updatedBy: writer.by,
        datasource: writer.userAgent,
      };
  if (flags.validationOnly) return { entity: next, created: !existing };

  for (const p of placeholders) {
    bucket(ctx, p.blueprint)[p.identifier] = p;
    recordAudit(ctx, writer, { action: 'CREATE', resourceType: 'entity', status: 'SUCCESS', context: { blueprint: p.blueprint, entity: p.identifier }, additionalData: { placeholder: true } });
  }
  entities[identifier] = next;
  recordAudit(ctx, writer, {
    action: existing ? 'UPDATE' : 'CREATE',
    resourceType: 'entity',
    status: 'SUCCESS',
    context: { blueprint, entity: identifier },
    diff: { before: existing ? toView(existing) : null, after: toView(next) },
  });
  return { entity: next, created: !existing };
}

export interface BulkResult {
  entities: Array<{ created: boolean; identifier: string; index: number }>;
  errors: Array<{ identifier: string; index: number; statusCode: number; error: string; message: string }>;
}

/** Bulk upsert: each entity independently; failures are reported by index (207). */
export function bulkWrite(ctx: PortContext, blueprint: string, bodies: Array<Record<string, unknown>>, flags: WriteFlags, writer: Writer): BulkResult {
  getBlueprint(ctx, blueprint);
  const result: BulkResult = { entities: [], errors: [] };
  bodies.forEach((body, index) => {
    try {
      const { entity, created } = writeEntity(ctx, blueprint, body, flags, writer);
      result.entities.push({ created, identifier: entity.identifier, index });
    } catch (err) {
      if (!(err instanceof PortApiError)) throw err;
      const identifier = typeof body.identifier === 'string' ? body.identifier : JSON.stringify(body.identifier ?? null);
      result.errors.push({ identifier, index, statusCode: err.status, error: err.error, message: err.message });
      recordAudit(ctx, writer, { action: 'CREATE', resourceType: 'entity', status: 'FAILURE', message: err.message, context: { blueprint, entity: identifier } });
    }
  });
  return result;
}

/** Entities (in any blueprint) whose relations point at `blueprint/identifier`. */
export function dependentsOf(ctx: PortContext, blueprint: string, identifier: string): StoredEntity[] {
  const out: StoredEntity[] = [];
  for (const bp of Object.values(ctx.state.blueprints)) {
    const rels = Object.entries(bp.relations ?? {}).filter(([, r]) => r.target === blueprint).map(([rid]) => rid);
    if (!rels.length) continue;
    for (const e of Object.values(bucket(ctx, bp.identifier))) {
      if (rels.some((rid) => { const v = e.relations[rid]; return Array.isArray(v) ? v.includes(identifier) : v === identifier; })) out.push(e);
    }
  }
  return out;
}

/** The entities and their dependents, transitively (what `delete_dependents=true` removes). */
function closure(ctx: PortContext, roots: StoredEntity[]): StoredEntity[] {
  const seen = new Map<string, StoredEntity>();
  const queue = [...roots];
  while (queue.length) {
    const e = queue.shift()!;
    const key = `${e.blueprint}\u0000${e.identifier}`;
    if (seen.has(key)) continue;
    seen.set(key, e);
    queue.push(...dependentsOf(ctx, e.blueprint, e.identifier));
  }
  return [...seen.values()];
}

function remove(ctx: PortContext, victims: StoredEntity[], writer: Writer): void {
  for (const e of victims) {
    delete bucket(ctx, e.blueprint)[e.identifier];
    recordAudit(ctx, writer, { action: 'DELETE', resourceType: 'entity', status: 'SUCCESS', context: { blueprint: e.blueprint, entity: e.identifier }, diff: { before: toView(e), after: null } });
  }
}

function refuseDependents(ctx: PortContext, targets: StoredEntity[]): void {
  const targetKeys = new Set(targets.map((t) => `${t.blueprint}\u0000${t.identifier}`));
  for (const t of targets) {
    const deps = dependentsOf(ctx, t.blueprint, t.identifier).filter((d) => !targetKeys.has(`${d.blueprint}\u0000${d.identifier}`));
    if (deps.length) {
      const names = deps.slice(0, 5).map((d) => `${d.blueprint}/${d.identifier}`).join(', ');
      throw new PortApiError(422, 'has_dependents', `Entity "${t.identifier}" of blueprint "${t.blueprint}" has ${deps.length} dependent entities (${names}${deps.length > 5 ? ', …' : ''}); pass delete_dependents=true to delete them too`);
    }
  }
}

export function deleteEntity(ctx: PortContext, blueprint: string, identifier: string, deleteDependents: boolean, writer: Writer): StoredEntity[] {
  const e = getEntity(ctx, blueprint, identifier);
  if (!deleteDependents) refuseDependents(ctx, [e]);
  const victims = deleteDependents ? closure(ctx, [e]) : [e];
  remove(ctx, victims, writer);
  return victims;
}

/** Bulk delete: refused whole when any entity has dependents outside the request (unless delete_dependents). */
export function bulkDelete(ctx: PortContext, blueprint: string, identifiers: string[], deleteDependents: boolean, writer: Writer): string[] {
  getBlueprint(ctx, blueprint);
  const targets = [...new Set(identifiers)].map((id) => bucket(ctx, blueprint)[id]).filter((e): e is StoredEntity => Boolean(e));
  if (!deleteDependents) refuseDependents(ctx, targets);
  const victims = deleteDependents ? closure(ctx, targets) : targets;
  remove(ctx, victims, writer);
  return targets.map((e) => e.identifier);
}

/** DELETE all-entities: drops every entity of the blueprint and clears relations that pointed to them. */
export function deleteAllEntities(ctx: PortContext, blueprint: string, writer: Writer): number {
  getBlueprint(ctx, blueprint);
  const victims = Object.values(bucket(ctx, blueprint));
  const ids = new Set(victims.map((e) => e.identifier));
  for (const bp of Object.values(ctx.state.blueprints)) {
    for (const [rid, rel] of Object.entries(bp.relations ?? {})) {
      if (rel.target !== blueprint) continue;
      for (const e of Object.values(bucket(ctx, bp.identifier))) {
        const v = e.relations[rid];
        // A new relations object, not an assignment into it: audit views share the stored one.
        if (Array.isArray(v)) e.relations = { ...e.relations, [rid]: v.filter((x) => !ids.has(x)) };
        else if (typeof v === 'string' && ids.has(v)) e.relations = { ...e.relations, [rid]: null };
      }
    }
  }
  ctx.state.entities[blueprint] = {};
  for (const e of victims) recordAudit(ctx, writer, { action: 'DELETE', resourceType: 'entity', status: 'SUCCESS', context: { blueprint, entity: e.identifier } });
  return victims.length;
}

export interface SearchRequest {
  query?: SearchQuery;
  include?: string[];
  exclude?: string[];
  limit?: number;
  from?: string;
}

/**
 * The entities a query can match. A query that requires `$identifier` to be one of a list (what
 * the backfill's compare step sends, 100 identifiers at a time) looks those up instead of scanning
 * the whole blueprint, which made large re-runs quadratic. The full query is still applied after.
 */
function searchCandidates(ctx: PortContext, blueprint: string, query: SearchQuery | undefined): StoredEntity[] {
  const entities = bucket(ctx, blueprint);
  const rule = query?.combinator === 'and'
    ? (query.rules as Array<Record<string, unknown>>).find((r) => r?.property === '$identifier' && (r.operator === 'in' || r.operator === '='))
    : undefined;
  if (!rule) return Object.values(entities);
  const ids = rule.operator === 'in' ? (Array.isArray(rule.value) ? rule.value : []) : [rule.value];
  const found = new Set<string>();
  const out: StoredEntity[] = [];
  for (const id of ids) {
    if (typeof id === 'string' && !found.has(id) && Object.hasOwn(entities, id)) {
      found.add(id);
      out.push(entities[id]!);
    }
  }
  return out;
}

export function searchEntities(ctx: PortContext, blueprint: string, request: SearchRequest): { entities: Array<Partial<EntityView>>; next?: string } {
  const bp = getBlueprint(ctx, blueprint);
  const limit = request.limit ?? 200;
  if (!Number.isInteger(limit)) throw invalid('body/limit must be an integer from 1 to 1000');
  if (request.query) assertQuerySupported(request.query);
  const fingerprint = JSON.stringify(request.query ?? null);
  const offset = request.from ? decodeCursor(request.from, fingerprint) : 0;
  const graph = entityGraph(ctx);
  // Computed properties only for what is returned, unless the query filters on them.
  const filtersOnComputed = queryReads(request.query, computedFields(bp));
  let candidates = searchCandidates(ctx, blueprint, request.query);
  if (filtersOnComputed) candidates = withComputed(ctx, blueprint, candidates, ctx.calculate);
  const all = candidates.filter((e) => !request.query || matchesQuery(e, request.query, graph));
  let page = all.slice(offset, offset + limit);
  const end = offset + page.length;
  if (!filtersOnComputed) page = withComputed(ctx, blueprint, page, ctx.calculate, projectedFields(request.include, request.exclude));
  return {
    entities: page.map((e) => project(toView(e), request.include, request.exclude)),
    ...(end < all.length ? { next: encodeCursor(end, fingerprint) } : {}),
  };
}
