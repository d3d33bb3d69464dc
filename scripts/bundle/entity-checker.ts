// Adapts Port's entity rules to the mapping engine: each upsert is checked against the bundle's
// blueprint as a partial (merge) write, which is how webhook and backfill upserts land.
import type { EntityChecker } from '../mapping/interpret.ts';
import { checkEntity } from '../port/entity-check.ts';
import type { Bundle } from './load.ts';

export function bundleEntityChecker(bundle: Bundle): EntityChecker {
  const blueprints = new Map(bundle.blueprints.map((b) => [b.content.identifier, b.content]));
  return (blueprint, entity) => {
    const bp = blueprints.get(blueprint);
    if (!bp) return [{ path: '', message: `blueprint "${blueprint}" is not in the bundle` }];
    return checkEntity(entity, bp, { partial: true });
  };
}
