// `port-gitlab backfill`: every existing GitLab object of the listed groups into Port, then
// reconcile (delete what belongs to this install and GitLab no longer has). Inputs as for install.
import { EXIT } from '../cli/errors.ts';
import { SHARED_FLAGS } from '../cli/flags.ts';
import { prepareCommand } from '../install/context.ts';
import { processIO, type CommandIO } from '../install/io.ts';
import type { ClientTuning } from '../install/clients.ts';
import { installIdOf } from '../install/install-id.ts';
import { BACKFILL_KINDS, runBackfill, type BackfillKind, type BackfillOptions, type BackfillSummary } from '../backfill/run.ts';
import { backfillExitCode, formatSummary, TtyProgress } from '../backfill/report.ts';
import { preflightForCommand } from '../backfill/preflight.ts';
import { interruptible } from '../cli/interrupt.ts';

export const BACKFILL_HELP = `usage: port-gitlab backfill [--dry-run] [--json] [--kinds K,…] [--since-days N|all] [options] [input flags]

Brings every existing GitLab object of the listed groups (and their subgroups) into Port, page by
page, then deletes from Port what belongs to this install (its GitLab's URLs under the listed
groups, whoever wrote it last) and GitLab no longer has. A re-run with
nothing changed in GitLab writes nothing. Interrupt with Ctrl-C: nothing is left half-written, and
the next run completes the work.

  --dry-run               list and compare, let Port validate the writes (validation_only), write
                          and delete nothing; shows what reconcile would delete
  --json                  one JSON summary on stdout (progress on stderr)
  --kinds K,…             only these kinds (default all): ${BACKFILL_KINDS.join(', ')}
  --since-days N|all      history of merge requests, issues, pipelines and jobs: everything open plus
                          what was updated in the last N days (default 90); all = everything
  --gitlab-concurrency N  GitLab requests in flight (default 8; a client-side budget of 1,500/min
                          also applies, 500/min on group projects, as GitLab.com allows 2,000 and 600)
  --port-concurrency N    Port requests in flight (default 5)
  --delete-threshold X    reconcile deletes nothing when more than this share of a blueprint's
                          entities of this install would go (default 0.5)
  --skip-reconcile        write only; delete nothing (not with --delete-threshold)
  --mapping-in-thread     map on the main thread instead of a worker thread: ~40 MB less memory,
                          ~20% slower (jq blocks the requests in flight; README "Benchmarks")
  --confidential-issues   catalog confidential issues too (INGEST_CONFIDENTIAL_ISSUES=true)
  --yes                   accepted so that a job can pass install's flags; backfill never asks

Inputs (environment variable, or the flag): PORT_CLIENT_ID, PORT_CLIENT_SECRET, PORT_API_URL
(--port-region eu|us), GITLAB_URL, GITLAB_TOKEN (read_api is enough), GITLAB_GROUPS — see
\`port-gitlab install --help\`.

Before listing anything it checks Port (the credentials, that PORT_API_URL is Port, the blueprints
exist), the GitLab token and the groups; a problem stops it there. While it runs, Port failing 8
requests in a row (each after retries), or 3 over 2 minutes, stops it: nothing more is read from
GitLab, nothing is deleted, and a re-run resumes (unchanged entities are skipped).

Exit codes: 0 everything written and reconciled; 1 something failed, a listing was incomplete or
Port stopped answering (the summary says what and why; --json: "stopped": {"reason", …}); 2 bad
input (conflicting flags, a bundle that fails \`port-gitlab validate\`) or a preflight problem (nothing listed from GitLab, nothing written); 130 interrupted.`;

export interface BackfillCommandOptions {
  io?: CommandIO;
  tuning?: ClientTuning;
  signal?: AbortSignal;
  /** Test seam: extra runBackfill options. */
  extra?: Partial<BackfillOptions>;
  /** Test seam: backfill with a fork's checkout instead of this package. */
  bundleDir?: string;
}

export function parseNumber(raw: string | boolean | undefined, flag: string, check: (n: number) => boolean, rule: string): number | undefined | string {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return typeof raw === 'string' && raw.trim() !== '' && check(n) ? n : `--${flag} ${String(raw)}: ${rule}`;
}

export async function runBackfillCommand(argv: string[], o: BackfillCommandOptions = {}): Promise<{ exitCode: number; summary?: BackfillSummary }> {
  const ctx = await prepareCommand({
    argv,
    io: o.io ?? processIO(),
    help: BACKFILL_HELP,
    tuning: o.tuning,
    bundleDir: o.bundleDir,
    options: {
      ...SHARED_FLAGS.dryRun, ...SHARED_FLAGS.json, ...SHARED_FLAGS.yes, kinds: { type: 'string' }, 'since-days': { type: 'string' },
      'gitlab-concurrency': { type: 'string' }, 'port-concurrency': { type: 'string' }, 'delete-threshold': { type: 'string' },
      'skip-reconcile': { type: 'boolean' }, 'mapping-in-thread': { type: 'boolean' },
    },
    conflicts: [{ flags: ['skip-reconcile', 'delete-threshold'], why: 'the threshold limits what reconcile deletes, and --skip-reconcile deletes nothing; give one.' }],
  });
  if (typeof ctx === 'number') return { exitCode: ctx };
  const { io, values, inputs, gitlab, port, bundle } = ctx;

  const problems: string[] = [];
  let kinds: BackfillKind[] | undefined;
  if (typeof values.kinds === 'string') {
    kinds = values.kinds.split(',').map((k) => k.trim()).filter(Boolean) as BackfillKind[];
    const bad = kinds.filter((k) => !BACKFILL_KINDS.includes(k));
    if (bad.length || !kinds.length) problems.push(`--kinds ${values.kinds}: unknown kind(s) ${bad.join(', ') || '(none given)'}; use a comma-separated list of ${BACKFILL_KINDS.join(', ')}`);
  }
  let sinceDays: number | null | undefined;
  if (values['since-days'] === 'all') sinceDays = null;
  else {
    const v = parseNumber(values['since-days'], 'since-days', (n) => Number.isFinite(n) && n >= 0, 'give a number of days (>= 0) or "all"');
    if (typeof v === 'string') problems.push(v);
    else sinceDays = v;
  }
  const int = (flag: string) => {
    const v = parseNumber(values[flag], flag, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'give a whole number from 1 to 64');
    if (typeof v === 'string') problems.push(v);
    return typeof v === 'number' ? v : undefined;
  };
  const gitlabConcurrency = int('gitlab-concurrency');
  const portConcurrency = int('port-concurrency');
  const threshold = parseNumber(values['delete-threshold'], 'delete-threshold', (n) => n >= 0 && n <= 1, 'give a share from 0 to 1, e.g. 0.5');
  if (typeof threshold === 'string') problems.push(threshold);
  if (problems.length) {
    io.stderr(`${problems.join('\n')}\n\nRun \`port-gitlab backfill --help\` for the options.\n`);
    return { exitCode: EXIT.badInput };
  }

  const json = Boolean(values.json);
  // Port answers and has the blueprints, the token and the groups are good: else nothing is listed.
  const groups = await preflightForCommand('backfill', inputs, { port, gitlab, bundle }, io, json, { kinds });
  if (typeof groups === 'number') return { exitCode: groups };
  const interrupt = interruptible(io, 'backfill: interrupting — finishing the requests in flight (Ctrl-C again to quit at once); run again to complete', o.signal);
  const tty = io.isTTY && !json && process.stderr.isTTY ? new TtyProgress(process.stderr) : undefined;
  try {
    const summary = await runBackfill({
      bundle, port: port.forInstall(installIdOf(inputs.gitlabUrl, groups.map((g) => g.id))), gitlab, groups,
      options: { confidentialIssues: inputs.confidentialIssues },
      dryRun: Boolean(values['dry-run']),
      signal: interrupt.signal,
      log: tty ? undefined : (line) => io.stderr(line + '\n'),
      onProgress: tty ? (p) => tty.draw(p) : undefined,
      kinds, sinceDays, gitlabConcurrency, portConcurrency,
      deletionThreshold: typeof threshold === 'number' ? threshold : undefined,
      reconcile: !values['skip-reconcile'],
      mappingWorker: !values['mapping-in-thread'],
      ...o.extra,
    });
    if (json) io.stdout(JSON.stringify(summary) + '\n');
    else (summary.ok ? io.stdout : io.stderr)(formatSummary(summary).join('\n') + '\n');
    return { exitCode: backfillExitCode(summary), summary };
  } finally {
    interrupt.dispose();
  }
}

export async function run(argv: string[], io?: CommandIO): Promise<number> {
  return (await runBackfillCommand(argv, { io })).exitCode;
}
