// `port-gitlab sync`: what a schedule runs after `install` — hook self-repair, then an
// incremental (or, when due, full) backfill-and-reconcile, with its watermark kept in Port.
import { EXIT } from '../cli/errors.ts';
import { prepareCommand } from '../install/context.ts';
import { confirm, processIO, type CommandIO } from '../install/io.ts';
import type { ClientTuning } from '../install/clients.ts';
import { installIdOf } from '../install/install-id.ts';
import { TtyProgress } from '../backfill/report.ts';
import { DEFAULT_FULL_AFTER_HOURS, DEFAULT_OVERLAP_MINUTES } from '../sync/plan.ts';
import { runSync, type SyncOptions, type SyncSummary } from '../sync/run.ts';
import { formatSyncSummary } from '../sync/report.ts';
import { SYNC_STATE_BLUEPRINT } from '../sync/watermark.ts';
import { SHARED_FLAGS } from '../cli/flags.ts';
import { preflightForCommand } from '../backfill/preflight.ts';
import { interruptible } from '../cli/interrupt.ts';
import { parseNumber } from './backfill.ts';

export const SYNC_HELP = `usage: port-gitlab sync [--full] [--dry-run] [--json] [--yes] [options] [input flags]

Keeps Port in line with GitLab after install; run it on a schedule (e.g. hourly; the CI/CD
component runs \`port-gitlab sync --json\`). Each run:
  1. checks the hook of each group (or of each project, after install --project-hooks): deletes
     duplicates of it (the lowest id stays) and re-enables a hook GitLab disabled after failed
     deliveries with a test delivery — GitLab sends nothing while a hook is disabled. Healthy
     hooks get no test delivery (\`doctor\` proves the token with one); a hook whose event
     flags differ from the bundle's is a warning (\`install\` sets them);
  2. brings Port in line with GitLab. Incremental by default: groups, members and projects are
     listed whole (cheap), merge requests, issues, pipelines (with their jobs) and deployments
     only where GitLab's updated_at is at or after the last successful sync's start minus an
     overlap; releases (no updated_after in GitLab's API) wait for the full sync. A full sync —
     with --full, when the last one is older than --full-after-hours, or when the watermark is
     missing or unusable — lists and reconciles every kind, as \`backfill\` does, and is the only
     way deleted merge requests, issues and pipelines are found (GitLab sends no event for them),
     except under a project or group that is gone, which every sync finds;
  3. stores its watermark in Port (blueprint ${SYNC_STATE_BLUEPRINT}, one entity per install id), so
     the next run finds it on any machine — only when nothing failed and every listing was complete.

  --full                  a full listing and reconcile of every kind
  --full-after-hours N    a sync is full when the last full one started N hours ago or more
                          (default ${DEFAULT_FULL_AFTER_HOURS})
  --overlap-minutes N     re-read this much before the last sync's start (default ${DEFAULT_OVERLAP_MINUTES}): clock skew
                          between this machine and GitLab, transactions that committed late
  --dry-run               list and compare, write, delete and store nothing; hooks are inspected
                          (what a sync would re-enable or delete is reported, nothing changed)
  --json                  one JSON summary on stdout: backfill's, plus mode, reason, since,
                          watermark and hooks (progress on stderr)
  --yes                   re-enable disabled hooks without asking (asked only on a terminal)
  --skip-hooks            do not check the hooks (an install made with --skip-hook; or leave them
                          to \`doctor\`)
  --since-days N|all      a full sync's history window, as backfill's (default 90)
  --gitlab-concurrency N, --port-concurrency N, --delete-threshold X, --mapping-in-thread
                          as for backfill

Inputs as for backfill: PORT_CLIENT_ID, PORT_CLIENT_SECRET, PORT_API_URL (--port-region eu|us),
GITLAB_URL, GITLAB_TOKEN, GITLAB_GROUPS, INGEST_CONFIDENTIAL_ISSUES. The data needs only read_api;
reading hooks needs the Owner role (project hooks: Maintainer), deleting and re-enabling them the api scope —
without them sync says so and still syncs the data.

Exit codes: 0 everything synced, the watermark stored and the hooks healthy (or repaired);
1 something failed, a listing was incomplete, or a hook is unhealthy (the summary says what; the
watermark is not advanced when the data part failed); 2 bad input; 130 interrupted.`;

export interface SyncCommandOptions {
  io?: CommandIO;
  tuning?: ClientTuning;
  signal?: AbortSignal;
  /** Test seam: extra runSync options (clock, doctor polling, engine). */
  extra?: Partial<SyncOptions>;
}

export async function runSyncCommand(argv: string[], o: SyncCommandOptions = {}): Promise<{ exitCode: number; summary?: SyncSummary }> {
  const ctx = await prepareCommand({
    argv,
    io: o.io ?? processIO(),
    help: SYNC_HELP,
    tuning: o.tuning,
    options: {
      full: { type: 'boolean' }, 'full-after-hours': { type: 'string' }, 'overlap-minutes': { type: 'string' },
      ...SHARED_FLAGS.dryRun, ...SHARED_FLAGS.json, ...SHARED_FLAGS.yes, 'skip-hooks': { type: 'boolean' },
      'since-days': { type: 'string' }, 'gitlab-concurrency': { type: 'string' }, 'port-concurrency': { type: 'string' },
      'delete-threshold': { type: 'string' }, 'mapping-in-thread': { type: 'boolean' },
    },
  });
  if (typeof ctx === 'number') return { exitCode: ctx };
  const { io, values, inputs, gitlab, port, bundle } = ctx;

  const problems: string[] = [];
  const num = (flag: string, check: (n: number) => boolean, rule: string, fallback?: number): number | undefined => {
    const v = parseNumber(values[flag], flag, check, rule);
    if (typeof v === 'string') problems.push(v);
    return typeof v === 'number' ? v : fallback;
  };
  const fullAfterHours = num('full-after-hours', (n) => Number.isFinite(n) && n >= 0, 'give a number of hours (>= 0; 0 = every sync is full)', DEFAULT_FULL_AFTER_HOURS)!;
  const overlapMinutes = num('overlap-minutes', (n) => Number.isFinite(n) && n >= 0 && n <= 24 * 60, 'give a number of minutes from 0 to 1440', DEFAULT_OVERLAP_MINUTES)!;
  const sinceDays = values['since-days'] === 'all' ? null : num('since-days', (n) => Number.isFinite(n) && n >= 0, 'give a number of days (>= 0) or "all"');
  const whole = (n: number) => Number.isInteger(n) && n >= 1 && n <= 64;
  const gitlabConcurrency = num('gitlab-concurrency', whole, 'give a whole number from 1 to 64');
  const portConcurrency = num('port-concurrency', whole, 'give a whole number from 1 to 64');
  const deletionThreshold = num('delete-threshold', (n) => n >= 0 && n <= 1, 'give a share from 0 to 1, e.g. 0.5');
  if (problems.length) {
    io.stderr(`${problems.join('\n')}\n\nRun \`port-gitlab sync --help\` for the options.\n`);
    return { exitCode: EXIT.badInput };
  }

  const json = Boolean(values.json);
  // As backfill: Port answers and has the blueprints, the token and the groups are good — else
  // nothing is listed and nothing is written (exit 2).
  const groups = await preflightForCommand('sync', inputs, { port, gitlab, bundle }, io, json);
  if (typeof groups === 'number') return { exitCode: groups };
  const installId = installIdOf(inputs.gitlabUrl, groups.map((g) => g.id));
  const interrupt = interruptible(io, 'sync: interrupting — finishing the requests in flight (Ctrl-C again to quit at once); the watermark is not advanced', o.signal);
  const tty = io.isTTY && !json && process.stderr.isTTY ? new TtyProgress(process.stderr) : undefined;
  const ask = io.isTTY && !json && !values.yes
    ? async (what: string) => { io.stderr(`${what}\n`); return confirm(io, 'Re-enable it with a test delivery?'); }
    : undefined;
  try {
    const summary = await runSync({
      bundle, inputs, gitlab, groups, installId,
      port: port.forInstall(installId),
      options: { confidentialIssues: inputs.confidentialIssues },
      full: Boolean(values.full), fullAfterHours, overlapMinutes,
      skipHooks: Boolean(values['skip-hooks']),
      hooks: { confirm: ask },
      dryRun: Boolean(values['dry-run']),
      signal: interrupt.signal,
      log: tty ? undefined : (line) => io.stderr(line + '\n'),
      onProgress: tty ? (p) => tty.draw(p) : undefined,
      sinceDays, gitlabConcurrency, portConcurrency, deletionThreshold,
      mappingWorker: !values['mapping-in-thread'],
      ...o.extra,
    });
    if (json) io.stdout(JSON.stringify(summary) + '\n');
    else (summary.ok ? io.stdout : io.stderr)(formatSyncSummary(summary).join('\n') + '\n');
    return { exitCode: summary.interrupted ? 130 : summary.ok ? EXIT.ok : EXIT.failed, summary };
  } finally {
    interrupt.dispose();
  }
}

export async function run(argv: string[], io?: CommandIO): Promise<number> {
  return (await runSyncCommand(argv, { io })).exitCode;
}
