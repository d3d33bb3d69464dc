// Applies the scorecard and page plans. Each scorecard or page this run creates is recorded in
// the journal, so a fresh install that fails later removes it with the blueprints. A scorecard
// another run created between our read and our create (409) is replaced instead: two installs at
// once converge. Pages are optional (Port's Pages API is beta): a page Port refuses is reported
// with the reason and the install goes on.
import type { PortClient } from '../../clients/port/index.ts';
import { PortApiError } from '../../clients/port/errors.ts';
import { createPage, createScorecard, deletePage, deleteScorecard, getPage, putPage, putScorecard } from '../../clients/port/resources.ts';
import { InstallStepError, explainError } from '../errors.ts';
import type { CreationJournal } from '../journal.ts';
import { differences, holds } from './compare.ts';
import type { PagePlan } from './page-plan.ts';
import type { ScorecardPlan } from './scorecard-plan.ts';

export interface ScorecardResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

export interface PageResult {
  identifier: string;
  action: 'created' | 'replaced' | 'unchanged' | 'kept' | 'failed' | 'create' | 'replace' | 'keep';
  reason?: string;
}

const name = (i: { blueprint: string; identifier: string }) => `${i.blueprint}/${i.identifier}`;

/** The plan's scorecards by action (what applying it does, and what a dry run reports). */
export function scorecardResult(plan: ScorecardPlan): ScorecardResult {
  const r: ScorecardResult = { created: [], updated: [], unchanged: [] };
  for (const i of plan.items) r[i.action === 'create' ? 'created' : i.action === 'update' ? 'updated' : 'unchanged'].push(name(i));
  return r;
}

export async function applyScorecards(port: PortClient, plan: ScorecardPlan, journal: CreationJournal, log: (line: string) => void = () => {}): Promise<ScorecardResult> {
  const result = scorecardResult(plan);
  for (const item of plan.items) {
    if (item.action === 'unchanged') continue;
    try {
      if (item.action === 'create') {
        try {
          await createScorecard(port, item.blueprint, item.body);
          journal.record(`scorecard ${name(item)}`, () => deleteScorecard(port, item.blueprint, item.identifier));
          log(`created scorecard ${name(item)}`);
        } catch (err) {
          if (!(err instanceof PortApiError && err.status === 409)) throw err;
          await putScorecard(port, item.blueprint, item.body);
          result.created = result.created.filter((n) => n !== name(item));
          result.updated.push(name(item));
          log(`scorecard ${name(item)} was created meanwhile (another install running?): replaced it with this bundle's`);
        }
      } else {
        await putScorecard(port, item.blueprint, item.body);
        log(`updated scorecard ${name(item)}`);
      }
    } catch (err) {
      const e = explainError(err);
      throw new InstallStepError('scorecards', `Port refused ${item.action === 'create' ? 'creating' : 'updating'} scorecard ${name(item)}: ${e.message}`, e.fix ?? 'run `port-gitlab validate`; to install without scorecards and dashboard, set INSTALL_DASHBOARDS=false (--no-dashboards)', err);
    }
  }
  return result;
}

/** What the plan would do, per page, for a dry run. */
export function pagePlanResult(plan: PagePlan): PageResult[] {
  return plan.items.map((i) => ({ identifier: i.identifier, action: i.action, ...(i.differences.length ? { reason: `differs at ${i.differences.join(', ')}` } : {}) }));
}

export async function applyPages(port: PortClient, plan: PagePlan, journal: CreationJournal, log: (line: string) => void = () => {}): Promise<PageResult[]> {
  const out: PageResult[] = [];
  for (const item of plan.items) {
    try {
      if (item.action === 'create') {
        try {
          await createPage(port, item.body);
        } catch (err) {
          // Created meanwhile (another install running?): theirs is ours if it holds the bundle's page.
          const now = err instanceof PortApiError && err.status === 409 ? await getPage(port, item.identifier) : null;
          if (!now) throw err;
          out.push(holds(now, item.body) ? { identifier: item.identifier, action: 'unchanged' } : { identifier: item.identifier, action: 'kept', reason: `created meanwhile with other content (differs at ${differences(now, item.body).join(', ')}); --overwrite-dashboard replaces it` });
          continue;
        }
        journal.record(`page ${item.identifier}`, () => deletePage(port, item.identifier));
        out.push({ identifier: item.identifier, action: 'created' });
        log(`created page ${item.identifier}`);
      } else if (item.action === 'replace') {
        await putPage(port, item.body);
        out.push({ identifier: item.identifier, action: 'replaced' });
        log(`replaced page ${item.identifier} with this bundle's (--overwrite-dashboard)`);
      } else {
        out.push({ identifier: item.identifier, action: item.action === 'keep' ? 'kept' : 'unchanged', ...(item.action === 'keep' ? { reason: `edited in Port (differs at ${item.differences.join(', ')}); --overwrite-dashboard replaces it` } : {}) });
      }
    } catch (err) {
      if (err instanceof PortApiError && err.status === 401) throw err; // credentials: not a page problem
      out.push({ identifier: item.identifier, action: 'failed', reason: explainError(err).message });
      log(`could not ${item.action} page ${item.identifier}: ${explainError(err).message}`);
    }
  }
  return out;
}
