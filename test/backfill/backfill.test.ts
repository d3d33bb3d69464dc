// The backfill against the local GitLab and the local Port: a complete run over a multi-page group
// with nested subgroups, and re-runs that write nothing, or only what changed.
import { afterEach, describe, expect, it } from 'vitest';
import { gitlabTruth, startSandboxes, type Sandboxes } from './helpers.ts';
import { expectPortMatchesGitLab, SEED, totals } from './expect-port.ts';

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('backfill', () => {
  it('brings a multi-page group with nested subgroups into Port completely, and a re-run writes nothing', async () => {
    sb = await startSandboxes({ gitlab: { seed: SEED } });
    // One project with more than 100 jobs: its job list takes two keyset pages.
    const heavy = (await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId)).projects[3]!;
    for (let i = 0; i < 3; i++) await sb.gitlab.runPipeline(heavy.id as number, { jobs: 40 });
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    expect(truth.jobs.filter((j) => j.projectId === heavy.id).length).toBeGreaterThan(100);

    const first = await sb.backfill();
    expect(first.ok).toBe(true);
    expect(Object.values(first.kinds).every((k) => k.complete && k.failed === 0)).toBe(true);
    expect(first.kinds.projects!.fetched).toBeGreaterThan(100);
    expect(first.usage?.port).toMatchObject({ slots: 5, started: first.requests!.port });
    expect(first.usage!.port.saturation).toBeGreaterThanOrEqual(0);
    expect(first.usage!.port.saturation).toBeLessThanOrEqual(1);
    expect(first.kinds.mergeRequests!.fetched).toBeGreaterThan(200);
    expect(first.kinds.issues!.skipped).toBeGreaterThan(0);
    expect(totals(first, 'written')).toBe(totals(first, 'fetched') - first.kinds.issues!.skipped!);
    await expectPortMatchesGitLab(sb, truth);
    // Into empty blueprints nothing can be stale: reconcile reads nothing back. Pipelines are the
    // exception here: the pipelines run above reached Port through the hook before the backfill.
    for (const [kind, k] of Object.entries(first.kinds)) {
      expect(k.reconcile, kind).toMatchObject({ status: 'nothing-stale', reason: expect.stringContaining(kind === 'pipelines' ? 'still exist' : 'before this run') });
    }

    const bulkBefore = sb.port.requestCounts()['POST /v1/blueprints/:blueprint/entities/bulk'];
    const auditBefore = sb.port.auditLog().filter((a) => a.resourceType === 'entity').length;
    const second = await sb.backfill();
    expect(second.ok).toBe(true);
    expect(totals(second, 'written')).toBe(0);
    expect(totals(second, 'unchanged')).toBe(totals(first, 'written'));
    expect(totals(second, 'deleted')).toBe(0);
    expect(sb.port.requestCounts()['POST /v1/blueprints/:blueprint/entities/search']).toBeGreaterThan(0);
    for (const k of Object.values(second.kinds)) expect(k.reconcile).toMatchObject({ status: 'nothing-stale', reason: expect.stringContaining('still exist') });
    expect(sb.port.requestCounts()['POST /v1/blueprints/:blueprint/entities/bulk']).toBe(bulkBefore);
    expect(sb.port.auditLog().filter((a) => a.resourceType === 'entity').length).toBe(auditBefore);
    await expectPortMatchesGitLab(sb, truth);
  });

  it('writes what changed in GitLab since the last run, and only that', async () => {
    sb = await startSandboxes();
    await sb.backfill();
    const project = (await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId)).projects[0]!;
    const opened = await sb.gitlab.openMergeRequest(project.id as number, { title: 'Add the backfill' });
    const run = await sb.backfill();
    expect(run.kinds.mergeRequests!.written).toBe(1);
    expect(totals(run, 'written')).toBe(1);
    expect(sb.port.entity('gitlabMergeRequest', String(opened.object.id))?.title).toBe('Add the backfill');
  });


  it('lists the group\'s projects once: the per-project lists reuse the projects phase\'s listing', async () => {
    sb = await startSandboxes({ gitlab: { seed: SEED } });
    const projectLists: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (/\/groups\/[^/]+\/projects$/.test(url.pathname)) projectLists.push(url.searchParams.get('page') ?? '1');
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      const summary = await sb.backfill();
      expect(summary.ok).toBe(true);
      const pages = Math.ceil(summary.kinds.projects!.fetched / 100);
      expect(pages).toBeGreaterThan(1);
      expect(projectLists.sort()).toEqual(Array.from({ length: pages }, (_, i) => String(i + 1)).sort());
      expect(summary.kinds.pipelines!.fetched).toBeGreaterThan(0);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
