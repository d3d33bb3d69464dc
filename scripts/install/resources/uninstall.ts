// What uninstall does with the bundle's scorecards and dashboard pages. Like the Port webhook,
// they are configuration, removed by every uninstall — unless another install of this package
// still uses the Port organisation (shared-port.ts): then they stay, for the same reason the
// webhook and blueprints stay. A page edited in Port since the install is kept too (it is the
// user's work now), and the plan says so; `--purge` removes it all the same.
import type { Bundle } from '../../bundle/load.ts';
import { renderPages, renderScorecards } from '../../bundle/render.ts';
import type { PortClient } from '../../clients/port/index.ts';
import { deletePage, deleteScorecard, getPage, listScorecards } from '../../clients/port/resources.ts';
import { explainError } from '../errors.ts';
import type { SharedUse } from '../shared-port.ts';
import { differences, holds } from './compare.ts';

export interface ResourceRemovalPlan {
  /** The bundle's scorecards that exist in Port. */
  scorecards: Array<{ blueprint: string; identifier: string }>;
  /** The bundle's pages that exist in Port; `edited`: where Port's differs from the bundle's. */
  pages: Array<{ identifier: string; edited: string[] }>;
  /** Why they are kept (another install still uses the Port side), when they are. */
  keptBecause?: string;
  purge: boolean;
}

export interface ResourceRemovalResult {
  scorecards: Array<{ blueprint: string; identifier: string; deleted: boolean; kept?: true }>;
  pages: Array<{ identifier: string; deleted: boolean; kept?: string }>;
  failures: Array<{ what: string; reason: string; fix?: string }>;
}

export async function planResourceRemoval(port: PortClient, bundle: Bundle, existingBlueprints: readonly string[], shared: SharedUse | null, purge: boolean): Promise<ResourceRemovalPlan> {
  const scorecards: ResourceRemovalPlan['scorecards'] = [];
  const byBlueprint = new Map<string, string[]>();
  for (const s of renderScorecards(bundle)) byBlueprint.set(s.blueprint, [...(byBlueprint.get(s.blueprint) ?? []), s.scorecard.identifier]);
  for (const [blueprint, ids] of byBlueprint) {
    if (!existingBlueprints.includes(blueprint)) continue;
    const have = new Set((await listScorecards(port, blueprint)).map((s) => s.identifier));
    for (const id of ids) if (have.has(id)) scorecards.push({ blueprint, identifier: id });
  }
  const pages: ResourceRemovalPlan['pages'] = [];
  for (const page of renderPages(bundle)) {
    const have = await getPage(port, page.identifier);
    if (have) pages.push({ identifier: page.identifier, edited: holds(have, page) ? [] : differences(have, page) });
  }
  return { scorecards, pages, purge, ...(shared ? { keptBecause: shared.reason } : {}) };
}

const pageKept = (p: ResourceRemovalPlan['pages'][number], plan: ResourceRemovalPlan): string | undefined =>
  plan.keptBecause ? 'another install still uses the Port side' : p.edited.length && !plan.purge ? `edited in Port (differs at ${p.edited.join(', ')}); delete it in Port, or run uninstall --purge` : undefined;

/** Plan lines, in the uninstall plan's style. */
export function formatResourceRemoval(plan: ResourceRemovalPlan): string[] {
  if (plan.keptBecause) {
    const what = [...plan.scorecards.map((s) => `scorecard ${s.blueprint}/${s.identifier}`), ...plan.pages.map((p) => `page ${p.identifier}`)];
    return what.length ? [`This will keep ${what.join(', ')}: another install still uses them.`] : [];
  }
  const lines = plan.scorecards.map((s) => `  - scorecard ${s.blueprint}/${s.identifier}`);
  for (const p of plan.pages) {
    const kept = pageKept(p, plan);
    lines.push(kept ? `  (keeps page ${p.identifier}: ${kept})` : `  - page ${p.identifier}`);
  }
  return lines;
}

export async function removeResources(port: PortClient, plan: ResourceRemovalPlan, log: (line: string) => void = () => {}): Promise<ResourceRemovalResult> {
  const result: ResourceRemovalResult = { scorecards: [], pages: [], failures: [] };
  const failed = (what: string, err: unknown) => {
    const e = explainError(err);
    result.failures.push({ what, reason: e.message, ...(e.fix ? { fix: e.fix } : {}) });
  };
  for (const s of plan.scorecards) {
    if (plan.keptBecause) {
      result.scorecards.push({ ...s, deleted: false, kept: true });
      continue;
    }
    try {
      result.scorecards.push({ ...s, deleted: await deleteScorecard(port, s.blueprint, s.identifier) });
      log(`deleted scorecard ${s.blueprint}/${s.identifier}`);
    } catch (err) {
      result.scorecards.push({ ...s, deleted: false });
      failed(`scorecard ${s.blueprint}/${s.identifier}`, err);
    }
  }
  for (const p of plan.pages) {
    const kept = pageKept(p, plan);
    if (kept) {
      result.pages.push({ identifier: p.identifier, deleted: false, kept });
      continue;
    }
    try {
      result.pages.push({ identifier: p.identifier, deleted: await deletePage(port, p.identifier) });
      log(`deleted page ${p.identifier}`);
    } catch (err) {
      result.pages.push({ identifier: p.identifier, deleted: false });
      failed(`page ${p.identifier}`, err);
    }
  }
  return result;
}
