// Uninstall: the GitLab hooks this integration created (found by the webhook's URL or our hook
// name, on each listed group, or on its projects where group hooks are unavailable), then the
// Port webhook; with purge, also the entities and blueprints, children before parents.
import type { Bundle } from '../bundle/load.ts';
import type { PortClient } from '../clients/port/index.ts';
import { PortApiError } from '../clients/port/errors.ts';
import type { GitLabClient, GitLabHook } from '../clients/gitlab/index.ts';
import { GitLabApiError } from '../clients/gitlab/errors.ts';
import { systemClock, type Clock } from '../clients/shared/clock.ts';
import type { StoredWebhook } from '../port/types.ts';
import { InstallStepError, explainError } from './errors.ts';
import { findOurHook } from './hook-plan.ts';
import { groupKey, type InstallInputs } from './inputs.ts';
import { installIdOf } from './install-id.ts';

export interface OurHook {
  kind: 'group' | 'project';
  targetId: number;
  target: string;
  id: number;
  url: string;
}

export interface UninstallPlan {
  /** The install being removed (install-id.ts): the `$datasource` suffix of the entities its backfill wrote. */
  installId: string;
  hooks: OurHook[];
  webhook: StoredWebhook | null;
  /** With purge: our blueprints that exist, children first, with their entity counts. */
  blueprints: Array<{ identifier: string; entities: number }>;
}

export interface UninstallResult {
  ok: boolean;
  installId: string;
  hooks: Array<OurHook & { deleted: boolean }>;
  webhook: { identifier: string; deleted: boolean } | null;
  blueprints: Array<{ identifier: string; entitiesDeleted: number; deleted: boolean }>;
  failures: Array<{ what: string; reason: string; fix?: string }>;
}

async function ourHooksOf(gitlab: GitLabClient, group: { id: number; full_path: string }, url: string | undefined): Promise<OurHook[]> {
  try {
    const hook = findOurHook(await gitlab.listGroupHooks(group.id), url);
    return hook ? [{ kind: 'group', targetId: group.id, target: group.full_path, id: hook.id, url: hook.url }] : [];
  } catch (err) {
    if (!(err instanceof GitLabApiError && err.status === 404)) throw err;
  }
  // No group hooks on this tier: look at every project (archived ones may still carry a hook).
  const out: OurHook[] = [];
  for await (const page of gitlab.groupProjects(group.id, { simple: true })) {
    for (const p of page as unknown as Array<{ id: number; path_with_namespace: string }>) {
      let hooks: GitLabHook[];
      try {
        hooks = await gitlab.listProjectHooks(p.id);
      } catch (err) {
        if (err instanceof GitLabApiError && (err.status === 403 || err.status === 404)) continue; // not Maintainer there: none of ours can be there
        throw err;
      }
      const hook = findOurHook(hooks, url);
      if (hook) out.push({ kind: 'project', targetId: p.id, target: p.path_with_namespace, id: hook.id, url: hook.url });
    }
  }
  return out;
}

export async function planUninstall(port: PortClient, gitlab: GitLabClient, bundle: Bundle, inputs: InstallInputs, purge: boolean): Promise<UninstallPlan> {
  const webhook = await port.getWebhook(bundle.webhook.content.identifier);
  const hooks: OurHook[] = [];
  const groupIds: number[] = [];
  for (const ref of inputs.gitlabGroups) {
    const g = (await gitlab.group(groupKey(ref))) as { id: number; full_path: string } | null;
    if (!g) throw new InstallStepError('uninstall', `GitLab group ${ref.raw} was not found, or the token cannot see it`, 'check GITLAB_GROUPS (the groups you installed on)');
    groupIds.push(g.id);
    for (const h of await ourHooksOf(gitlab, g, webhook?.url)) if (!hooks.some((x) => x.kind === h.kind && x.id === h.id)) hooks.push(h);
  }
  const blueprints: UninstallPlan['blueprints'] = [];
  if (purge) {
    for (const b of [...bundle.blueprints].reverse()) {
      const id = b.content.identifier;
      if (await port.getBlueprint(id)) blueprints.push({ identifier: id, entities: await port.countEntities(id) });
    }
  }
  return { installId: installIdOf(inputs.gitlabUrl, groupIds), hooks, webhook, blueprints };
}

export function formatUninstallPlan(plan: UninstallPlan, webhookIdentifier: string): string {
  const lines = [`This will delete (install ${plan.installId}):`];
  for (const h of plan.hooks) lines.push(`  - GitLab ${h.kind} hook ${h.id} on ${h.target} (${h.url})`);
  if (!plan.hooks.length) lines.push('  - no GitLab hook of this integration was found');
  lines.push(plan.webhook ? `  - the Port webhook ${webhookIdentifier} (${plan.webhook.url})` : `  - no Port webhook ${webhookIdentifier} exists`);
  for (const b of plan.blueprints) lines.push(`  - blueprint ${b.identifier} and its ${b.entities} entities`);
  return lines.join('\n');
}

/** Port deletes entities asynchronously ("may take a few seconds"): a bounded wait before the blueprint goes. */
async function deleteBlueprintWhenEmpty(port: PortClient, id: string, clock: Clock): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await port.deleteBlueprint(id);
      return;
    } catch (err) {
      const stillHasEntities = err instanceof PortApiError && err.status === 422 && /entit/i.test(err.portMessage) && !/relation/i.test(err.portMessage);
      if (!stillHasEntities || attempt >= 10) throw err;
      await clock.sleep(Math.min(500 * attempt, 3000));
    }
  }
}

export async function runUninstall(port: PortClient, gitlab: GitLabClient, bundle: Bundle, plan: UninstallPlan, o: { log?: (line: string) => void; clock?: Clock } = {}): Promise<UninstallResult> {
  const log = o.log ?? (() => {});
  const result: UninstallResult = { ok: false, installId: plan.installId, hooks: [], webhook: null, blueprints: [], failures: [] };
  const failed = (what: string, err: unknown) => {
    const e = explainError(err);
    result.failures.push({ what, reason: e.message, ...(e.fix ? { fix: e.fix } : {}) });
  };
  // Hooks first: once they are gone nothing is delivered to a webhook that is about to go.
  for (const h of plan.hooks) {
    try {
      const deleted = h.kind === 'group' ? await gitlab.deleteGroupHook(h.targetId, h.id) : await gitlab.deleteProjectHook(h.targetId, h.id);
      result.hooks.push({ ...h, deleted });
      log(`deleted GitLab ${h.kind} hook ${h.id} on ${h.target}`);
    } catch (err) {
      result.hooks.push({ ...h, deleted: false });
      failed(`GitLab ${h.kind} hook ${h.id} on ${h.target}`, err);
    }
  }
  const identifier = bundle.webhook.content.identifier;
  if (plan.webhook) {
    try {
      result.webhook = { identifier, deleted: await port.deleteWebhook(identifier) };
      log(`deleted the Port webhook ${identifier}`);
    } catch (err) {
      result.webhook = { identifier, deleted: false };
      failed(`Port webhook ${identifier}`, err);
    }
  }
  for (const b of plan.blueprints) {
    const entry = { identifier: b.identifier, entitiesDeleted: 0, deleted: false };
    result.blueprints.push(entry);
    try {
      const count = await port.countEntities(b.identifier);
      if (count > 0) await port.deleteAllEntities(b.identifier);
      entry.entitiesDeleted = count;
      await deleteBlueprintWhenEmpty(port, b.identifier, o.clock ?? systemClock);
      entry.deleted = true;
      log(`deleted blueprint ${b.identifier} (${count} entities)`);
    } catch (err) {
      failed(`blueprint ${b.identifier}`, err);
      const e = result.failures.at(-1)!;
      if (err instanceof PortApiError && /relation/i.test(err.portMessage)) e.fix = 'another blueprint (not ours) has a relation to it; remove that relation in Port, then run uninstall --purge again';
    }
  }
  result.ok = result.failures.length === 0;
  return result;
}
