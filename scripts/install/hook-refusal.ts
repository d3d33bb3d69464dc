// When GitLab refuses a hook request on ONE project (project-hook mode), the install skips that
// project and carries on, instead of undoing the whole run: a Free-tier group has projects where
// the token's user is only Developer, or that were deleted since they were listed. Only answers
// that are final for that project count; anything about the token itself (401, a missing scope)
// or passing (429/5xx, already retried by the client) still aborts the run.
import { GitLabApiError } from '../clients/gitlab/errors.ts';
import type { HookTarget } from './hook-target.ts';

export interface HookRefusal {
  kind: 'project';
  target: string;
  targetId: number;
  action: 'refused';
  /** What was being done: reading its hooks (plan, dry run), or creating/updating ours. */
  during: 'check' | 'create' | 'update';
  /** GitLab's HTTP status. */
  status: 403 | 404 | 422;
  reason: string;
  fix: string;
}

const PER_PROJECT = new Set([403, 404, 422]);

/** The refusal `err` is for this project, or undefined when the run must stop (token, network, server). */
export function projectRefusal(err: unknown, target: HookTarget, during: HookRefusal['during']): HookRefusal | undefined {
  if (target.kind !== 'project' || !(err instanceof GitLabApiError) || !PER_PROJECT.has(err.status)) return undefined;
  // A token without the api scope is refused everywhere: that is preflight's business, not a skip.
  if (err.status === 403 && /insufficient_scope|higher privileges/i.test(err.gitlabMessage)) return undefined;
  const path = target.path;
  const base = { kind: 'project' as const, target: path, targetId: target.id, action: 'refused' as const, during };
  const doing = during === 'check' ? 'read the hooks of' : `${during} the hook on`;
  if (err.status === 403) {
    return {
      ...base, status: 403,
      reason: `GitLab answered 403 to ${doing} "${path}": hooks need the Maintainer role on the project, and the token's user has less there`,
      fix: `needs the Maintainer role on ${path} — ask an owner of ${path} to give the token's user Maintainer (or use a token of a user who is Maintainer there), then run the installer again`,
    };
  }
  if (err.status === 404) {
    return {
      ...base, status: 404,
      reason: `GitLab answered 404 to ${doing} "${path}": the project was deleted or moved since it was listed, or the token's user can no longer see it`,
      fix: `nothing to do if ${path} was deleted; otherwise check that the token's user is a member of it, then run the installer again`,
    };
  }
  return {
    ...base, status: 422,
    reason: `GitLab answered 422 to ${doing} "${path}": ${validationText(err.gitlabMessage)}`,
    fix: `GitLab refused the hook on ${path} (a project holds at most 100 hooks); remove an unused hook there or fix what the message names, then run the installer again`,
  };
}

/** GitLab's 422 body `{"message": {"base": ["…"]}}` arrives as JSON text; people read "…". */
function validationText(message: string): string {
  try {
    const m = JSON.parse(message) as unknown;
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      return Object.entries(m).map(([field, v]) => `${field === 'base' ? '' : `${field}: `}${([] as unknown[]).concat(v).join('; ')}`).join('; ');
    }
  } catch {
    /* plain text already */
  }
  return message;
}

/** Two lines per refusal for people: the project and why, then the fix. In a plan nothing is final yet. */
export function formatRefusals(refusals: readonly HookRefusal[], phase: 'plan' | 'result'): string[] {
  return refusals.flatMap((r) => [
    `  ${phase === 'plan' ? '? could not check' : '✗ no hook on'} project ${r.target}: ${r.reason}`,
    `      fix: ${r.fix}`,
  ]);
}
