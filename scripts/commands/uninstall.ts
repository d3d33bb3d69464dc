// `port-gitlab uninstall [--purge] [--yes] [--json]`: removes this integration's GitLab hooks and
// Port webhook; with --purge also its entities and blueprints. While another install shares the
// Port organisation, only this install's hooks (and, with --purge, its entities) go.
import { EXIT } from '../cli/errors.ts';
import { SHARED_FLAGS } from '../cli/flags.ts';
import type { ClientTuning } from '../install/clients.ts';
import { prepareCommand } from '../install/context.ts';
import { formatError } from '../install/errors.ts';
import { inputNeeds } from '../install/inputs.ts';
import { confirm, processIO, type CommandIO } from '../install/io.ts';
import { formatUninstallPlan, planUninstall, runUninstall, type UninstallResult } from '../install/uninstall.ts';
import { SYNC_STATE_BLUEPRINT } from '../sync/watermark.ts';

export const UNINSTALL_HELP = `usage: port-gitlab uninstall [--purge] [--yes] [--json] [input flags]

Removes the GitLab hooks this install created (found by its Port webhook's URL, on each group in
GITLAB_GROUPS or, where group hooks are unavailable, on their projects) and its own Port webhook
(gitlabIntegration-<hash of the install id>; another install's webhook is never touched).

  --purge   also delete the integration's entities and blueprints (children first), and this
            install's sync watermark (the ${SYNC_STATE_BLUEPRINT} blueprint once no install has one)

When Port holds entities written by another install of this package (other GitLab groups into
the same Port organisation), or by a version before install ids existed (owner unknown), the
blueprints are kept and --purge deletes only this install's entities (under its groups' URLs,
or related to its groups, whoever wrote them last). The webhook every install shared in older
versions (gitlabIntegration) is deleted once no install that still feeds it is left.
  --yes     do not ask; required when no terminal is attached
  --json    print one JSON result on stdout

Inputs: the same as install (PORT_CLIENT_ID, PORT_CLIENT_SECRET, PORT_API_URL, GITLAB_URL,
GITLAB_TOKEN, GITLAB_GROUPS).

Exit codes: 0 removed (or nothing to remove); 1 something could not be removed; 2 bad input, not
confirmed, or what to remove could not be read (credentials, network): nothing was deleted.`;

/** Not INGEST_CONFIDENTIAL_ISSUES: removing hooks, webhook and blueprints does not depend on it. */
const UNINSTALL_NEEDS = inputNeeds('delete the webhook (with --purge, the entities and blueprints)', 'find and delete the hooks on each group');

export async function runUninstallCommand(argv: string[], o: { io?: CommandIO; tuning?: ClientTuning } = {}): Promise<{ exitCode: number; result?: UninstallResult }> {
  // checkBundle false: removing what a broken fork installed must stay possible.
  const ctx = await prepareCommand({ argv, io: o.io ?? processIO(), help: UNINSTALL_HELP, tuning: o.tuning, need: UNINSTALL_NEEDS, checkBundle: false, options: { purge: { type: 'boolean' }, ...SHARED_FLAGS.yes, ...SHARED_FLAGS.json } });
  if (typeof ctx === 'number') return { exitCode: ctx };
  const { io, values, bundle } = ctx;
  const purge = Boolean(values.purge);
  let plan;
  try {
    plan = await planUninstall(ctx.port, ctx.gitlab, bundle, ctx.inputs, purge);
  } catch (err) {
    // Nothing was deleted: a plan problem, exit 2 like install's preflight.
    io.stderr(`uninstall: could not find what to remove; nothing was deleted: ${formatError(err)}\n`);
    return { exitCode: EXIT.badInput };
  }
  const text = formatUninstallPlan(plan);
  io.stderr(text + '\n');
  if (!values.yes) {
    if (!io.isTTY) {
      io.stderr('uninstall deletes things: run again with --yes to confirm (no terminal to ask on).\n');
      return { exitCode: EXIT.badInput };
    }
    const question = !purge ? 'Delete these?' : plan.shared ? 'Delete these, including the entities of this install?' : 'Delete these, including every entity of these blueprints?';
    if (!(await confirm(io, question))) {
      io.stderr('cancelled; nothing was deleted\n');
      return { exitCode: EXIT.badInput };
    }
  }
  const result = await runUninstall(ctx.port, ctx.gitlab, bundle, plan, { log: (l) => io.stderr(l + '\n') });
  if (values.json) {
    io.stdout(JSON.stringify(result) + '\n');
  } else {
    const lines = [result.ok ? '✓ uninstalled' : '✗ uninstall incomplete'];
    lines.push(`  GitLab hooks deleted: ${result.hooks.filter((h) => h.deleted).length}`);
    lines.push(`  Port webhook: ${result.webhook ? (result.webhook.kept ? 'kept' : result.webhook.deleted ? 'deleted' : 'not deleted') : 'none existed'}`);
    if (result.legacyWebhook) lines.push(`  legacy shared Port webhook ${result.legacyWebhook.identifier}: ${result.legacyWebhook.kept ? `kept. Why: ${result.legacyWebhook.reason}` : result.legacyWebhook.deleted ? 'deleted' : 'not deleted'}`);
    if (result.syncState) lines.push(`  sync watermark: ${result.syncState.entityDeleted ? 'deleted' : 'none'}${result.syncState.blueprintDeleted ? ` (blueprint ${SYNC_STATE_BLUEPRINT} deleted: no install has one left)` : ''}`);
    if (result.scorecards?.length) lines.push(`  scorecards: ${result.scorecards.map((c) => `${c.blueprint}/${c.identifier} ${c.kept ? 'kept' : c.deleted ? 'deleted' : 'not deleted'}`).join(', ')}`);
    for (const p of result.pages ?? []) lines.push(`  page ${p.identifier}: ${p.kept ? `kept (${p.kept})` : p.deleted ? 'deleted' : 'not deleted'}`);
    if (result.shared) {
      lines.push(`  kept the blueprints. Why: ${result.shared.reason}`);
      if (purge) lines.push(`  entities of this install deleted: ${result.blueprints.filter((b) => b.entitiesDeleted).map((b) => `${b.identifier} (${b.entitiesDeleted})`).join(', ') || '—'}`);
    } else if (purge) {
      lines.push(`  blueprints deleted: ${result.blueprints.filter((b) => b.deleted).map((b) => `${b.identifier} (${b.entitiesDeleted} entities)`).join(', ') || '—'}`);
    }
    for (const f of result.failures) lines.push(`  ✗ ${f.what}: ${f.reason}${f.fix ? `\n    fix: ${f.fix}` : ''}`);
    (result.ok ? io.stdout : io.stderr)(lines.join('\n') + '\n');
  }
  return { exitCode: result.ok ? EXIT.ok : EXIT.failed, result };
}

export async function run(argv: string[], io?: CommandIO): Promise<number> {
  return (await runUninstallCommand(argv, { io })).exitCode;
}
