// What an incremental sync reads back from Port to reconcile (README "Sync"): only the entities
// that its stale rules (run.ts `reconcile`) could find stale, not the whole catalogue.
//   - merge requests, issues, pipelines, deployments: dated in the window (updated, created or
//     finished at or after its start: GitLab's updated_at is at or after every date Port holds,
//     so one of them in the window means the updated_after listing would have returned it), or
//     under a project whose deletion reconcile approved in this run;
//   - jobs: of a pipeline listed (or found gone) in this run, or under such a project;
//   - releases: under such a project;
//   - groups, members, projects: listed whole, reconciled whole (undefined: read everything).
// Each entry is one Port search, ANDed with the ownership query; identifier lists are cut into
// chunks so that no request body grows with a long gap between syncs.
import type { QueryRule } from '../port/types.ts';
import type { BackfillKind } from './types.ts';

/** Identifiers per `in` rule. */
export const IN_CHUNK = 500;

/** Dates a stored entity may carry that its listing's `updated_after` covers (run.ts `touched`). */
export const WINDOW_DATES = ['updatedAt', 'createdAt', 'finishedAt'] as const;

export interface CandidateContext {
  /** Start of the incremental window (ISO date-time). */
  since: string;
  /** End of the date range searched (ISO date-time, after now: GitLab's clock may run ahead). */
  until: string;
  /** The blueprint's properties (only the window dates it has are searched). */
  properties: ReadonlySet<string>;
  /** Relation from this blueprint to the project blueprint ('project' in the bundle), if any. */
  projectRelation?: string;
  /** Projects whose deletion reconcile approved in this run. */
  goneProjects: readonly string[];
  /** Jobs: relation to the pipeline blueprint, and the pipelines listed or found gone in this run. */
  pipelineRelation?: string;
  pipelines?: readonly string[];
}

function chunks<T>(xs: readonly T[], n = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function inRules(relation: string | undefined, ids: readonly string[] | undefined): QueryRule[] {
  if (!relation || !ids?.length) return [];
  return chunks(ids).map((value) => ({ relation, operator: 'in', value }));
}

/**
 * The searches that select every entity of `kind` an incremental reconcile could find stale, or
 * undefined when the kind is reconciled whole. An empty list: nothing can be stale, nothing is read.
 */
export function candidateRules(kind: BackfillKind, c: CandidateContext): Array<QueryRule | { combinator: 'or'; rules: QueryRule[] }> | undefined {
  const underGone = inRules(c.projectRelation, c.goneProjects);
  switch (kind) {
    case 'mergeRequests':
    case 'issues':
    case 'pipelines':
    case 'deployments': {
      const dated: QueryRule[] = WINDOW_DATES.filter((p) => c.properties.has(p)).map((property) => ({ property, operator: 'between', value: { from: c.since, to: c.until } }));
      const window = dated.length > 1 ? [{ combinator: 'or' as const, rules: dated }] : dated;
      return [...window, ...underGone];
    }
    case 'jobs':
      return [...inRules(c.pipelineRelation, c.pipelines), ...underGone];
    case 'releases':
      return underGone;
    default:
      return undefined;
  }
}
