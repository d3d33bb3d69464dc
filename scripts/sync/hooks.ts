// Hook self-repair for `sync`, on hooks-repair's pieces: per target (each listed group's hook, or —
// where the install used --project-hooks — each project's) the hook at the Port webhook's URL is
// kept (lowest id), duplicates are deleted (two installs at once leave two; each delivers every
// event again) and a hook GitLab disabled is re-enabled with a test delivery (asked). Healthy
// hooks get no test delivery: GitLab allows 5 a minute per group and user, and re-enabling needs
// them. Proving the hook token equals the webhook secret is `doctor`'s job (its test delivery).
import type { Bundle } from '../bundle/load.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';
import type { PortClient } from '../clients/port/index.ts';
import { explainError } from '../install/errors.ts';
import { disabledText, inspectHooksAt, reenableHook, withoutGroupHooks, type HookHealth, type HookOwnerHints } from '../install/hooks-repair.ts';
import { eventFlagDrift } from '../install/hook-plan.ts';
import { activeWebhook, hookOwnerHints, legacyWebhookNote, readInstallWebhooks } from '../install/install-webhook.ts';
import type { HookTarget } from '../install/hook-target.ts';
import { readProjectHooksOf } from '../install/project-hooks-read.ts';

export interface SyncHookCheck {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

export interface SyncHooksReport {
  /** ok: healthy (or repaired); problems: a check failed (the exit code is 1); skipped: not checked. */
  status: 'ok' | 'problems' | 'skipped';
  message: string;
  /** Hooks re-enabled by this run. */
  reenabled: number;
  /** Duplicate hooks of ours deleted by this run. */
  removedDuplicates: number;
  /** The Port webhook, then each group's hook (or a summary of its project hooks). */
  checks: SyncHookCheck[];
}

export interface SyncHooksOptions {
  /** Asked per disabled group hook, once per group for its project hooks (a terminal without --yes); default: yes. */
  confirm?: (what: string) => Promise<boolean>;
  /** Inspect only: say what would be deleted and re-enabled, change nothing. */
  dryRun?: boolean;
  /** The hook event flags the bundle needs (desiredHookEvents): a hook whose flags drifted is warned about. */
  events?: readonly string[];
}

type Group = { id: number; full_path: string };
const INSTALL_FIX = 'run `port-gitlab install` (or `sync --skip-hooks` for an install made with --skip-hook)';

export async function checkAndRepairHooks(port: PortClient, gitlab: GitLabClient, bundle: Bundle, groups: readonly Group[], installId: string, o: SyncHooksOptions = {}): Promise<SyncHooksReport> {
  const checks: SyncHookCheck[] = [];
  const tally: Tally = { reenabled: 0, removed: 0, asked: 0, wouldReenable: 0, wouldRemove: 0 };
  const ask = async (what: string) => {
    const yes = o.confirm ? await o.confirm(what) : true;
    if (yes) tally.asked++;
    return yes;
  };
  try {
    // This install's own webhook, or the legacy shared one it has not migrated from (install-webhook.ts).
    const webhooks = await readInstallWebhooks(port, bundle.webhook.content.identifier, installId);
    const active = activeWebhook(webhooks);
    const identifier = active?.identifier ?? webhooks.identifier;
    const webhook = active?.webhook;
    if (!webhook) checks.push({ check: 'port.webhook', status: 'fail', message: `the Port webhook "${identifier}" does not exist`, fix: INSTALL_FIX });
    else if (webhook.enabled === false) checks.push({ check: 'port.webhook', status: 'fail', message: `the Port webhook "${identifier}" is disabled: Port drops every GitLab event`, fix: 'enable it in Port (Data sources) or run `port-gitlab install`' });
    if (active?.legacy) checks.push({ check: 'port.webhook.legacy', status: 'warn', message: legacyWebhookNote(webhooks) });
    if (webhook) {
      const ctx: GroupCtx = { url: webhook.url, hints: hookOwnerHints(webhooks), ask, tally, dryRun: o.dryRun === true, events: o.events };
      for (const group of groups) checks.push(...(await groupHooks(gitlab, group, ctx)));
    }
  } catch (err) {
    return { status: 'problems', message: `could not check the hooks: ${explainError(err).message}`, reenabled: tally.reenabled, removedDuplicates: tally.removed, checks };
  }
  const failed = checks.filter((c) => c.status === 'fail');
  const done = o.dryRun
    ? [tally.wouldReenable ? `would re-enable ${tally.wouldReenable} hook(s) GitLab disabled` : '', tally.wouldRemove ? `would delete ${tally.wouldRemove} duplicate hook(s)` : ''].filter(Boolean).join('; ')
    : [tally.reenabled ? `re-enabled ${tally.reenabled} hook(s) GitLab had disabled` : '', tally.removed ? `deleted ${tally.removed} duplicate hook(s)` : ''].filter(Boolean).join('; ');
  const drifted = checks.filter((c) => c.check.startsWith('gitlab.hook.events:'));
  let message: string;
  if (failed.length) message = `${failed.length} hook check(s) failed: ${failed.map((c) => c.message).join('; ')}${done ? ` (${done})` : ''}`;
  else if (done) message = `${done}; the others are healthy`;
  else message = 'the hooks are healthy';
  if (drifted.length) message += `; ${drifted.map((c) => c.message).join('; ')} (run \`port-gitlab install\` to set them)`;
  if (o.dryRun) message += ' (dry run: nothing was changed)';
  if (failed.length && tally.asked && !(await tokenHasApi(gitlab))) {
    message += '. The GitLab token has no `api` scope, so it cannot re-enable hooks: run `port-gitlab doctor --reenable` with one, or give sync such a token';
  }
  if (failed.length) message += ' (`sync --skip-hooks` leaves hooks to `doctor`, e.g. for an install made with --skip-hook)';
  return { status: failed.length ? 'problems' : 'ok', message, reenabled: tally.reenabled, removedDuplicates: tally.removed, checks };
}

type Tally = { reenabled: number; removed: number; asked: number; wouldReenable: number; wouldRemove: number };
type Ask = (what: string) => Promise<boolean>;
/** What every group's check needs: the active webhook's URL, which other hooks are ours, and what to do. */
interface GroupCtx {
  url: string;
  hints: HookOwnerHints;
  ask: Ask;
  tally: Tally;
  dryRun: boolean;
  events?: readonly string[];
}

/** One listed group: its group hook, or — where GitLab shows no group hooks (as doctor tells) — its projects' hooks. */
async function groupHooks(gitlab: GitLabClient, group: Group, ctx: GroupCtx): Promise<SyncHookCheck[]> {
  const { url, ask, tally } = ctx;
  const target: HookTarget = { kind: 'group', id: group.id, path: group.full_path, group: group.full_path };
  let hooks;
  try {
    hooks = await gitlab.listGroupHooks(group.id);
  } catch (err) {
    if (!withoutGroupHooks(err)) {
      const e = explainError(err);
      return [{ check: `gitlab.hook:${group.full_path}`, status: 'fail', message: `could not list the hooks of "${group.full_path}": ${e.message}`, fix: e.fix }];
    }
    return [await projectHooks(gitlab, group, ctx)];
  }
  const health = await inspectHooksAt(gitlab, target, { url, ...ctx.hints, ...(ctx.dryRun ? {} : { dedupe: true, reenable: ask }) }, hooks);
  tally.removed += health.removed.length;
  if (health.reenabled) tally.reenabled++;
  if (ctx.dryRun) return [dryRunCheck(health, `gitlab.hook:${group.full_path}`, tally), ...drift(health, 'group', ctx)];
  return [hookCheck(health, `gitlab.hook:${group.full_path}`), ...drift(health, 'group', ctx)];
}

/** Doctor's event-flag check (eventFlagDrift) on the hook kept: a warning, with install as the fix. */
function drift(h: HookHealth, kind: 'group' | 'project', ctx: GroupCtx): SyncHookCheck[] {
  if (!h.hook || !ctx.events || h.state === 'stale') return [];
  const diffs = eventFlagDrift(h.hook, kind, ctx.events);
  if (!diffs.length) return [];
  return [{ check: `gitlab.hook.events:${h.target.path}`, status: 'warn', message: `hook ${h.hook.id} on "${h.target.path}" event flags differ from the bundle: ${diffs.join('; ')}`, fix: 'run `port-gitlab install`: it sets every flag the bundle maps' }];
}

/** A dry run: what a sync would repair is a warning (it would be fixed); what it cannot repair fails as in a real run. */
function dryRunCheck(h: HookHealth, check: string, tally: Tally): SyncHookCheck {
  const where = `"${h.target.path}"`;
  const would: string[] = [];
  if (h.duplicates.length) {
    tally.wouldRemove += h.duplicates.length;
    would.push(`would delete duplicate hook(s) ${h.duplicates.join(', ')}`);
  }
  if (h.hook && h.state === 'disabled') {
    tally.wouldReenable++;
    would.push(`would re-enable it with a test delivery (${disabledText(h.hook)})`);
  }
  if (!h.hook || h.state === 'stale') return hookCheck(h, check);
  return would.length
    ? { check, status: 'warn', message: `hook ${h.hook.id} on ${where}: ${would.join('; ')}`, fix: 'run sync without --dry-run' }
    : { check, status: 'ok', message: `hook ${h.hook.id} on ${where} is enabled` };
}

function hookCheck(h: HookHealth, check: string): SyncHookCheck {
  const where = `"${h.target.path}"`;
  const removed = h.removed.length ? `; deleted duplicate hook(s) ${h.removed.join(', ')}` : '';
  const failures = h.failures.length ? `; ${h.failures.join('; ')}` : '';
  if (!h.hook) return { check, status: 'fail', message: `no hook of this integration on ${where}`, fix: INSTALL_FIX };
  if (h.state === 'stale') return { check, status: 'fail', message: `hook ${h.hook.id} on ${where} points at ${h.hook.url}, not the webhook's URL`, fix: 'run `port-gitlab install`' };
  if (h.state === 'disabled') {
    return { check, status: 'fail', message: `hook ${h.hook.id} on ${where} is ${disabledText(h.hook)}: GitLab disabled it after failed deliveries${failures}${removed}`, fix: h.reenabled === false ? 'check that Port accepts deliveries (webhook enabled, secret), then run sync or `doctor --reenable` again' : 'run sync with --yes, or `port-gitlab doctor --reenable`: a successful test delivery re-enables it' };
  }
  const status = h.failures.length ? 'fail' : 'ok';
  return { check, status, message: `hook ${h.hook.id} on ${where} is ${h.reenabled ? 're-enabled with a test delivery' : 'enabled'}${removed}${failures}`, ...(status === 'fail' ? { fix: 'run sync again, or `port-gitlab install`: it keeps the lowest id and deletes the others' } : {}) };
}

/** install --project-hooks: one hook per active project; disabled ones are asked about once for the group. */
async function projectHooks(gitlab: GitLabClient, group: Group, ctx: GroupCtx): Promise<SyncHookCheck> {
  const { url, ask, tally } = ctx;
  const check = `gitlab.project-hooks:${group.full_path}`;
  const found: HookHealth[] = [];
  const unreadable: string[] = [];
  for (const p of await readProjectHooksOf(gitlab, group)) {
    if (p.refusal) {
      // 404: deleted since it was listed. 403: not Maintainer there, so no hook of ours either.
      if (p.refusal.status !== 404) unreadable.push(`${p.target.path}: ${p.refusal.reason}`);
      continue;
    }
    found.push(await inspectHooksAt(gitlab, p.target, { url, ...ctx.hints, dedupe: !ctx.dryRun }, p.hooks));
  }
  const disabled = found.filter((h) => h.state === 'disabled');
  const drifted = found.filter((h) => drift(h, 'project', ctx).length).map((h) => h.target.path);
  if (ctx.dryRun) {
    tally.wouldReenable += disabled.length;
    tally.wouldRemove += found.reduce((n, h) => n + h.duplicates.length, 0);
  }
  if (!ctx.dryRun && disabled.length && (await ask(`${disabled.length} project hook(s) in "${group.full_path}" are disabled by GitLab after failed deliveries: ${disabled.map((h) => `${h.target.path} (hook ${h.hook!.id}, ${disabledText(h.hook!)})`).join(', ')}`))) {
    for (const h of disabled) {
      const r = await reenableHook(gitlab, h.target, h.hook!.id);
      h.reenabled = r.reenabled;
      if (r.reenabled) h.state = 'healthy';
      else h.failures.push(`re-enabling failed: ${r.reason}`);
    }
  }
  const removed = found.reduce((n, h) => n + h.removed.length, 0);
  const reenabled = found.filter((h) => h.reenabled).length;
  tally.removed += removed;
  tally.reenabled += reenabled;
  // A dry run counts a disabled hook as what the sync would repair, not as a failure.
  const bad = found.filter((h) => (h.state !== 'healthy' && !(ctx.dryRun && h.state === 'disabled')) || h.failures.length);
  const parts = [`${found.length - bad.length - (ctx.dryRun ? disabled.length : 0)} healthy`];
  if (reenabled) parts.push(`${reenabled} re-enabled with a test delivery`);
  if (removed) parts.push(`${removed} duplicate hook(s) deleted`);
  if (ctx.dryRun && disabled.length) parts.push(`would re-enable ${disabled.length} (${disabled.slice(0, 10).map((h) => h.target.path).join(', ')})`);
  const duplicated = found.reduce((n, h) => n + h.duplicates.length, 0);
  if (ctx.dryRun && duplicated) parts.push(`would delete ${duplicated} duplicate hook(s)`);
  if (drifted.length) parts.push(`${drifted.length} with event flags that differ from the bundle (${drifted.slice(0, 10).join(', ')}; run \`port-gitlab install --project-hooks\`)`);
  for (const h of bad.slice(0, 10)) parts.push(`${h.target.path}: ${h.state}${h.failures.length ? ` (${h.failures.join('; ')})` : ''}`);
  if (bad.length > 10) parts.push(`${bad.length - 10} more with problems`);
  if (unreadable.length) parts.push(`not readable: ${unreadable.slice(0, 10).join('; ')}`);
  const fail = bad.length > 0 || unreadable.length > 0;
  return {
    check, status: fail ? 'fail' : drifted.length || (ctx.dryRun && (disabled.length || duplicated)) ? 'warn' : 'ok', message: `project hooks of "${group.full_path}": ${parts.join(', ')}`,
    ...(fail ? { fix: 're-run `port-gitlab install --project-hooks` for missing or stale hooks (Maintainer on each project); `port-gitlab doctor` shows each problem' } : {}),
  };
}

async function tokenHasApi(gitlab: GitLabClient): Promise<boolean> {
  try {
    return (await gitlab.tokenInfo()).scopes.includes('api');
  } catch {
    return true; // unknown: say nothing rather than something wrong
  }
}
