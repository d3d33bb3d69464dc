// Creates or updates the planned GitLab hooks, always with the token (GitLab never returns it and
// resets it when the URL changes). Hooks this run creates are journaled for rollback. A project
// that refuses its hook for good (hook-refusal.ts) is skipped and reported; anything else stops.
import type { GitLabClient } from '../clients/gitlab/index.ts';
import { InstallStepError, explainError } from './errors.ts';
import type { CreationJournal } from './journal.ts';
import { hookSpec, type HookPlan } from './hook-plan.ts';
import { projectRefusal, type HookRefusal } from './hook-refusal.ts';

export interface HookResult {
  kind: 'group' | 'project';
  target: string;
  targetId: number;
  id: number;
  action: 'created' | 'updated' | 'unchanged';
}

export interface AppliedHooks {
  results: HookResult[];
  /** Projects that refused the hook (plan-time checks first, then writes), in plan order. */
  refused: HookRefusal[];
}

export async function applyHooks(gitlab: GitLabClient, plan: HookPlan, secret: string, webhookIdentifier: string, journal: CreationJournal, log: (line: string) => void = () => {}): Promise<AppliedHooks> {
  if (!plan.url) throw new Error('applyHooks needs the webhook URL');
  const results: HookResult[] = [];
  const refused: HookRefusal[] = [...plan.refused];
  for (const r of plan.refused) log(`skipped project ${r.target}: ${r.reason}`);
  for (const item of plan.items) {
    const { target } = item;
    const spec = hookSpec(target.kind, plan.url, secret, plan.events, webhookIdentifier);
    try {
      if (item.action === 'unchanged') {
        results.push({ kind: target.kind, target: target.path, targetId: target.id, id: item.existing!.id, action: 'unchanged' });
        continue;
      }
      if (item.action === 'create') {
        const hook = target.kind === 'group' ? await gitlab.createGroupHook(target.id, spec as never) : await gitlab.createProjectHook(target.id, spec as never);
        journal.record(`${target.kind} hook ${hook.id} on ${target.path}`, () => (target.kind === 'group' ? gitlab.deleteGroupHook(target.id, hook.id) : gitlab.deleteProjectHook(target.id, hook.id)));
        results.push({ kind: target.kind, target: target.path, targetId: target.id, id: hook.id, action: 'created' });
        log(`created ${target.kind} hook ${hook.id} on ${target.path}`);
      } else {
        const id = item.existing!.id;
        if (target.kind === 'group') await gitlab.editGroupHook(target.id, id, spec as never);
        else await gitlab.editProjectHook(target.id, id, spec as never);
        results.push({ kind: target.kind, target: target.path, targetId: target.id, id, action: 'updated' });
        log(`updated ${target.kind} hook ${id} on ${target.path} (${item.reasons.join('; ')})`);
      }
    } catch (err) {
      const refusal = projectRefusal(err, target, item.action === 'create' ? 'create' : 'update');
      if (refusal) {
        refused.push(refusal);
        log(`skipped project ${target.path}: ${refusal.reason}`);
        continue;
      }
      const e = explainError(err);
      throw new InstallStepError('hooks', `GitLab refused to ${item.action} the ${target.kind} hook on ${target.path}: ${e.message}`, e.fix, err);
    }
  }
  return { results, refused };
}
