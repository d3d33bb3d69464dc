// Uninstall: the GitLab hooks this integration created (found by the webhook's URL or our hook
// name, on each listed group, or on its projects where group hooks are unavailable), then the
// Port webhook; with purge, also the entities and blueprints, children before parents.
// Each install has its own Port webhook (install-webhook.ts), which goes; the webhook all installs
// shared in older versions goes only when no install that has not migrated is left. When another
// install of this package shares the Port organisation (shared-port.ts), the blueprints stay, and
// purge deletes only this install's entities (and its sync watermark).
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
import { detachDerived } from './detach-derived.ts';
import { purgeOwnEntities, ownEntityIds } from './purge-own.ts';
import { ownedScope, type OwnedScope } from '../backfill/ownership.ts';
import { findSharedUse, legacyWebhookUse, type SharedUse } from './shared-port.ts';
import { activeWebhook, readInstallWebhooks } from './install-webhook.ts';
import type { HookOwnerHints } from './hooks-repair.ts';
import { SYNC_STATE_BLUEPRINT } from '../sync/watermark.ts';
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
  /** This install's own Port webhook (install-webhook.ts), or, not migrated yet, the legacy one it feeds. */
  webhookIdentifier: string;
  webhook: StoredWebhook | null;
  /**
   * The webhook every install shared in older versions, when Port has it (and it is not `webhook`):
   * `use` says which installs that have not migrated still feed it (null: it is deleted).
   */
  legacyWebhook: { identifier: string; webhook: StoredWebhook; use: SharedUse | null } | null;
  /**
   * With purge: our blueprints that exist, children first, with the entities to delete (all of
   * them; only this install's when `shared`).
   */
  blueprints: Array<{ identifier: string; entities: number }>;
  /** Entities of other installs (or of unknown owner) in our blueprints: the blueprints are kept. Null when none. */
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
  /** This install's webhook (or the legacy one it fed); `kept`: the legacy one, which another install still feeds. */
  webhook: { identifier: string; deleted: boolean; kept?: true } | null;
  /** The legacy shared webhook, when Port had it: deleted, or kept with the reason. */
  legacyWebhook?: { identifier: string; deleted: boolean; kept?: true; reason?: string };
  /** With purge: this install's sync watermark (sync/watermark.ts) and, when no install has one left, its blueprint. */
  syncState?: { entityDeleted: boolean; blueprintDeleted: boolean };
  /** `kept`: the blueprint stays (shared); `entitiesDeleted` counts only this install's entities then. */
  blueprints: Array<{ identifier: string; entitiesDeleted: number; deleted: boolean; kept?: true }>;
  /** As in the plan: why the webhook and blueprints were kept, per blueprint counts. Null when nothing was shared. */
  shared: SharedUse | null;
  failures: Array<{ what: string; reason: string; fix?: string }>;
  scorecards?: ResourceRemovalResult['scorecards'];
  pages?: ResourceRemovalResult['pages'];
}

/** Every hook of this install on a target: ours by URL or name, with duplicates, and any still at the legacy webhook's URL (a half-done migration). */
function allOurHooks(hooks: readonly GitLabHook[], url: string | undefined, hints: HookOwnerHints): GitLabHook[] {
  const { hook, duplicates } = splitOurHooks(hooks, url, hints);
  const atLegacy = hints.legacyUrl ? hooks.filter((h) => h.url === hints.legacyUrl) : [];
  return [...(hook ? [hook, ...duplicates] : []), ...atLegacy].filter((h, i, all) => all.findIndex((x) => x.id === h.id) === i);
}

async function ourHooksOf(gitlab: GitLabClient, group: { id: number; full_path: string }, url: string | undefined, hints: HookOwnerHints): Promise<OurHook[]> {
  try {
    // Duplicates too (two installs at once): each would go on delivering to a deleted webhook.
    return allOurHooks(await gitlab.listGroupHooks(group.id), url, hints).map((h) => ({ kind: 'group' as const, targetId: group.id, target: group.full_path, id: h.id, url: h.url }));
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
      for (const h of allOurHooks(hooks, url, hints)) out.push({ kind: 'project', targetId: p.id, target: p.path_with_namespace, id: h.id, url: h.url });
    }
  }
  return out;
}

export async function planUninstall(port: PortClient, gitlab: GitLabClient, bundle: Bundle, inputs: InstallInputs, purge: boolean): Promise<UninstallPlan> {
  const tops: Array<{ id: number; full_path: string; web_url?: string }> = [];
  for (const ref of inputs.gitlabGroups) {
    const g = (await gitlab.group(groupKey(ref))) as { id: number; full_path: string; web_url?: string } | null;
    if (!g) throw new InstallStepError('uninstall', `GitLab group ${ref.raw} was not found, or the token cannot see it`, 'check GITLAB_GROUPS (the groups you installed on)');
    tops.push(g);
  }
  const installId = installIdOf(inputs.gitlabUrl, tops.map((g) => g.id));
  const bundleWebhook = bundle.webhook.content.identifier;
  const webhooks = await readInstallWebhooks(port, bundleWebhook, installId);
  const active = activeWebhook(webhooks);
  // Hooks at this install's own URL, at the legacy URL (not migrated yet, or half), or named after either webhook.
  const hints: HookOwnerHints = { legacyUrl: webhooks.legacy?.url, identifiers: [webhooks.identifier, bundleWebhook] };
  const hooks: OurHook[] = [];
  for (const g of tops) {
    for (const h of await ourHooksOf(gitlab, g, active?.webhook.url, hints)) if (!hooks.some((x) => x.kind === h.kind && x.id === h.id)) hooks.push(h);
  }
  const owned = ownedScope(inputs.gitlabUrl, tops);
  const model = bundle.blueprints.map((b) => b.content);
  const existing: string[] = [];
  for (const b of [...bundle.blueprints].reverse()) if (await port.getBlueprint(b.content.identifier)) existing.push(b.content.identifier);
  const parentsFirst = [...existing].reverse(); // reads best
  const shared = await findSharedUse(port, parentsFirst, installId);
  const legacyWebhook = webhooks.legacy ? { identifier: bundleWebhook, webhook: webhooks.legacy, use: await legacyWebhookUse(port, parentsFirst, installId, bundleWebhook) } : null;
  const blueprints: UninstallPlan['blueprints'] = [];
  if (purge) {
    for (const id of existing) blueprints.push({ identifier: id, entities: shared ? (await ownEntityIds(port, model, id, owned)).length : await port.countEntities(id) });
  }
  const resources = await planResourceRemoval(port, bundle, existing, shared, purge);
  return { installId, hooks, webhookIdentifier: webhooks.own ? webhooks.identifier : webhooks.legacy ? bundleWebhook : webhooks.identifier, webhook: webhooks.own, legacyWebhook, blueprints, shared, owned, resources };
}

export function formatUninstallPlan(plan: UninstallPlan): string {
  const lines = [`This will delete (install ${plan.installId}):`];
  for (const h of plan.hooks) lines.push(`  - GitLab ${h.kind} hook ${h.id} on ${h.target} (${h.url})`);
  if (!plan.hooks.length) lines.push('  - no GitLab hook of this integration was found');
  lines.push(plan.webhook ? `  - this install's Port webhook ${plan.webhookIdentifier} (${plan.webhook.url})` : !plan.legacyWebhook ? `  - no Port webhook ${plan.webhookIdentifier} exists` : `  - (no webhook of its own: it fed the shared webhook of older versions)`);
  const legacy = plan.legacyWebhook;
  if (legacy && !legacy.use) lines.push(`  - the Port webhook ${legacy.identifier} all installs shared in older versions (${legacy.webhook.url}): no other install still feeds it`);
  if (plan.blueprints.length) lines.push(`  - this install's sync watermark (${SYNC_STATE_BLUEPRINT} entity ${plan.installId}), if any, and that blueprint when no install has one left`);
  if (plan.resources) lines.push(...formatResourceRemoval(plan.resources));
  if (!plan.shared) {
    for (const b of plan.blueprints) lines.push(`  - blueprint ${b.identifier} and its ${b.entities} entities`);
    if (legacy?.use) lines.push(`This will keep the Port webhook ${legacy.identifier}. Why: ${legacy.use.reason}.`);
    return lines.join('\n');
  }
  for (const b of plan.blueprints) if (b.entities) lines.push(`  - ${b.entities} ${b.identifier} entities of this install`);
  if (plan.blueprints.length && !plan.blueprints.some((b) => b.entities)) lines.push('  - no entity of this install was found');
  if (legacy?.use) lines.push(`This will keep the Port webhook ${legacy.identifier}. Why: ${legacy.use.reason}.`);
  lines.push(`This will keep the blueprints. Why: ${plan.shared.reason}.`);
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
  // This install's own webhook: never another's, so it goes whatever else shares the organisation.
  const deleteWebhook = async (identifier: string): Promise<{ identifier: string; deleted: boolean }> => {
    try {
      const deleted = await port.deleteWebhook(identifier);
      log(`deleted the Port webhook ${identifier}`);
      return { identifier, deleted };
    } catch (err) {
      failed(`Port webhook ${identifier}`, err);
      return { identifier, deleted: false };
    }
  };
  if (plan.webhook) result.webhook = await deleteWebhook(plan.webhookIdentifier);
  const legacy = plan.legacyWebhook;
  if (legacy && legacy.use) {
    result.legacyWebhook = { identifier: legacy.identifier, deleted: false, kept: true, reason: legacy.use.reason };
    if (!plan.webhook) result.webhook = { identifier: legacy.identifier, deleted: false, kept: true };
    log(`kept the Port webhook ${legacy.identifier}. Why: ${legacy.use.reason}`);
  } else if (legacy) {
    result.legacyWebhook = await deleteWebhook(legacy.identifier);
    if (!plan.webhook) result.webhook = result.legacyWebhook;
  }
  if (plan.shared) {
    log(`kept the blueprints. Why: ${plan.shared.reason}`);
    for (const b of plan.blueprints) await purgeOwn(port, bundle, b.identifier, plan.owned, result, log);
  }
  if (plan.blueprints.length) result.syncState = await purgeSyncState(port, plan.installId, o.clock ?? systemClock, failed);
  if (!plan.shared) await detachAllDerived(port, plan.blueprints.map((b) => b.identifier), failed, log);
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
      if (err instanceof PortApiError && /relation|aggregation/i.test(err.portMessage)) e.fix = 'another blueprint (not ours) has a relation or an aggregation property pointing at it; remove it in Port, then run uninstall --purge again';
    }
  }
  result.ok = result.failures.length === 0;
  return result;
}

/** Before any blueprint goes: the metrics of every blueprint to delete (detach-derived.ts). A failure is reported; the deletions still run. */
async function detachAllDerived(port: PortClient, ids: string[], failed: (what: string, err: unknown) => void, log: (line: string) => void): Promise<void> {
  for (const id of ids) {
    try {
      if (await detachDerived(port, id)) log(`removed the calculation, mirror and aggregation properties of ${id} before deleting blueprints`);
    } catch (err) {
      failed(`the metrics of blueprint ${id}`, err);
    }
  }
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

/** With purge: this install's watermark entity goes; the blueprint too once no install has one. */
async function purgeSyncState(port: PortClient, installId: string, clock: Clock, failed: (what: string, err: unknown) => void): Promise<{ entityDeleted: boolean; blueprintDeleted: boolean }> {
  const out = { entityDeleted: false, blueprintDeleted: false };
  try {
    if (!(await port.getBlueprint(SYNC_STATE_BLUEPRINT))) return out;
    out.entityDeleted = await port.deleteEntity(SYNC_STATE_BLUEPRINT, installId);
    if ((await port.countEntities(SYNC_STATE_BLUEPRINT)) === 0) {
      await deleteBlueprintWhenEmpty(port, SYNC_STATE_BLUEPRINT, clock);
      out.blueprintDeleted = true;
    }
  } catch (err) {
    failed(`the sync watermark (${SYNC_STATE_BLUEPRINT} entity ${installId})`, err);
  }
  return out;
}
