// doctor where group hooks are unavailable (GitLab Free): it checks the hook `install
// --project-hooks` put on each project — all healthy after install, one deleted through GitLab's
// REST API reported missing with the fix, one auto-disabled by GitLab reported and re-enabled —
// with one hooks read per project and a single token test delivery for the group.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runDoctorCommand } from '../../scripts/commands/doctor.ts';
import { DOCTOR, FAST, captureIO, runDoctor, startSandboxes, type Sandboxes, startFreeTierWithProjectHooks } from './helpers.ts';


interface Check { check: string; status: string; message: string; fix?: string; projects?: { healthy: number; missing: string[]; disabled: Array<{ project: string; hook: number; status: string }>; reenabled: string[] } }

describe('doctor on GitLab Free with --project-hooks', () => {
  let sb: Sandboxes;
  let projects: Array<{ id: number; path_with_namespace: string }>;
  beforeAll(async () => {
    ({ sb, projects } = await startFreeTierWithProjectHooks());
    expect(projects.length).toBeGreaterThan(2);
  });
  afterAll(async () => {
    await sb?.close();
  });

  const doctor = (args?: string[]) => runDoctor(sb.env, args);
  const find = (out: string, name: string): Check | undefined => (JSON.parse(out).checks as Check[]).find((c) => c.check === name);
  const summaryOf = (out: string) => find(out, `gitlab.project-hooks:${sb.gitlab.group}`)!;

  test('after install: every project hook healthy in one summary, one hooks read per project, one test delivery proves the token', async () => {
    const logFrom = sb.proxy.log.length;
    const r = await doctor();
    expect(r.exitCode, r.out).toBe(0);
    expect(find(r.out, `gitlab.hook:${sb.gitlab.group}`)).toMatchObject({ status: 'warn', message: expect.stringContaining('group hooks are unavailable (GitLab Free/CE)') });
    const summary = summaryOf(r.out);
    expect(summary).toMatchObject({ status: 'ok', message: `project hooks of "${sb.gitlab.group}": ${projects.length} healthy, 0 missing, 0 disabled` });
    expect(summary.projects).toMatchObject({ healthy: projects.length, missing: [], disabled: [] });
    const token = find(r.out, `token:${sb.gitlab.group}`)!;
    expect(token).toMatchObject({ status: 'ok' });
    expect(token.message).toContain(`on project ${projects[0].path_with_namespace}`);
    expect(token.message).toContain('processed by Port (audit log)');

    const log = sb.proxy.log.slice(logFrom);
    const hookReads = log.filter((l) => /^GET \/api\/v4\/projects\/\d+\/hooks$/.test(l));
    expect(hookReads.sort()).toEqual(projects.map((p) => `GET /api/v4/projects/${p.id}/hooks`).sort());
    expect(log.filter((l) => /\/hooks\/\d+\/test\//.test(l))).toHaveLength(1);

    const text = await doctor([]);
    expect(text.exitCode).toBe(0);
    expect(text.out).toContain(`✓ project hooks of "${sb.gitlab.group}": ${projects.length} healthy, 0 missing, 0 disabled`);
    expect(text.out.trimEnd().endsWith('healthy')).toBe(true);
  });

  test('a project hook deleted in GitLab: reported missing with the fix, exit 1; install --project-hooks restores it', async () => {
    const victim = projects[1];
    const hook = sb.gitlab.hooks().find((h) => h.kind === 'project' && h.project_id === victim.id)!;
    const del = await fetch(`${sb.gitlab.url}/api/v4/projects/${victim.id}/hooks/${hook.id}`, { method: 'DELETE', headers: { 'private-token': sb.gitlab.token } });
    expect(del.status).toBe(204);

    const r = await doctor();
    expect(r.exitCode).toBe(1);
    const summary = summaryOf(r.out);
    expect(summary.status).toBe('fail');
    expect(summary.message).toBe(`project hooks of "${sb.gitlab.group}": ${projects.length - 1} healthy, 1 missing (${victim.path_with_namespace}), 0 disabled`);
    expect(summary.fix).toContain('re-run `port-gitlab install --project-hooks`');
    expect(summary.projects?.missing).toEqual([victim.path_with_namespace]);
    const text = await doctor([]);
    expect(text.exitCode).toBe(1);
    expect(text.out).toContain(`1 missing (${victim.path_with_namespace})`);
    expect(text.out).toContain('fix: re-run `port-gitlab install --project-hooks`');

    const c = captureIO(sb.env);
    expect((await runInstallCommand(['--project-hooks', '--skip-backfill'], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
    expect((await doctor()).exitCode).toBe(0);
  });

  test('a project hook GitLab auto-disabled: reported with the --reenable fix, exit 1; --reenable brings it back', async () => {
    const target = projects[2];
    const hookOf = () => sb.gitlab.hooks().find((h) => h.kind === 'project' && h.project_id === target.id)!;
    sb.port.faults.failNext(4, 503); // four failed deliveries: GitLab disables the hook temporarily
    for (let i = 0; i < 4; i++) await sb.gitlab.openIssue(target.id, { title: `delivery ${i} fails` });
    expect(hookOf().alert_status).toBe('temporarily_disabled');

    const r = await doctor();
    expect(r.exitCode).toBe(1);
    const summary = summaryOf(r.out);
    expect(summary.status).toBe('fail');
    expect(summary.message).toContain(`${projects.length - 1} healthy, 0 missing, 1 disabled (${target.path_with_namespace}: temporarily_disabled until `);
    expect(summary.projects?.disabled).toEqual([expect.objectContaining({ project: target.path_with_namespace, hook: hookOf().id })]);
    expect(summary.fix).toContain('port-gitlab doctor --reenable');

    // On a terminal doctor asks once for the group; "n" leaves it disabled.
    const tty = captureIO(sb.env, { isTTY: true, answers: ['n'] });
    expect((await runDoctorCommand([], { io: tty.io, tuning: FAST, doctor: DOCTOR })).exitCode).toBe(1);
    expect(tty.err()).toContain(`1 project hook(s) in "${sb.gitlab.group}" are disabled by GitLab`);
    expect(tty.err()).toContain('Re-enable it with a test delivery?');
    expect(hookOf().alert_status).toBe('temporarily_disabled');

    const fixed = await doctor(['--json', '--reenable']);
    expect(fixed.exitCode, fixed.out).toBe(0);
    expect(summaryOf(fixed.out).projects?.reenabled).toEqual([target.path_with_namespace]);
    expect(summaryOf(fixed.out).message).toContain(`1 re-enabled with a test delivery (${target.path_with_namespace})`);
    expect(hookOf().alert_status).toBe('executable');
  });
});

describe('doctor with a Maintainer (not Owner) token on Premium, after install --project-hooks', () => {
  test('group hooks are not visible to it: the project hooks are checked instead', async () => {
    const sb = await startSandboxes({ gitlab: { role: 'maintainer' } });
    try {
      const c = captureIO(sb.env);
      expect((await runInstallCommand(['--project-hooks', '--skip-backfill'], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
      const hooks = sb.gitlab.hooks();
      expect(hooks.length).toBeGreaterThan(1);
      expect(hooks.every((h) => h.kind === 'project')).toBe(true);
      const d = captureIO(sb.env);
      const r = await runDoctorCommand(['--json'], { io: d.io, tuning: FAST, doctor: DOCTOR });
      expect(r.exitCode, d.out()).toBe(0);
      const checks = JSON.parse(d.out()).checks as Check[];
      expect(checks.find((x) => x.check === `gitlab.hook:${sb.gitlab.group}`)?.message).toContain('not Owner');
      expect(checks.find((x) => x.check === `gitlab.project-hooks:${sb.gitlab.group}`)).toMatchObject({ status: 'ok', projects: { healthy: hooks.length } });
    } finally {
      await sb.close();
    }
  });
});

describe('doctor on GitLab Free where the token user is not Maintainer of one project', () => {
  test('the project whose hooks it cannot read fails the check with the role fix; the rest is summarised healthy', async () => {
    // Developer on the top-level group, Maintainer on its subgroups payments (101) and rnd-center
    // (104): only sandbox-org/cafe-ordering-1, directly in the top-level group, refuses hooks.
    const sb = await startSandboxes({ gitlab: { tier: 'free', role: 'developer' } });
    try {
      for (const subgroup of [101, 104]) await sb.gitlab.addMember(subgroup, { userId: 1, accessLevel: 40 });
      const c = captureIO(sb.env);
      expect((await runInstallCommand(['--project-hooks', '--skip-backfill'], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(1);
      const hooked = sb.gitlab.hooks().length;
      expect(hooked).toBeGreaterThan(1);

      const d = captureIO(sb.env);
      const r = await runDoctorCommand(['--json'], { io: d.io, tuning: FAST, doctor: DOCTOR });
      expect(r.exitCode).toBe(1);
      const checks = JSON.parse(d.out()).checks as Check[];
      expect(checks.find((x) => x.check === `gitlab.project-hooks:${sb.gitlab.group}`)?.message).toBe(`project hooks of "${sb.gitlab.group}": ${hooked} healthy, 0 missing, 0 disabled, 1 not checked (sandbox-org/cafe-ordering-1)`);
      const unreadable = checks.find((x) => x.check === `gitlab.project-hooks.unreadable:${sb.gitlab.group}`)!;
      expect(unreadable).toMatchObject({ status: 'fail' });
      expect(unreadable.message).toContain('GitLab answered 403 to read the hooks of "sandbox-org/cafe-ordering-1"');
      expect(unreadable.fix).toContain('needs the Maintainer role on sandbox-org/cafe-ordering-1');
      expect(checks.find((x) => x.check === `token:${sb.gitlab.group}`)).toMatchObject({ status: 'ok' });
    } finally {
      await sb.close();
    }
  });
});
