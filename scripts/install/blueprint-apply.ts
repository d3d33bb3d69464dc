// Applies a blueprint plan in Ocean's order: every stage for every blueprint before the next
// stage (a relation's target, and a mirror's relation, must exist first). Each blueprint this run
// creates is recorded in the journal, so a failure can remove exactly those. A blueprint another
// run created between our read and our create (409) is updated instead: two installs at once
// converge on the same blueprints rather than one of them failing.
import type { PortClient } from '../clients/port/index.ts';
import { PortApiError } from '../clients/port/errors.ts';
import type { Blueprint } from '../port/types.ts';
import { planBlueprints, type BlueprintPlan } from './blueprint-plan.ts';
import { InstallStepError, explainError } from './errors.ts';
import { CreationJournal } from './journal.ts';
import { detachDerived } from './detach-derived.ts';

export interface BlueprintApplyResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

export interface BlueprintApplyOptions {
  /** Whether Port also creates a catalog page per new blueprint (Port's default is true; ours false: a re-install would add pages nobody asked for). */
  createCatalogPage?: boolean;
  log?: (line: string) => void;
}

export async function applyBlueprints(port: PortClient, plan: BlueprintPlan, journal: CreationJournal, options: BlueprintApplyOptions = {}): Promise<BlueprintApplyResult> {
  const log = options.log ?? (() => {});
  const current = (id: string, stage: string) => `${stage} of blueprint "${id}"`;
  const converged = new Set<string>();
  let doing = '';
  try {
    for (const item of plan.items) {
      if (item.action === 'unchanged') continue;
      doing = current(item.identifier, item.action === 'create' ? 'creating' : 'updating');
      if (item.action === 'create') {
        try {
          await port.createBlueprint(item.stages.base as Blueprint, { createCatalogPage: options.createCatalogPage ?? false });
          journal.record(`blueprint ${item.identifier}`, () => port.deleteBlueprint(item.identifier));
          log(`created blueprint ${item.identifier}`);
        } catch (err) {
          if (!createdMeanwhile(err)) throw err;
          doing = current(item.identifier, 'updating (another run created it meanwhile)');
          await port.patchBlueprint(item.identifier, item.stages.base as Partial<Blueprint>);
          converged.add(item.identifier);
          log(`blueprint ${item.identifier} was created meanwhile (another install running?): updated it to this bundle instead`);
        }
      } else if (item.stages.base) {
        await port.patchBlueprint(item.identifier, item.stages.base);
      }
    }
    for (const item of plan.items) {
      if (!item.stages.relations || item.action === 'unchanged') continue;
      doing = current(item.identifier, 'adding the relations');
      await port.patchBlueprint(item.identifier, item.stages.relations);
    }
    for (const item of plan.items) {
      if (!item.stages.derived || item.action === 'unchanged') continue;
      doing = current(item.identifier, 'adding the calculation, mirror and aggregation properties');
      await port.patchBlueprint(item.identifier, item.stages.derived);
      // Undone before any blueprint is deleted (the journal runs backwards): an aggregation's target may be deleted first.
      if (item.action === 'create' && !converged.has(item.identifier)) journal.record(`metrics of blueprint ${item.identifier}`, () => detachDerived(port, item.identifier));
    }
  } catch (err) {
    const e = explainError(err);
    let detail = e.message;
    if (err instanceof PortApiError && err.code === 'forbidden_format_change') {
      detail += ' (Port forbids changing the type or format of an existing property)';
    }
    throw new InstallStepError('blueprints', `Port refused ${doing}: ${detail}`, e.fix, err);
  }
  for (const item of plan.items) {
    if (item.action === 'update') log(`updated blueprint ${item.identifier}: ${item.changes.map((c) => c.path).join(', ')}`);
  }
  const result = blueprintResult(plan);
  result.created = result.created.filter((id) => !converged.has(id));
  result.updated.push(...converged);
  return result;
}

/** Port's answer to creating what exists: another run created it since our plan read Port. */
export function createdMeanwhile(err: unknown): boolean {
  return err instanceof PortApiError && err.status === 409;
}

/** The plan's identifiers by action: what applying it does (and what a dry run reports). */
export function blueprintResult(plan: BlueprintPlan): BlueprintApplyResult {
  const result: BlueprintApplyResult = { created: [], updated: [], unchanged: [] };
  for (const item of plan.items) result[item.action === 'create' ? 'created' : item.action === 'update' ? 'updated' : 'unchanged'].push(item.identifier);
  return result;
}

/**
 * Creates blueprints Port does not have yet, in the install's stages (aggregation, calculation and
 * mirror properties last: they name other blueprints). For seeding a Port: tests, benches.
 */
export async function createBlueprintsInOrder(port: PortClient, blueprints: readonly Blueprint[], options: BlueprintApplyOptions = {}): Promise<void> {
  await applyBlueprints(port, planBlueprints(blueprints, []), new CreationJournal(), options);
}
