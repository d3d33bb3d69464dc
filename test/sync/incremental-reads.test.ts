// What an incremental sync reads (issue 10 §5): GitLab's GraphQL API tells which projects have
// changed pipelines, so only theirs are listed (one GraphQL request per 100 projects instead of a
// pipelines list per project), and reconcile reads back from Port only the entities that could be
// stale — yet finds exactly what reading everything finds (the same dry-run verdicts); every
// project's deployments are listed (GitLab's GraphQL API resolves `Project.environments` for one
// project a request, so the scan cannot tell which have none); and an
// older GitLab without the GraphQL argument falls back to the per-project REST lists.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runSyncCommand } from '../../scripts/commands/sync.ts';
import type { SyncOptions, SyncSummary } from '../../scripts/sync/run.ts';
import { createBackfillEngine } from '../../scripts/backfill/mapper.ts';
import type { MappingEngine } from '../../scripts/mapping/engine.ts';
import { FAST, captureIO, startSandboxes, type Sandboxes } from '../install/helpers.ts';

type Obj = Record<string, any>;
const PIPELINE_LIST = /^GET \/api\/v4\/projects\/\d+\/pipelines$/;

describe('incremental sync: what it reads', { timeout: 180_000 }, () => {
  let sb: Sandboxes;
  let engine: MappingEngine;
  let projects: Obj[];
  beforeAll(async () => {
    engine = await createBackfillEngine();
    sb = await startSandboxes();
    const c = captureIO(sb.env);
    expect((await runInstallCommand([], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
    const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&per_page=100&order_by=id&sort=asc`, { headers: { 'private-token': sb.gitlab.token } });
    projects = (await res.json()) as Obj[];
    expect(projects.length).toBeGreaterThan(3);
  });
  afterAll(async () => {
    await sb?.close();
  });

  async function sync(args: string[] = [], extra: Partial<SyncOptions> = {}) {
    const c = captureIO(sb.env);
    const before = sb.proxy.log.length;
    const r = await runSyncCommand(['--json', '--skip-hooks', ...args], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0, engine, ...extra } });
    expect(r.exitCode, c.out() + c.err()).toBe(0);
    const summary = JSON.parse(c.out()) as SyncSummary;
    const requests = sb.proxy.log.slice(before);
    return { summary, requests, pipelineLists: requests.filter((l) => PIPELINE_LIST.test(l)), graphql: requests.filter((l) => l === 'POST /api/graphql').length };
  }
  const entity = (bp: string, id: unknown) => sb.port.entities(bp).find((e) => e.identifier === String(id));
  /** What reconcile decided per kind, without the counts that depend on how much was read. */
  const verdicts = (s: SyncSummary) => Object.fromEntries(Object.entries(s.kinds).map(([k, v]) => [k, { status: v.reconcile?.status, stale: v.reconcile?.stale ?? 0, ids: [...(v.reconcile?.staleIdentifiers ?? [])].sort() }]));

  test('nothing changed: no project\'s pipelines are listed, and reconcile reads back almost nothing', async () => {
    // install's backfill stored the watermark: the first sync is already incremental.
    const inc = await sync();
    expect(inc.summary.mode).toBe('incremental');
    expect(inc.pipelineLists).toEqual([]);
    expect(inc.graphql).toBe(Math.ceil(projects.length / 100));
    // Groups, members and projects are read whole; the rest only where something could be stale.
    expect(inc.summary.kinds.projects!.reconcile).toMatchObject({ status: 'nothing-stale', ours: projects.length });
    for (const k of ['mergeRequests', 'issues', 'pipelines', 'jobs', 'deployments', 'releases']) {
      expect(inc.summary.kinds[k]!.reconcile, k).toMatchObject({ status: 'nothing-stale', read: 0 });
    }
    // The same sync without GraphQL lists every project's pipelines.
    const rest = await sync([], { graphqlPipelineScan: false });
    expect(rest.pipelineLists.length).toBe(projects.length);
    expect(rest.graphql).toBe(0);
  });

  test('every project\'s deployments are listed, one without environments too; its first deployment is found', async () => {
    const top = sb.gitlab.groupId;
    const fresh = (await sb.gitlab.silently(() => sb.gitlab.createProject(top, { name: 'No environments yet' }))).object as Obj;
    const deploymentLists = (r: { requests: string[] }) => r.requests.filter((l) => /^GET \/api\/v4\/projects\/\d+\/deployments$/.test(l));
    const first = await sync();
    expect(entity('gitlabProject', fresh.id)).toBeDefined();
    expect(deploymentLists(first)).toContain(`GET /api/v4/projects/${fresh.id}/deployments`);
    expect(deploymentLists(first).length).toBe(projects.length + 1);
    // The scan's GraphQL request is one per 100 projects still, and asks for no environments.
    expect(first.graphql).toBe(Math.ceil((projects.length + 1) / 100));
    const dep = (await sb.gitlab.silently(() => sb.gitlab.deploy(fresh.id, { environment: 'staging' }))).object as Obj;
    const next = await sync();
    expect(deploymentLists(next)).toContain(`GET /api/v4/projects/${fresh.id}/deployments`);
    expect(entity('gitlabDeployment', dep.id)).toMatchObject({ properties: { environmentTier: 'staging' } });
    await sb.gitlab.silently(() => sb.gitlab.destroyProject(fresh.id));
    await sync();
  });

  test('silent changes: only the changed projects\' pipelines are listed; deletions are found as by reading everything', async () => {
    const [a, b, c] = [projects[1]!, projects[2]!, projects[3]!];
    const made = await sb.gitlab.silently(async () => ({
      pipeA: await sb.gitlab.runPipeline(a.id, { status: 'success', jobs: 2 }),
      // The sandbox's history is older than the 90-day window: Port holds few pipelines and jobs, and
      // the deletion threshold (50% of a blueprint) must not be what this test measures.
      pipeB: [await sb.gitlab.runPipeline(b.id, { status: 'failed', jobs: 3 }), await sb.gitlab.runPipeline(b.id, { jobs: 3 }), await sb.gitlab.runPipeline(b.id, { jobs: 3 })],
      mr: (await sb.gitlab.openMergeRequest(b.id, { title: 'opened without an event' })).object,
      issue: (await sb.gitlab.openIssue(b.id, { title: 'opened without an event' })).object,
    }));
    const s1 = await sync();
    expect(s1.pipelineLists.sort()).toEqual([`GET /api/v4/projects/${a.id}/pipelines`, `GET /api/v4/projects/${b.id}/pipelines`].sort());
    for (const j of made.pipeA.jobs) expect(entity('gitlabJob', j.id)).toBeDefined();
    expect(entity('gitlabMergeRequest', made.mr.id)).toBeDefined();
    const cMrs = sb.port.entities('gitlabMergeRequest').filter((e) => e.relations?.project === String(c.id)).map((e) => e.identifier);
    expect(cMrs.length).toBeGreaterThan(0);

    // Deleted without an event: an MR, an issue and a pipeline changed in the window, and a whole project.
    await sb.gitlab.silently(async () => {
      await sb.gitlab.deleteMergeRequest(b.id, Number(made.mr.iid));
      await sb.gitlab.deleteIssue(b.id, Number(made.issue.iid));
      await sb.gitlab.deletePipeline(a.id, Number(made.pipeA.object.id));
      await sb.gitlab.destroyProject(c.id);
    });
    const narrowed = await sync(['--dry-run']);
    const whole = await sync(['--dry-run'], { reconcileReadsAll: true });
    expect(verdicts(narrowed.summary)).toEqual(verdicts(whole.summary));
    const v = verdicts(narrowed.summary);
    expect(v.mergeRequests!.ids).toEqual(expect.arrayContaining([String(made.mr.id), ...cMrs]));
    expect(v.issues!.ids).toContain(String(made.issue.id));
    expect(v.pipelines!.ids).toContain(String(made.pipeA.object.id));
    expect(v.jobs!.ids).toEqual(expect.arrayContaining(made.pipeA.jobs.map((j: Obj) => String(j.id))));
    expect(v.projects!.ids).toEqual([String(c.id)]);
    // Reading only candidates read far less than everything.
    const read = (s: SyncSummary) => ['mergeRequests', 'issues', 'pipelines', 'jobs', 'deployments', 'releases'].reduce((n, k) => n + (s.kinds[k]!.reconcile?.read ?? s.kinds[k]!.reconcile?.ours ?? 0), 0);
    expect(read(narrowed.summary)).toBeLessThan(read(whole.summary) / 2);

    const real = await sync();
    for (const k of ['mergeRequests', 'issues', 'pipelines', 'jobs', 'projects']) expect(real.summary.kinds[k]!.reconcile?.status, k).toBe('deleted');
    expect(entity('gitlabMergeRequest', made.mr.id)).toBeUndefined();
    expect(entity('gitlabIssue', made.issue.id)).toBeUndefined();
    expect(entity('gitlabPipeline', made.pipeA.object.id)).toBeUndefined();
    for (const j of made.pipeA.jobs) expect(entity('gitlabJob', j.id)).toBeUndefined();
    expect(entity('gitlabProject', c.id)).toBeUndefined();
    for (const id of cMrs) expect(entity('gitlabMergeRequest', id)).toBeUndefined();
  });
});

describe('incremental sync against a GitLab without Project.pipelines(updatedAfter:)', { timeout: 120_000 }, () => {
  test('falls back to one REST pipelines list per project, and says why', async () => {
    const engine = await createBackfillEngine();
    const sb = await startSandboxes({ gitlab: { version: '14.6.0-ee' } });
    try {
      const c = captureIO(sb.env);
      expect((await runInstallCommand([], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
      const run = async () => {
        const io = captureIO(sb.env);
        const before = sb.proxy.log.length;
        const r = await runSyncCommand(['--json', '--skip-hooks'], { io: io.io, tuning: FAST, extra: { progressIntervalMs: 10_000, engine } });
        expect(r.exitCode, io.err()).toBe(0);
        return { summary: JSON.parse(io.out()) as SyncSummary, err: io.err(), lists: sb.proxy.log.slice(before).filter((l) => PIPELINE_LIST.test(l)).length };
      };
      const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&per_page=100`, { headers: { 'private-token': sb.gitlab.token } });
      const projects = (await res.json()) as Obj[];
      await run();
      const pipe = await sb.gitlab.silently(() => sb.gitlab.runPipeline(projects[0]!.id, { jobs: 1 }));
      const inc = await run();
      expect(inc.summary.mode).toBe('incremental');
      expect(inc.err).toContain("could not ask GitLab's GraphQL API which projects have changed pipelines");
      expect(inc.err).toContain("Field 'pipelines' doesn't accept argument 'updatedAfter'");
      expect(inc.lists).toBe(projects.length);
      expect(sb.port.entities('gitlabPipeline').some((e) => e.identifier === String(pipe.object.id))).toBe(true);
    } finally {
      await sb.close();
    }
  });
});
