// Which Port entities belong to an install, whoever wrote them last (the backfill, the webhook, a
// user): those that name the install's GitLab instance and top-level groups. Reconcile deletes
// only these (when GitLab no longer has them), `uninstall --purge` purges only these.
//
// The rule, per entity of a bundle blueprint (README "Backfill → Reconcile"):
//   1. It has a `url`: it is ours when the url lies under one of the install's top-level groups on
//      its GitLab: `<root>/<top>/…` (projects and everything in them) or `<root>/groups/<top>`
//      and `<root>/groups/<top>/…` (groups). `<root>` is what GitLab itself puts in front of its
//      URLs, read from the top-level group's `web_url` (`<root>/groups/<full_path>`), so a host
//      spelt differently in GITLAB_URL, a trailing slash or a relative URL root (…/gitlab) cannot
//      make us miss or misread anything; the path is GitLab's canonical spelling of the group.
//   2. A group without a `url` (known only from a Subgroup or Member Hook), or an entity of a
//      blueprint without a url property (members): it is ours when its relation chain reaches one
//      of the install's top-level groups by id (member → group → parent → …), through Port's
//      relation path filter. Every other mapping writes the object's url, so a url-less entity of
//      those blueprints was made by hand: never ours.
// `$datasource` plays no part: Port does not document what it records for webhook ingests.
import type { Blueprint, EntitiesQuery, QueryRule, RelationPath } from '../port/types.ts';
import { resolveGitLabHost } from '../clients/gitlab/host.ts';

/** A top-level group of the install, as GitLab answers `GET /groups/:id` (web_url optional). */
export interface OwnedGroup {
  id: number;
  full_path: string;
  web_url?: string | null;
}

/** Port's limit on `maxHops` in a relation path (1–15). GitLab nests groups at most 20 deep. */
export const MAX_PARENT_HOPS = 15;

/** Where an install's entities live: URL prefixes and top-level group ids. */
export interface OwnedScope {
  /** `<root>/<top>/`: projects and everything under them, and `<root>/groups/<top>/`: subgroups. */
  prefixes: string[];
  /** `<root>/groups/<top>`: the top-level groups themselves. */
  exact: string[];
  topIds: string[];
}

/** How an entity of a blueprint reaches a group: the blueprint's url property, its relation path to the group blueprint. */
interface BlueprintShape {
  hasUrl: boolean;
  /** Relations from this blueprint to the group blueprint (empty for the group blueprint itself); null when none. */
  toGroup: string[] | null;
  /** The group blueprint's relation to its parent group. */
  parent: string | null;
  isGroup: boolean;
}

/**
 * GitLab's URL root for a top-level group: its `web_url` minus `/groups/<full_path>`; when GitLab
 * did not give one (or an unexpected one), GITLAB_URL normalised (lower-case scheme and host,
 * no default port, no trailing slash, no /api/v4).
 */
export function groupUrls(gitlabUrl: string, g: OwnedGroup): { root: string; path: string } {
  const tail = `/groups/${g.full_path}`;
  const web = typeof g.web_url === 'string' ? g.web_url.replace(/\/+$/, '') : '';
  if (web.length > tail.length && web.toLowerCase().endsWith(tail.toLowerCase())) {
    // GitLab's own spelling of the path, as every URL it gives carries it.
    return { root: web.slice(0, web.length - tail.length), path: web.slice(web.length - g.full_path.length) };
  }
  const u = new URL(resolveGitLabHost(gitlabUrl));
  return { root: `${u.origin}${u.pathname.replace(/\/+$/, '')}`, path: g.full_path };
}

export function ownedScope(gitlabUrl: string, groups: readonly OwnedGroup[]): OwnedScope {
  if (!groups.length) throw new Error('ownership needs at least one top-level group');
  const prefixes: string[] = [];
  const exact: string[] = [];
  for (const g of groups) {
    const { root, path } = groupUrls(gitlabUrl, g);
    prefixes.push(`${root}/${path}/`, `${root}/groups/${path}/`);
    exact.push(`${root}/groups/${path}`);
  }
  return { prefixes, exact, topIds: [...new Set(groups.map((g) => String(g.id)))] };
}

/** The group blueprint is the one with a relation to itself (a group's parent). */
function shapes(blueprints: readonly Blueprint[]): Map<string, BlueprintShape> {
  const group = blueprints.find((b) => Object.values(b.relations ?? {}).some((r) => r.target === b.identifier));
  const parent = group ? Object.entries(group.relations ?? {}).find(([, r]) => r.target === group.identifier)![0] : null;
  const out = new Map<string, BlueprintShape>();
  for (const b of blueprints) {
    out.set(b.identifier, { hasUrl: Object.hasOwn(b.schema.properties ?? {}, 'url'), toGroup: group ? pathTo(blueprints, b.identifier, group.identifier) : null, parent, isGroup: b.identifier === group?.identifier });
  }
  return out;
}

/** Shortest relation path from one blueprint to another (breadth first), [] for itself. */
function pathTo(blueprints: readonly Blueprint[], from: string, to: string): string[] | null {
  const byId = new Map(blueprints.map((b) => [b.identifier, b]));
  const queue: Array<{ bp: string; path: string[] }> = [{ bp: from, path: [] }];
  const seen = new Set([from]);
  while (queue.length) {
    const { bp, path } = queue.shift()!;
    if (bp === to) return path;
    for (const [rel, r] of Object.entries(byId.get(bp)?.relations ?? {})) {
      if (seen.has(r.target)) continue;
      seen.add(r.target);
      queue.push({ bp: r.target, path: [...path, rel] });
    }
  }
  return null;
}

const rule = (r: QueryRule): QueryRule => r;

/** Where a url-less entity can still be ours: groups (hooks write them without url) and blueprints that have no url. */
function chainable(shape: BlueprintShape): boolean {
  return shape.isGroup || !shape.hasUrl;
}

/** The url rules: under one of the prefixes, or one of the top-level groups' own pages. */
function urlRules(scope: OwnedScope): QueryRule[] {
  return [
    ...scope.prefixes.map((value) => rule({ property: 'url', operator: 'beginsWith', value })),
    ...scope.exact.map((value) => rule({ property: 'url', operator: '=', value })),
  ];
}

/** The relation-chain rules: the chain to the group, then up its parents, reaches a top-level group. */
function chainRules(shape: BlueprintShape, scope: OwnedScope): Array<QueryRule> {
  if (!shape.toGroup) return [];
  const path = (p: RelationPath['path']): QueryRule => ({ property: { path: p }, operator: 'matchAny', value: scope.topIds });
  const out: QueryRule[] = [];
  if (shape.isGroup) out.push({ property: '$identifier', operator: 'in', value: scope.topIds });
  else out.push(path(shape.toGroup));
  if (shape.parent) out.push(path([...shape.toGroup, { relation: shape.parent, maxHops: MAX_PARENT_HOPS }]));
  return out;
}

/**
 * The Port search query that selects the install's entities of one bundle blueprint. Operators
 * used: `beginsWith`, `=`, `in`, `isEmpty`, and `matchAny` on a relation path, all in Port's
 * published search schema (search-a-blueprints-entities.json) and modelled by the local Port.
 */
export function ownedQuery(blueprints: readonly Blueprint[], blueprint: string, scope: OwnedScope): EntitiesQuery {
  const shape = shapes(blueprints).get(blueprint);
  if (!shape) throw new Error(`${blueprint} is not a blueprint of the bundle`);
  const chain = chainable(shape) ? chainRules(shape, scope) : [];
  const rules: EntitiesQuery['rules'] = [];
  if (shape.hasUrl) {
    rules.push(...urlRules(scope));
    // Without a url, only the relation chain can tell (a url elsewhere is never ours).
    if (chain.length) rules.push({ combinator: 'and', rules: [{ property: 'url', operator: 'isEmpty' }, { combinator: 'or', rules: chain }] });
  } else {
    rules.push(...chain);
  }
  // A blueprint with neither: nothing can be attributed, so nothing is ours (an impossible match).
  if (!rules.length) rules.push({ property: '$identifier', operator: 'in', value: [] });
  return { combinator: 'or', rules };
}

/** Reads of an entity `isOwned` needs: its blueprint's related entities by identifier. */
export type RelatedLookup = (blueprint: string, identifier: string) => OwnedEntity | undefined;

export interface OwnedEntity {
  identifier: string;
  properties?: Record<string, unknown>;
  relations?: Record<string, unknown>;
}

/**
 * The same rule evaluated locally on one entity (for callers that already hold entities, e.g. a
 * sync deciding about what it just read). Relation chains are followed through `lookup`; without
 * it, a url-less entity is ours only when it is one of the top-level groups.
 */
export function isOwned(blueprints: readonly Blueprint[], blueprint: string, entity: OwnedEntity, scope: OwnedScope, lookup?: RelatedLookup): boolean {
  const all = shapes(blueprints);
  const shape = all.get(blueprint);
  if (!shape) return false;
  const url = entity.properties?.url;
  if (shape.hasUrl && url !== null && url !== undefined && url !== '') {
    return typeof url === 'string' && (scope.prefixes.some((p) => url.startsWith(p)) || scope.exact.includes(url));
  }
  if (!shape.toGroup || !chainable(shape)) return false;
  const tops = new Set(scope.topIds);
  const groupBp = [...all].find(([, s]) => s.isGroup)?.[0];
  // Follow the chain to the group, then its parents (at most MAX_PARENT_HOPS, as Port does).
  let cur: OwnedEntity | undefined = entity;
  let bp = blueprint;
  for (const rel of shape.toGroup) {
    const target: string | undefined = relationTarget(blueprints, bp, rel);
    const id = single(cur?.relations?.[rel]);
    if (!target || id === undefined) return false;
    if (target === groupBp && tops.has(id)) return true;
    cur = lookup?.(target, id);
    bp = target;
  }
  if (shape.isGroup && tops.has(entity.identifier)) return true;
  for (let hop = 0; hop < MAX_PARENT_HOPS && cur && shape.parent; hop++) {
    const id = single(cur.relations?.[shape.parent]);
    if (id === undefined) return false;
    if (tops.has(id)) return true;
    cur = groupBp ? lookup?.(groupBp, id) : undefined;
  }
  return false;
}

function relationTarget(blueprints: readonly Blueprint[], blueprint: string, relation: string): string | undefined {
  return blueprints.find((b) => b.identifier === blueprint)?.relations?.[relation]?.target;
}

function single(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
