// An aggregation property lives on the holder (a project counts its merge requests) but names the
// counted blueprint as its target: the reverse of a relation. Deleting blueprints children first
// (what relations need) would then delete a target while its holder still aggregates it; whether
// Port allows that is undocumented, and the local Port refuses it. So before deleting blueprints,
// uninstall and a fresh install's rollback first take their calculation, mirror and aggregation
// properties away (one PATCH per blueprint that has any; Port's PATCH replaces a top-level key).
import type { PortClient } from '../clients/port/index.ts';
import type { Blueprint } from '../port/types.ts';

/** The blueprint keys that hold properties computed from other blueprints, installed in stage 3. */
export const DERIVED_KEYS = ['calculationProperties', 'mirrorProperties', 'aggregationProperties'] as const;

/** Whether a blueprint (as Port returns it) has any calculation, mirror or aggregation property. */
export function hasDerived(bp: Partial<Blueprint> | null | undefined): boolean {
  if (!bp) return false;
  return DERIVED_KEYS.some((k) => {
    const v = (bp as Record<string, unknown>)[k];
    return typeof v === 'object' && v !== null && Object.keys(v).length > 0;
  });
}

/** Removes every calculation, mirror and aggregation property of a blueprint; false when it had none (no request). */
export async function detachDerived(port: PortClient, identifier: string, current?: Partial<Blueprint> | null): Promise<boolean> {
  const bp = current === undefined ? await port.getBlueprint(identifier) : current;
  if (!hasDerived(bp)) return false;
  await port.patchBlueprint(identifier, Object.fromEntries(DERIVED_KEYS.map((k) => [k, {}])) as Partial<Blueprint>);
  return true;
}
