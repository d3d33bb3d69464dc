// "Unchanged" means: Port already holds, for every field this write would send, the same value.
// We ask Port (one search per batch of identifiers) rather than keep a hash of our own: Port is
// the truth. A user's edit, a webhook's newer write, an entity deleted by hand, or a failed
// earlier run are all seen, and nothing has to be stored in the blueprints or on disk.
import type { MappedEntity } from '../mapping/types.ts';

type Json = unknown;

/** The stored entity as Port's search returns it. */
export interface PortEntityView {
  identifier?: unknown;
  title?: unknown;
  icon?: unknown;
  team?: unknown;
  properties?: Record<string, unknown>;
  relations?: Record<string, unknown>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function same(a: Json, b: Json): boolean {
  // Port omits empty values; an absent field equals null.
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'string' && typeof b === 'string') {
    // The same instant written differently (`…:00Z` vs `…:00.000Z`) is the same value.
    return ISO.test(a) && ISO.test(b) && Date.parse(a) === Date.parse(b) && !Number.isNaN(Date.parse(a));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => same(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ao = a as Record<string, Json>;
    const bo = b as Record<string, Json>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!same(ao[k], bo[k])) return false;
    return true;
  }
  return false;
}

/** True when writing `entity` (a merge upsert) would change nothing in `stored`. */
export function sameAsPort(entity: MappedEntity, stored: PortEntityView | undefined): boolean {
  if (!stored) return false;
  for (const key of ['title', 'icon', 'team'] as const) {
    // A null title/icon/team is not sent (see writer.ts), so it cannot change anything.
    if (entity[key] !== undefined && entity[key] !== null && !same(entity[key], stored[key])) return false;
  }
  for (const [k, v] of Object.entries(entity.properties ?? {})) if (!same(v, stored.properties?.[k])) return false;
  for (const [k, v] of Object.entries(entity.relations ?? {})) if (!same(v, stored.relations?.[k])) return false;
  return true;
}
