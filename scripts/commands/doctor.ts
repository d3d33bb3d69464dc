// `port-gitlab doctor [--json] [--reenable]`: checks an installed integration end to end.
import { EXIT } from '../cli/errors.ts';
import { SHARED_FLAGS } from '../cli/flags.ts';
import type { ClientTuning } from '../install/clients.ts';
import { prepareCommand } from '../install/context.ts';
import { formatDoctor, runDoctor, type DoctorOptions, type DoctorReport } from '../install/doctor.ts';
import { inputNeeds } from '../install/inputs.ts';
import { confirm, processIO, type CommandIO } from '../install/io.ts';

export const DOCTOR_HELP = `usage: port-gitlab doctor [--json] [--reenable] [input flags]

Checks the installed integration: Port and GitLab credentials, that this install's own Port webhook
exists and is enabled (or warns that it still feeds the shared one of older versions: run install), each group hook's health (alert_status, disabled_until; offers to re-enable a disabled
hook), that the hook token equals the webhook secret (a test delivery, checked in Port's audit
log), that Port holds no entity of another GitLab instance, and the entity count of each blueprint. Where group hooks are unavailable (GitLab Free/CE,
or a token user who is not Owner), it checks the hook install --project-hooks put on each active
project instead and summarises them (healthy, missing, disabled); one test delivery per group.

  --json      print one JSON report on stdout
  --reenable  re-enable hooks GitLab disabled, without asking

Inputs: the same as install (PORT_CLIENT_ID, PORT_CLIENT_SECRET, PORT_API_URL, GITLAB_URL,
GITLAB_TOKEN, GITLAB_GROUPS, INGEST_CONFIDENTIAL_ISSUES).

Exit codes: 0 healthy (warnings allowed); 1 a check failed; 2 bad input.`;

/** Doctor checks both sides, and compares the webhook's mappings with the bundle rendered with the same options. */
const DOCTOR_NEEDS = inputNeeds('check the webhook, the blueprints and the entity counts in Port', "check each group's hook and send it a test delivery", { INGEST_CONFIDENTIAL_ISSUES: 'compare the webhook mappings with this bundle' });

export async function runDoctorCommand(argv: string[], o: { io?: CommandIO; tuning?: ClientTuning; doctor?: DoctorOptions } = {}): Promise<{ exitCode: number; report?: DoctorReport }> {
  // checkBundle false: doctor examines what is installed, which a broken bundle must not hide.
  const ctx = await prepareCommand({ argv, io: o.io ?? processIO(), help: DOCTOR_HELP, tuning: o.tuning, need: DOCTOR_NEEDS, checkBundle: false, options: { ...SHARED_FLAGS.json, reenable: { type: 'boolean' } } });
  if (typeof ctx === 'number') return { exitCode: ctx };
  const { io, values } = ctx;
  const reenable = values.reenable
    ? async () => true
    : io.isTTY && !values.json ? async (what: string) => { io.stderr(`${what}\n`); return confirm(io, 'Re-enable it with a test delivery?'); } : undefined;
  const report = await runDoctor(ctx.port, ctx.gitlab, ctx.bundle, ctx.inputs, { reenable, ...o.doctor });
  if (values.json) io.stdout(JSON.stringify(report) + '\n');
  else io.stdout(formatDoctor(report));
  return { exitCode: report.ok ? EXIT.ok : EXIT.failed, report };
}

export async function run(argv: string[], io?: CommandIO): Promise<number> {
  return (await runDoctorCommand(argv, { io })).exitCode;
}
