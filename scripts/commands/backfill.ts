// `port-gitlab backfill`: every existing GitLab object of the listed groups into Port, then
// reconcile (delete what this integration wrote and GitLab no longer has). Inputs as for install.
import { EXIT } from '../cli/errors.ts';
import { prepareCommand } from '../install/context.ts';
import { processIO, type CommandIO } from '../install/io.ts';
import type { ClientTuning } from '../install/clients.ts';
import { groupKey, type InstallInputs } from '../install/inputs.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';
import { installIdOf } from '../install/install-id.ts';
import { BACKFILL_KINDS, runBackfill, type BackfillKind, type BackfillOptions, type BackfillSummary } from '../backfill/run.ts';
import { formatSummary, TtyProgress } from '../backfill/report.ts';

export const BACKFILL_HELP = `usage: port-gitlab backfill [--dry-run] [--json] [--kinds K,…] [--since-days N|all] [options] [input flags]

Brings every existing GitLab object of the listed groups (and their subgroups) into Port, page by
page, then deletes from Port what this integration wrote and GitLab no longer has. A re-run with
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
                          entities written by this integration would go (default 0.5)
  --skip-reconcile        write only; delete nothing
  --mapping-in-thread     map on the main thread instead of a worker thread: ~40 MB less memory,
                          ~20% slower (jq blocks the requests in flight; README "Benchmarks")
  --confidential-issues   catalog confidential issues too (INGEST_CONFIDENTIAL_ISSUES=true)

Inputs (environment variable, or the flag): PORT_CLIENT_ID, PORT_CLIENT_SECRET, PORT_API_URL
(--port-region eu|us), GITLAB_URL, GITLAB_TOKEN (read_api is enough), GITLAB_GROUPS — see
\`port-gitlab install --help\`.

Exit codes: 0 everything written and reconciled; 1 something failed or a listing was incomplete
(the summary says what and why); 2 bad input; 130 interrupted.`;

export interface BackfillCommandOptions {
  io?: CommandIO;
  tuning?: ClientTuning;
  signal?: AbortSignal;
  /** Test seam: extra runBackfill options. */
  extra?: Partial<BackfillOptions>;
}

export function parseNumber(raw: string | boolean | undefined, flag: string, check: (n: number) => boolean, rule: string): number | undefined | string {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return typeof raw === 'string' && raw.trim() !== '' && check(n) ? n : `--${flag} ${String(raw)}: ${rule}`;
}

export async function runBackfillCommand(argv: string[], o: BackfillCommandOptions = {}): Promise<{ exitCode: number; summary?: BackfillSummary }> {
  const ctx = prepareCommand({
    argv,
    io: o.io ?? processIO(),
    help: BACKFILL_HELP,
    tuning: o.tuning,
    options: {
      'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, kinds: { type: 'string' }, 'since-days': { type: 'string' },
      'gitlab-concurrency': { type: 'string' }, 'port-concurrency': { type: 'string' }, 'delete-threshold': { type: 'string' },
      'skip-reconcile': { type: 'boolean' }, 'mapping-in-thread': { type: 'boolean' },
    },
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

  const groups = await resolveGroups(gitlab, inputs, io);
  if (typeof groups === 'number') return { exitCode: groups };

  const json = Boolean(values.json);
  const controller = new AbortController();
  const outer = o.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.stderr('\nbackfill: interrupting — finishing the requests in flight (Ctrl-C again to quit at once); run again to complete\n');
    controller.abort(new Error('SIGINT'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const tty = io.isTTY && !json && process.stderr.isTTY ? new TtyProgress(process.stderr) : undefined;
  try {
    const summary = await runBackfill({
      bundle, port: port.forInstall(installIdOf(inputs.gitlabUrl, groups.map((g) => g.id))), gitlab, groups,
      options: { confidentialIssues: inputs.confidentialIssues },
      dryRun: Boolean(values['dry-run']),
      signal: controller.signal,
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
    return { exitCode: summary.interrupted ? 130 : summary.ok ? EXIT.ok : EXIT.failed, summary };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/** GITLAB_GROUPS names groups by path or id; the backfill needs both. An exit code after saying why. */
export async function resolveGroups(gitlab: GitLabClient, inputs: InstallInputs, io: CommandIO): Promise<BackfillOptions['groups'] | number> {
  const groups: BackfillOptions['groups'] = [];
  for (const ref of inputs.gitlabGroups) {
    let g;
    try {
      g = await gitlab.group(groupKey(ref));
    } catch (err) {
      io.stderr(`could not read GitLab group "${ref.raw}": ${(err as Error).message}\n`);
      return EXIT.failed;
    }
    if (!g) {
      io.stderr(`GITLAB_GROUPS: group "${ref.raw}" was not found at ${gitlab.host}, or the token's user cannot see it; check the path or id and the token.\n`);
      return EXIT.badInput;
    }
    groups.push({ id: g.id as number, full_path: String(g.full_path) });
  }
  return groups;
}

export async function run(argv: string[]): Promise<number> {
  return (await runBackfillCommand(argv)).exitCode;
}
