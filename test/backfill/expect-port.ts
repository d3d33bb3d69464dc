// Assertions shared by the backfill tests: Port holds exactly what GitLab has.
import { expect } from 'vitest';
import type { BackfillSummary } from '../../scripts/backfill/run.ts';
import { byId, gitlabTruth, releaseId, type Sandboxes, type Truth } from './helpers.ts';

// Multi-page: > 100 projects (2 pages), > 200 merge requests and issues (3 pages each), three levels of subgroups.
export const SEED = {
  preset: 'small' as const, groupDepth: 3, groupFanout: 2, projects: 110, sharedProjects: 2, mergeRequestsPerProject: 2,
  issuesPerProject: 2, pipelinesPerProject: 1, jobsPerPipeline: 2, releasesPerProject: 1, deploymentsPerProject: 1, membersPerGroup: 2,
};

export function totals(s: BackfillSummary, field: 'written' | 'unchanged' | 'failed' | 'fetched' | 'deleted'): number {
  return Object.values(s.kinds).reduce((n, k) => n + k[field], 0);
}

/** Every GitLab object is in Port exactly once, with its relations, and nothing else is. */
export async function expectPortMatchesGitLab(s: Sandboxes, truth?: Truth): Promise<void> {
  const t = truth ?? (await gitlabTruth(s.gitlabClient, s.gitlab.groupId));
  const ids = (bp: string) => [...byId(s.port, bp).keys()].sort();
  const sorted = (xs: Array<string | number>) => xs.map(String).sort();

  expect(ids('gitlabGroup')).toEqual(sorted(t.groups.map((g) => g.id)));
  const groups = byId(s.port, 'gitlabGroup');
  for (const g of t.groups) {
    expect(groups.get(String(g.id))!.properties.fullPath).toBe(g.full_path);
    expect(groups.get(String(g.id))!.relations.parent ?? null).toBe(g.id === s.gitlab.groupId ? null : String(g.parent_id));
  }
  expect(ids('gitlabProject')).toEqual(sorted(t.projects.map((p) => p.id)));
  const projects = byId(s.port, 'gitlabProject');
  for (const p of t.projects) {
    const e = projects.get(String(p.id))!;
    expect(e.relations.group).toBe(String(p.namespace.id));
    expect(e.properties.archived).toBe(p.archived === true);
    expect(e.properties.pathWithNamespace).toBe(p.path_with_namespace);
  }
  expect(t.projects.some((p) => p.archived)).toBe(true);

  expect(ids('gitlabMergeRequest')).toEqual(sorted(t.mergeRequests.map((m) => m.id)));
  const mrs = byId(s.port, 'gitlabMergeRequest');
  for (const m of t.mergeRequests) expect(mrs.get(String(m.id))!.relations.project).toBe(String(m.project_id));

  const publicIssues = t.issues.filter((i) => !i.confidential);
  expect(t.issues.length).toBeGreaterThan(publicIssues.length); // confidential ones exist, and are skipped
  expect(ids('gitlabIssue')).toEqual(sorted(publicIssues.map((i) => i.id)));

  expect(ids('gitlabPipeline')).toEqual(sorted(t.pipelines.map((p) => p.id)));
  const pipes = byId(s.port, 'gitlabPipeline');
  for (const p of t.pipelines) expect(pipes.get(String(p.id))!.relations.project).toBe(String(p.project_id));

  expect(ids('gitlabJob')).toEqual(sorted(t.jobs.map((j) => j.id)));
  const jobs = byId(s.port, 'gitlabJob');
  for (const j of t.jobs) {
    expect(jobs.get(String(j.id))!.relations.pipeline).toBe(String(j.pipeline.id));
    expect(jobs.get(String(j.id))!.relations.project).toBe(String(j.projectId));
  }
  expect(ids('gitlabDeployment')).toEqual(sorted(t.deployments.map((d) => d.id)));
  expect(ids('gitlabRelease')).toEqual(sorted(t.releases.map((r) => releaseId(r.projectId, r.tag_name))));
  expect(ids('gitlabMember')).toEqual(sorted(t.members.map((m) => `${m.groupId}-${m.id}`)));
  const members = byId(s.port, 'gitlabMember');
  for (const m of t.members) expect(members.get(`${m.groupId}-${m.id}`)!.relations.group).toBe(String(m.groupId));

  // No empty placeholder (an entity Port created only because a relation pointed at it).
  for (const bp of ['gitlabGroup', 'gitlabProject', 'gitlabMergeRequest', 'gitlabIssue', 'gitlabPipeline', 'gitlabJob', 'gitlabDeployment', 'gitlabRelease', 'gitlabMember']) {
    expect(s.port.entities(bp).filter((e) => Object.keys(e.properties).length === 0).map((e) => e.identifier)).toEqual([]);
  }
}

