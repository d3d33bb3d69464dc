// Hook self-repair for `sync`: the hooks this install owns, checked and — when GitLab disabled
// them after failed deliveries — re-enabled with a test delivery. This is exactly what
// `doctor --reenable` does, so it runs doctor's own checks and keeps the hook-related ones
// (one call site, to re-point when hook health moves into a module of its own).
import type { Bundle } from '../bundle/load.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';
import type { PortClient } from '../clients/port/index.ts';
import { runDoctor, type DoctorCheck, type DoctorOptions } from '../install/doctor.ts';
import type { InstallInputs } from '../install/inputs.ts';

export interface SyncHooksReport {
  /** ok: healthy (or repaired); problems: a check failed (the exit code is 1); skipped: not checked. */
  status: 'ok' | 'problems' | 'skipped';
  message: string;
  /** Hooks re-enabled by this run. */
  reenabled: number;
  /** Doctor's hook checks: the Port webhook, each group hook (or the project hooks), the token test. */
  checks: DoctorCheck[];
}

/** The doctor checks that are about delivery: the webhook that receives, the hooks that send, their shared token. */
const HOOK_CHECK = /^(port\.webhook|gitlab\.hook|gitlab\.project-hooks|gitlab\.group|token:)/;

export interface SyncHooksOptions {
  /** Asked per disabled hook (a terminal without --yes); default: yes. */
  confirm?: (what: string) => Promise<boolean>;
  /** Doctor's knobs (tests shorten its audit-log polling). */
  doctor?: DoctorOptions;
}

export async function checkAndRepairHooks(port: PortClient, gitlab: GitLabClient, bundle: Bundle, inputs: InstallInputs, o: SyncHooksOptions = {}): Promise<SyncHooksReport> {
  let asked = 0;
  const reenable = async (what: string) => {
    const yes = o.confirm ? await o.confirm(what) : true;
    if (yes) asked++;
    return yes;
  };
  let checks: DoctorCheck[];
  try {
    const report = await runDoctor(port, gitlab, bundle, inputs, { ...o.doctor, reenable });
    checks = report.checks.filter((c) => HOOK_CHECK.test(c.check) || c.status === 'fail');
  } catch (err) {
    return { status: 'problems', message: `could not check the hooks: ${(err as Error).message}`, reenabled: 0, checks: [] };
  }
  const reenabled = checks.reduce((n, c) => n + (c.projects?.reenabled.length ?? 0) + (c.status === 'ok' && /re-enabled with a test delivery/.test(c.message) ? 1 : 0), 0);
  const failed = checks.filter((c) => c.status === 'fail');
  let message: string;
  if (failed.length) message = `${failed.length} hook check(s) failed: ${failed.map((c) => c.message).join('; ')}`;
  else if (reenabled) message = `re-enabled ${reenabled} hook(s) GitLab had disabled; the others are healthy`;
  else message = 'the hooks are healthy';
  if (failed.length && asked && !(await tokenHasApi(gitlab))) {
    message += '. The GitLab token has no `api` scope, so it cannot re-enable hooks: run `port-gitlab doctor --reenable` with one, or give sync such a token';
  }
  if (failed.length) message += ' (`sync --skip-hooks` leaves hooks to `doctor`, e.g. for an install made with --skip-hook)';
  return { status: failed.length ? 'problems' : 'ok', message, reenabled, checks };
}

async function tokenHasApi(gitlab: GitLabClient): Promise<boolean> {
  try {
    return (await gitlab.tokenInfo()).scopes.includes('api');
  } catch {
    return true; // unknown: say nothing rather than something wrong
  }
}
