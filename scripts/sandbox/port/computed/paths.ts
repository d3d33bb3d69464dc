// Which target entities an aggregation of a holder entity reaches (aggregation-property.md, "Path
// Filter"): with a pathFilter, exactly that relation path — followed forwards from the holder, or,
// with `fromBlueprint` (the target), forwards from the target to the holder. Without one Port
// "considers all possible paths"; the local Port takes every chain of relations, forwards from the
// target to the holder or from the holder to the target, that uses each relation at most once (so a
// self-relation such as a group's parent is followed once) and has at most MAX_STEPS steps.
import type { StoredBlueprint } from '../../../port/types.ts';
import type { StoredEntity } from '../store.ts';

const MAX_STEPS = 6;

export interface Route {
  /** true: start at the target entity and end at the holder; false: the other way round. */
  fromTarget: boolean;
  relations: string[];
}

interface Env {
  blueprint(identifier: string): StoredBlueprint | undefined;
  entity(blueprint: string, identifier: string): StoredEntity | undefined;
}

/** Relation chains from one blueprint to another, each relation used at most once. */
function chains(env: Env, from: string, to: string): string[][] {
  const out: string[][] = [];
  const walk = (at: string, path: string[], used: Set<string>) => {
    if (path.length && at === to) out.push([...path]);
    if (path.length >= MAX_STEPS) return;
    for (const [rel, r] of Object.entries(env.blueprint(at)?.relations ?? {})) {
      const key = `${at}.${rel}`;
      if (used.has(key)) continue;
      used.add(key);
      walk(r.target, [...path, rel], used);
      used.delete(key);
    }
  };
  walk(from, [], new Set());
  return out;
}

/** The routes an aggregation follows between its holder blueprint and its target. */
export function routesOf(env: Env, holder: string, target: string, pathFilter: unknown): Route[] {
  const f = Array.isArray(pathFilter) ? (pathFilter[0] as { path?: unknown; fromBlueprint?: unknown } | undefined) : undefined;
  if (f && Array.isArray(f.path)) return [{ fromTarget: f.fromBlueprint !== undefined, relations: f.path.map(String) }];
  return [
    ...chains(env, target, holder).map((relations) => ({ fromTarget: true, relations })),
    ...chains(env, holder, target).map((relations) => ({ fromTarget: false, relations })),
  ];
}

const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** The identifiers at the end of a relation path from one entity. */
export function follow(env: Env, start: StoredEntity, relations: readonly string[]): string[] {
  let frontier: StoredEntity[] = [start];
  let reached: string[] = [];
  for (const [i, rel] of relations.entries()) {
    reached = [];
    const next: StoredEntity[] = [];
    for (const e of frontier) {
      const target = env.blueprint(e.blueprint)?.relations?.[rel]?.target;
      if (!target) continue;
      for (const id of ids(e.relations[rel])) {
        reached.push(id);
        if (i < relations.length - 1) {
          const n = env.entity(target, id);
          if (n) next.push(n);
        }
      }
    }
    frontier = next;
  }
  return [...new Set(reached)];
}
