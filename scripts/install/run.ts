// The install, step by step: preflight → blueprints → Port webhook → GitLab hooks → backfill →
// summary. Everything before the first write is read-only, so a preflight or plan problem leaves
// both services untouched; a failure while writing removes what this run created.
import type { Bundle } from '../bundle/load.ts';
import { defaultOptions, type BundleOptions } from '../bundle/render.ts';
import type { PortClient } from '../clients/port/index.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';
import { systemClock, type Clock } from '../clients/shared/clock.ts';
import { applyBlueprints, blueprintResult } from './blueprint-apply.ts';
import { explainForbidden, formatBlueprintPlan, planBlueprints, type BlueprintPlan } from './blueprint-plan.ts';
import { loadBackfill, type BackfillSummary } from './backfill-step.ts';
import { InstallStepError, explainError, type InstallStep } from './errors.ts';
import { applyHooks, type HookResult } from './hook-apply.ts';
import { desiredHookEvents, formatHookPlan, planHooks, type HookPlan } from './hook-plan.ts';
import type { HookRefusal } from './hook-refusal.ts';
import type { InstallInputs } from './inputs.ts';
import { installIdOf } from './install-id.ts';
import { CreationJournal, type RollbackReport } from './journal.ts';
import { formatPreflight, runPreflight, type PreflightCheck } from './preflight.ts';
import { applyWebhook } from './webhook-apply.ts';
import { readInstallWebhooks, type InstallWebhooks } from './install-webhook.ts';
import { legacyWebhookUse } from './shared-port.ts';
import { instanceRoot, webhookDescription } from './instance-guard.ts';
import { describeCovered, groupsOfOtherInstalls } from './group-overlap.ts';
import { writeInstallWatermark } from './install-watermark.ts';
import { formatWebhookPlan, planWebhook, type SecretSource, type WebhookPlan } from './webhook-plan.ts';
import { applyResources, formatResourcePlan, planResources, plannedResources, resourcesChange, type ResourcePlan, type ResourceSummary } from './resources/step.ts';

export interface InstallFlags {
  dryRun?: boolean;
  /** Skip the confirmation prompt. */
  yes?: boolean;
  skipHook?: boolean;
  skipBackfill?: boolean;
  projectHooks?: boolean;
  /** Replace a dashboard page edited in Port with the bundle's. */
  overwriteDashboard?: boolean;
}

export interface InstallDeps {
  bundle: Bundle;
  port: PortClient;
  gitlab: GitLabClient;
  inputs: InstallInputs;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Asked before the first write when a person is at the terminal; false aborts. */
  confirm?: (plan: string) => Promise<boolean>;
  /** Registers the webhook secret with the output redactor as soon as it exists. */
  onSecret?: (secret: string) => void;
  /** Called as each step starts (tests use it to change the world mid-run). */
  onStep?: (step: InstallStep) => void | Promise<void>;
  signal?: AbortSignal;
  /** "Now" for preflight's token-expiry warning (default the system clock). */
  clock?: Clock;
}

export interface InstallSummary {
  ok: boolean;
  dryRun: boolean;
  /** 0 ok, 1 failed or needs attention (a project refused its hook), 2 bad input or preflight/plan refused. */
  exitCode: 0 | 1 | 2;
  preflight: { ok: boolean; checks: PreflightCheck[] };
  blueprints: { created: string[]; updated: string[]; unchanged: string[] };
  /** Scorecards and dashboard pages (resources/step.ts); what the plan would do in a dry run. */
  resources?: ResourceSummary;
  webhook?: { identifier: string; action: 'created' | 'updated' | 'unchanged' | 'create' | 'update'; secret: SecretSource; url?: string; diff?: string[] };
  hooks: Array<HookResult | HookRefusal | { kind: 'group' | 'project'; target: string; targetId: number; id?: number; action: 'create' | 'update' | 'unchanged'; reasons: string[] }>;
  backfill?: BackfillSummary | { skipped: string };
  notes: string[];
  error?: { step: InstallStep; message: string; fix?: string };
  rolledBack?: RollbackReport;
  /** The plan as text (dry run, and the confirmation prompt). */
  planText?: string;
  /** Tells this install's entities from other installs' in the same Port organisation (install-id.ts). */
  installId?: string;
  /**
   * The webhook every install shared in older versions (install-webhook.ts), when Port still has
   * it: deleted once this install's hooks left it and no install that has not migrated is left.
   */
  legacyWebhook?: { identifier: string; action: 'deleted' | 'kept' | 'delete' | 'keep'; reason: string };
  /** The sync watermark the backfill stored, so that the first `sync` is incremental (absent: not stored, see notes). */
  watermark?: { lastSyncStartedAt: string; lastFullSyncStartedAt: string };
}

export function bundleOptionsFor(bundle: Bundle, inputs: InstallInputs): BundleOptions {
  return { ...defaultOptions(bundle), confidentialIssues: inputs.confidentialIssues };
}

function planText(bp: BlueprintPlan, wh: WebhookPlan, hooks: HookPlan | undefined, hookNote?: string, resources?: ResourcePlan): string {
  return [
    'Blueprints:', formatBlueprintPlan(bp) || '  (none)',
    ...(resources ? [formatResourcePlan(resources)] : []),
    'Port webhook:', formatWebhookPlan(wh),
    'GitLab hooks:', hooks ? formatHookPlan(hooks) : `  ${hookNote ?? '(skipped: --skip-hook)'}`,
  ].join('\n');
}

/** The note that goes with refused project hooks: how many, what it means, what a re-run does. */
function refusalNote(refused: readonly HookRefusal[], planned: number, dryRun: boolean): string {
  const names = refused.map((r) => r.target).join(', ');
  if (dryRun) return `could not check the hooks of ${refused.length} project(s) (${names}); a real run skips them and exits 1 — see each project's fix`;
  return `GitLab refused the hook on ${refused.length} of ${planned} project(s) (${names}): they send no events to Port until fixed; everything else is installed. After the fix, run the installer again: it adds only what is missing`;
}

export async function runInstall(deps: InstallDeps, flags: InstallFlags = {}): Promise<InstallSummary> {
  const { bundle, port, gitlab, inputs } = deps;
  const log = deps.log ?? (() => {});
  const step = async (s: InstallStep) => { await deps.onStep?.(s); };
  const options = bundleOptionsFor(bundle, inputs);
  const bundleWebhook = bundle.webhook.content.identifier;
  const summary: InstallSummary = {
    ok: false, dryRun: Boolean(flags.dryRun), exitCode: 1, preflight: { ok: false, checks: [] },
    blueprints: { created: [], updated: [], unchanged: [] }, hooks: [], notes: [],
  };
  const fail = (exitCode: 1 | 2, s: InstallStep, err: unknown): InstallSummary => {
    const e = explainError(err);
    summary.error = { step: s, message: e.message, ...(e.fix ? { fix: e.fix } : {}) };
    summary.exitCode = exitCode;
    summary.ok = false;
    return summary;
  };

  // 1. Preflight (reads only).
  await step('preflight');
  // The preflight reads the legacy shared webhook (the bundle's identifier): that read proves the webhook permission too.
  const pre = await runPreflight(port, gitlab, inputs, { hooks: !flags.skipHook, projectHooks: Boolean(flags.projectHooks), webhookIdentifier: bundleWebhook, clock: deps.clock, bundleBlueprints: bundle.blueprints.map((b) => b.content), bundleWebhook: bundle.webhook.content.identifier });
  summary.preflight = { ok: pre.ok, checks: pre.checks };
  log(`Preflight:\n${formatPreflight(pre)}`);
  if (!pre.ok) {
    const problems = pre.checks.filter((c) => c.status === 'fail');
    return fail(2, 'preflight', new InstallStepError('preflight', `preflight failed; nothing was written:\n${problems.map((c) => `  - ${c.message}${c.fix ? `\n    fix: ${c.fix}` : ''}`).join('\n')}`));
  }
  summary.notes.push(...pre.checks.filter((c) => c.status === 'warn').map((c) => c.message));
  const installId = installIdOf(inputs.gitlabUrl, pre.groups.map((g) => g.id));
  summary.installId = installId;

  // 2-4. Plans (reads only).
  await step('plan');
  let webhooks: InstallWebhooks;
  try {
    webhooks = await readInstallWebhooks(port, bundleWebhook, installId, pre.existingWebhook);
  } catch (err) {
    return fail(2, 'plan', err);
  }
  const webhookIdentifier = webhooks.identifier;
  // A group another install already covers is refused before any write (group-overlap.ts).
  try {
    const covered = groupsOfOtherInstalls(pre.groups, await port.listWebhooks(), webhookIdentifier, bundleWebhook);
    if (covered.length) {
      const { message, fix } = describeCovered(covered);
      return fail(2, 'plan', new InstallStepError('plan', `${message}; nothing was written`, fix));
    }
  } catch (err) {
    return fail(2, 'plan', err);
  }
  // Hooks at the legacy webhook's URL on this install's groups are its own: repointed, not duplicated.
  const hints = { legacyUrl: webhooks.legacy?.url, identifiers: [webhookIdentifier, bundleWebhook] };
  const bpPlan = planBlueprints(bundle.blueprints.map((b) => b.content), pre.existingBlueprints);
  if (bpPlan.forbidden.length) {
    summary.planText = formatBlueprintPlan(bpPlan);
    return fail(2, 'plan', new InstallStepError('plan', explainForbidden(bpPlan)));
  }
  // The description records the GitLab instance (instance-guard.ts): another instance's install is refused on it.
  const description = webhookDescription(bundle.webhook.content.description, instanceRoot(inputs.gitlabUrl, pre.groups));
  const ownWebhook = { identifier: webhookIdentifier, ...(description ? { description } : {}) };
  let resPlan: ResourcePlan;
  try {
    resPlan = await planResources(port, bundle, { enabled: inputs.installDashboards !== false, overwritePages: flags.overwriteDashboard, existingBlueprints: new Set(pre.existingBlueprints.map((b) => b.identifier)) });
  } catch (err) {
    return fail(1, 'plan', err);
  }
  let whPlan = planWebhook(bundle, options, webhooks.own, { dryRun: flags.dryRun, ...ownWebhook });
  if (!flags.dryRun) deps.onSecret?.(whPlan.secret);
  const events = desiredHookEvents(bundle, options);
  const hookGroups = pre.groups.filter((g) => g.hookMode !== 'none');
  let hookPlan: HookPlan | undefined;
  try {
    if (!flags.skipHook && (flags.dryRun || webhooks.own)) {
      hookPlan = await planHooks(gitlab, hookGroups, { url: webhooks.own?.url, secret: whPlan.secret, events, webhookIdentifier, ...hints });
    }
  } catch (err) {
    return fail(1, 'plan', err);
  }
  summary.planText = planText(bpPlan, whPlan, hookPlan, flags.skipHook ? undefined : `  one ${hookGroups.some((g) => g.hookMode === 'project') ? 'hook per project' : 'group hook'} for each of ${hookGroups.map((g) => g.full_path).join(', ')}, pointing at the new webhook`, resPlan);
  if (webhooks.legacy) summary.planText += `\nLegacy webhook:\n  ${webhooks.legacyIdentifier} (shared by every install in older versions): this install's hooks are repointed to "${webhookIdentifier}"; it is deleted afterwards unless an install that has not migrated yet still uses it`;

  if (flags.dryRun) {
    summary.blueprints = blueprintResult(bpPlan);
    summary.resources = plannedResources(resPlan);
    summary.webhook = { identifier: whPlan.identifier, action: whPlan.action, secret: whPlan.secretSource, url: pre.existingWebhook?.url, diff: whPlan.diff };
    summary.hooks = (hookPlan?.items ?? []).map((i) => ({ kind: i.target.kind, target: i.target.path, targetId: i.target.id, id: i.existing?.id, action: i.action, reasons: [...i.reasons, ...i.duplicates.map((d) => `duplicate hook ${d.id} (same URL): delete`)] }));
    summary.hooks.push(...(hookPlan?.refused ?? []));
    if (hookPlan) summary.notes.push(...hookPlan.notes);
    if (hookPlan?.refused.length) summary.notes.push(refusalNote(hookPlan.refused, hookPlan.items.length + hookPlan.refused.length, true));
    if (!flags.skipBackfill) summary.notes.push('the backfill does not run in a dry run');
    if (webhooks.legacy) summary.legacyWebhook = await legacyDecision(port, bundle, installId, webhooks, true);
    summary.ok = true;
    summary.exitCode = 0;
    return summary;
  }

  const changes = bpPlan.items.some((i) => i.action !== 'unchanged') || resourcesChange(resPlan) || whPlan.action !== 'unchanged' || (!flags.skipHook && !hookPlan) || hookPlan?.items.some((i) => i.action !== 'unchanged' || i.duplicates.length > 0) === true;
  if (changes && deps.confirm && !flags.yes && !(await deps.confirm(summary.planText))) {
    return fail(1, 'plan', new InstallStepError('plan', 'cancelled; nothing was written'));
  }

  // Writes: anything this run creates is undone if a later write fails (a project refusing its
  // hook is not a failure: it is skipped, reported, and the run goes on).
  const journal = new CreationJournal();
  let refused: HookRefusal[] = [];
  let current: InstallStep = 'blueprints';
  try {
    await step('blueprints');
    summary.blueprints = await applyBlueprints(port, bpPlan, journal, { log });

    current = 'scorecards';
    await step('scorecards');
    const resources = await applyResources(port, resPlan, journal, log);
    summary.resources = resources.summary;
    summary.notes.push(...resources.notes);

    current = 'webhook';
    await step('webhook');
    // Migrating from the legacy webhook: once a hook points at the new one it must outlive a later failure (no rollback).
    const appliedWebhook = await applyWebhook(port, whPlan, webhooks.legacy ? new CreationJournal() : journal, (existing) => planWebhook(bundle, options, existing, ownWebhook));
    const stored = appliedWebhook.stored;
    if (appliedWebhook.convergedOnCreate) {
      whPlan = appliedWebhook.plan;
      deps.onSecret?.(whPlan.secret);
      summary.notes.push(`the Port webhook "${whPlan.identifier}" was created by another run while this one was planning (two installs at once?): this run updated it instead${whPlan.secretSource === 'rotated' ? '; Port did not return its secret, so it was rotated — run the installer once more after the other run has finished, so that every hook has the same token' : ''}`);
    }
    summary.webhook = { identifier: whPlan.identifier, action: whPlan.action === 'create' ? 'created' : whPlan.action === 'update' ? 'updated' : 'unchanged', secret: whPlan.secretSource, url: stored.url };
    log(`webhook ${whPlan.identifier}: ${summary.webhook.action} (${stored.url})`);

    if (!flags.skipHook) {
      current = 'hooks';
      await step('hooks');
      if (!hookPlan || hookPlan.url !== stored.url) {
        hookPlan = await planHooks(gitlab, hookGroups, { url: stored.url, secret: whPlan.secret, events, webhookIdentifier, ...hints });
      }
      summary.notes.push(...hookPlan.notes);
      const applied = await applyHooks(gitlab, hookPlan, whPlan.secret, webhookIdentifier, journal, log);
      refused = applied.refused;
      summary.hooks = [...applied.results, ...refused];
      summary.notes.push(...applied.dedupeFailures);
      if (refused.length) {
        summary.notes.push(refusalNote(refused, hookPlan.items.length + hookPlan.refused.length, false));
        if (whPlan.secretSource === 'rotated') summary.notes.push('the webhook secret was rotated: a hook that already existed on a refused project still has the old token, so Port rejects its deliveries until the installer can update it');
      }
    } else {
      summary.notes.push('no GitLab hook was installed (--skip-hook): Port is only updated by the backfill');
    }
    // Every hook of this install now feeds its own webhook (a refused project may still feed the legacy one).
    // Installed either way: a failure here is only noted (nothing is rolled back; a re-run tries again).
    if (webhooks.legacy && !refused.length) {
      try {
        summary.legacyWebhook = await legacyDecision(port, bundle, installId, webhooks, false);
        log(`legacy webhook ${webhooks.legacyIdentifier}: ${summary.legacyWebhook.action} (${summary.legacyWebhook.reason})`);
      } catch (err) {
        summary.notes.push(`the legacy shared webhook "${webhooks.legacyIdentifier}" could not be checked or deleted (${explainError(err).message}); this install's hooks feed its own webhook; run the installer again to remove it`);
      }
    }
  } catch (err) {
    fail(1, current, err);
    if (journal.size) {
      log('rolling back what this run created…');
      summary.rolledBack = await journal.rollback();
      summary.blueprints.created = [];
      if (summary.resources) summary.resources = { ...summary.resources, scorecards: { ...summary.resources.scorecards, created: [] }, pages: summary.resources.pages.filter((p) => p.action !== 'created') };
    }
    if (current === 'hooks' && whPlan.secretSource === 'rotated') {
      summary.notes.push('the webhook secret was rotated but not every hook got the new token; run the installer again to bring them in line');
    }
    return summary;
  }

  // 5. Backfill: failures here leave the integration installed (a re-run completes the work).
  if (flags.skipBackfill) {
    summary.backfill = { skipped: '--skip-backfill' };
  } else {
    await step('backfill');
    const runBackfill = await loadBackfill();
    const installPort = port.forInstall(installId);
    const groups = pre.groups.map((g) => ({ id: g.id, full_path: g.full_path }));
    const startedAt = (deps.clock ?? systemClock).now();
    try {
      summary.backfill = await runBackfill({ bundle, port: installPort, gitlab, groups, options, signal: deps.signal, log });
      if (!summary.backfill.ok) {
        summary.error = { step: 'backfill', message: summary.backfill.stopped ? `the backfill stopped: ${summary.backfill.stopped.reason}` : 'the backfill did not complete; see the per-kind failures', fix: 'run the installer (or `port-gitlab backfill`) again: it completes the work' };
        summary.exitCode = 1;
        return summary;
      }
    } catch (err) {
      return fail(1, 'backfill', err);
    }
    // The backfill was a full sync: the first `port-gitlab sync` can be incremental from its start.
    const stored = await writeInstallWatermark(installPort, installId, groups, startedAt);
    if (stored.ok) summary.watermark = stored.watermark;
    else summary.notes.push(stored.note);
  }

  // Installed, but some projects have no hook: exit 1 says "needs attention" to scripts and CI.
  summary.ok = refused.length === 0;
  summary.exitCode = refused.length ? 1 : 0;
  return summary;
}

/**
 * The legacy shared webhook after this install left it: deleted when no install that has not
 * migrated yet (nor an entity of unknown owner) is left in Port, else kept with the reason.
 */
async function legacyDecision(port: PortClient, bundle: Bundle, installId: string, webhooks: InstallWebhooks, dryRun: boolean): Promise<NonNullable<InstallSummary['legacyWebhook']>> {
  const identifier = webhooks.legacyIdentifier;
  const blueprints: string[] = [];
  for (const b of bundle.blueprints) if (await port.getBlueprint(b.content.identifier)) blueprints.push(b.content.identifier);
  const use = await legacyWebhookUse(port, blueprints, installId, identifier);
  if (use) return { identifier, action: dryRun ? 'keep' : 'kept', reason: `${use.reason}; the next install of the last of them deletes it` };
  if (dryRun) return { identifier, action: 'delete', reason: 'no other install still uses it' };
  await port.deleteWebhook(identifier);
  return { identifier, action: 'deleted', reason: "no other install still uses it (this install's hooks now feed its own webhook)" };
}
