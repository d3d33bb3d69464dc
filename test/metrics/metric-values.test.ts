// Issue 11 §6, first half: a known set of merge requests, issues, pipelines and deployments —
// GitLab's documented webhook payloads and REST objects with their ids and dates set, plus the
// variants that change a metric (a closed then reopened MR, an edit after the merge, canceled and
// skipped pipelines, a pipeline off the default branch, a late event of an older pipeline, a
// failed deployment, a staging one, a production-tier environment not named "production", the
// 30-day window's edge on the last day of a calendar month) — go through the bundle's real
// mappings (webhook deliveries to the local Port's ingest URL; backfill mappings written with the
// Port client) and every metric is read back from the local Port and compared with the value
// worked out by hand below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBlueprints, renderWebhook } from '../../scripts/bundle/render.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { createBlueprintsInOrder } from '../../scripts/install/blueprint-apply.ts';
import type { Entity } from '../../scripts/port/types.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';
import type { BackfillKind } from '../../schemas/backfill-file.schema.ts';
import { harness, payload, realProblems, restObject, type Harness } from '../mappings/helpers.ts';

// Monday 2 March 2026, noon UTC: the 30 days of `lastMonth` start on 31 January at noon.
const NOW = Date.parse('2026-03-02T12:00:00Z');
const SECRET = 'metrics-test-secret-0123456789abcdef';
const ROOT = 'https://gitlab.example.com';

interface Group { id: number; full_path: string; parent_id: number | null }
interface Project { id: number; path: string; group: Group }
const G: Group = { id: 100, full_path: 'acme', parent_id: null };
const S: Group = { id: 101, full_path: 'acme/platform', parent_id: 100 };
const P: Project = { id: 8, path: 'acme/web', group: G };
const Q: Project = { id: 9, path: 'acme/api', group: G };
const R: Project = { id: 10, path: 'acme/platform/infra', group: S };

let h: Harness;
let port: LocalPort;
let client: PortClient;
let hookUrl: string;
let delivery = 0;

const projectRest = (p: Project) => ({
  ...restObject('project'), id: p.id, name: p.path.split('/').pop(), path_with_namespace: p.path, web_url: `${ROOT}/${p.path}`, default_branch: 'main',
  namespace: { ...restObject('project').namespace, id: p.group.id, kind: 'group', full_path: p.group.full_path, name: p.group.full_path },
});
/** The project block every webhook payload carries, for one of the projects above. */
const projectBlock = (p: Project) => ({
  id: p.id, name: p.path.split('/').pop(), description: '', web_url: `${ROOT}/${p.path}`, namespace: p.group.full_path, visibility_level: 0,
  path_with_namespace: p.path, default_branch: 'main',
});

async function write(kind: BackfillKind, object: unknown, parent: unknown): Promise<void> {
  const r = h.backfill(kind, { object, parent });
  expect(realProblems(r)).toEqual([]);
  for (const a of r.actions) {
    const result = await client.upsertEntities(a.blueprint, [a.entity as Entity]);
    expect(result.failed, `${a.blueprint} ${a.entity.identifier}: ${JSON.stringify(result.results)}`).toBe(0);
  }
}

async function deliver(req: { headers: Record<string, string>; body: unknown }): Promise<void> {
  const res = await fetch(hookUrl, { method: 'POST', headers: { ...req.headers, 'X-Gitlab-Token': SECRET, 'X-Gitlab-Event-UUID': `metrics-${++delivery}` }, body: JSON.stringify(req.body) });
  expect(res.status).toBe(202);
  await port.idle();
}

function mergeRequestEvent(p: Project, attrs: Record<string, unknown>) {
  const req = payload('merge_request.open');
  req.body.project = projectBlock(p);
  Object.assign(req.body.object_attributes, { target_project_id: p.id, url: `${ROOT}/${p.path}/-/merge_requests/${attrs.iid}` }, attrs);
  return req;
}
const mergeRequestRest = (p: Project, o: Record<string, unknown>) => ({
  ...restObject('merge_request'), project_id: p.id, web_url: `${ROOT}/${p.path}/-/merge_requests/${o.iid}`, closed_at: null, merged_at: null, ...o,
});
const issueRest = (p: Project, o: Record<string, unknown>) => ({ ...restObject('issue'), project_id: p.id, web_url: `${ROOT}/${p.path}/-/issues/${o.iid}`, closed_at: null, ...o });
function pipelineEvent(p: Project, attrs: Record<string, unknown>) {
  const req = payload('pipeline');
  req.body.project = projectBlock(p);
  Object.assign(req.body.object_attributes, { url: `${ROOT}/${p.path}/-/pipelines/${attrs.id}`, tag: false }, attrs);
  return req;
}
const pipelineRest = (p: Project, o: Record<string, unknown>) => ({ ...restObject('pipeline'), project_id: p.id, web_url: `${ROOT}/${p.path}/-/pipelines/${o.id}`, ...o });
function deploymentEvent(p: Project, attrs: Record<string, unknown>) {
  const req = payload('deployment');
  req.body.project = projectBlock(p);
  Object.assign(req.body, { deployable_id: null, deployable_url: null, environment_external_url: null }, attrs);
  return req;
}
/** A REST deployment with its environment's tier, as the backfill completes it from GET /projects/:id/environments. */
const deploymentRest = (o: { id: number; status: string; env: string; tier: string; updated_at: string }) => ({
  ...restObject('deployment'), id: o.id, iid: o.id, status: o.status, deployable: null, created_at: o.updated_at, updated_at: o.updated_at,
  environment: { id: o.id * 10, name: o.env, external_url: null, tier: o.tier },
});

beforeAll(async () => {
  h = await harness();
  port = await startLocalPort({ rateLimit: false, now: () => NOW });
  client = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  await createBlueprintsInOrder(client, renderBlueprints(h.bundle));
  hookUrl = (await client.createWebhook(renderWebhook(h.bundle, { secret: SECRET }))).url!;

  for (const g of [G, S]) await write('groups', { ...restObject('group'), ...g, name: g.full_path, path: g.full_path.split('/').pop(), web_url: `${ROOT}/groups/${g.full_path}` }, restObject('group'));
  for (const p of [P, Q, R]) await write('projects', projectRest(p), restObject('group'));

  // ---- merge requests of P
  // MR1 (REST): created 20 Feb 10:00, merged 21 Feb 12:30:00.4 → 26.5 h (fractions of a second dropped).
  await write('mergeRequests', mergeRequestRest(P, { id: 2001, iid: 1, state: 'merged', created_at: '2026-02-20T10:00:00.000Z', merged_at: '2026-02-21T12:30:00.400Z', updated_at: '2026-02-21T12:30:00.400Z' }), restObject('group'));
  // MR2 (webhook): opened, merged 1.5 h later; a label edit after the merge keeps its lead time.
  await deliver(mergeRequestEvent(P, { id: 2002, iid: 2, state: 'opened', action: 'open', created_at: '2026-02-25 08:00:00 UTC', updated_at: '2026-02-25 08:00:00 UTC' }));
  await deliver(mergeRequestEvent(P, { id: 2002, iid: 2, state: 'merged', action: 'merge', created_at: '2026-02-25 08:00:00 UTC', updated_at: '2026-02-25 09:30:00 UTC' }));
  await deliver(mergeRequestEvent(P, { id: 2002, iid: 2, state: 'merged', action: 'update', created_at: '2026-02-25 08:00:00 UTC', updated_at: '2026-02-26 16:00:00 UTC' }));
  // MR3 (REST): merged 31 Jan 11:00 — 30 days and one hour ago: outside the window (265 h lead time).
  await write('mergeRequests', mergeRequestRest(P, { id: 2003, iid: 3, state: 'merged', created_at: '2026-01-20T10:00:00Z', merged_at: '2026-01-31T11:00:00Z', updated_at: '2026-01-31T11:00:00Z' }), restObject('group'));
  // MR4 (webhook): closed, then reopened: open again, no closedAt, no lead time.
  await deliver(mergeRequestEvent(P, { id: 2004, iid: 4, state: 'closed', action: 'close', created_at: '2026-02-18 08:00:00 UTC', updated_at: '2026-02-19 08:00:00 UTC' }));
  await deliver(mergeRequestEvent(P, { id: 2004, iid: 4, state: 'opened', action: 'reopen', created_at: '2026-02-18 08:00:00 UTC', updated_at: '2026-02-20 08:00:00 UTC' }));
  // MR5 (REST) open; MR6 (REST) closed without merging.
  await write('mergeRequests', mergeRequestRest(P, { id: 2005, iid: 5, state: 'opened', created_at: '2026-02-27T10:00:00Z', updated_at: '2026-02-27T10:00:00Z' }), restObject('group'));
  await write('mergeRequests', mergeRequestRest(P, { id: 2006, iid: 6, state: 'closed', created_at: '2026-02-10T10:00:00Z', closed_at: '2026-02-11T10:00:00Z', updated_at: '2026-02-11T10:00:00Z' }), restObject('group'));
  // MR7 (REST): merged 31 Jan 12:30 — 29 days 23.5 hours ago: inside, on the same calendar day as MR3. 2.5 h.
  await write('mergeRequests', mergeRequestRest(P, { id: 2007, iid: 7, state: 'merged', created_at: '2026-01-31T10:00:00Z', merged_at: '2026-01-31T12:30:00Z', updated_at: '2026-01-31T12:30:00Z' }), restObject('group'));
  // Q: one merged (24 h), one open. R (in the subgroup): one open.
  await write('mergeRequests', mergeRequestRest(Q, { id: 2101, iid: 1, state: 'merged', created_at: '2026-02-26T00:00:00Z', merged_at: '2026-02-27T00:00:00Z', updated_at: '2026-02-27T00:00:00Z' }), restObject('group'));
  await write('mergeRequests', mergeRequestRest(Q, { id: 2102, iid: 2, state: 'opened', created_at: '2026-02-28T00:00:00Z', updated_at: '2026-02-28T00:00:00Z' }), restObject('group'));
  await write('mergeRequests', mergeRequestRest(R, { id: 2201, iid: 1, state: 'opened', created_at: '2026-02-28T00:00:00Z', updated_at: '2026-02-28T00:00:00Z' }), restObject('group'));

  // ---- issues: P has two open (one by webhook) and one closed; Q and R one open each.
  const issue = payload('issue.open');
  issue.body.project = projectBlock(P);
  Object.assign(issue.body.object_attributes, { id: 3001, iid: 1, project_id: P.id, state: 'opened', url: `${ROOT}/${P.path}/-/issues/1` });
  await deliver(issue);
  await write('issues', issueRest(P, { id: 3002, iid: 2, state: 'closed', closed_at: '2026-02-01T00:00:00Z' }), restObject('group'));
  await write('issues', issueRest(P, { id: 3003, iid: 3, state: 'opened' }), restObject('group'));
  await write('issues', issueRest(Q, { id: 3101, iid: 1, state: 'opened' }), restObject('group'));
  await write('issues', issueRest(R, { id: 3201, iid: 1, state: 'opened' }), restObject('group'));

  // ---- pipelines of P (default branch main), counted by when they were created (GitLab's pipeline
  // list has no finished_at, so the backfill knows only created_at and updated_at of most).
  await deliver(pipelineEvent(P, { id: 5001, iid: 1, ref: 'main', status: 'success', created_at: '2026-02-10 09:00:00 UTC', finished_at: '2026-02-10 10:00:00 UTC' })); // succeeded
  await write('pipelines', pipelineRest(P, { id: 5002, iid: 2, ref: 'main', status: 'failed', created_at: '2026-02-15T09:00:00Z', finished_at: '2026-02-15T10:00:00Z' }), projectRest(P)); // failed
  await write('pipelines', pipelineRest(P, { id: 5003, iid: 3, ref: 'main', status: 'canceled', created_at: '2026-02-16T09:00:00Z', finished_at: '2026-02-16T10:00:00Z' }), projectRest(P)); // not counted
  await deliver(pipelineEvent(P, { id: 5004, iid: 4, ref: 'main', status: 'skipped', created_at: '2026-02-17 09:00:00 UTC', finished_at: null })); // not counted
  await write('pipelines', pipelineRest(P, { id: 5005, iid: 5, ref: 'feature', status: 'success', created_at: '2026-02-18T09:00:00Z', finished_at: '2026-02-18T10:00:00Z' }), projectRest(P)); // not the default branch
  // Created a minute before the window opened, finished inside it: not counted.
  await write('pipelines', pipelineRest(P, { id: 5006, iid: 6, ref: 'main', status: 'success', created_at: '2026-01-31T11:59:00Z', finished_at: '2026-01-31T12:30:00Z' }), projectRest(P));
  // The newest default-branch pipeline, still running (a list object: no finished_at).
  await write('pipelines', { ...restObject('pipeline.list'), id: 5007, iid: 7, project_id: P.id, ref: 'main', status: 'running', created_at: '2026-03-01T09:00:00Z', web_url: `${ROOT}/${P.path}/-/pipelines/5007` }, projectRest(P));
  // A late event of the older 5002 arrives last: the newest pipeline still decides the status.
  await deliver(pipelineEvent(P, { id: 5002, iid: 2, ref: 'main', status: 'failed', created_at: '2026-02-15 09:00:00 UTC', finished_at: '2026-02-15 10:00:00 UTC' }));
  // Q: one success on main.
  await write('pipelines', pipelineRest(Q, { id: 5101, iid: 1, ref: 'main', status: 'success', created_at: '2026-02-20T09:00:00Z', finished_at: '2026-02-20T10:00:00Z' }), projectRest(Q));

  // ---- deployments of P
  await deliver(deploymentEvent(P, { deployment_id: 7001, status: 'success', environment: 'production', environment_tier: 'production', status_changed_at: '2026-02-10 10:00:00 +0100' })); // 09:00Z
  await deliver(deploymentEvent(P, { deployment_id: 7004, status: 'success', environment: 'staging', environment_tier: 'staging', status_changed_at: '2026-02-11 10:00:00 +0000' }));
  await write('deployments', deploymentRest({ id: 7002, status: 'success', env: 'production', tier: 'production', updated_at: '2026-02-24T10:00:00Z' }), projectRest(P));
  await write('deployments', deploymentRest({ id: 7003, status: 'failed', env: 'production', tier: 'production', updated_at: '2026-02-25T10:00:00Z' }), projectRest(P));
  await write('deployments', deploymentRest({ id: 7005, status: 'success', env: 'production', tier: 'production', updated_at: '2026-01-20T10:00:00Z' }), projectRest(P));
  await write('deployments', deploymentRest({ id: 7006, status: 'success', env: 'prod-eu', tier: 'production', updated_at: '2026-02-26T10:00:00Z' }), projectRest(P));
  await write('deployments', deploymentRest({ id: 7007, status: 'success', env: 'production', tier: 'production', updated_at: '2026-02-27T10:00:00Z' }), projectRest(P));
  // Q: one successful production deployment.
  await write('deployments', deploymentRest({ id: 7101, status: 'success', env: 'production', tier: 'production', updated_at: '2026-02-28T10:00:00Z' }), projectRest(Q));
});

afterAll(async () => {
  await port?.close();
});

async function read(blueprint: string, ids: string[]): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for await (const e of client.searchEntities(blueprint, { query: { combinator: 'and', rules: [{ property: '$identifier', operator: 'in', value: ids }] } })) out[e.identifier as string] = e.properties ?? {};
  return out;
}

describe('metrics computed from a known set of GitLab objects', () => {
  it('merge requests: lead time in hours, set on merge only, kept by later edits; the project path mirrored', async () => {
    const mrs = await read('gitlabMergeRequest', ['2001', '2002', '2003', '2004', '2005', '2006', '2007']);
    expect(Object.fromEntries(Object.entries(mrs).map(([id, p]) => [id, p.leadTimeHours ?? null]))).toEqual({
      2001: 26.5, 2002: 1.5, 2003: 265, 2004: null, 2005: null, 2006: null, 2007: 2.5,
    });
    expect(mrs['2004']).toMatchObject({ state: 'opened', mergedAt: null, closedAt: null });
    expect(mrs['2002']!.projectPath).toBe('acme/web');
  });

  it('pipelines: on the default branch or not, and the status key', async () => {
    const pipes = await read('gitlabPipeline', ['5001', '5005', '5007']);
    expect(pipes['5001']).toMatchObject({ onDefaultBranch: true, defaultBranchStatusKey: 5001 * 16 + 5 });
    expect(pipes['5005']).toMatchObject({ onDefaultBranch: false, defaultBranchStatusKey: null });
    expect(pipes['5007']).toMatchObject({ onDefaultBranch: true, defaultBranchStatusKey: 5007 * 16 + 4 }); // running
  });

  it('deployments: the environment tier from the hook and from the environments list', async () => {
    const deps = await read('gitlabDeployment', ['7001', '7004', '7006']);
    expect(Object.fromEntries(Object.entries(deps).map(([id, p]) => [id, p.environmentTier]))).toEqual({ 7001: 'production', 7004: 'staging', 7006: 'production' });
  });

  it('projects: every metric', async () => {
    const projects = await read('gitlabProject', ['8', '9', '10']);
    expect(projects['8']).toMatchObject({
      groupPath: 'acme',
      openMergeRequests: 2, // MR4 (reopened), MR5
      mergedMergeRequestsLast30Days: 3, // MR1, MR2, MR7 (not MR3: 30 days and 1 hour ago)
      averageLeadTimeHours: (26.5 + 1.5 + 2.5) / 3,
      openIssues: 2,
      defaultBranchPipelinesSucceeded30d: 1, // 5001
      defaultBranchPipelinesFinished30d: 2, // 5001, 5002 (not canceled 5003, skipped 5004, feature 5005, 5006 created before the window, running 5007)
      pipelineSuccessRate30d: 50,
      lastDefaultBranchPipelineKey: 5007 * 16 + 4,
      lastDefaultBranchPipelineStatus: 'running', // 5007, though 5002's event came last
      // 7001 (10 Feb 09:00Z), 7002 (24 Feb), 7006 (prod-eu, 26 Feb), 7007 (27 Feb 10:00): 4 over
      // 17 days 1 hour, i.e. 3 weeks (a partial week counts whole). Not: 7003 failed, 7004 staging, 7005 before the window.
      deploymentsPerWeek: 4 / 3,
    });
    expect(projects['9']).toMatchObject({
      openMergeRequests: 1, mergedMergeRequestsLast30Days: 1, averageLeadTimeHours: 24, openIssues: 1,
      defaultBranchPipelinesSucceeded30d: 1, defaultBranchPipelinesFinished30d: 1, pipelineSuccessRate30d: 100, lastDefaultBranchPipelineStatus: 'success',
      deploymentsPerWeek: 1,
    });
    expect(projects['10']).toMatchObject({
      groupPath: 'acme/platform', openMergeRequests: 1, mergedMergeRequestsLast30Days: 0, averageLeadTimeHours: null, openIssues: 1,
      defaultBranchPipelinesFinished30d: 0, pipelineSuccessRate30d: null, lastDefaultBranchPipelineStatus: null, deploymentsPerWeek: 0,
    });
  });

  it('groups: the projects directly in the group, not its subgroups', async () => {
    const groups = await read('gitlabGroup', ['100', '101']);
    expect(groups['100']).toMatchObject({
      projects: 2, // P, Q (R is in the subgroup)
      openMergeRequests: 3, // P 2 + Q 1
      mergedMergeRequestsLast30Days: 4,
      averageLeadTimeHours: (26.5 + 1.5 + 2.5 + 24) / 4,
      openIssues: 3,
      defaultBranchPipelinesSucceeded30d: 2,
      defaultBranchPipelinesFinished30d: 3,
      pipelineSuccessRate30d: 66.7, // 2 ÷ 3, to 0.1
      // P's four and Q's 28 Feb 10:00Z: 5 over 18 days 1 hour, i.e. 3 weeks.
      deploymentsPerWeek: 5 / 3,
    });
    expect(groups['101']).toMatchObject({ projects: 1, openMergeRequests: 1, openIssues: 1, mergedMergeRequestsLast30Days: 0, pipelineSuccessRate30d: null });
  });

  it('a single entity read and a search that filters on a metric give the same values', async () => {
    const one = await client.getEntity('gitlabProject', '8');
    expect(one?.properties).toMatchObject({ openMergeRequests: 2, pipelineSuccessRate30d: 50, lastDefaultBranchPipelineStatus: 'running' });
    const busy: string[] = [];
    for await (const e of client.searchEntities('gitlabProject', { query: { combinator: 'and', rules: [{ property: 'openMergeRequests', operator: '>=', value: 1 }, { property: 'pipelineSuccessRate30d', operator: '<', value: 75 }] } })) busy.push(e.identifier as string);
    expect(busy).toEqual(['8']);
    // Projections compute only what they return.
    const slim: unknown[] = [];
    for await (const e of client.searchEntities('gitlabProject', { query: { combinator: 'and', rules: [{ property: '$identifier', operator: '=', value: '8' }] }, include: ['identifier', 'properties.openIssues'] })) slim.push(e);
    expect(slim).toEqual([{ identifier: '8', properties: { openIssues: 2 } }]);
  });
});
