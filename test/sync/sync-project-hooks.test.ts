// `sync`'s hook step after `install --project-hooks` (GitLab Free: no group hooks): each project's
// hook is checked as the group hook is — duplicates deleted (lowest id kept), a disabled hook
// re-enabled with one test delivery, healthy hooks sent none.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runSyncCommand } from '../../scripts/commands/sync.ts';
import type { SyncSummary } from '../../scripts/sync/run.ts';
import { createBackfillEngine } from '../../scripts/backfill/mapper.ts';
import type { MappingEngine } from '../../scripts/mapping/engine.ts';
import { FAST, captureIO, type Sandboxes, startFreeTierWithProjectHooks } from '../install/helpers.ts';

type Obj = Record<string, any>;

describe('port-gitlab sync on project hooks', { timeout: 120_000 }, () => {
  let sb: Sandboxes;
  let engine: MappingEngine;
  let projects: Array<{ id: number; path_with_namespace: string }>;
  beforeAll(async () => {
    engine = await createBackfillEngine();
    ({ sb, projects } = await startFreeTierWithProjectHooks());
    expect(projects.length).toBeGreaterThan(2);
  });
  afterAll(async () => {
    await sb?.close();
  });

  async function sync() {
    const c = captureIO(sb.env);
    const r = await runSyncCommand(['--json'], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0, engine } });
    return { ...r, summary: JSON.parse(c.out()) as SyncSummary, err: c.err() };
  }
  const hookTests = () => Object.entries(sb.gitlab.requestCounts()).filter(([route]) => /\/hooks\/:\w+\/test\/:trigger$/.test(route)).reduce((n, [, c]) => n + c, 0);
  const hooksOf = (projectId: number) => sb.gitlab.hooks().filter((h) => h.kind === 'project' && h.project_id === projectId);
  const check = (s: SyncSummary) => s.hooks.checks.find((c) => c.check === `gitlab.project-hooks:${sb.gitlab.group}`)!;

  test('a duplicate project hook is deleted (lowest id kept); healthy hooks get no test delivery', async () => {
    const target = projects[0];
    const [ours] = hooksOf(target.id);
    const res = await fetch(`${sb.gitlab.url}/api/v4/projects/${target.id}/hooks`, {
      method: 'POST', headers: { 'private-token': sb.gitlab.token, 'content-type': 'application/json' },
      body: JSON.stringify({ url: ours.url, token: 'second-install', push_events: true }),
    });
    expect(res.status).toBe(201);
    const dup = (await res.json()) as Obj;
    const tests = hookTests();

    const r = await sync();
    expect(r.exitCode, r.err).toBe(0);
    expect(r.summary.hooks).toMatchObject({ status: 'ok', reenabled: 0, removedDuplicates: 1 });
    expect(check(r.summary)).toMatchObject({ status: 'ok', message: `project hooks of "${sb.gitlab.group}": ${projects.length} healthy, 1 duplicate hook(s) deleted` });
    expect(hooksOf(target.id).map((h) => h.id)).toEqual([ours.id]);
    expect(dup.id).toBeGreaterThan(ours.id as number);
    expect(hookTests()).toBe(tests);
  });

  test('a disabled project hook is re-enabled with one test delivery', async () => {
    const target = projects[1];
    sb.port.faults.failNext(4, 503);
    for (let i = 0; i < 8 && hooksOf(target.id)[0].alert_status === 'executable'; i++) await sb.gitlab.openIssue(target.id, { title: `missed ${i}` });
    sb.port.faults.clear();
    expect(hooksOf(target.id)[0].alert_status).toBe('temporarily_disabled');
    const tests = hookTests();

    const r = await sync();
    expect(r.exitCode, r.err).toBe(0);
    expect(r.summary.hooks).toMatchObject({ status: 'ok', reenabled: 1, removedDuplicates: 0 });
    expect(check(r.summary).message).toContain('1 re-enabled with a test delivery');
    expect(hooksOf(target.id)[0].alert_status).toBe('executable');
    expect(hookTests()).toBe(tests + 1);
  });
});
