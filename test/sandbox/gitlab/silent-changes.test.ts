// The local GitLab's silent changes: what GitLab does without any hook event (deleting a merge
// request, an issue or a pipeline; transferring a project or a subgroup). REST shows the change at
// once, every list follows it, and no hook receives anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGitLab, type LocalGitLab } from '../../../scripts/sandbox/gitlab/index.ts';
import { apiJson } from './helpers.ts';

type Obj = Record<string, any>;
let gl: LocalGitLab;
beforeAll(async () => {
  gl = await startLocalGitLab({ seed: 'small', rateLimit: false });
});
afterAll(async () => {
  await gl?.close();
});

const ids = (list: Obj[]) => list.map((x) => x.id as number);

describe('local GitLab: changes GitLab makes without an event', () => {
  it('a deleted merge request, issue or pipeline (with its jobs) is gone from every list and lookup, and nothing is delivered', async () => {
    const { body: [p] } = await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&order_by=id&sort=asc`);
    const mr = (await gl.openMergeRequest(p.id, { title: 'to delete' })).object as Obj;
    const issue = (await gl.openIssue(p.id, { title: 'to delete' })).object as Obj;
    const pipe = await gl.runPipeline(p.id, { jobs: 2 });
    const deliveries = gl.deliveries().length;

    expect((await gl.deleteMergeRequest(p.id, mr.iid)).events).toEqual([]);
    expect((await gl.deleteIssue(p.id, issue.iid)).events).toEqual([]);
    expect((await gl.deletePipeline(p.id, pipe.object.id as number)).events).toEqual([]);
    expect(gl.deliveries().length).toBe(deliveries);

    expect(ids((await apiJson(gl, `/groups/${gl.groupId}/merge_requests?state=all&per_page=100`)).body)).not.toContain(mr.id);
    expect(ids((await apiJson(gl, `/groups/${gl.groupId}/issues?per_page=100`)).body)).not.toContain(issue.id);
    expect(ids((await apiJson(gl, `/projects/${p.id}/pipelines?per_page=100`)).body)).not.toContain(pipe.object.id);
    expect((await apiJson(gl, `/projects/${p.id}/pipelines/${pipe.object.id}`)).status).toBe(404);
    const jobs = ids((await apiJson(gl, `/projects/${p.id}/jobs?per_page=100`)).body);
    for (const j of pipe.jobs) {
      expect(jobs).not.toContain(j.id);
      expect((await apiJson(gl, `/projects/${p.id}/jobs/${j.id}`)).status).toBe(404);
    }
    await expect(gl.deleteMergeRequest(p.id, mr.iid)).rejects.toThrow(/does not exist/);
  });

  it('a transferred project or subgroup leaves the old group\'s lists with its merge requests, and joins the new one', async () => {
    const me = (await apiJson(gl, '/user')).body as Obj;
    await gl.addMember(`${gl.group}-partners`, { userId: me.id, accessLevel: 50 });
    const partners = (await apiJson(gl, `/groups/${gl.group}-partners`)).body as Obj;
    const sub = (await gl.createSubgroup(gl.groupId, { name: 'Moves' })).object as Obj;
    const inner = (await gl.createSubgroup(sub.id, { name: 'Inner' })).object as Obj;
    const app = (await gl.createProject(inner.id, { name: 'App' })).object as Obj;
    const mr = (await gl.openMergeRequest(app.id, { title: 'moves along' })).object as Obj;
    const solo = (await gl.createProject(gl.groupId, { name: 'Solo' })).object as Obj;
    const deliveries = gl.deliveries().length;

    const moved = (await gl.transferGroup(sub.id, null)).object as Obj;
    expect(moved).toMatchObject({ full_path: 'moves', parent_id: null });
    expect((await gl.transferProject(solo.id, partners.id)).object).toMatchObject({ path_with_namespace: `${partners.full_path}/solo` });
    expect(gl.deliveries().length).toBe(deliveries);

    expect(ids((await apiJson(gl, `/groups/${gl.groupId}/descendant_groups?per_page=100`)).body)).not.toContain(sub.id);
    expect(ids((await apiJson(gl, `/groups/${gl.groupId}/descendant_groups?per_page=100`)).body)).not.toContain(inner.id);
    const mainProjects = ids((await apiJson(gl, `/groups/${gl.groupId}/projects?include_subgroups=true&per_page=100`)).body);
    expect(mainProjects).not.toContain(app.id);
    expect(mainProjects).not.toContain(solo.id);
    expect(ids((await apiJson(gl, `/groups/${gl.groupId}/merge_requests?state=all&per_page=100`)).body)).not.toContain(mr.id);

    expect((await apiJson(gl, `/groups/moves/descendant_groups`)).body.map((g: Obj) => g.full_path)).toEqual(['moves/inner']);
    expect((await apiJson(gl, `/projects/${app.id}`)).body.web_url).toBe(`${gl.url}/moves/inner/app`);
    expect(ids((await apiJson(gl, `/groups/${sub.id}/merge_requests?state=all`)).body)).toEqual([mr.id]);
    expect(ids((await apiJson(gl, `/groups/${partners.id}/projects?per_page=100`)).body)).toContain(solo.id);

    await expect(gl.transferGroup(sub.id, inner.id)).rejects.toThrow(/own subtree/);
    const { body: [generated] } = await apiJson(gl, `/groups/${gl.groupId}/projects?order_by=id&sort=asc`);
    await expect(gl.transferProject(generated.id, partners.id)).rejects.toThrow(/created through the control API/);
  });
});
