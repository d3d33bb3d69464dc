// Contract tests of the local GitLab's REST API through @gitbeaker/rest (the installer's client)
// and raw HTTP for headers and error bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gitlab } from '@gitbeaker/rest';
import { startLocalGitLab, type LocalGitLab } from '../../../scripts/sandbox/gitlab/index.ts';
import { api, apiJson } from './helpers.ts';

let gl: LocalGitLab;
let client: InstanceType<typeof Gitlab>;

beforeAll(async () => {
  gl = await startLocalGitLab({ seed: 'small', extraTokens: [{ role: 'developer', scopes: ['read_api'] }] });
  client = new Gitlab({ host: gl.url, token: gl.token });
});
afterAll(() => gl.close());

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('auth and instance', () => {
  it('answers 401 with GitLab\'s body for a missing or wrong token, on every route', async () => {
    for (const token of [null, 'glpat-wrong']) {
      const r = await apiJson(gl, `/groups/${encodeURIComponent(gl.group)}`, { token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ message: '401 Unauthorized' });
    }
  });

  it('accepts Authorization: Bearer as well as PRIVATE-TOKEN', async () => {
    const r = await fetch(`${gl.url}/api/v4/user`, { headers: { authorization: `Bearer ${gl.token}` } });
    expect(r.status).toBe(200);
    expect((await r.json()).username).toBe('sandbox-admin');
  });

  it('reports version, the current user and the token scopes', async () => {
    const meta = await client.Metadata.show();
    expect(meta.version).toBe(gl.version);
    expect(meta.enterprise).toBe(true);
    const me = await client.Users.showCurrentUser();
    expect(me.id).toBe(1);
    const self = await apiJson(gl, '/personal_access_tokens/self');
    expect(self.body.scopes).toEqual(['api']);
    expect(self.body.active).toBe(true);
    const other = await apiJson(gl, '/personal_access_tokens/self', { token: gl.extraTokens[0] });
    expect(other.body.scopes).toEqual(['read_api']);
    expect(other.body.user_id).not.toBe(1);
  });

  it('answers unknown routes with 404 {"error":"404 Not Found"}', async () => {
    const r = await apiJson(gl, '/no/such/route');
    expect(r).toMatchObject({ status: 404, body: { error: '404 Not Found' } });
  });
});

describe('groups', () => {
  it('finds a group by id and by URL-encoded full path, with GitLab\'s field formats', async () => {
    const byPath = await client.Groups.show(gl.group);
    const byId = await client.Groups.show(gl.groupId);
    expect(byId.full_path).toBe(gl.group);
    expect(byPath.id).toBe(gl.groupId);
    expect(byPath.visibility).toMatch(/^(private|internal|public)$/);
    expect(byPath.created_at).toMatch(ISO_MILLIS);
    const subs = await client.Groups.allDescendantGroups(gl.group, {});
    const nested = subs.find((s) => (s.full_path as string).split('/').length === 3)!;
    const r = await apiJson(gl, `/groups/${encodeURIComponent(nested.full_path as string)}`);
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(nested.id);
    expect(r.body.parent_id).not.toBeNull();
  });

  it('lists all descendants vs direct subgroups', async () => {
    const all = await client.Groups.allDescendantGroups(gl.group, {});
    const direct = await client.Groups.allSubgroups(gl.group);
    expect(all.length).toBe(6); // small: depth 2, fanout 2
    expect(direct.length).toBe(2);
    expect(direct.every((g) => g.parent_id === gl.groupId)).toBe(true);
    expect(all.every((g) => (g.full_path as string).startsWith(`${gl.group}/`))).toBe(true);
  });

  it('answers 404 Group Not Found for unknown groups and groups the token is not a member of', async () => {
    expect((await apiJson(gl, '/groups/999999')).body).toEqual({ message: '404 Group Not Found' });
    expect((await apiJson(gl, `/groups/${encodeURIComponent(`${gl.group}-partners`)}`)).status).toBe(404);
  });

  it('lists group projects with include_subgroups, with_shared and archived as GitLab defines them', async () => {
    const own = await client.Groups.allProjects(gl.group);
    const tree = await client.Groups.allProjects(gl.group, { includeSubgroups: true, withShared: false });
    const withShared = await client.Groups.allProjects(gl.group, { includeSubgroups: true });
    expect(own.every((p) => p.namespace.id === gl.groupId || !(p.namespace.full_path as string).startsWith(gl.group + '/'))).toBe(true);
    expect(tree.length).toBeGreaterThan(own.length - 1);
    expect(tree.every((p) => (p.path_with_namespace as string).startsWith(`${gl.group}/`))).toBe(true);
    // Shared projects live in another namespace: only `namespace` tells them apart.
    const shared = withShared.filter((p) => !(p.path_with_namespace as string).startsWith(`${gl.group}/`));
    expect(shared.length).toBe(1);
    expect(withShared.length).toBe(tree.length + 1);
    const p = tree[0];
    expect(Object.keys(p.namespace).sort()).toEqual(['avatar_url', 'full_path', 'id', 'kind', 'name', 'parent_id', 'path', 'web_url']);
    expect(p.web_url).toBe(`${gl.url}/${p.path_with_namespace}`);
    const archived = await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&archived=true`);
    const active = await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&archived=false`);
    expect(archived.body.every((x: any) => x.archived === true)).toBe(true);
    expect(active.body.every((x: any) => x.archived === false)).toBe(true);
    expect(archived.body.length + active.body.length).toBe(tree.length + 1);
  });

  it('lists group merge requests with state filter, references and string labels', async () => {
    const all = await client.MergeRequests.all({ groupId: gl.group });
    const opened = await client.MergeRequests.all({ groupId: gl.group, state: 'opened' });
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((m) => m.state === 'opened')).toBe(true);
    expect(new Set(all.map((m) => m.state)).size).toBeGreaterThan(1);
    const mr = all[0];
    expect(mr.references.full).toBe(`${(mr.web_url as string).replace(`${gl.url}/`, '').replace(/\/-\/merge_requests\/\d+$/, '')}!${mr.iid}`);
    expect(Array.isArray(mr.labels) && mr.labels.every((l: unknown) => typeof l === 'string')).toBe(true);
    expect(mr.created_at).toMatch(ISO_MILLIS);
    // default order: created_at desc
    const times = all.map((m) => Date.parse(m.created_at as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters merge requests and issues by updated_after and issues by confidential', async () => {
    const all = await apiJson(gl, `/groups/${gl.groupId}/issues?per_page=100`);
    const cut = all.body.map((i: any) => i.updated_at).sort()[Math.floor(all.body.length / 2)];
    const after = await apiJson(gl, `/groups/${gl.groupId}/issues?per_page=100&updated_after=${encodeURIComponent(cut)}`);
    expect(after.body.length).toBeGreaterThan(0);
    expect(after.body.length).toBeLessThan(all.body.length);
    expect(after.body.every((i: any) => i.updated_at >= cut)).toBe(true);
    const conf = await apiJson(gl, `/groups/${gl.groupId}/issues?per_page=100&confidential=true`);
    expect(conf.body.every((i: any) => i.confidential === true)).toBe(true);
    const bad = await apiJson(gl, `/groups/${gl.groupId}/merge_requests?updated_after=yesterday-ish`);
    expect(bad).toMatchObject({ status: 400, body: { error: 'updated_after is invalid' } });
  });

  it('lists direct members and members/all with integer access levels', async () => {
    const subs = await client.Groups.allSubgroups(gl.group);
    const direct = await client.GroupMembers.all(subs[0].id);
    const all = await client.GroupMembers.all(subs[0].id, { includeInherited: true });
    expect(all.length).toBeGreaterThan(direct.length);
    expect(all.some((m) => m.id === 1 && m.access_level === 50)).toBe(true); // inherited from the top group
    expect(all.every((m) => [10, 15, 20, 30, 40, 50].includes(m.access_level as number))).toBe(true);
  });
});

describe('projects', () => {
  it('serves pipelines, pipeline jobs, project jobs, releases and deployments of a project', async () => {
    const projects = await client.Groups.allProjects(gl.group, { includeSubgroups: true, withShared: false });
    const p = projects.find((x) => !x.archived)!;
    const byPath = await client.Projects.show(p.path_with_namespace as string);
    expect(byPath.id).toBe(p.id);
    const pipelines = await client.Pipelines.all(p.id);
    expect(pipelines.length).toBeGreaterThan(0);
    expect(Object.keys(pipelines[0]).sort()).toEqual(['created_at', 'id', 'iid', 'name', 'project_id', 'ref', 'sha', 'source', 'status', 'updated_at', 'web_url']);
    const pjobs = await client.Jobs.all(p.id, { pipelineId: pipelines[0].id });
    expect(pjobs.length).toBeGreaterThan(0);
    expect(pjobs.every((j) => j.pipeline.id === pipelines[0].id)).toBe(true);
    const jobs = await client.Jobs.all(p.id);
    expect(jobs.map((j) => j.id)).toEqual([...jobs.map((j) => j.id)].sort((a, b) => b - a));
    expect(jobs[0].web_url).toBe(`${p.web_url}/-/jobs/${jobs[0].id}`);
    const releases = await apiJson(gl, `/projects/${p.id}/releases`);
    expect(releases.status).toBe(200);
    const deployments = await apiJson(gl, `/projects/${p.id}/deployments`);
    expect(deployments.status).toBe(200);
    for (const d of deployments.body) expect(Object.keys(d.environment)).toContain('external_url');
  });

  it('serves environments with their tier (GitLab\'s Environment entity); a deployment\'s environment has none (EnvironmentBasic)', async () => {
    const projects = await client.Groups.allProjects(gl.group, { includeSubgroups: true, withShared: false });
    let checked = 0;
    for (const p of projects) {
      const deployments = (await apiJson(gl, `/projects/${p.id}/deployments`)).body as Array<Record<string, any>>;
      if (!deployments.length) continue;
      for (const d of deployments) expect(Object.keys(d.environment).sort()).toEqual(['created_at', 'external_url', 'id', 'name', 'slug', 'updated_at']);
      const envs = await apiJson(gl, `/projects/${p.id}/environments`);
      expect(envs.status).toBe(200);
      const body = envs.body as Array<Record<string, any>>;
      expect(body.map((e) => e.id)).toEqual([...new Set(deployments.map((d) => d.environment.id))].sort((a, b) => a - b));
      for (const e of body) {
        expect(Object.keys(e).sort()).toEqual(['auto_stop_at', 'created_at', 'external_url', 'id', 'name', 'project', 'slug', 'state', 'tier', 'updated_at']);
        expect(['production', 'staging', 'testing', 'development', 'other']).toContain(e.tier);
        expect(e.project.id).toBe(p.id);
      }
      const named = await apiJson(gl, `/projects/${p.id}/environments?name=${encodeURIComponent(body[0]!.name)}`);
      expect((named.body as unknown[]).length).toBe(1);
      expect((await apiJson(gl, `/projects/${p.id}/environments?states=stopped`)).body).toEqual([]);
      expect((await apiJson(gl, `/projects/${p.id}/environments?states=nope`)).status).toBe(400);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('clamps per_page to 100 and defaults it to 20', async () => {
    const big = await startLocalGitLab({ seed: { projects: 4, mergeRequestsPerProject: 100, archivedFraction: 0 } });
    try {
      const r = await apiJson(big, `/groups/${big.groupId}/merge_requests?per_page=1000`);
      expect(r.body.length).toBe(100);
      expect(r.headers.get('x-per-page')).toBe('100');
      const d = await apiJson(big, `/groups/${big.groupId}/merge_requests`);
      expect(d.body.length).toBe(20);
      expect(d.headers.get('x-per-page')).toBe('20');
    } finally {
      await big.close();
    }
  });

  it('rejects an invalid page parameter like GitLab', async () => {
    const r = await apiJson(gl, `/groups/${gl.groupId}/projects?page=abc`);
    expect(r).toMatchObject({ status: 400, body: { error: 'page is invalid' } });
  });
});

describe('raw fetch sanity', () => {
  it('sends JSON content type and RateLimit headers on normal answers', async () => {
    const r = await api(gl, '/user');
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('ratelimit-name')).toBe('throttle_authenticated_api');
    expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThan(1_600_000_000);
  });
});
