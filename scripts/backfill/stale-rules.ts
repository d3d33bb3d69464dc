// Which entity of ours a run may call stale: absent from what it listed, and such that the
// listing would have returned it had it still existed in GitLab. What a listing covers differs per
// kind (a history window, whole lists, children of listed parents), so each kind has its rule.
import type { Entity } from '../port/types.ts';
import type { BackfillKind } from './types.ts';
import { inWindow, type HistoryWindow } from './window.ts';

type Obj = Record<string, unknown>;

export interface StaleContext {
  /** The identifiers listed in GitLab this run, per blueprint. */
  seen: (blueprint: string) => { has(id: string): boolean };
  /** The window the run listed; `since` is the sync's watermark in an incremental run. */
  window: HistoryWindow;
  /** An incremental sync (listed only what changed since the watermark). */
  incremental: boolean;
  /** The project list was read whole: a project not in it is gone. */
  projectsComplete: boolean;
  projectBlueprint: string;
  pipelineBlueprint: string;
  /** Deletions reconcile approved so far, per blueprint (pipelines are decided before jobs). */
  approved: ReadonlyMap<string, ReadonlySet<string>>;
}

const prop = (e: Entity, k: string) => (e.properties as Obj | undefined)?.[k];

export function staleRule(kind: BackfillKind, blueprint: string, c: StaleContext): (e: Entity) => boolean {
  const seen = c.seen(blueprint);
  const listed = (e: Entity) => seen.has(String(e.identifier));
  const parentGone = (e: Entity): boolean => {
    const project = (e.relations as Obj | undefined)?.project;
    return c.projectsComplete && typeof project === 'string' && !c.seen(c.projectBlueprint).has(project);
  };
  // GitLab's updated_at is at or after every date Port holds of the object, so one of them in the
  // window means the listing would have returned it (a Pipeline Hook carries no updated_at at all).
  const touched = (e: Entity) => inWindow(c.window, prop(e, 'updatedAt')) || inWindow(c.window, prop(e, 'createdAt')) || inWindow(c.window, prop(e, 'finishedAt'));
  const everything = c.window.since === null;
  switch (kind) {
    case 'mergeRequests':
    case 'issues':
      // Only what the listing would have returned can be known gone: open, or updated in the window.
      // Incremental: open ones were not listed, only what changed (updated_at never goes back).
      return (e) => !listed(e) && (everything || (!c.incremental && prop(e, 'state') === 'opened') || touched(e) || parentGone(e));
    case 'pipelines':
      return (e) => !listed(e) && (everything || touched(e) || parentGone(e));
    case 'jobs':
      // Every job of a listed pipeline was listed; a job of a pipeline now deleted is stale too.
      return (e) => {
        if (listed(e)) return false;
        const pipeline = (e.relations as Obj | undefined)?.pipeline;
        return parentGone(e) || (typeof pipeline === 'string' && (c.seen(c.pipelineBlueprint).has(pipeline) || c.approved.get(c.pipelineBlueprint)?.has(pipeline) === true));
      };
    case 'releases':
      // Incremental: GitLab's releases API has no updated_after; only those of a gone project.
      return c.incremental ? parentGone : (e) => !listed(e);
    case 'deployments':
      return c.incremental ? (e) => !listed(e) && (inWindow(c.window, prop(e, 'updatedAt')) || parentGone(e)) : (e) => !listed(e);
    default:
      return (e) => !listed(e);
  }
}
