// Mirror properties (mirror-property.md): `relation[.relation…].property` read through the
// entity's relations; a meta-property (`$title`, `$identifier`, …) names the related entity's own
// field. Through a "many" relation the value is the array of the related entities' values.
import type { StoredEntity } from '../store.ts';
import type { AggregateEnv } from './aggregate.ts';

function field(e: StoredEntity, name: string): unknown {
  switch (name) {
    case '$identifier': return e.identifier;
    case '$title': return e.title;
    case '$icon': return e.icon;
    case '$team': return e.team;
    case '$blueprint': return e.blueprint;
    case '$createdAt': return e.createdAt;
    case '$updatedAt': return e.updatedAt;
    case '$createdBy': return e.createdBy;
    case '$updatedBy': return e.updatedBy;
    default: return e.properties[name] ?? null;
  }
}

export function mirrorValue(env: AggregateEnv, e: StoredEntity, path: string): unknown {
  const steps = path.split('.');
  const name = steps.pop()!;
  let frontier = [e];
  let many = false;
  for (const rel of steps) {
    const next: StoredEntity[] = [];
    for (const n of frontier) {
      const r = env.blueprint(n.blueprint)?.relations?.[rel];
      if (!r) continue;
      many ||= r.many;
      const v = n.relations[rel];
      for (const id of Array.isArray(v) ? v : typeof v === 'string' ? [v] : []) {
        const t = env.entity(r.target, id);
        if (t) next.push(t);
      }
    }
    frontier = next;
  }
  const values = frontier.map((t) => field(t, name));
  return many ? values.filter((v) => v !== null && v !== undefined) : (values[0] ?? null);
}
