// Runs a GitLab CI job's script the way GitLab Runner's shell executor does with bash, for the test
// that proves templates/sync.yml works: one bash process, `set -eo pipefail`, the `script:` entries
// in order in the job's directory, and the job's environment built in GitLab's order of precedence —
// predefined variables, then the job's `variables:` (with `$VAR` references expanded, as the runner
// does), then project CI/CD variables (settings), which override job variables of the same name.
import { spawn } from 'node:child_process';

export interface CiJob {
  variables?: Record<string, string | { value: string }>;
  before_script?: Array<string | string[]>;
  script: Array<string | string[]>;
}

export interface JobEnvironment {
  /** The machine's basics (PATH, HOME, …): what the job image provides. */
  base: Record<string, string>;
  /** GitLab's predefined variables for this pipeline (CI_PIPELINE_SOURCE, CI_PROJECT_DIR, …). */
  predefined: Record<string, string>;
  /** Project (or group) CI/CD variables: the masked secrets. */
  project: Record<string, string>;
}

/** The script lines of a job; GitLab flattens nested arrays (from YAML anchors and !reference). */
export function scriptLines(job: CiJob): string[] {
  return [...(job.before_script ?? []), ...job.script].flat();
}

/** `$NAME` and `${NAME}` from `env`; unknown names expand to nothing. */
export function expandVariables(value: string, env: Record<string, string>): string {
  return value.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, a, b) => env[a ?? b] ?? '');
}

export function jobEnvironment(job: CiJob, e: JobEnvironment): Record<string, string> {
  const known = { ...e.base, ...e.predefined, ...e.project };
  const jobVariables = Object.fromEntries(Object.entries(job.variables ?? {}).map(([k, v]) => [k, expandVariables(typeof v === 'string' ? v : v.value, known)]));
  return { ...e.base, ...e.predefined, ...jobVariables, ...e.project };
}

export interface JobResult { exitCode: number | null; log: string }

/** Runs the job's script in `cwd`; the log is stdout and stderr interleaved, as the job log shows them. */
export function runJob(job: CiJob, cwd: string, e: JobEnvironment): Promise<JobResult> {
  const script = ['set -eo pipefail', 'set +o noclobber', ...scriptLines(job)].join('\n');
  const child = spawn('bash', ['-c', script], { cwd, env: jobEnvironment(job, e), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { log += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { log += d; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, log }));
  });
}
