// Uninstall: the GitLab hooks this integration created (found by the webhook's URL or our hook
// name, on each listed group, or on its projects where group hooks are unavailable), then the
// Port webhook; with purge, also the entities and blueprints, children before parents.
// When another install of this package shares the Port organisation (shared-port.ts), the Port
// webhook and blueprints stay, and purge deletes only this install's entities.
import type { Bundle } from '../bundle/load.ts';
import type { PortClient } from '../clients/port/index.ts';
import { PortApiError } from '../clients/port/errors.ts';
import type { GitLabClient, GitLabHook } from '../clients/gitlab/index.ts';
import { GitLabApiError } from '../clients/gitlab/errors.ts';
import { systemClock, type Clock } from '../clients/shared/clock.ts';
import type { StoredWebhook } from '../port/types.ts';
import { InstallStepError, explainError } from './errors.ts';
import { splitOurHooks } from './hooks-repair.ts';
import { groupKey, type InstallInputs } from './inputs.ts';
import { installIdOf } from './install-id.ts';
import { purgeOwnEntities, ownEntityIds } from './purge-own.ts';
import { ownedScope, type OwnedScope } from '../backfill/ownership.ts';
import { findSharedUse, type SharedUse } from './shared-port.ts';
import { formatResourceRemoval, planResourceRemoval, removeResources, type ResourceRemovalPlan, type ResourceRemovalResult } from './resources/uninstall.ts';

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
  /**
   * With purge: our blueprints that exist, children first, with the entities to delete (all of
   * them; only this install's when `shared`).
   */
  blueprints: Array<{ identifier: string; entities: number }>;
  /** Entities of other installs (or of unknown owner) in our blueprints: the webhook and blueprints are kept. Null when none. */
  shared: SharedUse | null;
  /** What belongs to this install (backfill/ownership.ts): what a shared purge deletes. */
  owned: OwnedScope;
  /** The bundle's scorecards and pages in Port, and whether they stay (resources/uninstall.ts). */
  resources?: ResourceRemovalPlan;
}

export interface UninstallResult {
  ok: boolean;
  installId: string;
  hooks: Array<OurHook & { deleted: boolean }>;
  /** `kept`: left in place because another install still uses it (see `shared`). */
  webhook: { identifier: string; deleted: boolean; kept?: true } | null;
  /** `kept`: the blueprint stays (shared); `entitiesDeleted` counts only this install's entities then. */
  blueprints: Array<{ identifier: string; entitiesDeleted: number; deleted: boolean; kept?: true }>;
  /** As in the plan: why the webhook and blueprints were kept, per blueprint counts. Null when nothing was shared. */
  shared: SharedUse | null;
  failures: Array<{ what: string; reason: string; fix?: string }>;
  scorecards?: ResourceRemovalResult['scorecards'];
  pages?: ResourceRemovalResult['pages'];
}

async function ourHooksOf(gitlab: GitLabClient, group: { id: number; full_path: string }, url: string | undefined): Promise<OurHook[]> {
  try {
    // Duplicates too (two installs at once): each would go on delivering to a deleted webhook.
    const { hook, duplicates } = splitOurHooks(await gitlab.listGroupHooks(group.id), url);
    return (hook ? [hook, ...duplicates] : []).map((h) => ({ kind: 'group' as const, targetId: group.id, target: group.full_path, id: h.id, url: h.url }));
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
      const { hook, duplicates } = splitOurHooks(hooks, url);
      for (const h of hook ? [hook, ...duplicates] : []) out.push({ kind: 'project', targetId: p.id, target: p.path_with_namespace, id: h.id, url: h.url });
    }
  }
  return out;
}

export async function planUninstall(port: PortClient, gitlab: GitLabClient, bundle: Bundle, inputs: InstallInputs, purge: boolean): Promise<UninstallPlan> {
  const webhook = await port.getWebhook(bundle.webhook.content.identifier);
  const hooks: OurHook[] = [];
  const groupIds: number[] = [];
  const tops: Array<{ id: number; full_path: string; web_url?: string }> = [];
  for (const ref of inputs.gitlabGroups) {
    const g = (await gitlab.group(groupKey(ref))) as { id: number; full_path: string; web_url?: string } | null;
    if (!g) throw new InstallStepError('uninstall', `GitLab group ${ref.raw} was not found, or the token cannot see it`, 'check GITLAB_GROUPS (the groups you installed on)');
    groupIds.push(g.id);
    tops.push(g);
    for (const h of await ourHooksOf(gitlab, g, webhook?.url)) if (!hooks.some((x) => x.kind === h.kind && x.id === h.id)) hooks.push(h);
  }
  const installId = installIdOf(inputs.gitlabUrl, groupIds);
  const owned = ownedScope(inputs.gitlabUrl, tops);
  const model = bundle.blueprints.map((b) => b.content);
  const existing: string[] = [];
  for (const b of [...bundle.blueprints].reverse()) if (await port.getBlueprint(b.content.identifier)) existing.push(b.content.identifier);
  // Asked with or without purge: the webhook is shared too.
  const shared = await findSharedUse(port, [...existing].reverse(), installId); // parents first reads best
  const blueprints: UninstallPlan['blueprints'] = [];
  if (purge) {
    for (const id of existing) blueprints.push({ identifier: id, entities: shared ? (await ownEntityIds(port, model, id, owned)).length : await port.countEntities(id) });
  }
  const resources = await planResourceRemoval(port, bundle, existing, shared, purge);
  return { installId, hooks, webhook, blueprints, shared, owned, resources };
}

export function formatUninstallPlan(plan: UninstallPlan, webhookIdentifier: string): string {
  const lines = [`This will delete (install ${plan.installId}):`];
  for (const h of plan.hooks) lines.push(`  - GitLab ${h.kind} hook ${h.id} on ${h.target} (${h.url})`);
  if (!plan.hooks.length) lines.push('  - no GitLab hook of this integration was found');
  if (plan.resources) lines.push(...formatResourceRemoval(plan.resources));
  if (!plan.shared) {
    lines.push(plan.webhook ? `  - the Port webhook ${webhookIdentifier} (${plan.webhook.url})` : `  - no Port webhook ${webhookIdentifier} exists`);
    for (const b of plan.blueprints) lines.push(`  - blueprint ${b.identifier} and its ${b.entities} entities`);
    return lines.join('\n');
  }
  for (const b of plan.blueprints) if (b.entities) lines.push(`  - ${b.entities} ${b.identifier} entities of this install`);
  if (plan.blueprints.length && !plan.blueprints.some((b) => b.entities)) lines.push('  - no entity of this install was found');
  lines.push(`This will keep the Port webhook ${webhookIdentifier}${plan.webhook ? '' : ' (none exists now)'} and the blueprints. Why: ${plan.shared.reason}.`);
  // Whoever wrote them last: live events (the webhook) included.
  if (plan.blueprints.length) lines.push(`  (this install's entities are those under its GitLab groups' URLs, or related to its groups, whoever wrote them last)`);
  if (plan.shared.unknownOwner) lines.push('  (if you know the entities of unknown owner are this install\'s, delete them in Port, then run uninstall --purge again to remove the webhook and blueprints)');
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
  const result: UninstallResult = { ok: false, installId: plan.installId, hooks: [], webhook: null, blueprints: [], shared: plan.shared, failures: [] };
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
  if (plan.resources) {
    const r = await removeResources(port, plan.resources, log);
    result.scorecards = r.scorecards;
    result.pages = r.pages;
    result.failures.push(...r.failures);
  }
  const identifier = bundle.webhook.content.identifier;
  if (plan.shared) {
    if (plan.webhook) result.webhook = { identifier, deleted: false, kept: true };
    log(`kept the Port webhook ${identifier} and the blueprints. Why: ${plan.shared.reason}`);
    for (const b of plan.blueprints) await purgeOwn(port, bundle, b.identifier, plan.owned, result, log);
  } else if (plan.webhook) {
    try {
      result.webhook = { identifier, deleted: await port.deleteWebhook(identifier) };
      log(`deleted the Port webhook ${identifier}`);
    } catch (err) {
      result.webhook = { identifier, deleted: false };
      failed(`Port webhook ${identifier}`, err);
    }
  }
  for (const b of plan.shared ? [] : plan.blueprints) {
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

/** Shared Port side: this install's entities of one blueprint go, the blueprint stays. */
async function purgeOwn(port: PortClient, bundle: Bundle, blueprint: string, owned: OwnedScope, result: UninstallResult, log: (line: string) => void): Promise<void> {
  const entry: UninstallResult['blueprints'][number] = { identifier: blueprint, entitiesDeleted: 0, deleted: false, kept: true };
  result.blueprints.push(entry);
  try {
    const r = await purgeOwnEntities(port, bundle.blueprints.map((b) => b.content), blueprint, owned);
    entry.entitiesDeleted = r.deleted;
    if (r.deleted) log(`deleted ${r.deleted} ${blueprint} entities of this install (the blueprint stays)`);
    if (r.kept.length) {
      result.failures.push({
        what: `${r.kept.length} ${blueprint} entities of this install (${r.kept.slice(0, 5).map((k) => k.identifier).join(', ')}${r.kept.length > 5 ? ', …' : ''})`,
        reason: r.kept[0].reason,
        fix: 'other entities (not attributable to this install: no url under its groups, e.g. made by hand or by an older version) still point at them; delete those in Port, then run uninstall --purge again',
      });
    }
  } catch (err) {
    const e = explainError(err);
    result.failures.push({ what: `${blueprint} entities of this install`, reason: e.message, ...(e.fix ? { fix: e.fix } : {}) });
  }
}
