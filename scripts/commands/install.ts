// `port-gitlab install`: blueprints, Port webhook, GitLab hooks and the backfill, safe to repeat.
import { SHARED_FLAGS } from '../cli/flags.ts';
import type { ClientTuning } from '../install/clients.ts';
import { prepareCommand } from '../install/context.ts';
import { inputNeeds } from '../install/inputs.ts';
import { confirm, processIO, type CommandIO } from '../install/io.ts';
import { runInstall, type InstallDeps, type InstallSummary } from '../install/run.ts';
import { installJson, installText } from '../install/summary.ts';

export const INSTALL_HELP = `usage: port-gitlab install [--dry-run] [--yes] [--json] [--skip-hook] [--skip-backfill] [--project-hooks] [--confidential-issues] [--no-dashboards] [--overwrite-dashboard] [input flags]

Installs the GitLab integration into Port: blueprints, scorecards and the "GitLab" dashboard page,
this install's own secured Port webhook (gitlabIntegration-<hash of the GitLab URL and group ids>),
one GitLab group hook per listed top-level group, then the backfill of what already exists (which
stores the sync watermark). Safe to repeat: a run with nothing to change sends no write request but
the watermark. Hooks of an older version's shared webhook (gitlabIntegration) move to the install's
own without losing an event. Refused (exit 2) when Port holds entities of another GitLab instance:
one instance per Port organisation.

  --dry-run             print the plan (blueprint property diff, webhook diff, hooks) and write nothing
  --yes                 do not ask for confirmation on a terminal
  --json                print one JSON summary on stdout (progress goes to stderr)
  --skip-hook           install no GitLab hook (read_api is then enough; not with --project-hooks)
  --skip-backfill       do not backfill existing GitLab objects
  --project-hooks       where group hooks are unavailable (GitLab Free/CE) or you are not Owner,
                        install one hook per project instead; a project that refuses its hook
                        (no Maintainer role, deleted meanwhile) is skipped and listed with the fix
  --confidential-issues catalog confidential issues too (INGEST_CONFIDENTIAL_ISSUES=true)
  --no-dashboards       install no scorecard and no dashboard page (INSTALL_DASHBOARDS=false)
  --overwrite-dashboard replace a dashboard page edited in Port with the bundle's (the plan shows
                        where they differ); without it an edited page is kept as it is

Inputs (environment variable, or the flag):
  PORT_CLIENT_ID       --port-client-id       Port → Settings → Credentials (an organisation credential)
  PORT_CLIENT_SECRET   --port-client-secret   same place (prefer the environment: flags show in ps)
  PORT_API_URL         --port-api-url         default https://api.port.io; --port-region eu|us
  GITLAB_URL           --gitlab-url           default https://gitlab.com
  GITLAB_TOKEN         --gitlab-token         api scope, Owner role on each group
  GITLAB_GROUPS        --gitlab-groups        comma-separated top-level group paths or ids

Exit codes: 0 installed (or nothing to do); 1 a step failed (what this run created is rolled back),
or installed except the hooks of the projects listed as refused (a re-run adds only those);
2 bad input (conflicting flags, a bundle that fails \`port-gitlab validate\`), or a preflight/plan
problem (nothing was written).`;

export interface InstallCommandOptions {
  io?: CommandIO;
  tuning?: ClientTuning;
  /** Test seam: called as each step starts. */
  onStep?: InstallDeps['onStep'];
  /** Test seam: install a fork's checkout instead of this package. */
  bundleDir?: string;
}

export async function runInstallCommand(argv: string[], o: InstallCommandOptions = {}): Promise<{ exitCode: number; summary?: InstallSummary }> {
  const ctx = await prepareCommand({
    argv,
    io: o.io ?? processIO(),
    help: INSTALL_HELP,
    tuning: o.tuning,
    bundleDir: o.bundleDir,
    need: inputNeeds('write the blueprints, the webhook and the entities to Port', 'read the groups, install their hooks and backfill them', { INGEST_CONFIDENTIAL_ISSUES: 'choose whether confidential issues are cataloged', INSTALL_DASHBOARDS: 'choose whether scorecards and the dashboard are installed' }),
    options: {
      ...SHARED_FLAGS.dryRun, ...SHARED_FLAGS.yes, ...SHARED_FLAGS.json,
      'skip-hook': { type: 'boolean' }, 'skip-backfill': { type: 'boolean' }, 'project-hooks': { type: 'boolean' }, 'overwrite-dashboard': { type: 'boolean' },
    },
    conflicts: [
      { flags: ['skip-hook', 'project-hooks'], why: '--skip-hook installs no GitLab hook at all, --project-hooks one hook per project; give the one you mean.' },
      { flags: ['no-dashboards', 'overwrite-dashboard'], why: '--no-dashboards installs no dashboard page, --overwrite-dashboard replaces it; give the one you mean.' },
    ],
  });
  if (typeof ctx === 'number') return { exitCode: ctx };
  const { io, values } = ctx;
  const json = Boolean(values.json);
  const summary = await runInstall(
    {
      bundle: ctx.bundle, port: ctx.port, gitlab: ctx.gitlab, inputs: ctx.inputs,
      log: (line) => io.stderr(line + '\n'),
      onSecret: (s) => ctx.secrets.add(s),
      onStep: o.onStep,
      confirm: io.isTTY && !json ? async (plan) => { io.stderr(`${plan}\n`); return confirm(io, 'Apply these changes?'); } : undefined,
    },
    { dryRun: Boolean(values['dry-run']), yes: Boolean(values.yes), skipHook: Boolean(values['skip-hook']), skipBackfill: Boolean(values['skip-backfill']), projectHooks: Boolean(values['project-hooks']), overwriteDashboard: Boolean(values['overwrite-dashboard']) },
  );
  if (json) io.stdout(JSON.stringify(installJson(summary)) + '\n');
  else (summary.ok ? io.stdout : io.stderr)(installText(summary));
  return { exitCode: summary.exitCode, summary };
}

export async function run(argv: string[], io?: CommandIO): Promise<number> {
  return (await runInstallCommand(argv, { io })).exitCode;
}
