// Each command reads only the inputs it uses: one it does not use is neither required nor checked
// (nor accepted as a flag), and a missing one it needs stops it before any request, naming the
// variable, the flag, what the command needs it for and where to get it (exit 2).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runUninstallCommand } from '../../scripts/commands/uninstall.ts';
import { runDoctorCommand } from '../../scripts/commands/doctor.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { FAST, captureIO, startSandboxes, type Sandboxes, requestsSeen } from './helpers.ts';

const template = loadBundle().template;
const description = (name: string) => template.inputs.find((i) => i.name === name)!.description;

describe('inputs per command', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes();
  });
  afterAll(async () => {
    await sb?.close();
  });

  const requests = () => requestsSeen(sb);

  test('a missing input doctor needs: exit 2 before any request, naming it, the flag, why and where to get it', async () => {
    const before = requests();
    const { GITLAB_GROUPS: _, ...env } = sb.env;
    const c = captureIO(env);
    const r = await runDoctorCommand(['--json'], { io: c.io, tuning: FAST });
    expect(r.exitCode).toBe(2);
    expect(c.err()).toContain("GITLAB_GROUPS (or --gitlab-groups): not set (needed to check each group's hook and send it a test delivery).");
    expect(c.err()).toContain(description('GITLAB_GROUPS'));
    expect(c.err()).toContain('Set them as environment variables or flags');
    expect(c.err()).not.toContain('PORT_CLIENT_ID');
    expect(requests()).toBe(before);
  });

  test('a missing input uninstall needs: exit 2, naming it and what uninstall needs it for; the secret is never printed', async () => {
    const before = requests();
    const { PORT_CLIENT_SECRET: _, ...env } = sb.env;
    const c = captureIO(env);
    const r = await runUninstallCommand(['--yes', '--gitlab-token', sb.env.GITLAB_TOKEN], { io: c.io, tuning: FAST });
    expect(r.exitCode).toBe(2);
    expect(c.err()).toContain('PORT_CLIENT_SECRET (or --port-client-secret): not set (needed to delete the webhook (with --purge, the entities and blueprints)).');
    expect(c.err()).toContain(description('PORT_CLIENT_SECRET'));
    expect(c.all()).not.toContain(sb.env.GITLAB_TOKEN);
    expect(requests()).toBe(before);
  });

  test('doctor and uninstall run with only the inputs they use; uninstall ignores INGEST_CONFIDENTIAL_ISSUES, which it does not read', async () => {
    const i = captureIO(sb.env);
    expect((await runInstallCommand(['--skip-backfill'], { io: i.io, tuning: FAST })).exitCode, i.err()).toBe(0);

    // Exactly the six inputs both commands read (INGEST_CONFIDENTIAL_ISSUES has a default).
    const d = captureIO(sb.env);
    const doctor = await runDoctorCommand(['--json'], { io: d.io, tuning: FAST, doctor: { auditPolls: 20, auditPollMs: 50 } });
    expect(doctor.exitCode, d.out() + d.err()).toBe(0);

    // A value uninstall does not read cannot stop it, even a malformed one…
    const u = captureIO({ ...sb.env, INGEST_CONFIDENTIAL_ISSUES: 'maybe' });
    const un = await runUninstallCommand(['--yes', '--json'], { io: u.io, tuning: FAST });
    expect(un.exitCode, u.err()).toBe(0);
    expect(un.result!.hooks.filter((h) => h.deleted)).toHaveLength(1);
    expect(un.result!.webhook?.deleted).toBe(true);
    // …while install, which reads it, still refuses it.
    const bad = captureIO({ ...sb.env, INGEST_CONFIDENTIAL_ISSUES: 'maybe' });
    expect((await runInstallCommand(['--dry-run'], { io: bad.io, tuning: FAST })).exitCode).toBe(2);
    expect(bad.err()).toContain('INGEST_CONFIDENTIAL_ISSUES (or --confidential-issues): "maybe" is not a boolean');
  });

  test('the flag of an input a command does not read is a usage error (exit 2), not silently ignored', async () => {
    const c = captureIO(sb.env);
    const r = await runUninstallCommand(['--yes', '--confidential-issues'], { io: c.io, tuning: FAST });
    expect(r.exitCode).toBe(2);
    expect(c.err()).toMatch(/Unknown option '--confidential-issues'/);
    expect(c.err()).toContain('usage: port-gitlab uninstall');
  });
});
