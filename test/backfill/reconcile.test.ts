// Reconcile against the local GitLab and Port: a project deleted in GitLab disappears with its
// children; entities others wrote are never touched; the threshold guard; an incomplete listing;
// and --dry-run.
import { afterEach, describe, expect, it } from 'vitest';
import { gitlabTruth, startSandboxes, type Sandboxes } from './helpers.ts';
import { expectPortMatchesGitLab, SEED } from './expect-port.ts';

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('reconcile', () => {
  it('removes a project deleted in GitLab, with its merge requests, pipelines and jobs, on the next run', async () => {
    sb = await startSandboxes({ gitlab: { seed: { ...SEED, projects: 20 } } });
    await sb.backfill();
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    const victim = truth.projects.find((p) => truth.pipelines.some((x) => x.project_id === p.id) && truth.mergeRequests.some((m) => m.project_id === p.id))!;
    const children = (bp: string) => sb!.port.entities(bp).filter((e) => e.relations.project === String(victim.id)).length;
    expect(children('gitlabMergeRequest')).toBeGreaterThan(0);
    expect(children('gitlabJob')).toBeGreaterThan(0);
    await sb.gitlab.destroyProject(victim.id as number);

    const run = await sb.backfill();
    expect(run.ok).toBe(true);
    expect(run.kinds.projects!.deleted).toBe(1);
    expect(run.kinds.projects!.reconcile).toMatchObject({ status: 'deleted', stale: 1 });
    expect(sb.port.entity('gitlabProject', String(victim.id))).toBeUndefined();
    for (const bp of ['gitlabMergeRequest', 'gitlabIssue', 'gitlabPipeline', 'gitlabJob', 'gitlabDeployment', 'gitlabRelease']) expect(children(bp)).toBe(0);
    await expectPortMatchesGitLab(sb);
  });

  it('never deletes entities this integration did not write', async () => {
    sb = await startSandboxes();
    await sb.backfill();
    // A project entity someone else wrote (another User-Agent, so another $datasource), unknown to GitLab.
    const token = await fetch(`${sb.port.url}/v1/auth/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret }) });
    const { accessToken } = (await token.json()) as { accessToken: string };
    const res = await fetch(`${sb.port.url}/v1/blueprints/gitlabProject/entities?upsert=true`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}`, 'user-agent': 'manual-import/1.0' },
      body: JSON.stringify({ identifier: '987654321', title: 'hand-made', properties: {} }),
    });
    expect(res.status).toBe(201);
    expect(sb.port.entity('gitlabProject', '987654321')?.datasource).toBe('manual-import/1.0');
    const run = await sb.backfill();
    expect(run.ok).toBe(true);
    expect(sb.port.entity('gitlabProject', '987654321')?.title).toBe('hand-made');
    expect(run.kinds.projects!.reconcile?.status).toBe('nothing-stale');
  });

  it('deletes nothing when the deletions would exceed the threshold, and says why', async () => {
    sb = await startSandboxes();
    await sb.backfill();
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    const victim = truth.projects[2]!;
    await sb.gitlab.destroyProject(victim.id as number);
    const run = await sb.backfill({ deletionThreshold: 0.1 }); // 1 of 6 projects is ~17%
    expect(run.kinds.projects!.deleted).toBe(0);
    expect(run.kinds.projects!.reconcile).toMatchObject({ status: 'refused', stale: 1, staleIdentifiers: [String(victim.id)] });
    expect(run.kinds.projects!.reconcile!.reason).toMatch(/1 of 6 gitlabProject entities \(16\.7%\) are gone from GitLab, more than the 10% deletion threshold; nothing deleted/);
    expect(sb.port.entity('gitlabProject', String(victim.id))).toBeDefined();
    // A refused parent is not used to condemn its children: its pipelines' jobs stay too.
    expect(sb.port.entities('gitlabJob').some((e) => e.relations.project === String(victim.id))).toBe(truth.jobs.some((j) => j.projectId === victim.id));
  });

  it('deletes nothing when a listing was incomplete', async () => {
    sb = await startSandboxes();
    await sb.backfill();
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    await sb.gitlab.destroyProject(truth.projects[0]!.id as number);
    sb.gitlab.faults.failNext(1, 404); // the group itself cannot be read
    const run = await sb.backfill({ kinds: ['projects'] });
    expect(run.ok).toBe(false);
    expect(run.kinds.projects!.complete).toBe(false);
    expect(run.kinds.projects!.reconcile).toMatchObject({ status: 'skipped' });
    expect(run.kinds.projects!.reconcile!.reason).toMatch(/incomplete/);
    expect(sb.port.entity('gitlabProject', String(truth.projects[0]!.id))).toBeDefined();
  });

  it('--dry-run writes and deletes nothing, and shows what would be deleted', async () => {
    sb = await startSandboxes();
    await sb.backfill();
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    const victim = truth.projects[1]!;
    await sb.gitlab.destroyProject(victim.id as number);
    await sb.gitlab.openMergeRequest(truth.projects[0]!.id as number, { title: 'not yet in Port' });
    const auditBefore = sb.port.auditLog().length;
    const run = await sb.backfill({ dryRun: true });
    expect(run.dryRun).toBe(true);
    expect(run.kinds.projects!.reconcile).toMatchObject({ status: 'dry-run', staleIdentifiers: [String(victim.id)] });
    expect(run.kinds.mergeRequests!.written).toBe(1); // would write
    expect(sb.port.entity('gitlabProject', String(victim.id))).toBeDefined();
    expect(sb.port.auditLog().length).toBe(auditBefore);
  });

  it('re-stamps what a version without install ids wrote, so that the next reconcile can delete it', async () => {
    sb = await startSandboxes({ gitlab: { seed: { ...SEED, projects: 20 } } });
    const legacy = await sb.backfill(); // the sandbox's client sends no install id
    const written = Object.values(legacy.kinds).reduce((n, k) => n + k.written, 0);
    expect(sb.port.entities('gitlabProject').every((e) => !(e.datasource ?? '').includes('/gl-'))).toBe(true);
    const mine = sb.portClient.forInstall('gl-0123456789ab');
    const restamp = await sb.backfill({ port: mine });
    expect(Object.values(restamp.kinds).reduce((n, k) => n + k.written, 0)).toBe(written);
    for (const bp of ['gitlabGroup', 'gitlabProject', 'gitlabMergeRequest', 'gitlabJob']) {
      expect(sb.port.entities(bp).every((e) => (e.datasource ?? '').endsWith("/gl-0123456789ab")), bp).toBe(true);
    }
    const again = await sb.backfill({ port: mine });
    expect(Object.values(again.kinds).reduce((n, k) => n + k.written, 0)).toBe(0);
    // Now attributable: a project deleted in GitLab goes on the next run.
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    const victim = truth.projects[0]!;
    await sb.gitlab.destroyProject(victim.id as number);
    const after = await sb.backfill({ port: mine });
    expect(after.kinds.projects!.deleted).toBe(1);
    expect(sb.port.entities('gitlabProject').some((e) => e.identifier === String(victim.id))).toBe(false);
  });
});
