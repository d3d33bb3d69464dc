// What `sync` says about hooks beyond repairing them: `--dry-run` inspects them and reports what a
// sync would re-enable or delete without changing anything (no test delivery, no deletion), and
// every sync warns when a hook's event flags drifted from what the bundle maps (doctor's check).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runSyncCommand } from '../../scripts/commands/sync.ts';
import type { SyncSummary } from '../../scripts/sync/run.ts';
import { createBackfillEngine } from '../../scripts/backfill/mapper.ts';
import type { MappingEngine } from '../../scripts/mapping/engine.ts';
import { FAST, captureIO, portWrites, startFreeTierWithProjectHooks, startSandboxes, type Sandboxes } from '../install/helpers.ts';

type Obj = Record<string, any>;

describe('sync: hook inspection in a dry run, and event-flag drift', { timeout: 120_000 }, () => {
  let sb: Sandboxes;
  let engine: MappingEngine;
  let project: Obj;
  beforeAll(async () => {
    engine = await createBackfillEngine();
    sb = await startSandboxes();
    const c = captureIO(sb.env);
    const r = await runInstallCommand(['--skip-backfill'], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
    const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false&order_by=id&sort=asc`, { headers: { 'private-token': sb.gitlab.token } });
    project = ((await res.json()) as Obj[])[0];
  });
  afterAll(async () => {
    await sb?.close();
  });

  async function sync(args: string[]) {
    const c = captureIO(sb.env);
    const r = await runSyncCommand(['--json', ...args], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0, engine } });
    return { ...r, summary: JSON.parse(c.out()) as SyncSummary, err: c.err() };
  }
  const hookTests = () => Object.entries(sb.gitlab.requestCounts()).filter(([route]) => /\/hooks\/:\w+\/test\/:trigger$/.test(route)).reduce((n, [, c]) => n + c, 0);
  const gitlabWrites = () => sb.proxy.writes().length;

  test('--dry-run reports the disabled hook and the duplicate it would repair, and changes neither', async () => {
    const [ours] = sb.gitlab.hooks();
    const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/hooks`, {
      method: 'POST', headers: { 'private-token': sb.gitlab.token, 'content-type': 'application/json' },
      body: JSON.stringify({ url: ours.url, token: 'second-install', push_events: true }),
    });
    const dup = (await res.json()) as Obj;
    sb.port.faults.failNext(4, 503); // four failed deliveries: GitLab disables the hook
    for (let i = 0; i < 4 && sb.gitlab.hooks()[0].alert_status === 'executable'; i++) await sb.gitlab.openIssue(project.id, { title: `missed ${i}` });
    sb.port.faults.clear();
    expect(sb.gitlab.hooks()[0].alert_status).toBe('temporarily_disabled');

    const tests = hookTests();
    const writes = gitlabWrites();
    const r = await sync(['--dry-run']);
    expect(r.exitCode, r.err).toBe(0);
    expect(r.summary.hooks.status).toBe('ok');
    expect(r.summary.hooks.message).toContain('would re-enable 1 hook(s) GitLab disabled; would delete 1 duplicate hook(s)');
    expect(r.summary.hooks.message).toContain('(dry run: nothing was changed)');
    expect(r.summary.hooks.checks.find((c) => c.check === `gitlab.hook:${sb.gitlab.group}`)).toMatchObject({ status: 'warn', message: expect.stringContaining(`would delete duplicate hook(s) ${dup.id}; would re-enable it with a test delivery`) });
    expect(r.summary.hooks).toMatchObject({ reenabled: 0, removedDuplicates: 0 });
    // Nothing changed in GitLab: no test delivery, no deletion, the hook still disabled.
    expect(hookTests()).toBe(tests);
    expect(sb.proxy.writes().slice(writes)).toEqual([]);
    expect(sb.gitlab.hooks().map((h) => h.id)).toEqual([ours.id, dup.id]);
    expect(sb.gitlab.hooks()[0].alert_status).toBe('temporarily_disabled');

    // The real sync then does what the dry run said.
    const real = await sync([]);
    expect(real.summary.hooks).toMatchObject({ status: 'ok', reenabled: 1, removedDuplicates: 1 });
    expect(sb.gitlab.hooks().map((h) => h.id)).toEqual([ours.id]);
  });

  test('a hook whose event flags drifted from the bundle is warned about (the fix: install), and the sync still succeeds', async () => {
    const [ours] = sb.gitlab.hooks();
    // Someone turned issue events off in GitLab's UI.
    const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/hooks/${ours.id}`, {
      method: 'PUT', headers: { 'private-token': sb.gitlab.token, 'content-type': 'application/json' },
      body: JSON.stringify({ url: ours.url, issues_events: false }),
    });
    expect(res.status).toBe(200);
    const before = sb.port.requestCounts();
    for (const args of [['--dry-run'], []]) {
      const r = await sync(args);
      expect(r.exitCode, r.err).toBe(0);
      const drift = r.summary.hooks.checks.find((c) => c.check === `gitlab.hook.events:${sb.gitlab.group}`);
      expect(drift).toMatchObject({ status: 'warn', message: `hook ${ours.id} on "${sb.gitlab.group}" event flags differ from the bundle: issues_events: false → true`, fix: expect.stringContaining('port-gitlab install') });
      expect(r.summary.hooks.message).toContain('issues_events: false → true');
    }
    // Sync does not set flags itself (install does, with the token): the hook is as it was.
    expect(sb.gitlab.hooks()[0].issues_events).toBe(false);
    expect(Object.keys(portWrites(sb.port, before)).every((route) => route.includes('entities'))).toBe(true);
  });
});

describe('sync on project hooks (install --project-hooks): drift and a dry run', { timeout: 120_000 }, () => {
  test('a project hook with a flag turned off is named in the group\'s check (a warning); a dry run reports the disabled one it would re-enable', async () => {
    const engine = await createBackfillEngine();
    const { sb, projects } = await startFreeTierWithProjectHooks();
    try {
      const sync = async (args: string[]) => {
        const c = captureIO(sb.env);
        const r = await runSyncCommand(['--json', ...args], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0, engine } });
        return { ...r, summary: JSON.parse(c.out()) as SyncSummary, err: c.err() };
      };
      const hookOf = (projectId: number) => sb.gitlab.hooks().find((h) => h.kind === 'project' && h.project_id === projectId)!;
      const [drifting, failing] = projects;
      const ours = hookOf(drifting.id);
      const res = await fetch(`${sb.gitlab.url}/api/v4/projects/${drifting.id}/hooks/${ours.id}`, {
        method: 'PUT', headers: { 'private-token': sb.gitlab.token, 'content-type': 'application/json' },
        body: JSON.stringify({ url: ours.url, merge_requests_events: false }),
      });
      expect(res.status).toBe(200);
      // Four failed deliveries from the second project: GitLab disables its hook.
      sb.port.faults.failNext(4, 503);
      for (let i = 0; i < 4 && hookOf(failing.id).alert_status === 'executable'; i++) await sb.gitlab.openIssue(failing.id, { title: `missed ${i}` });
      sb.port.faults.clear();
      expect(hookOf(failing.id).alert_status).toBe('temporarily_disabled');

      const before = sb.gitlab.hooks();
      const dry = await sync(['--dry-run']);
      expect(dry.exitCode, dry.err).toBe(0);
      const check = dry.summary.hooks.checks.find((c) => c.check === `gitlab.project-hooks:${sb.gitlab.group}`)!;
      expect(check.status).toBe('warn');
      expect(check.message).toContain(`would re-enable 1 (${failing.path_with_namespace})`);
      expect(check.message).toContain(`1 with event flags that differ from the bundle (${drifting.path_with_namespace}`);
      expect(sb.gitlab.hooks()).toEqual(before);

      const real = await sync([]);
      expect(real.exitCode, real.err).toBe(0);
      expect(real.summary.hooks.reenabled).toBe(1);
      expect(hookOf(failing.id).alert_status).toBe('executable');
      expect(real.summary.hooks.checks.find((c) => c.check === `gitlab.project-hooks:${sb.gitlab.group}`)).toMatchObject({ status: 'warn', message: expect.stringContaining(`1 with event flags that differ from the bundle (${drifting.path_with_namespace}`) });
    } finally {
      await sb.close();
    }
  });
});
