// Preflight: everything the install needs, checked with read requests only, before anything is
// written. Port credentials and webhook permission; the GitLab token (scopes, expiry), version,
// each group (exists, top-level), the user's role, and whether group hooks are available.
import type { PortClient } from '../clients/port/index.ts';
import { PortApiError } from '../clients/port/errors.ts';
import type { GitLabClient, GitLabHook } from '../clients/gitlab/index.ts';
import { GitLabApiError } from '../clients/gitlab/errors.ts';
import type { Blueprint, StoredBlueprint, StoredWebhook } from '../port/types.ts';
import { checkOneInstance, urlBlueprints } from './instance-guard.ts';
import { groupKey, type GroupRef, type InstallInputs } from './inputs.ts';
import { explainError } from './errors.ts';
import { checkTokenScopes } from './token-scopes.ts';
import { gitlabTokenFailure, portAuthFailure } from './credential-diagnosis.ts';
import { systemClock, type Clock } from '../clients/shared/clock.ts';

/** How the GitLab events of a group reach Port. */
export type HookMode = 'group' | 'project' | 'none';

export interface PreflightCheck {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

export interface PreflightGroup {
  id: number;
  full_path: string;
  name: string;
  web_url?: string;
  /** The user's effective access level (50 = Owner), null when not a member. */
  accessLevel: number | null;
  hookMode: HookMode;
  /** The group's hooks, when group hooks are available and readable. */
  groupHooks?: GitLabHook[];
}

export interface PreflightResult {
  ok: boolean;
  checks: PreflightCheck[];
  groups: PreflightGroup[];
  gitlabVersion?: string;
  user?: { id: number; username: string };
  scopes: string[];
  existingWebhook: StoredWebhook | null;
  existingBlueprints: StoredBlueprint[];
}

export interface PreflightOptions {
  /** Install or check hooks (false with --skip-hook). */
  hooks: boolean;
  /** Fall back to one hook per project where group hooks are unavailable. */
  projectHooks: boolean;
  /** The Port webhook to read; absent, none is read (the backfill needs no webhook permission). */
  webhookIdentifier?: string;
  /** Accept a subgroup in GITLAB_GROUPS (the backfill reads it and its descendants; no hook goes on it). */
  allowSubgroups?: boolean;
  /** What "now" is for the token-expiry warning (default the system clock). */
  clock?: Clock;
  /** The bundle's blueprints: refuse when those in Port hold entities of another GitLab instance (instance-guard.ts). */
  bundleBlueprints?: readonly Blueprint[];
  /** The bundle's webhook identifier: other installs' own webhooks record their instance (instance-guard.ts). */
  bundleWebhook?: string;
}

export const OWNER = 50;
export const MAINTAINER = 40;
const ROLE_NAMES: Record<number, string> = { 0: 'none', 5: 'Minimal access', 10: 'Guest', 15: 'Planner', 20: 'Reporter', 30: 'Developer', 40: 'Maintainer', 50: 'Owner' };

export const FREE_TIER_CONSEQUENCES =
  'Without a group hook, each project needs its own hook: projects created later get none until the installer runs again, ' +
  'and GitLab sends no subgroup, member or project create/delete events to project hooks, so those changes only reach Port through a backfill.';

function roleName(level: number | null): string {
  return level === null ? 'not a member' : ROLE_NAMES[level] ?? `access level ${level}`;
}

/** `17.11.0-ee` → [17, 11]. */
export function parseVersion(v: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(v ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function refText(ref: GroupRef): string {
  return ref.kind === 'id' ? `group id ${ref.id}` : `group "${ref.path}"`;
}

export async function runPreflight(port: PortClient, gitlab: GitLabClient, inputs: InstallInputs, options: PreflightOptions): Promise<PreflightResult> {
  const checks: PreflightCheck[] = [];
  const add = (c: PreflightCheck) => checks.push(c);
  const result: PreflightResult = { ok: false, checks, groups: [], scopes: [], existingWebhook: null, existingBlueprints: [] };

  // --- Port -------------------------------------------------------------------------------------
  let portOk = false;
  try {
    await port.authenticate();
    portOk = true;
    add({ check: 'port.credentials', status: 'ok', message: `Port accepted the credentials (${port.baseUrl})` });
  } catch (err) {
    add({ check: 'port.credentials', status: 'fail', ...portAuthFailure(err, port.baseUrl) });
  }
  if (portOk) {
    try {
      if (options.webhookIdentifier !== undefined) result.existingWebhook = await port.getWebhook(options.webhookIdentifier);
      result.existingBlueprints = await port.listBlueprints();
      add({ check: 'port.permissions', status: 'ok', message: `the credentials can read blueprints${options.webhookIdentifier !== undefined ? ' and webhooks' : ''}` });
    } catch (err) {
      const forbidden = err instanceof PortApiError && err.status === 403;
      add({
        check: 'port.permissions', status: 'fail',
        message: `Port refused to show blueprints or webhooks: ${explainError(err).message}`,
        fix: forbidden ? 'use credentials of an organisation Admin (Port requires moderator or admin to read webhooks)' : explainError(err).fix,
      });
    }
  }

  // --- GitLab: token --------------------------------------------------------------------------
  let user: { id: number; username: string } | undefined;
  try {
    const u = await gitlab.currentUser();
    user = { id: Number(u.id), username: String(u.username) };
    result.user = user;
    add({ check: 'gitlab.token', status: 'ok', message: `GitLab at ${gitlab.host} accepted the token (user ${user.username})` });
  } catch (err) {
    add({ check: 'gitlab.token', status: 'fail', ...gitlabTokenFailure(err, gitlab.host, options.hooks ? 'api' : 'read_api') });
  }
  if (!user) return finish(result);

  const tokenRecord = await checkTokenScopes(gitlab, { hooks: options.hooks, clock: options.clock ?? systemClock });
  result.scopes = tokenRecord.scopes;
  checks.push(...tokenRecord.checks);

  try {
    const v = await gitlab.version();
    result.gitlabVersion = v.version;
    const parsed = parseVersion(v.version);
    if (options.hooks && parsed && (parsed[0] < 17 || (parsed[0] === 17 && parsed[1] < 1))) {
      add({ check: 'gitlab.version', status: 'warn', message: `GitLab ${v.version}: hook names and descriptions need 17.1+, project events 17.6+`, fix: 'the install works; hooks are re-sent on every run because older GitLab does not keep their description' });
    } else {
      add({ check: 'gitlab.version', status: 'ok', message: `GitLab ${v.version}` });
    }
  } catch (err) {
    add({ check: 'gitlab.version', status: 'warn', message: `could not read the GitLab version: ${explainError(err).message}` });
  }

  // --- GitLab: groups ---------------------------------------------------------------------------
  const seen = new Set<number>();
  for (const ref of inputs.gitlabGroups) {
    let group: Record<string, unknown> | null;
    try {
      group = (await gitlab.group(groupKey(ref))) as Record<string, unknown> | null;
    } catch (err) {
      add({ check: `gitlab.group:${ref.raw}`, status: 'fail', message: `could not read ${refText(ref)}: ${explainError(err).message}`, fix: explainError(err).fix });
      continue;
    }
    if (!group) {
      add({ check: `gitlab.group:${ref.raw}`, status: 'fail', message: `${refText(ref)} was not found at ${gitlab.host}, or the token's user cannot see it`, fix: 'check GITLAB_GROUPS (full paths or numeric ids of top-level groups) and that the token user is a member' });
      continue;
    }
    const id = Number(group.id);
    const fullPath = String(group.full_path);
    if (!options.allowSubgroups && group.parent_id !== null && group.parent_id !== undefined) {
      add({ check: `gitlab.group:${ref.raw}`, status: 'fail', message: `${refText(ref)} is the subgroup "${fullPath}"; a hook on it would deliver its events a second time next to its top-level group's hook`, fix: `list the top-level group "${fullPath.split('/')[0]}" in GITLAB_GROUPS instead (subgroups are included)` });
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    const accessLevel = await effectiveAccessLevel(gitlab, id, user.id);
    const g: PreflightGroup = { id, full_path: fullPath, name: String(group.name ?? fullPath), web_url: group.web_url as string | undefined, accessLevel, hookMode: 'none' };
    result.groups.push(g);
    add({ check: `gitlab.group:${fullPath}`, status: 'ok', message: `group "${fullPath}" (id ${id}); your role: ${roleName(accessLevel)}` });
    if (!options.hooks) continue;

    let available: 'yes' | 'unavailable' | 'forbidden' = 'yes';
    try {
      g.groupHooks = await gitlab.listGroupHooks(id);
    } catch (err) {
      if (err instanceof GitLabApiError && err.status === 404) available = 'unavailable';
      else if (err instanceof GitLabApiError && err.status === 403) available = 'forbidden';
      else {
        add({ check: `gitlab.hooks:${fullPath}`, status: 'fail', message: `could not list the hooks of "${fullPath}": ${explainError(err).message}`, fix: explainError(err).fix });
        continue;
      }
    }
    const owner = (accessLevel ?? 0) >= OWNER && available !== 'forbidden';
    if (available === 'yes' && owner) {
      g.hookMode = 'group';
      add({ check: `gitlab.hooks:${fullPath}`, status: 'ok', message: `group hooks available on "${fullPath}" (${g.groupHooks?.length ?? 0} existing)` });
    } else if (available === 'unavailable') {
      if (options.projectHooks) {
        g.hookMode = 'project';
        add({ check: `gitlab.hooks:${fullPath}`, status: 'warn', message: `group hooks are not available on "${fullPath}" (GitLab Free or Community Edition); installing one hook per project (--project-hooks). ${FREE_TIER_CONSEQUENCES}`, fix: 'Maintainer role is needed on each project; run the installer again after creating projects' });
      } else {
        add({
          check: `gitlab.hooks:${fullPath}`, status: 'fail',
          message: `group hooks are not available on "${fullPath}": GitLab answered 404, as GitLab Free and Community Edition do (group webhooks need Premium or Ultimate). ${FREE_TIER_CONSEQUENCES}`,
          fix: 'run again with --project-hooks to install one hook per project instead, or with --skip-hook for a backfill-only install (run the backfill again to refresh)',
        });
      }
    } else if (options.projectHooks && (accessLevel ?? 0) >= MAINTAINER) {
      g.hookMode = 'project';
      add({ check: `gitlab.hooks:${fullPath}`, status: 'warn', message: `your role on "${fullPath}" is ${roleName(accessLevel)}, not Owner, so no group hook; installing one hook per project (--project-hooks). ${FREE_TIER_CONSEQUENCES}` });
    } else {
      add({
        check: `gitlab.hooks:${fullPath}`, status: 'fail',
        message: `group hooks on "${fullPath}" need the Owner role; the token's user (${user.username}) is ${roleName(accessLevel)}`,
        fix: `use a token of a user with the Owner role on "${fullPath}" (a group access token with the Owner role works), or run with --skip-hook (backfill only), or with --project-hooks if the user is Maintainer of the projects`,
      });
    }
  }
  // One GitLab instance per Port organisation (instance-guard.ts): once every group resolved and Port showed its blueprints.
  if (options.bundleBlueprints && portOk && result.groups.length === inputs.gitlabGroups.length && result.groups.length) {
    const blueprints = urlBlueprints(options.bundleBlueprints, new Set(result.existingBlueprints.map((b) => b.identifier)));
    try {
      const { found: _found, ...check } = await checkOneInstance(port, inputs.gitlabUrl, result.groups, blueprints, options.bundleWebhook);
      add(check);
    } catch (err) {
      add({ check: 'gitlab.instance', status: 'fail', message: `could not ask Port whether it holds entities of another GitLab instance: ${explainError(err).message}`, fix: explainError(err).fix });
    }
  }
  return finish(result);
}

/**
 * The user's effective role on the group (inherited included): the single-member route
 * (`members/all/:user_id`), else the member list filtered by `user_ids` (both documented; some
 * servers and proxies only answer the list).
 */
export async function effectiveAccessLevel(gitlab: GitLabClient, groupId: number, userId: number): Promise<number | null> {
  try {
    const m = (await gitlab.groupMember(groupId, userId)) as { access_level?: number } | null;
    if (m?.access_level !== undefined) return m.access_level;
  } catch {
    /* fall through to the list */
  }
  try {
    const res = await gitlab.request<Array<{ id: number; access_level?: number }>>({ method: 'GET', path: `groups/${groupId}/members/all`, query: `user_ids[]=${userId}` });
    const m = Array.isArray(res.body) ? res.body.find((x) => x.id === userId) : undefined;
    return m?.access_level ?? null;
  } catch {
    return null;
  }
}

function finish(result: PreflightResult): PreflightResult {
  result.ok = !result.checks.some((c) => c.status === 'fail');
  return result;
}

export function formatPreflight(result: Pick<PreflightResult, 'checks'>, onlyProblems = false): string {
  const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
  return result.checks
    .filter((c) => !onlyProblems || c.status !== 'ok')
    .map((c) => `  ${mark[c.status]} ${c.message}${c.fix ? `\n      fix: ${c.fix}` : ''}`)
    .join('\n');
}
