// Creates or updates the planned GitLab hooks, always with the token (GitLab never returns it and
// resets it when the URL changes). Hooks this run creates are journaled for rollback. A project
// that refuses its hook for good (hook-refusal.ts) is skipped and reported; anything else stops.
// One hook per target: duplicates the plan saw are deleted, and right after creating a hook the
// target is read again, so that two installs running at once end with one hook (hooks-repair.ts).
import type { GitLabClient } from '../clients/gitlab/index.ts';
import { InstallStepError, explainError } from './errors.ts';
import type { CreationJournal } from './journal.ts';
import { hookSpec, type HookPlan } from './hook-plan.ts';
import { projectRefusal, type HookRefusal } from './hook-refusal.ts';
import { removeDuplicateHooks, type DedupeResult } from './hooks-repair.ts';
import type { HookTarget } from './hook-target.ts';

export interface HookResult {
  kind: 'group' | 'project';
  target: string;
  targetId: number;
  id: number;
  action: 'created' | 'updated' | 'unchanged';
  /** Other hooks at the same URL on this target that this run deleted (GitLab would deliver every event through each). */
  removedDuplicates?: number[];
}

export interface AppliedHooks {
  results: HookResult[];
  /** Projects that refused the hook (plan-time checks first, then writes), in plan order. */
  refused: HookRefusal[];
  /** Duplicates GitLab would not let this run delete: each still delivers every event again. */
  dedupeFailures: string[];
}

export async function applyHooks(gitlab: GitLabClient, plan: HookPlan, secret: string, webhookIdentifier: string, journal: CreationJournal, log: (line: string) => void = () => {}): Promise<AppliedHooks> {
  if (!plan.url) throw new Error('applyHooks needs the webhook URL');
  const results: HookResult[] = [];
  const refused: HookRefusal[] = [...plan.refused];
  const dedupeFailures: string[] = [];
  const noteDedupe = (r: HookResult, d: DedupeResult) => {
    if (d.removed.length) {
      r.removedDuplicates = d.removed;
      log(`deleted duplicate ${d.target.kind} hook(s) ${d.removed.join(', ')} on ${d.target.path} (same URL as hook ${r.id})`);
    }
    for (const f of d.failed) dedupeFailures.push(`duplicate ${d.target.kind} hook ${f.id} on ${d.target.path} could not be deleted (${f.reason}): GitLab delivers every event through it too; delete it in GitLab (Settings → Webhooks) or run the installer again`);
  };
  const edit = (target: HookTarget, id: number, spec: ReturnType<typeof hookSpec>) => (target.kind === 'group' ? gitlab.editGroupHook(target.id, id, spec as never) : gitlab.editProjectHook(target.id, id, spec as never));
  for (const r of plan.refused) log(`skipped project ${r.target}: ${r.reason}`);
  for (const item of plan.items) {
    const { target } = item;
    const spec = hookSpec(target.kind, plan.url, secret, plan.events, webhookIdentifier);
    try {
      let result: HookResult;
      if (item.action === 'unchanged') {
        result = { kind: target.kind, target: target.path, targetId: target.id, id: item.existing!.id, action: 'unchanged' };
      } else if (item.action === 'create') {
        const hook = target.kind === 'group' ? await gitlab.createGroupHook(target.id, spec as never) : await gitlab.createProjectHook(target.id, spec as never);
        journal.record(`${target.kind} hook ${hook.id} on ${target.path}`, () => (target.kind === 'group' ? gitlab.deleteGroupHook(target.id, hook.id) : gitlab.deleteProjectHook(target.id, hook.id)));
        log(`created ${target.kind} hook ${hook.id} on ${target.path}`);
        // Another run may have created one at the same moment: read again, keep the lowest id.
        const d = await removeDuplicateHooks(gitlab, target, plan.url);
        if (d.kept !== undefined && d.kept !== hook.id) {
          // Another run's hook came first: it stays (with this run's token and flags), ours went.
          await edit(target, d.kept, spec);
          result = { kind: target.kind, target: target.path, targetId: target.id, id: d.kept, action: 'updated' };
          log(`another run created ${target.kind} hook ${d.kept} on ${target.path} meanwhile: kept it (the lowest id) and deleted hook ${hook.id}`);
        } else {
          result = { kind: target.kind, target: target.path, targetId: target.id, id: hook.id, action: 'created' };
        }
        noteDedupe(result, { ...d, removed: d.removed.filter((id) => id !== hook.id) });
      } else {
        const id = item.existing!.id;
        await edit(target, id, spec);
        result = { kind: target.kind, target: target.path, targetId: target.id, id, action: 'updated' };
        log(`updated ${target.kind} hook ${id} on ${target.path} (${item.reasons.join('; ')})`);
      }
      if (item.duplicates.length) noteDedupe(result, await removeDuplicateHooks(gitlab, target, plan.url, [item.existing!, ...item.duplicates]));
      results.push(result);
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
  return { results, refused, dedupeFailures };
}
