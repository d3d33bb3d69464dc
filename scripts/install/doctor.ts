// Doctor: is the installed integration healthy? Credentials; the Port webhook (exists, enabled,
// mappings as rendered); each GitLab hook (present, not auto-disabled — with an offer to
// re-enable — flags as the bundle maps, no second hook of ours at the same URL (reported, not
// deleted: install removes it); where group hooks are unavailable, each project's hook, summarised); the hook token equal to the webhook secret, proven by a
// test delivery that Port records in its audit log; entity counts per blueprint.
import type { Bundle } from '../bundle/load.ts';
import type { PortClient } from '../clients/port/index.ts';
import type { GitLabClient, GitLabHook } from '../clients/gitlab/index.ts';
import { GitLabApiError } from '../clients/gitlab/errors.ts';
import { systemClock, type Clock } from '../clients/shared/clock.ts';
import { jsonEqual } from './blueprint-plan.ts';
import { explainError } from './errors.ts';
import { portAuthFailure } from './credential-diagnosis.ts';
import { desiredHookEvents, eventFlagDrift } from './hook-plan.ts';
import { activeWebhook, hookOwnerHints, legacyWebhookNote, readInstallWebhooks } from './install-webhook.ts';
import { checkOneInstance, urlBlueprints } from './instance-guard.ts';
import { disabledText, inspectHooksAt, isDisabledHook, withoutGroupHooks } from './hooks-repair.ts';
import { groupKey, type InstallInputs } from './inputs.ts';
import { installIdOf } from './install-id.ts';
import { checkTokenScopes } from './token-scopes.ts';
import { bundleOptionsFor } from './run.ts';
import { renderWebhook } from '../bundle/render.ts';
import { recoverableSecret } from './webhook-secret.ts';
import { checkProjectHooks, type ProjectHookDetails } from './doctor-project-hooks.ts';
import { checkResources } from './resources/doctor.ts';

export interface DoctorCheck {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
  /** Project-hook mode (no group hooks): the projects behind the summary. */
  projects?: ProjectHookDetails;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  entityCounts: Record<string, number | null>;
}

export interface DoctorOptions {
  /** Asked when a hook is disabled; true re-enables it with a test delivery. */
  reenable?: (what: string) => Promise<boolean>;
  /** Audit-log polls after a test delivery (bounded). */
  auditPolls?: number;
  auditPollMs?: number;
  clock?: Clock;
}

export async function runDoctor(port: PortClient, gitlab: GitLabClient, bundle: Bundle, inputs: InstallInputs, o: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);
  const entityCounts: Record<string, number | null> = {};
  const clock = o.clock ?? systemClock;
  const options = bundleOptionsFor(bundle, inputs);
  const report = () => ({ ok: !checks.some((c) => c.status === 'fail'), checks, entityCounts });

  try {
    await port.authenticate();
    add({ check: 'port.credentials', status: 'ok', message: `Port accepted the credentials (${port.baseUrl})` });
  } catch (err) {
    add({ check: 'port.credentials', status: 'fail', ...portAuthFailure(err, port.baseUrl) });
    return report();
  }
  // `/user` decides whether GitLab accepts the token; the token's record (scopes, expiry) is read
  // as install's preflight reads it: a 404 there (GitLab before 15.5, OAuth) is only a warning.
  try {
    const u = await gitlab.currentUser();
    add({ check: 'gitlab.token', status: 'ok', message: `GitLab at ${gitlab.host} accepted the token (user ${String(u.username)})` });
  } catch (err) {
    const rejected = err instanceof GitLabApiError && err.status === 401;
    add({ check: 'gitlab.token', status: 'fail', message: `${rejected ? 'GitLab rejected the token' : `GitLab at ${gitlab.host} could not be asked about the token`}: ${explainError(err).message}`, fix: explainError(err).fix });
    return report();
  }
  checks.push(...(await checkTokenScopes(gitlab, { hooks: false, clock })).checks);

  // --- The install: its groups name its id, and its id its own Port webhook (install-webhook.ts) ---
  const groups: Array<{ ref: string; group: { id: number; full_path: string; web_url?: string } | null }> = [];
  for (const ref of inputs.gitlabGroups) groups.push({ ref: ref.raw, group: (await gitlab.group(groupKey(ref))) as { id: number; full_path: string; web_url?: string } | null });
  const everyGroupFound = groups.every((g) => g.group);
  const installId = everyGroupFound && groups.length ? installIdOf(inputs.gitlabUrl, groups.map((g) => g.group!.id)) : undefined;

  // --- Port webhook -------------------------------------------------------------------------------
  const webhooks = installId ? await readInstallWebhooks(port, bundle.webhook.content.identifier, installId) : null;
  const active = webhooks ? activeWebhook(webhooks) : null;
  const identifier = active?.identifier ?? webhooks?.identifier ?? bundle.webhook.content.identifier;
  const webhook = active?.webhook ?? null;
  const hints = webhooks ? hookOwnerHints(webhooks) : {};
  if (!webhooks) {
    add({ check: 'port.webhook', status: 'fail', message: 'the install\'s Port webhook is named after its groups, and not every group of GITLAB_GROUPS was found', fix: 'check GITLAB_GROUPS (the groups you installed on)' });
  } else if (!webhook) {
    add({ check: 'port.webhook', status: 'fail', message: `the Port webhook "${identifier}" does not exist`, fix: 'run `port-gitlab install`' });
  } else {
    if (active!.legacy) add({ check: 'port.webhook.legacy', status: 'warn', message: legacyWebhookNote(webhooks) });
    add(webhook.enabled === false
      ? { check: 'port.webhook', status: 'fail', message: `the Port webhook "${identifier}" is disabled: Port drops every GitLab event`, fix: 'enable it in Port (Data sources) or run `port-gitlab install`' }
      : { check: 'port.webhook', status: 'ok', message: `the Port webhook "${identifier}" is enabled (${webhook.url})` });
    const want = renderWebhook(bundle, { options });
    if (!jsonEqual(webhook.mappings ?? [], want.mappings ?? [])) add({ check: 'port.webhook.mappings', status: 'warn', message: 'the webhook mappings differ from this bundle', fix: 'run `port-gitlab install` to bring them in line' });
    if (!recoverableSecret(webhook.security?.secret)) add({ check: 'port.webhook.secret', status: 'warn', message: 'Port does not return the webhook secret, so it cannot be compared with the hook token directly; the test delivery below decides' });
  }

  // --- GitLab hooks and the token test ------------------------------------------------------------
  // The token test: a real delivery. GitLab reports Port's 401; Port's audit log shows what it processed.
  // Entity writes from the webhook only (the install's own webhook updates are audited too).
  const tokenTest = async (groupPath: string, what: string, send: () => Promise<void>): Promise<void> => {
    const since = new Date(clock.now() - 1000).toISOString();
    try {
      await send();
    } catch (err) {
      const rejected = err instanceof GitLabApiError && /401/.test(err.gitlabMessage);
      add(rejected
        ? { check: `token:${groupPath}`, status: 'fail', message: `Port rejected the test delivery of ${what} (401): the hook token and the webhook secret differ`, fix: 'run `port-gitlab install`: it sets both to the same value' }
        : { check: `token:${groupPath}`, status: 'warn', message: `the test delivery could not be sent: ${explainError(err).message}` });
      return;
    }
    let seen = false;
    for (let i = 0; i < (o.auditPolls ?? 20) && !seen; i++) {
      const audits = await port.getAuditLogs({ webhookId: identifier, resources: ['entity'], from: since, limit: 10 });
      seen = audits.length > 0;
      if (!seen) await clock.sleep(o.auditPollMs ?? 500);
    }
    add(seen
      ? { check: `token:${groupPath}`, status: 'ok', message: `a test delivery of ${what} was accepted and processed by Port (audit log): the hook token equals the webhook secret` }
      : { check: `token:${groupPath}`, status: 'warn', message: `Port accepted the test delivery of ${what}, but its audit log shows nothing processed yet`, fix: 'look at the webhook\'s event log in Port (Data sources → the webhook)' });
  };
  const events = desiredHookEvents(bundle, options);
  for (const { ref, group } of groups) {
    if (!group) {
      add({ check: `gitlab.group:${ref}`, status: 'fail', message: `group ${ref} was not found`, fix: 'check GITLAB_GROUPS' });
      continue;
    }
    let hooks: GitLabHook[];
    try {
      hooks = await gitlab.listGroupHooks(group.id);
    } catch (err) {
      const without = withoutGroupHooks(err);
      if (!without) {
        add({ check: `gitlab.hook:${group.full_path}`, status: 'fail', message: `could not list the hooks of "${group.full_path}": ${explainError(err).message}`, fix: explainError(err).fix });
        continue;
      }
      // The installer's --project-hooks put one hook on each project instead: check those.
      add({ check: `gitlab.hook:${group.full_path}`, status: 'warn', message: `${without} on "${group.full_path}"; checking the hook of each of its projects (install --project-hooks) instead` });
      const projects = await checkProjectHooks(gitlab, group, { url: webhook?.url, events, webhookIdentifier: identifier, reenable: o.reenable, ...hints });
      checks.push(...projects.checks);
      // One test delivery for the whole group, as for a group hook: every hook carries the same token.
      if (webhook && projects.healthy) {
        const { projectId, path, hook } = projects.healthy;
        await tokenTest(group.full_path, `hook ${hook.id} on project ${path}`, () => gitlab.testProjectHook(projectId, hook.id, 'push_events'));
      }
      continue;
    }
    const where = `"${group.full_path}"`;
    const target = { kind: 'group' as const, id: group.id, path: group.full_path, group: group.full_path };
    const health = await inspectHooksAt(gitlab, target, { url: webhook?.url, reenable: o.reenable, ...hints }, hooks);
    const hook = health.hook;
    if (!hook) {
      add({ check: `gitlab.hook:${group.full_path}`, status: 'fail', message: `no hook of this integration on ${where}`, fix: 'run `port-gitlab install`' });
      continue;
    }
    if (health.state === 'stale') add({ check: `gitlab.hook:${group.full_path}`, status: 'fail', message: `hook ${hook.id} on ${where} points at ${hook.url}, not the webhook's ${webhook?.url}`, fix: 'run `port-gitlab install`' });
    if (health.duplicates.length) {
      // Each hook's deliveries carry their own Idempotency-Key: Port cannot tell them apart.
      add({ check: `gitlab.hook.duplicates:${group.full_path}`, status: 'fail', message: `${health.duplicates.length} more hook(s) of this integration on ${where} (id ${health.duplicates.join(', ')}) besides hook ${hook.id}: GitLab delivers every event once per hook, and Port ingests each delivery`, fix: `run \`port-gitlab install\`: it keeps hook ${hook.id} (the lowest id) and deletes the others` });
    }
    const enabled = !isDisabledHook(hook) || health.reenabled === true;
    if (isDisabledHook(hook)) {
      const what = `hook ${hook.id} on ${where} is ${disabledText(hook)}: GitLab disabled it after failed deliveries`;
      if (health.reenabled) add({ check: `gitlab.hook:${group.full_path}`, status: 'ok', message: `${what}; re-enabled with a test delivery` });
      else if (health.reenabled === false) add({ check: `gitlab.hook:${group.full_path}`, status: 'fail', message: `${what}; ${health.failures.join('; ')}`, fix: 'check that Port accepts deliveries (webhook enabled, secret), then run doctor again' });
      else add({ check: `gitlab.hook:${group.full_path}`, status: 'fail', message: what, fix: 'run `port-gitlab doctor --reenable` (or answer yes on a terminal): a successful test delivery re-enables it' });
    } else if (health.state !== 'stale') {
      add({ check: `gitlab.hook:${group.full_path}`, status: 'ok', message: `hook ${hook.id} on ${where} is ${hook.alert_status ?? 'enabled'}` });
    }
    const flagDiffs = webhook ? eventFlagDrift(hook, 'group', events) : [];
    if (flagDiffs.length) add({ check: `gitlab.hook.events:${group.full_path}`, status: 'warn', message: `hook ${hook.id} event flags differ from the bundle: ${flagDiffs.join('; ')}`, fix: 'run `port-gitlab install`' });

    if (!webhook || !enabled) continue;
    await tokenTest(group.full_path, `hook ${hook.id}`, () => gitlab.testGroupHook(group.id, hook.id, 'push_events'));
  }

  // The id install and backfill write as: with several installs in one Port organisation, it says which entities are whose.
  // One GitLab instance per Port organisation (instance-guard.ts), as install, backfill and sync require.
  if (installId) {
    try {
      const existing = new Set((await port.listBlueprints()).map((b) => b.identifier));
      const { found: _found, ...check } = await checkOneInstance(port, inputs.gitlabUrl, groups.map((g) => g.group!), urlBlueprints(bundle.blueprints.map((b) => b.content), existing), bundle.webhook.content.identifier);
      add(check);
    } catch (err) {
      add({ check: 'gitlab.instance', status: 'warn', message: `could not ask Port whether it holds entities of another GitLab instance: ${explainError(err).message}` });
    }
  }
  if (installId) {
    add({ check: 'install.id', status: 'ok', message: `install id ${installId}: its own Port webhook is "${webhooks!.identifier}", the backfill's entities carry "$datasource": "${port.forInstall(installId).userAgent}", and its reconcile deletes only entities under its groups` });
  }

  // --- Entities -----------------------------------------------------------------------------------
  for (const b of bundle.blueprints) {
    const id = b.content.identifier;
    try {
      entityCounts[id] = (await port.getBlueprint(id)) ? await port.countEntities(id) : null;
    } catch {
      entityCounts[id] = null;
    }
  }
  checks.push(...(await checkResources(port, bundle, Object.entries(entityCounts).filter(([, n]) => n !== null).map(([id]) => id))));
  const missing = Object.entries(entityCounts).filter(([, n]) => n === null).map(([id]) => id);
  add(missing.length
    ? { check: 'port.blueprints', status: 'fail', message: `blueprints missing in Port: ${missing.join(', ')}`, fix: 'run `port-gitlab install`' }
    : { check: 'port.blueprints', status: 'ok', message: `entities: ${Object.entries(entityCounts).map(([id, n]) => `${id} ${n}`).join(', ')}` });
  return report();
}

export function formatDoctor(r: DoctorReport): string {
  const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
  return [...r.checks.map((c) => `${mark[c.status]} ${c.message}${c.fix ? `\n    fix: ${c.fix}` : ''}`), r.ok ? 'healthy' : 'problems found'].join('\n') + '\n';
}
