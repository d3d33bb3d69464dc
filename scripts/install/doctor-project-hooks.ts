// Doctor on a group without group hooks (GitLab Free/CE, or a token user who is not Owner): the
// installer's --project-hooks put one hook on each active project, so doctor reads each project's
// hooks (one list per project, a few at a time, as the installer does) and reports a summary
// instead of one line per healthy project. Disabled hooks can be re-enabled (one test delivery
// each, only for those); the token test is left to the caller, on one healthy hook.
import type { GitLabClient, GitLabHook } from '../clients/gitlab/index.ts';
import { explainError } from './errors.ts';
import { eventFlagDrift } from './hook-plan.ts';
import { disabledText, isDisabledHook, splitOurHooks, type HookOwnerHints } from './hooks-repair.ts';
import { readProjectHooksOf } from './project-hooks-read.ts';

/** What doctor found on one project. */
export type ProjectHookState =
  | { state: 'healthy'; hook: GitLabHook }
  | { state: 'missing' }
  | { state: 'disabled'; hook: GitLabHook; why: string }
  /** Ours by name, but pointing at another URL than the webhook's (the webhook was recreated). */
  | { state: 'stale'; hook: GitLabHook }
  /** GitLab would not let us read its hooks (403 not Maintainer, 404 deleted meanwhile). */
  | { state: 'unreadable'; status: 403 | 404 | 422; reason: string; fix: string };

export interface ProjectHookEntry {
  id: number;
  path: string;
  found: ProjectHookState;
  /** Event flags that differ from the bundle's (healthy and disabled hooks only). */
  flagDiffs: string[];
  /** Ids of further hooks at our URL on this project (each delivers every event again). */
  duplicates: number[];
}

/** The lists behind the summary, for --json readers. */
export interface ProjectHookDetails {
  healthy: number;
  missing: string[];
  disabled: Array<{ project: string; hook: number; status: string }>;
  reenabled: string[];
  stale: string[];
  unreadable: string[];
  /** Projects with more than one hook at our URL, and the ids of the extra ones. */
  duplicated: Array<{ project: string; hooks: number[] }>;
}

export interface ProjectHookCheck {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
  projects?: ProjectHookDetails;
}

export interface ProjectHookContext extends HookOwnerHints {
  /** The webhook's ingest URL, when the webhook exists. */
  url?: string;
  events: readonly string[];
  webhookIdentifier: string;
  /** Asked once for all disabled hooks of the group; true re-enables each with a test delivery. */
  reenable?: (what: string) => Promise<boolean>;
}

/** Names shown inline in a message; --json carries the full lists. */
const SHOWN = 10;

export { isDisabledHook, disabledText };

function names(list: readonly string[]): string {
  return list.length > SHOWN ? `${list.slice(0, SHOWN).join(', ')} and ${list.length - SHOWN} more` : list.join(', ');
}

/** Reads the hooks of every active project of the group and its subgroups (archived ones get no hook from the installer). */
export async function readProjectHooks(gitlab: GitLabClient, group: { id: number; full_path: string }, ctx: ProjectHookContext): Promise<ProjectHookEntry[]> {
  return (await readProjectHooksOf(gitlab, group)).map(({ target, hooks, refusal }): ProjectHookEntry => {
    const entry: ProjectHookEntry = { id: target.id, path: target.path, found: { state: 'missing' }, flagDiffs: [], duplicates: [] };
    if (refusal) {
      entry.found = { state: 'unreadable', status: refusal.status, reason: refusal.reason, fix: refusal.fix };
      return entry;
    }
    const { hook, duplicates } = splitOurHooks(hooks, ctx.url, ctx);
    entry.duplicates = duplicates.map((d) => d.id);
    if (!hook) return entry;
    if (ctx.url && hook.url !== ctx.url) {
      entry.found = { state: 'stale', hook };
      return entry;
    }
    entry.found = isDisabledHook(hook) ? { state: 'disabled', hook, why: disabledText(hook) } : { state: 'healthy', hook };
    if (ctx.url) entry.flagDiffs = eventFlagDrift(hook, 'project', ctx.events);
    return entry;
  });
}

/**
 * The checks for one group's project hooks: a summary ("5 healthy, 1 missing (a/b), 0 disabled")
 * whose fix covers each kind of problem found, plus warnings for projects doctor could not read
 * and for event flags that differ. Disabled hooks are re-enabled when `ctx.reenable` says yes.
 * Returns the first healthy hook (for the caller's one token test).
 */
export async function checkProjectHooks(gitlab: GitLabClient, group: { id: number; full_path: string }, ctx: ProjectHookContext): Promise<{ checks: ProjectHookCheck[]; healthy?: { projectId: number; path: string; hook: GitLabHook } }> {
  const entries = await readProjectHooks(gitlab, group, ctx);
  const where = `"${group.full_path}"`;
  const checks: ProjectHookCheck[] = [];
  const details: ProjectHookDetails = { healthy: 0, missing: [], disabled: [], reenabled: [], stale: [], unreadable: [], duplicated: [] };
  const disabled = entries.flatMap((e) => (e.found.state === 'disabled' ? [{ entry: e, hook: e.found.hook, why: e.found.why }] : []));
  const reenableFailures: string[] = [];

  if (disabled.length) {
    const what = `${disabled.length} project hook(s) in ${where} are disabled by GitLab after failed deliveries: ${names(disabled.map((d) => `${d.entry.path} (hook ${d.hook.id}, ${d.why})`))}`;
    if (ctx.reenable && (await ctx.reenable(what))) {
      // One test delivery per disabled hook: a successful one is what re-enables it in GitLab.
      for (const d of disabled) {
        try {
          await gitlab.testProjectHook(d.entry.id, d.hook.id, 'push_events');
          details.reenabled.push(d.entry.path);
          d.entry.found = { state: 'healthy', hook: { ...d.hook, alert_status: 'executable', disabled_until: null } };
        } catch (err) {
          reenableFailures.push(`${d.entry.path}: ${explainError(err).message}`);
        }
      }
    }
  }

  let healthy: { projectId: number; path: string; hook: GitLabHook } | undefined;
  for (const e of entries) {
    const f = e.found;
    if (f.state === 'healthy') {
      details.healthy++;
      healthy ??= { projectId: e.id, path: e.path, hook: f.hook };
    } else if (f.state === 'missing') details.missing.push(e.path);
    else if (f.state === 'disabled') details.disabled.push({ project: e.path, hook: f.hook.id, status: f.why });
    else if (f.state === 'stale') details.stale.push(e.path);
    else details.unreadable.push(e.path);
  }

  const parts = [`${details.healthy} healthy`, `${details.missing.length} missing${details.missing.length ? ` (${names(details.missing)})` : ''}`, `${details.disabled.length} disabled${details.disabled.length ? ` (${names(details.disabled.map((d) => `${d.project}: ${d.status}`))})` : ''}`];
  if (details.reenabled.length) parts.push(`${details.reenabled.length} re-enabled with a test delivery (${names(details.reenabled)})`);
  if (details.stale.length) parts.push(`${details.stale.length} pointing at an old webhook URL (${names(details.stale)})`);
  if (details.unreadable.length) parts.push(`${details.unreadable.length} not checked (${names(details.unreadable)})`);
  const fixes: string[] = [];
  if (details.missing.length || details.stale.length) fixes.push('re-run `port-gitlab install --project-hooks` (it adds or updates only the hooks that need it)');
  if (details.disabled.length) {
    fixes.push(reenableFailures.length
      ? `re-enabling failed (${names(reenableFailures)}): check that Port accepts deliveries (webhook enabled, secret), then run doctor again`
      : 'run `port-gitlab doctor --reenable` (or answer yes on a terminal): a successful test delivery re-enables each');
  }
  const problems = details.missing.length + details.disabled.length + details.stale.length;
  if (!entries.length) {
    checks.push({ check: `gitlab.project-hooks:${group.full_path}`, status: 'warn', message: `${where} has no active project, so no project hook to check`, projects: details });
  } else {
    checks.push({
      check: `gitlab.project-hooks:${group.full_path}`,
      status: problems ? 'fail' : 'ok',
      message: `project hooks of ${where}: ${parts.join(', ')}`,
      fix: fixes.length ? fixes.join('; ') : undefined,
      projects: details,
    });
  }
  const unreadable = entries.flatMap((e) => (e.found.state === 'unreadable' ? [e.found] : []));
  if (unreadable.length) {
    // 403: the token's user is not Maintainer there, so the installer could not have put our hook
    // on it either — events from it do not reach Port. 404: deleted since it was listed.
    const blocked = unreadable.filter((u) => u.status !== 404);
    const first = blocked[0] ?? unreadable[0];
    checks.push({ check: `gitlab.project-hooks.unreadable:${group.full_path}`, status: blocked.length ? 'fail' : 'warn', message: `could not read the hooks of ${unreadable.length} project(s) in ${where}: ${first.reason}${unreadable.length > 1 ? ` (and ${unreadable.length - 1} more)` : ''}`, fix: first.fix });
  }
  details.duplicated = entries.filter((e) => e.duplicates.length).map((e) => ({ project: e.path, hooks: e.duplicates }));
  if (details.duplicated.length) {
    checks.push({
      check: `gitlab.project-hooks.duplicates:${group.full_path}`, status: 'fail',
      message: `${details.duplicated.length} project(s) in ${where} have more than one hook of this integration (${names(details.duplicated.map((d) => `${d.project}: also hook ${d.hooks.join(', ')}`))}): GitLab delivers every event once per hook, and Port ingests each delivery`,
      fix: 're-run `port-gitlab install --project-hooks`: it keeps the lowest id on each project and deletes the others',
      projects: details,
    });
  }
  const drifted = entries.filter((e) => e.flagDiffs.length);
  if (drifted.length) {
    checks.push({ check: `gitlab.project-hooks.events:${group.full_path}`, status: 'warn', message: `event flags differ from the bundle on ${drifted.length} project hook(s) (${names(drifted.map((e) => e.path))}): ${drifted[0].flagDiffs.join('; ')}`, fix: 'run `port-gitlab install --project-hooks`' });
  }
  return { checks, healthy };
}
