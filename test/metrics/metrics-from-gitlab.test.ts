// Issue 11 §6, second half: after a backfill of a generated GitLab world (its history ending
// today, so the 30-day windows cut through it), every project's and group's metrics in the local
// Port equal the same metrics computed here, independently, from what the local GitLab's REST API
// returns — plain TypeScript over GitLab's own fields, not the bundle's mappings nor the local
// Port's aggregation code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitLabClient } from '../../scripts/clients/gitlab/index.ts';
import { recentHistory } from '../../scripts/sandbox/gitlab/seed-spec.ts';
import { startSandboxes, type Sandboxes } from '../backfill/helpers.ts';

type Obj = Record<string, any>;
const NOW = Date.now();
const DAY = 86_400_000;
const WINDOW_START = NOW - 30 * DAY;
const WEEK = 7 * DAY;

let sb: Sandboxes;

async function all(c: GitLabClient, path: string, params: Record<string, string | number | boolean> = {}): Promise<Obj[]> {
  const out: Obj[] = [];
  for await (const page of c.pages<Obj>(path, params)) out.push(...page);
  return out;
}

const inWindow = (iso: string | null | undefined) => {
  if (!iso) return false;
  const t = Date.parse(iso);
  return t >= WINDOW_START && t <= NOW;
};
/** Created → merged in hours, whole seconds, to 0.01 h. */
const leadHours = (mr: Obj) => Math.round((Math.floor(Date.parse(mr.merged_at) / 1000) - Math.floor(Date.parse(mr.created_at) / 1000)) / 36) / 100;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

interface Expected {
  openMergeRequests: number;
  mergedMergeRequestsLast30Days: number;
  averageLeadTimeHours: number | null;
  openIssues: number;
  defaultBranchPipelinesSucceeded30d: number;
  defaultBranchPipelinesFinished30d: number;
  pipelineSuccessRate30d: number | null;
  deploymentsPerWeek: number;
}

/** The metrics over some projects' objects, by the README's definitions. */
function metrics(projects: Obj[], data: { mrs: Obj[]; issues: Obj[]; pipelines: Obj[]; deployments: Obj[] }): Expected {
  const ids = new Set(projects.map((p) => p.id));
  const mrs = data.mrs.filter((m) => ids.has(m.project_id));
  const merged = mrs.filter((m) => m.state === 'merged' && inWindow(m.merged_at));
  const branchOf = new Map(projects.map((p) => [p.id, p.default_branch]));
  const pipes = data.pipelines.filter((x) => ids.has(x.project_id) && x.ref === branchOf.get(x.project_id) && inWindow(x.created_at));
  const succeeded = pipes.filter((x) => x.status === 'success').length;
  const finished = pipes.filter((x) => x.status === 'success' || x.status === 'failed').length;
  const deploys = data.deployments.filter((d) => ids.has(d.projectId) && d.status === 'success' && d.tier === 'production' && inWindow(d.updated_at));
  const times = deploys.map((d) => Date.parse(d.updated_at));
  const weeks = times.length ? Math.max(1, Math.ceil((Math.max(...times) - Math.min(...times)) / WEEK)) : 1;
  return {
    openMergeRequests: mrs.filter((m) => m.state === 'opened').length,
    mergedMergeRequestsLast30Days: merged.length,
    averageLeadTimeHours: mean(merged.map(leadHours)),
    openIssues: data.issues.filter((i) => ids.has(i.project_id) && i.state === 'opened' && !i.confidential).length,
    defaultBranchPipelinesSucceeded30d: succeeded,
    defaultBranchPipelinesFinished30d: finished,
    pipelineSuccessRate30d: finished ? Math.round((succeeded * 1000) / finished) / 10 : null,
    deploymentsPerWeek: deploys.length / weeks,
  };
}

function expectSame(actual: Obj, expected: Expected, what: string) {
  for (const [k, v] of Object.entries(expected)) {
    if (typeof v === 'number' && !Number.isInteger(v)) expect(actual[k], `${what} ${k}`).toBeCloseTo(v, 9);
    else expect(actual[k] ?? null, `${what} ${k}`).toBe(v);
  }
}

beforeAll(async () => {
  sb = await startSandboxes({
    gitlab: {
      now: () => NOW,
      seed: { preset: 'small', projects: 14, groupDepth: 2, groupFanout: 2, mergeRequestsPerProject: 10, issuesPerProject: 6, pipelinesPerProject: 12, deploymentsPerProject: 10, ...recentHistory(NOW, 60) },
    },
    port: { now: () => NOW },
  });
  const summary = await sb.backfill();
  expect(Object.values(summary.kinds).every((k) => k.failed === 0)).toBe(true);
}, 120_000);

afterAll(async () => {
  await sb?.close();
});

describe('metrics in Port equal the same metrics computed from GitLab', () => {
  it('for every project and every group', async () => {
    const c = sb.gitlabClient;
    const top = (await c.group(sb.gitlab.groupId)) as Obj;
    const groups = [top, ...(await all(c, `groups/${top.id}/descendant_groups`))];
    const projects = await all(c, `groups/${top.id}/projects`, { include_subgroups: true, with_shared: false });
    const data = {
      mrs: await all(c, `groups/${top.id}/merge_requests`, { state: 'all', scope: 'all', non_archived: false }),
      issues: await all(c, `groups/${top.id}/issues`, { scope: 'all', non_archived: false }),
      pipelines: [] as Obj[],
      deployments: [] as Obj[],
    };
    const lastStatus = new Map<number, string | null>();
    for (const p of projects) {
      const pipes: Obj[] = (await all(c, `projects/${p.id}/pipelines`)).map((x) => ({ ...x, project_id: p.id }));
      data.pipelines.push(...pipes);
      const onDefault = pipes.filter((x) => x.ref === p.default_branch).sort((a, b) => b.id - a.id);
      lastStatus.set(p.id, onDefault[0]?.status ?? null);
      const tiers = new Map((await all(c, `projects/${p.id}/environments`)).map((e) => [e.id, e.tier]));
      data.deployments.push(...(await all(c, `projects/${p.id}/deployments`)).map((d) => ({ ...d, projectId: p.id, tier: tiers.get(d.environment.id) })));
    }
    // The world must exercise every metric, or equality proves little.
    expect(data.mrs.some((m) => m.state === 'merged' && inWindow(m.merged_at))).toBe(true);
    expect(data.mrs.some((m) => m.state === 'merged' && !inWindow(m.merged_at))).toBe(true);
    expect(data.pipelines.some((x) => x.status === 'failed' && inWindow(x.created_at))).toBe(true);
    expect(data.pipelines.some((x) => !inWindow(x.created_at))).toBe(true);
    expect(data.deployments.some((d) => d.tier !== 'production')).toBe(true);
    expect(data.deployments.some((d) => d.status !== 'success')).toBe(true);

    const inPort = async (blueprint: string) => {
      const out = new Map<string, Obj>();
      for await (const e of sb.portClient.searchEntities(blueprint)) out.set(e.identifier as string, e.properties ?? {});
      return out;
    };
    const portProjects = await inPort('gitlabProject');
    const portGroups = await inPort('gitlabGroup');
    let nonZero = 0;
    for (const p of projects) {
      const actual = portProjects.get(String(p.id))!;
      const expected = metrics([p], data);
      expectSame(actual, expected, `project ${p.path_with_namespace}`);
      expect(actual.lastDefaultBranchPipelineStatus ?? null, `project ${p.path_with_namespace} last pipeline`).toBe(lastStatus.get(p.id));
      if (expected.mergedMergeRequestsLast30Days && expected.defaultBranchPipelinesFinished30d && expected.deploymentsPerWeek) nonZero++;
    }
    expect(nonZero).toBeGreaterThan(0);
    for (const g of groups) {
      const direct = projects.filter((p) => p.namespace.id === g.id);
      expectSame(portGroups.get(String(g.id))!, metrics(direct, data), `group ${g.full_path}`);
      expect(portGroups.get(String(g.id))!.projects, `group ${g.full_path} projects`).toBe(direct.length);
    }
  });
});
