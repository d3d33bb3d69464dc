// Event delivery: every hook GitLab would call (project hooks, group hooks of the group and all
// ancestors) receives the documented payload shape and headers; failing receivers are
// auto-disabled with GitLab's backoff; the hook test endpoint re-enables them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { startLocalGitLab, type LocalGitLab } from '../../../scripts/sandbox/gitlab/index.ts';
import { listen, closeServer } from '../../../scripts/sandbox/http/listen.ts';
import { apiJson, fixture, startReceiver, type Received } from './helpers.ts';

const ALL_EVENTS = {
  merge_requests_events: true, issues_events: true, confidential_issues_events: true, pipeline_events: true, job_events: true,
  deployment_events: true, releases_events: true, subgroup_events: true, member_events: true, project_events: true,
};

async function addHook(gl: LocalGitLab, path: string, body: Record<string, unknown>) {
  const r = await apiJson(gl, path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(201);
  return r.body;
}

const keys = (o: unknown) => Object.keys(o as object).sort();

describe('delivery to group, ancestor and project hooks', () => {
  let gl: LocalGitLab;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let top: any; let sibling: any; let projectHook: any;
  let nestedGroup: any; let siblingGroup: any; let project: any;

  beforeAll(async () => {
    gl = await startLocalGitLab({ seed: 'small', version: '17.11.2-ee' });
    rx = await startReceiver(200);
    const groups = (await apiJson(gl, `/groups/${gl.groupId}/descendant_groups?per_page=100`)).body;
    const all = (await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false&archived=false`)).body;
    project = all.find((p: any) => p.path_with_namespace.split('/').length === 4);
    nestedGroup = groups.find((g: any) => g.id === project.namespace.id);
    siblingGroup = groups.find((g: any) => g.full_path.split('/').length === 2 && !nestedGroup.full_path.startsWith(`${g.full_path}/`));
    top = await addHook(gl, `/groups/${gl.groupId}/hooks`, { url: `${rx.url}/top`, token: 'top-secret', ...ALL_EVENTS });
    await addHook(gl, `/groups/${nestedGroup.id}/hooks`, { url: `${rx.url}/nested`, ...ALL_EVENTS });
    sibling = await addHook(gl, `/groups/${siblingGroup.id}/hooks`, { url: `${rx.url}/sibling`, ...ALL_EVENTS });
    projectHook = await addHook(gl, `/projects/${project.id}/hooks`, { url: `${rx.url}/project`, token: 'p-secret', merge_requests_events: true, custom_headers: [{ key: 'X-Extra', value: 'v1' }] });
  });
  afterAll(async () => { await gl.close(); await rx.close(); });
  afterEach(() => { rx.received.length = 0; });

  const byPath = (path: string): Received => rx.received.find((r) => r.path === path)!;

  it('delivers an MR event to the project hook, the group hook and every ancestor group hook — not to siblings', async () => {
    const res = await gl.openMergeRequest(project.id, { title: 'Añadir caché 🚀', assigneeIds: [101], reviewerIds: [102], labels: ['backend'] });
    expect(res.events[0].deliveries.map((d) => d.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(rx.received.map((r) => r.path).sort()).toEqual(['/nested', '/project', '/top']);
    const [a, b, c] = ['/top', '/nested', '/project'].map(byPath);
    for (const r of [a, b, c]) {
      expect(r.headers['x-gitlab-event']).toBe('Merge Request Hook');
      expect(r.headers['user-agent']).toBe('GitLab/17.11.2-ee');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-gitlab-instance']).toBe(gl.url);
    }
    // GitLab draws the Event-UUID per hook (RecursionDetection::UUID, keyed by hook id) and the
    // Webhook-UUID per request: no header is shared by the hooks receiving one event.
    expect(res.events[0].deliveries.map((d) => d.eventUuid).sort()).toEqual([a, b, c].map((r) => r.headers['x-gitlab-event-uuid']).sort());
    expect(new Set([a, b, c].map((r) => r.headers['x-gitlab-event-uuid'])).size).toBe(3);
    expect(a.headers['x-gitlab-token']).toBe('top-secret');
    expect(b.headers['x-gitlab-token']).toBeUndefined();
    expect(c.headers['x-gitlab-token']).toBe('p-secret');
    expect(c.headers['x-extra']).toBe('v1');
    expect(new Set([a, b, c].map((r) => r.headers['x-gitlab-webhook-uuid'])).size).toBe(3);
    expect(new Set([a, b, c].map((r) => r.headers['idempotency-key'])).size).toBe(3);
    // the next event: new ids of every kind, on the same hook too
    await gl.mergeMergeRequest(project.id, res.object.iid as number);
    const again = rx.received.filter((r) => r.path === '/top');
    for (const h of ['x-gitlab-webhook-uuid', 'x-gitlab-event-uuid', 'idempotency-key']) expect(again[1].headers[h]).not.toBe(a.headers[h]);
    expect(again[1].body.object_attributes.action).toBe('merge');
    expect(again[1].body.object_attributes.state).toBe('merged');
    // …and the change is visible through REST
    const mr = await apiJson(gl, `/groups/${gl.groupId}/merge_requests?state=merged&per_page=100`);
    expect(mr.body.find((m: any) => m.id === res.object.id)?.merged_by?.id).toBe(1);
  });

  it('MR payload has the keys of the documented example', async () => {
    await gl.openMergeRequest(project.id, { title: 'Keys', assigneeIds: [101], reviewerIds: [102], labels: ['bug'] });
    const body = byPath('/top').body;
    const doc = fixture('merge_request.open').body;
    expect(keys(body)).toEqual(keys(doc));
    expect(keys(body.object_attributes)).toEqual(keys(doc.object_attributes));
    expect(keys(body.project)).toEqual(keys(doc.project));
    expect(keys(body.object_attributes.labels[0])).toEqual(keys(doc.labels[0]));
    expect(keys(body.user)).toEqual(keys(doc.user));
    expect(typeof body.project.namespace).toBe('string');
    expect(body.project.visibility_level).toBeTypeOf('number');
    expect(body.project.path_with_namespace).toBe(project.path_with_namespace);
  });

  it('issue events: keys of the documented example; confidential issues use their own header and flag', async () => {
    const res = await gl.openIssue(project.id, { title: 'Issue', assigneeIds: [101], labels: ['bug'] });
    const body = byPath('/top').body;
    const doc = fixture('issue.open').body;
    expect(byPath('/top').headers['x-gitlab-event']).toBe('Issue Hook');
    expect(keys(body)).toEqual(keys(doc));
    expect(keys(body.object_attributes)).toEqual(keys(doc.object_attributes));
    rx.received.length = 0;
    await gl.closeIssue(project.id, res.object.iid as number);
    expect(byPath('/top').body.object_attributes.action).toBe('close');
    expect(byPath('/top').body.object_attributes.state).toBe('closed');
    rx.received.length = 0;
    await gl.openIssue(project.id, { title: 'Secret', confidential: true });
    expect(byPath('/top').headers['x-gitlab-event']).toBe('Confidential Issue Hook');
    expect(byPath('/top').body.event_type).toBe('confidential_issue');
    // the project hook has neither issues flag on
    expect(rx.received.some((r) => r.path === '/project')).toBe(false);
  });

  it('pipeline run: a Job Hook per job, then a Pipeline Hook, with the documented keys', async () => {
    const res = await gl.runPipeline(project.id, { status: 'failed', jobs: 3 });
    const top = rx.received.filter((r) => r.path === '/top');
    expect(top.map((r) => r.headers['x-gitlab-event'])).toEqual(['Job Hook', 'Job Hook', 'Job Hook', 'Pipeline Hook']);
    const pipe = top[3].body;
    const doc = fixture('pipeline').body;
    const { source_pipeline: _s, ...docTop } = doc; // only present for multi-project downstream pipelines
    expect(keys(pipe)).toEqual(keys(docTop));
    expect(keys(pipe.object_attributes)).toEqual(keys(doc.object_attributes));
    expect(keys(pipe.builds[0])).toEqual(keys(doc.builds[0]));
    expect(keys(pipe.project)).toEqual(keys(doc.project));
    expect(pipe.object_attributes.status).toBe('failed');
    expect(pipe.object_attributes.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    const job = top[0].body;
    const { source_pipeline: _j, ...jobDoc } = fixture('job').body;
    expect(keys(job)).toEqual(keys(jobDoc));
    expect(keys(job.commit)).toEqual(keys(jobDoc.commit));
    expect(job.commit.id).toBe(res.object.id); // the doc: commit.id is the pipeline id
    expect(top.slice(0, 3).map((r) => r.body.build_status)).toEqual(['success', 'failed', 'skipped']);
    const rest = await apiJson(gl, `/projects/${project.id}/pipelines/${res.object.id}/jobs`);
    expect(rest.body.map((j: any) => j.id).sort()).toEqual(top.slice(0, 3).map((r) => r.body.build_id).sort());
  });

  it('deployment and release events carry the documented keys; releases can be deleted', async () => {
    await gl.deploy(project.id, { environment: 'production' });
    const dep = byPath('/top');
    expect(dep.headers['x-gitlab-event']).toBe('Deployment Hook');
    expect(keys(dep.body)).toEqual(keys(fixture('deployment').body));
    rx.received.length = 0;
    await gl.createRelease(project.id, { tagName: 'v9.9.9', description: 'Notes' });
    const rel = byPath('/top');
    expect(rel.headers['x-gitlab-event']).toBe('Release Hook');
    expect(keys(rel.body)).toEqual(keys(fixture('release.create').body));
    expect(rel.body.created_at).toMatch(/ UTC$/);
    expect((await apiJson(gl, `/projects/${project.id}/releases/v9.9.9`)).status).toBe(200);
    rx.received.length = 0;
    await gl.deleteRelease(project.id, 'v9.9.9');
    expect(byPath('/top').body.action).toBe('delete');
    expect((await apiJson(gl, `/projects/${project.id}/releases/v9.9.9`)).status).toBe(404);
  });

  it('project, subgroup and member events: no object_kind, documented keys, group hooks only', async () => {
    const created = await gl.createProject(nestedGroup.id, { name: 'New Service' });
    const pc = byPath('/top');
    expect(pc.headers['x-gitlab-event']).toBe('Project Hook');
    expect(keys(pc.body)).toEqual(keys(fixture('project.create').body));
    expect(pc.body).not.toHaveProperty('object_kind');
    expect(byPath('/nested')).toBeDefined();
    expect(rx.received.some((r) => r.path === '/project' || r.path === '/sibling')).toBe(false);
    const listed = await apiJson(gl, `/groups/${nestedGroup.id}/projects`);
    expect(listed.body.some((p: any) => p.id === created.object.id)).toBe(true);
    rx.received.length = 0;
    await gl.destroyProject(created.object.id as number);
    const pd = byPath('/top').body;
    expect(pd.event_name).toBe('project_destroy');
    expect(pd.path).toBe(`${created.object.path}-deleted-${created.object.id}`);
    expect((await apiJson(gl, `/projects/${created.object.id}`)).status).toBe(404);

    rx.received.length = 0;
    const sub = await gl.createSubgroup(nestedGroup.id, { name: 'Équipe Nouvelle' });
    const sc = byPath('/top');
    expect(sc.headers['x-gitlab-event']).toBe('Subgroup Hook');
    expect(keys(sc.body)).toEqual(keys(fixture('subgroup.create').body));
    expect(sc.body.parent_group_id).toBe(nestedGroup.id);
    expect(sub.object.full_path).toBe(`${nestedGroup.full_path}/equipe-nouvelle`);
    rx.received.length = 0;
    await gl.destroySubgroup(sub.object.id as number);
    expect(byPath('/top').body.event_name).toBe('subgroup_destroy');
    expect((await apiJson(gl, `/groups/${sub.object.id}`)).status).toBe(404);

    rx.received.length = 0;
    await gl.addMember(nestedGroup.id, { userId: 105, accessLevel: 30 });
    const ma = byPath('/nested').body;
    expect(keys(ma)).toEqual(keys(fixture('member.add').body));
    expect(ma.group_access).toBe('Developer');
    expect(ma.event_name).toBe('user_add_to_group');
    rx.received.length = 0;
    await gl.addMember(nestedGroup.id, { userId: 105, accessLevel: 40 });
    expect(byPath('/nested').body.event_name).toBe('user_update_for_group');
    rx.received.length = 0;
    await gl.removeMember(nestedGroup.id, 105);
    expect(byPath('/top').body.event_name).toBe('user_remove_from_group');
    const members = await apiJson(gl, `/groups/${nestedGroup.id}/members?per_page=100`);
    expect(members.body.some((m: any) => m.id === 105)).toBe(false);
  });

  it('a resend repeats the payload with the same Idempotency-Key and a new Event-UUID and Webhook-UUID, as GitLab\'s "Resend request"', async () => {
    const res = await gl.openIssue(project.id, { title: 'Resent' });
    const first = res.events[0].deliveries.find((d) => d.hookId === top.id)!;
    const original = byPath('/top');
    rx.received.length = 0;
    const again = await gl.resendDelivery(first.idempotencyKey);
    expect(again).toMatchObject({ hookId: top.id, outcome: 'delivered', idempotencyKey: first.idempotencyKey });
    expect(rx.received.map((r) => r.path)).toEqual(['/top']);
    const resent = byPath('/top');
    expect(resent.headers['idempotency-key']).toBe(original.headers['idempotency-key']);
    expect(resent.headers['x-gitlab-event-uuid']).not.toBe(original.headers['x-gitlab-event-uuid']);
    expect(resent.headers['x-gitlab-webhook-uuid']).not.toBe(original.headers['x-gitlab-webhook-uuid']);
    expect(resent.body).toEqual(original.body);
    expect(await gl.resendDelivery('not-a-logged-delivery')).toBeNull();
  });

  it('does not deliver to hooks whose event flag is off', async () => {
    await apiJson(gl, `/groups/${gl.groupId}/hooks/${top.id}`, { method: 'PUT', body: JSON.stringify({ deployment_events: false }), headers: { 'content-type': 'application/json' } });
    await gl.deploy(project.id);
    expect(rx.received.map((r) => r.path)).toEqual(['/nested']);
    void sibling; void projectHook;
  });

  it('drops the secret when the URL changes without a new token', async () => {
    await apiJson(gl, `/groups/${gl.groupId}/hooks/${top.id}`, { method: 'PUT', body: JSON.stringify({ url: `${rx.url}/top2` }), headers: { 'content-type': 'application/json' } });
    await gl.openIssue(project.id, { title: 'After URL change' });
    const r = rx.received.find((x) => x.path === '/top2')!;
    expect(r).toBeDefined();
    expect(r.headers['x-gitlab-token']).toBeUndefined();
  });
});

describe('auto-disable of failing receivers', () => {
  let clock = Date.UTC(2026, 0, 1);
  let gl: LocalGitLab;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let hookId: number;
  let projectId: number;

  beforeAll(async () => {
    gl = await startLocalGitLab({ seed: 'small', now: () => clock });
    rx = await startReceiver(500);
    hookId = (await addHook(gl, `/groups/${gl.groupId}/hooks`, { url: `${rx.url}/h`, issues_events: true })).id;
    projectId = (await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&with_shared=false`)).body[0].id;
  });
  afterAll(async () => { await gl.close(); await rx.close(); });

  const hook = async () => (await apiJson(gl, `/groups/${gl.groupId}/hooks/${hookId}`)).body;
  const event = async () => (await gl.openIssue(projectId, { title: 't' })).events[0].deliveries[0];

  it('disables temporarily after 4 failures, backs off 1 min doubling, permanently after 40; a successful test re-enables', async () => {
    for (let i = 0; i < 3; i++) expect((await event()).outcome).toBe('failed');
    expect((await hook()).alert_status).toBe('executable');
    expect((await event()).status).toBe(500);
    let h = await hook();
    expect(h.alert_status).toBe('temporarily_disabled');
    expect(Date.parse(h.disabled_until) - clock).toBe(60_000);
    // while disabled, GitLab does not call the hook
    expect((await event()).outcome).toBe('skipped');
    expect(rx.received.length).toBe(4);
    clock += 61_000;
    expect((await hook()).alert_status).toBe('executable');
    expect((await event()).outcome).toBe('failed');
    h = await hook();
    expect(Date.parse(h.disabled_until) - clock).toBe(120_000);
    // keep failing until the 40th consecutive failure (bounded loop)
    let failures = 5;
    for (let i = 0; i < 100 && failures < 40; i++) {
      clock += 25 * 3_600_000; // past any backoff (capped at 24 h)
      if ((await event()).outcome === 'failed') failures++;
    }
    expect(failures).toBe(40);
    h = await hook();
    expect(h.alert_status).toBe('disabled');
    expect(h.disabled_until).toBeNull();
    clock += 48 * 3_600_000;
    expect((await event()).outcome).toBe('skipped');
    // a test request that succeeds re-enables the hook
    const failing = await apiJson(gl, `/groups/${gl.groupId}/hooks/${hookId}/test/issues_events`, { method: 'POST' });
    expect(failing.status).toBe(422);
    rx.setStatus(200);
    const ok = await apiJson(gl, `/groups/${gl.groupId}/hooks/${hookId}/test/issues_events`, { method: 'POST' });
    expect(ok).toMatchObject({ status: 201, body: { message: '201 Created' } });
    expect((await hook()).alert_status).toBe('executable');
    expect((await event()).outcome).toBe('delivered');
  });

  it('counts a receiver that never answers as failed after the timeout', async () => {
    const silent = createServer(() => { /* never responds */ });
    const url = await listen(silent);
    const g = await startLocalGitLab({ seed: 'small', hookTimeoutMs: 200 });
    try {
      await addHook(g, `/groups/${g.groupId}/hooks`, { url: `${url}/slow`, issues_events: true });
      const pid = (await apiJson(g, `/groups/${g.groupId}/projects?include_subgroups=true&with_shared=false`)).body[0].id;
      const d = (await g.openIssue(pid, { title: 'x' })).events[0].deliveries[0];
      expect(d.outcome).toBe('failed');
      expect(d.error).toMatch(/no response within 200 ms/);
      expect(g.hooks()[0].recent_failures).toBe(1);
    } finally {
      await g.close();
      await closeServer(silent);
    }
  });
});
