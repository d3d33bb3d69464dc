// The install's scorecards-and-dashboard step, as run.ts uses it: plan (reads only), the plan's
// text, whether it writes anything, and applying it after the blueprints. Off when the install
// opts out (INSTALL_DASHBOARDS=false / --no-dashboards): nothing is read or written then.
import type { Bundle } from '../../bundle/load.ts';
import { renderPages, renderScorecards } from '../../bundle/render.ts';
import type { PortClient } from '../../clients/port/index.ts';
import type { CreationJournal } from '../journal.ts';
import { applyPages, applyScorecards, pagePlanResult, scorecardResult, type PageResult, type ScorecardResult } from './apply.ts';
import { formatPagePlan, planPages, readPages, type PagePlan } from './page-plan.ts';
import { formatScorecardPlan, planScorecards, readScorecards, type ScorecardPlan } from './scorecard-plan.ts';

export interface ResourcePlan {
  scorecards: ScorecardPlan;
  pages: PagePlan;
  /** Why nothing is planned (the opt-out), when nothing is. */
  skipped?: string;
}

export interface ResourceSummary {
  scorecards: ScorecardResult;
  pages: PageResult[];
  skipped?: string;
}

export const OPT_OUT_NOTE = 'skipped: INSTALL_DASHBOARDS=false (--no-dashboards)';

export interface ResourcePlanOptions {
  enabled: boolean;
  /** Replace a page edited in Port with the bundle's (--overwrite-dashboard). */
  overwritePages?: boolean;
  /** Blueprints that exist in Port now: only theirs can already have scorecards. */
  existingBlueprints: ReadonlySet<string>;
}

export async function planResources(port: PortClient, bundle: Bundle, o: ResourcePlanOptions): Promise<ResourcePlan> {
  if (!o.enabled) return { scorecards: { items: [] }, pages: { items: [] }, skipped: OPT_OUT_NOTE };
  const scorecards = renderScorecards(bundle);
  const existing = await readScorecards(port, scorecards.map((s) => s.blueprint).filter((b) => o.existingBlueprints.has(b)));
  const pages = renderPages(bundle);
  return { scorecards: planScorecards(scorecards, existing), pages: planPages(pages, await readPages(port, pages), { overwrite: o.overwritePages }) };
}

export function formatResourcePlan(plan: ResourcePlan): string {
  if (plan.skipped) return `Scorecards and dashboard:\n  (${plan.skipped})`;
  return ['Scorecards:', formatScorecardPlan(plan.scorecards) || '  (none)', 'Dashboard pages:', formatPagePlan(plan.pages) || '  (none)'].join('\n');
}

/** Whether applying the plan sends any write. */
export function resourcesChange(plan: ResourcePlan): boolean {
  return plan.scorecards.items.some((i) => i.action !== 'unchanged') || plan.pages.items.some((i) => i.action === 'create' || i.action === 'replace');
}

export function plannedResources(plan: ResourcePlan): ResourceSummary {
  return { scorecards: scorecardResult(plan.scorecards), pages: pagePlanResult(plan.pages), ...(plan.skipped ? { skipped: plan.skipped } : {}) };
}

/** Scorecards (a refusal fails the install, which rolls back), then pages (a refusal is a note). */
export async function applyResources(port: PortClient, plan: ResourcePlan, journal: CreationJournal, log: (line: string) => void): Promise<{ summary: ResourceSummary; notes: string[] }> {
  if (plan.skipped) return { summary: plannedResources(plan), notes: [] };
  const scorecards = await applyScorecards(port, plan.scorecards, journal, log);
  const pages = await applyPages(port, plan.pages, journal, log);
  const notes = pages.flatMap((p) => {
    if (p.action === 'failed') return [`the dashboard page "${p.identifier}" could not be created or replaced (Port's Pages API is beta): ${p.reason}. Everything else is installed; run the installer again, or set INSTALL_DASHBOARDS=false (--no-dashboards) to skip it`];
    if (p.action === 'kept') return [`the dashboard page "${p.identifier}" was edited in Port: kept as it is (${p.reason})`];
    return [];
  });
  return { summary: { scorecards, pages }, notes };
}
