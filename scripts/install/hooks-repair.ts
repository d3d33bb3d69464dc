// Which GitLab hooks are this integration's, and the repairs install, doctor and a sync can make
// to them: one hook per target (GitLab sends every event once per hook, and each delivery has its
// own Idempotency-Key, so a second hook at our URL makes Port ingest every event twice), and a
// hook GitLab auto-disabled brought back with a test delivery. Each repair returns what it found
// and what it fixed, for the caller to report.
import type { GitLabClient, GitLabHook } from '../clients/gitlab/index.ts';
import { GitLabApiError } from '../clients/gitlab/errors.ts';
import { explainError } from './errors.ts';
import type { HookTarget } from './hook-target.ts';

export const HOOK_NAME = 'Port (port-gitlab-template)';

export interface OurHooks {
  /** The hook to keep: the lowest id at our URL, else one at the legacy URL (to migrate), else one with our name (left at a previous webhook URL). */
  hook?: GitLabHook;
  /** Every other hook at our URL: each delivers every event again. */
  duplicates: GitLabHook[];
}

/**
 * What else makes a hook on one of the install's targets ours besides the webhook's URL: the URL
 * of the Port webhook every install shared before per-install webhooks (install-webhook.ts), and
 * the webhook identifiers our hook descriptions may name (hookDescription). Without
 * `identifiers`, any hook with our name is ours (what the hook of an older version carries).
 */
export interface HookOwnerHints {
  legacyUrl?: string;
  identifiers?: readonly string[];
}

/** Our hook's description names the webhook it feeds: `Port webhook "<identifier>"`. */
function namesOurWebhook(h: GitLabHook, identifiers: readonly string[] | undefined): boolean {
  if (h.name !== HOOK_NAME) return false;
  return !identifiers || identifiers.some((id) => (h.description ?? '').includes(`Port webhook "${id}"`));
}

/**
 * Ours among a target's hooks. The lowest id is kept so that every run (and two runs at once)
 * picks the same hook: ids only grow, so the first hook created is the one all agree on. Another
 * install's hook (its own webhook URL, its description naming its own webhook) is never ours.
 */
export function splitOurHooks(hooks: readonly GitLabHook[], url: string | undefined, hints: HookOwnerHints = {}): OurHooks {
  const atUrl = url ? hooks.filter((h) => h.url === url).sort((a, b) => a.id - b.id) : [];
  if (atUrl.length) return { hook: atUrl[0], duplicates: atUrl.slice(1) };
  const atLegacy = hints.legacyUrl && hints.legacyUrl !== url ? hooks.filter((h) => h.url === hints.legacyUrl).sort((a, b) => a.id - b.id) : [];
  if (atLegacy.length) return { hook: atLegacy[0], duplicates: [] };
  return { hook: hooks.find((h) => namesOurWebhook(h, hints.identifiers)), duplicates: [] };
}

/** Ours: same URL (the lowest id when several), else the legacy URL, else our name. */
export function findOurHook(hooks: readonly GitLabHook[], url: string | undefined, hints: HookOwnerHints = {}): GitLabHook | undefined {
  return splitOurHooks(hooks, url, hints).hook;
}

export const isDisabledHook = (h: GitLabHook): boolean => (h.alert_status !== undefined && h.alert_status !== 'executable') || Boolean(h.disabled_until);

export function disabledText(h: GitLabHook): string {
  return `${h.alert_status ?? 'disabled'}${h.disabled_until ? ` until ${h.disabled_until}` : ''}`;
}

export function listHooksAt(gitlab: GitLabClient, target: HookTarget): Promise<GitLabHook[]> {
  return target.kind === 'group' ? gitlab.listGroupHooks(target.id) : gitlab.listProjectHooks(target.id);
}

/** false when the hook was already gone (another run removed it). */
export function deleteHookAt(gitlab: GitLabClient, target: HookTarget, hookId: number): Promise<boolean> {
  return target.kind === 'group' ? gitlab.deleteGroupHook(target.id, hookId) : gitlab.deleteProjectHook(target.id, hookId);
}

export interface DedupeResult {
  target: HookTarget;
  /** The hook kept (lowest id at the URL), if any is left. */
  kept?: number;
  /** Duplicates deleted (or found already deleted). */
  removed: number[];
  failed: Array<{ id: number; reason: string }>;
}

/**
 * Deletes every hook at `url` on the target but the lowest id. With `hooks` given (a fresh list)
 * they are used as they are; otherwise the target's hooks are read again — what a run does right
 * after creating a hook, since another run may have created one at the same moment: of two runs
 * that both created one, the later creator sees both and deletes its own, so they end with one.
 */
export async function removeDuplicateHooks(gitlab: GitLabClient, target: HookTarget, url: string, hooks?: readonly GitLabHook[]): Promise<DedupeResult> {
  // Only hooks at `url` are duplicates: the name fallback never applies once a hook is at the URL.
  const { hook, duplicates } = splitOurHooks(hooks ?? (await listHooksAt(gitlab, target)), url, { identifiers: [] });
  const result: DedupeResult = { target, kept: hook?.url === url ? hook.id : undefined, removed: [], failed: [] };
  for (const d of duplicates) {
    try {
      await deleteHookAt(gitlab, target, d.id);
      result.removed.push(d.id);
    } catch (err) {
      result.failed.push({ id: d.id, reason: explainError(err).message });
    }
  }
  return result;
}

export interface ReenableResult {
  reenabled: boolean;
  reason?: string;
}

/** A successful test delivery is what re-enables a hook GitLab disabled (any other write does not). */
export async function reenableHook(gitlab: GitLabClient, target: HookTarget, hookId: number): Promise<ReenableResult> {
  try {
    if (target.kind === 'group') await gitlab.testGroupHook(target.id, hookId, 'push_events');
    else await gitlab.testProjectHook(target.id, hookId, 'push_events');
    return { reenabled: true };
  } catch (err) {
    return { reenabled: false, reason: explainError(err).message };
  }
}

/** What one target's hooks look like from this install's side, and what was repaired. */
export interface HookHealth {
  target: HookTarget;
  state: 'healthy' | 'missing' | 'disabled' | 'stale';
  hook?: GitLabHook;
  /** Ids of the other hooks at our URL (before any removal). */
  duplicates: number[];
  removed: number[];
  reenabled?: boolean;
  /** Why a repair that was asked for did not happen. */
  failures: string[];
}

export interface HookRepairOptions extends HookOwnerHints {
  /** The webhook's ingest URL (undefined when the webhook does not exist: nothing is "ours" by URL). */
  url?: string;
  /** Delete duplicates (install, sync). Doctor only reports them. */
  dedupe?: boolean;
  /** Asked before re-enabling a disabled hook; absent or false: report only. */
  reenable?: (what: string) => Promise<boolean>;
}

/**
 * One target: read its hooks, classify ours, and (when asked) remove duplicates and re-enable a
 * disabled hook. What a `sync` or `doctor` calls per group hook; project hooks go through the same
 * pieces in bulk (doctor-project-hooks.ts).
 */
export async function inspectHooksAt(gitlab: GitLabClient, target: HookTarget, o: HookRepairOptions, hooks?: readonly GitLabHook[]): Promise<HookHealth> {
  const list = hooks ?? (await listHooksAt(gitlab, target));
  const { hook, duplicates } = splitOurHooks(list, o.url, o);
  const health: HookHealth = { target, state: 'missing', hook, duplicates: duplicates.map((d) => d.id), removed: [], failures: [] };
  if (!hook) return health;
  health.state = o.url && hook.url !== o.url ? 'stale' : isDisabledHook(hook) ? 'disabled' : 'healthy';
  if (o.dedupe && o.url && duplicates.length) {
    const r = await removeDuplicateHooks(gitlab, target, o.url, list);
    health.removed = r.removed;
    health.failures.push(...r.failed.map((f) => `hook ${f.id} could not be deleted: ${f.reason}`));
  }
  if (health.state === 'disabled' && o.reenable && (await o.reenable(`hook ${hook.id} on "${target.path}" is ${disabledText(hook)}: GitLab disabled it after failed deliveries`))) {
    const r = await reenableHook(gitlab, target, hook.id);
    health.reenabled = r.reenabled;
    if (r.reenabled) health.state = 'healthy';
    else health.failures.push(`re-enabling failed: ${r.reason}`);
  }
  return health;
}

/** Why this group has no group hooks (so the installer used project hooks), or undefined when `err` is another failure. */
export function withoutGroupHooks(err: unknown): string | undefined {
  if (!(err instanceof GitLabApiError)) return undefined;
  if (err.status === 404) return 'group hooks are unavailable (GitLab Free/CE)';
  // Not Owner: the installer falls back to project hooks for a Maintainer. A missing scope is no such case.
  if (err.status === 403 && !/insufficient_scope|higher privileges/i.test(err.gitlabMessage)) return "the token's user is not Owner, so it cannot see group hooks";
  return undefined;
}
