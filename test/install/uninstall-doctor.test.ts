// doctor and uninstall against both sandboxes: a healthy install, a hook token that no longer
// equals the webhook secret (and the install that repairs it), a hook GitLab auto-disabled and its
// re-enabling, then uninstall (confirmation, hooks and webhook) and purge (entities, blueprints).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runUninstallCommand } from '../../scripts/commands/uninstall.ts';
import { runDoctorCommand } from '../../scripts/commands/doctor.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { DOCTOR, FAST, captureIO, runDoctor, portWrites, startSandboxes, type Sandboxes } from './helpers.ts';
import { installWebhookId } from './helpers.ts';

const bundle = loadBundle();
const BLUEPRINTS = bundle.blueprints.map((b) => b.content.identifier);

async function portToken(sb: Sandboxes): Promise<string> {
  const res = await fetch(`${sb.port.url}/v1/auth/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret }) });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function firstProject(sb: Sandboxes): Promise<number> {
  const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false`, { headers: { 'private-token': sb.gitlab.token } });
  return ((await res.json()) as Array<{ id: number }>)[0].id;
}

describe('doctor and uninstall', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes();
    const c = captureIO(sb.env);
    const r = await runInstallCommand([], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
  });
  afterAll(async () => {
    await sb?.close();
  });

  const doctor = (args?: string[]) => runDoctor(sb.env, args);

  test('doctor on a fresh install: healthy, the token proven by a test delivery, entity counts per blueprint', async () => {
    const r = await doctor();
    expect(r.exitCode, r.out).toBe(0);
    const report = JSON.parse(r.out);
    const token = report.checks.find((c: { check: string }) => c.check === `token:${sb.gitlab.group}`);
    expect(token).toMatchObject({ status: 'ok' });
    expect(token.message).toContain('processed by Port (audit log)');
    expect(Object.keys(report.entityCounts)).toEqual(BLUEPRINTS);
    expect(report.entityCounts.gitlabProject).toBe(sb.port.entities('gitlabProject').length);
    expect(report.entityCounts.gitlabProject).toBeGreaterThan(0);
  });

  test('a webhook secret changed in Port: doctor reports the mismatch; install makes them equal again', async () => {
    const token = await portToken(sb);
    const webhook = sb.port.webhooks().find((w) => w.identifier === installWebhookId(sb))!;
    const res = await fetch(`${sb.port.url}/v1/webhooks/${installWebhookId(sb)}`, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ security: { ...webhook.security, secret: 'someone-changed-this-secret-in-port' } }) });
    expect(res.status).toBe(200);

    const bad = await doctor();
    expect(bad.exitCode).toBe(1);
    const check = JSON.parse(bad.out).checks.find((c: { check: string }) => c.check === `token:${sb.gitlab.group}`);
    expect(check).toMatchObject({ status: 'fail' });
    expect(check.message).toContain('the hook token and the webhook secret differ');
    expect(bad.out).not.toContain('someone-changed-this-secret-in-port');

    // The secret is recoverable from Port, so install keeps it and gives the hook the same value.
    const c = captureIO(sb.env);
    const fixed = await runInstallCommand(['--json', '--skip-backfill'], { io: c.io, tuning: FAST });
    expect(fixed.exitCode, c.err()).toBe(0);
    expect(JSON.parse(c.out()).hooks[0]).toMatchObject({ action: 'updated' });
    expect((await doctor()).exitCode).toBe(0);
  });

  test('a hook GitLab auto-disabled: doctor reports it, and --reenable brings it back', async () => {
    const project = await firstProject(sb);
    sb.port.faults.failNext(4, 503); // four failed deliveries: GitLab disables the hook temporarily
    for (let i = 0; i < 4; i++) await sb.gitlab.openIssue(project, { title: `delivery ${i} fails` });
    expect(sb.gitlab.hooks()[0].alert_status).toBe('temporarily_disabled');

    const r = await doctor();
    expect(r.exitCode).toBe(1);
    const hook = JSON.parse(r.out).checks.find((c: { check: string }) => c.check === `gitlab.hook:${sb.gitlab.group}`);
    expect(hook).toMatchObject({ status: 'fail' });
    expect(hook.message).toContain('temporarily_disabled');
    expect(hook.fix).toContain('--reenable');

    // On a terminal doctor asks; "n" leaves it disabled.
    const tty = captureIO(sb.env, { isTTY: true, answers: ['n'] });
    expect((await runDoctorCommand([], { io: tty.io, tuning: FAST, doctor: DOCTOR })).exitCode).toBe(1);
    expect(tty.err()).toContain('Re-enable it with a test delivery?');
    expect(sb.gitlab.hooks()[0].alert_status).toBe('temporarily_disabled');

    const fixed = await doctor(['--json', '--reenable']);
    expect(fixed.exitCode, fixed.out).toBe(0);
    expect(sb.gitlab.hooks()[0].alert_status).toBe('executable');
  });

  test('uninstall without a terminal needs --yes, and a "no" on a terminal deletes nothing', async () => {
    const before = sb.port.requestCounts();
    const glBefore = sb.proxy.writes().length;
    const c = captureIO(sb.env);
    expect((await runUninstallCommand([], { io: c.io, tuning: FAST })).exitCode).toBe(2);
    expect(c.err()).toContain('run again with --yes');
    expect(c.err()).toContain(`GitLab group hook ${sb.gitlab.hooks()[0].id} on ${sb.gitlab.group}`);
    const tty = captureIO(sb.env, { isTTY: true, answers: ['no'] });
    expect((await runUninstallCommand(['--purge'], { io: tty.io, tuning: FAST })).exitCode).toBe(2);
    expect(portWrites(sb.port, before)).toEqual({});
    expect(sb.proxy.writes().slice(glBefore)).toEqual([]);
  });

  test('uninstall removes the hook and the webhook and keeps the catalog; purge leaves nothing behind', async () => {
    const c = captureIO(sb.env);
    const r = await runUninstallCommand(['--yes', '--json'], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
    expect(sb.gitlab.hooks()).toEqual([]);
    expect(sb.port.webhooks()).toEqual([]);
    expect(sb.port.entities('gitlabProject').length).toBeGreaterThan(0);

    const tty = captureIO(sb.env, { isTTY: true, answers: ['y'] });
    const p = await runUninstallCommand(['--purge'], { io: tty.io, tuning: FAST });
    expect(p.exitCode, tty.err()).toBe(0);
    expect(p.result!.blueprints.map((b) => b.identifier)).toEqual([...BLUEPRINTS].reverse());
    for (const id of BLUEPRINTS) {
      expect(sb.port.blueprint(id), id).toBeUndefined();
      expect(sb.port.entities(id), id).toEqual([]);
    }
    // Nothing left: a second purge finds nothing and succeeds.
    const again = captureIO(sb.env);
    expect((await runUninstallCommand(['--purge', '--yes'], { io: again.io, tuning: FAST })).exitCode).toBe(0);
    expect(again.err()).toContain('no GitLab hook of this integration was found');
  });
});

test('uninstall on GitLab Free removes the per-project hooks', async () => {
  const sb = await startSandboxes({ gitlab: { tier: 'free' } });
  try {
    const c = captureIO(sb.env);
    expect((await runInstallCommand(['--project-hooks', '--skip-backfill'], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
    expect(sb.gitlab.hooks().length).toBeGreaterThan(1);
    const u = captureIO(sb.env);
    expect((await runUninstallCommand(['--yes'], { io: u.io, tuning: FAST })).exitCode, u.err()).toBe(0);
    expect(sb.gitlab.hooks()).toEqual([]);
    expect(sb.port.webhooks()).toEqual([]);
  } finally {
    await sb.close();
  }
});
