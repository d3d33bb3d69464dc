// The install summary as the CLI prints it: a short text for people (its backfill section in the
// backfill command's own format), or one JSON object.
import { formatSummary } from '../backfill/report.ts';
import type { BackfillSummary } from './backfill-step.ts';
import { formatRefusals, type HookRefusal } from './hook-refusal.ts';
import type { InstallSummary } from './run.ts';

/** The `--json` object: `{ok, dryRun, blueprints, webhook, hooks, backfill?, notes, error?, rolledBack?, preflight, installId?, legacyWebhook?, watermark?}`. */
export function installJson(s: InstallSummary): Record<string, unknown> {
  return {
    ok: s.ok,
    dryRun: s.dryRun,
    exitCode: s.exitCode,
    blueprints: s.blueprints,
    ...(s.resources ? { scorecards: s.resources.scorecards, pages: s.resources.pages, ...(s.resources.skipped ? { dashboards: s.resources.skipped } : {}) } : {}),
    webhook: s.webhook ?? null,
    hooks: s.hooks,
    ...(s.backfill ? { backfill: s.backfill } : {}),
    notes: s.notes,
    ...(s.error ? { error: s.error } : {}),
    ...(s.rolledBack ? { rolledBack: s.rolledBack } : {}),
    preflight: s.preflight,
    ...(s.installId ? { installId: s.installId } : {}),
    ...(s.legacyWebhook ? { legacyWebhook: s.legacyWebhook } : {}),
    ...(s.watermark ? { watermark: s.watermark } : {}),
    ...(s.dryRun && s.planText ? { plan: s.planText } : {}),
  };
}

function list(ids: string[]): string {
  return ids.length ? ids.join(', ') : '—';
}

/** The backfill section: the same table `port-gitlab backfill` prints, indented under the install's lines. */
function backfillText(b: BackfillSummary | { skipped: string }): string {
  if ('skipped' in b) return `  backfill: skipped (${b.skipped})`;
  return formatSummary(b).map((line) => `  ${line}`).join('\n');
}

export function installText(s: InstallSummary): string {
  const out: string[] = [];
  if (s.dryRun && s.planText) out.push('Plan (dry run: nothing was sent to Port or GitLab except reads):', s.planText, '');
  if (s.error) {
    out.push(`✗ install failed at ${s.error.step}: ${s.error.message}`);
    if (s.error.fix) out.push(`  fix: ${s.error.fix}`);
    if (s.rolledBack) {
      if (s.rolledBack.undone.length) out.push(`  rolled back: ${s.rolledBack.undone.join(', ')}`);
      for (const f of s.rolledBack.failed) out.push(`  ✗ could not roll back ${f.what}: ${f.reason}`);
    }
    if (s.planText && !s.dryRun && s.error.step === 'plan') out.push(s.planText);
  }
  const refused = s.hooks.filter((h): h is HookRefusal => h.action === 'refused');
  if (!s.dryRun && s.preflight.ok) {
    out.push(s.ok ? '✓ installed' : !s.error && refused.length ? `! installed, but ${refused.length} project(s) have no hook (exit 1: needs attention):` : 'Result:');
    out.push(`  blueprints: created ${list(s.blueprints.created)}; updated ${list(s.blueprints.updated)}; unchanged ${list(s.blueprints.unchanged)}`);
    if (s.resources?.skipped) out.push(`  scorecards and dashboard: ${s.resources.skipped}`);
    else if (s.resources) {
      out.push(`  scorecards: created ${list(s.resources.scorecards.created)}; updated ${list(s.resources.scorecards.updated)}; unchanged ${list(s.resources.scorecards.unchanged)}`);
      for (const p of s.resources.pages) out.push(`  page ${p.identifier}: ${p.action}${p.reason ? ` (${p.reason})` : ''}`);
    }
    if (s.webhook) out.push(`  Port webhook ${s.webhook.identifier}: ${s.webhook.action}; secret ${s.webhook.secret}${s.webhook.url ? `; URL ${s.webhook.url}` : ''}`);
    for (const h of s.hooks) {
      if (h.action === 'refused') continue;
      const removed = 'removedDuplicates' in h && h.removedDuplicates?.length ? `; deleted duplicate hook(s) ${h.removedDuplicates.join(', ')} (same URL)` : '';
      out.push(`  GitLab ${h.kind} hook${h.id !== undefined ? ` ${h.id}` : ''} on ${h.target}: ${h.action}${removed}`);
    }
    if (s.legacyWebhook) out.push(`  legacy shared Port webhook ${s.legacyWebhook.identifier}: ${s.legacyWebhook.action} (${s.legacyWebhook.reason})`);
    out.push(...formatRefusals(refused, 'result'));
    if (s.backfill) out.push(backfillText(s.backfill));
    if (s.watermark) out.push(`  sync watermark stored (${s.watermark.lastSyncStartedAt}): the first \`port-gitlab sync\` is incremental`);
  }
  for (const n of s.notes) out.push(`  ! ${n}`);
  return out.join('\n') + '\n';
}
