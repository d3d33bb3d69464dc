// Before a backfill lists anything: the install's preflight checks (scripts/install/preflight.ts,
// called, not copied) with what a backfill needs — Port accepts the credentials at PORT_API_URL and
// shows its blueprints, the GitLab token works (`read_api` is enough), each group is readable —
// plus one check of its own: Port has the blueprints the backfill writes (and those they relate
// to). Without it a wrong secret, a URL that is not Port, Port down or a backfill before any
// install lists all of GitLab and fails every entity. Used by `port-gitlab backfill` (and `sync`).
import type { Bundle } from '../bundle/load.ts';
import { defaultOptions, renderBackfillMappings } from '../bundle/render.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';
import type { PortClient } from '../clients/port/index.ts';
import type { Clock } from '../clients/shared/clock.ts';
import type { InstallInputs } from '../install/inputs.ts';
import type { CommandIO } from '../install/io.ts';
import { EXIT } from '../cli/errors.ts';
import { formatPreflight, runPreflight, type PreflightCheck } from '../install/preflight.ts';
import { BACKFILL_KINDS, type BackfillGroup, type BackfillKind } from './types.ts';

export interface BackfillPreflightClients {
  port: PortClient;
  gitlab: GitLabClient;
  bundle: Bundle;
}

export interface BackfillPreflightOptions {
  /** The kinds the run writes (default all): their blueprints must exist in Port. */
  kinds?: readonly BackfillKind[];
  /** "Now" for the token-expiry warning. */
  clock?: Clock;
}

export interface BackfillPreflight {
  ok: boolean;
  /** Every check, in order (the install's shape: `{check, status, message, fix?}`). */
  checks: PreflightCheck[];
  /** The groups to backfill, resolved from GITLAB_GROUPS (ids and full paths). */
  groups: BackfillGroup[];
}

/** What a failed preflight leaves undone, as the first line of the message. */
export const PREFLIGHT_FAILED = 'backfill: preflight failed; nothing was listed from GitLab (only the token and the groups were read) and nothing was written to Port';

export async function preflightBackfill(inputs: InstallInputs, clients: BackfillPreflightClients, options: BackfillPreflightOptions = {}): Promise<BackfillPreflight> {
  const { port, gitlab, bundle } = clients;
  // No hooks: no `api` scope, no Owner role, no webhook read; a subgroup is a valid thing to backfill.
  // bundleBlueprints: refuse when Port holds another GitLab instance's entities (instance-guard.ts).
  const pre = await runPreflight(port, gitlab, inputs, { hooks: false, projectHooks: false, allowSubgroups: true, clock: options.clock, bundleBlueprints: bundle.blueprints.map((b) => b.content), bundleWebhook: bundle.webhook.content.identifier });
  const checks = [...pre.checks];
  // Next to the Port checks, when Port showed its blueprints.
  const shown = checks.findIndex((c) => c.check === 'port.permissions' && c.status === 'ok');
  if (shown >= 0) checks.splice(shown + 1, 0, blueprintCheck(bundle, options.kinds, new Set(pre.existingBlueprints.map((b) => b.identifier))));
  return {
    ok: !checks.some((c) => c.status === 'fail'),
    checks,
    groups: pre.groups.map((g) => ({ id: g.id, full_path: g.full_path })),
  };
}

/** The blueprints the kinds write, and those they relate to (bundle order). */
export function blueprintsWritten(bundle: Bundle, kinds: readonly BackfillKind[] = BACKFILL_KINDS): string[] {
  const options = defaultOptions(bundle);
  const written = new Set(kinds.flatMap((k) => renderBackfillMappings(bundle, k, options).map((m) => m.blueprint)));
  const needed = new Set(written);
  for (const b of bundle.blueprints) {
    if (!written.has(b.content.identifier)) continue;
    for (const r of Object.values(b.content.relations ?? {})) needed.add(r.target);
  }
  return bundle.blueprints.map((b) => b.content.identifier).filter((id) => needed.has(id));
}

function blueprintCheck(bundle: Bundle, kinds: readonly BackfillKind[] | undefined, existing: ReadonlySet<string>): PreflightCheck {
  const needed = blueprintsWritten(bundle, kinds?.length ? kinds : BACKFILL_KINDS);
  const missing = needed.filter((id) => !existing.has(id));
  if (!missing.length) return { check: 'port.blueprints', status: 'ok', message: `Port has the ${needed.length} blueprints the backfill writes` };
  return {
    check: 'port.blueprints', status: 'fail',
    message: `Port has no blueprint ${missing.map((id) => `"${id}"`).join(', ')}: every entity of ${missing.length === 1 ? 'it' : 'them'} would be refused`,
    fix: 'run `port-gitlab install` first (it creates the blueprints; add --skip-hook for a backfill-only install)',
  };
}

/** The text for people (stderr): what failed and how to fix it, and warnings. */
export function formatBackfillPreflight(p: BackfillPreflight): string {
  return `${PREFLIGHT_FAILED}:\n${formatPreflight(p, true)}`;
}

/** The `--json` object of a failed preflight, in the shape install uses: `{ok, exitCode, error, preflight}`. */
export function backfillPreflightJson(p: BackfillPreflight, exitCode: number): Record<string, unknown> {
  const failed = p.checks.filter((c) => c.status === 'fail');
  return {
    ok: false,
    exitCode,
    error: { step: 'preflight', message: `${PREFLIGHT_FAILED}: ${failed.map((c) => c.message).join('; ')}`, ...(failed.length === 1 && failed[0]!.fix ? { fix: failed[0]!.fix } : {}) },
    preflight: { ok: p.ok, checks: p.checks },
  };
}

/**
 * The preflight as backfill and sync run it from the CLI: on failure the report on stderr (and one
 * JSON object on stdout with --json) and exit 2; warnings on stderr; else the groups to list.
 */
export async function preflightForCommand(command: string, inputs: InstallInputs, clients: BackfillPreflightClients, io: Pick<CommandIO, 'stdout' | 'stderr'>, json: boolean, options: BackfillPreflightOptions = {}): Promise<BackfillGroup[] | number> {
  const pre = await preflightBackfill(inputs, clients, options);
  if (!pre.ok) {
    io.stderr(formatBackfillPreflight(pre) + '\n');
    if (json) io.stdout(JSON.stringify(backfillPreflightJson(pre, EXIT.badInput)) + '\n');
    return EXIT.badInput;
  }
  const warnings = pre.checks.filter((c) => c.status === 'warn');
  if (warnings.length) io.stderr(`${command}: ${warnings.map((c) => `${c.message}${c.fix ? ` (${c.fix})` : ''}`).join('; ')}\n`);
  return pre.groups;
}
