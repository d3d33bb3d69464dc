// Group and project hook management as GitLab documents it: CRUD, secrets never returned,
// Premium-only group hooks (404 on Free), Owner role (403), `api` scope for writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gitlab } from '@gitbeaker/rest';
import { startLocalGitLab, type LocalGitLab } from '../../../scripts/sandbox/gitlab/index.ts';
import { apiJson } from './helpers.ts';

let gl: LocalGitLab;
beforeAll(async () => {
  gl = await startLocalGitLab({ seed: 'small', extraTokens: [{ role: 'maintainer' }, { role: 'owner', scopes: ['read_api'] }] });
});
afterAll(() => gl.close());

const post = (g: LocalGitLab, path: string, body: unknown, token?: string) =>
  apiJson(g, path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, token });

describe('group hooks CRUD', () => {
  it('creates, reads, updates and deletes a group hook; the token never comes back', async () => {
    const client = new Gitlab({ host: gl.url, token: gl.token });
    const created = await client.GroupHooks.add(gl.group, 'http://127.0.0.1:9/hook', { token: 'super-secret', mergeRequestsEvents: true, pipelineEvents: true } as never);
    expect(created.merge_requests_events).toBe(true);
    expect(created.pipeline_events).toBe(true);
    expect(created.issues_events).toBe(false);
    expect(created.alert_status).toBe('executable');
    expect(created.disabled_until).toBeNull();
    expect(created).not.toHaveProperty('token');
    expect(JSON.stringify(created)).not.toContain('super-secret');
    const one = await apiJson(gl, `/groups/${gl.groupId}/hooks/${created.id}`);
    expect(one.body.group_id).toBe(gl.groupId);
    expect(JSON.stringify(one.body)).not.toContain('super-secret');
    const edited = await client.GroupHooks.edit(gl.group, created.id, 'http://127.0.0.1:9/hook', { issuesEvents: true } as never);
    expect(edited.issues_events).toBe(true);
    const list = await client.GroupHooks.all(gl.group);
    expect(list.map((h) => h.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain('super-secret');
    await client.GroupHooks.remove(gl.group, created.id);
    expect((await apiJson(gl, `/groups/${gl.groupId}/hooks/${created.id}`)).body).toEqual({ message: '404 Not found' });
  });

  it('requires url and refuses non-loopback receivers with a clear message', async () => {
    const missing = await post(gl, `/groups/${gl.groupId}/hooks`, { push_events: true });
    expect(missing).toMatchObject({ status: 400, body: { error: 'url is missing' } });
    const remote = await post(gl, `/groups/${gl.groupId}/hooks`, { url: 'https://hooks.example.com/x' });
    expect(remote.status).toBe(422);
    expect(remote.body.message.url[0]).toMatch(/loopback/);
    const bad = await post(gl, `/groups/${gl.groupId}/hooks`, { url: 'http://127.0.0.1:9/x', push_events: 'maybe' });
    expect(bad).toMatchObject({ status: 400, body: { error: 'push_events is invalid' } });
  });

  it('answers 403 to a non-Owner and insufficient_scope to a read_api token', async () => {
    const [maintainer, readOnlyOwner] = gl.extraTokens;
    const r = await post(gl, `/groups/${gl.groupId}/hooks`, { url: 'http://127.0.0.1:9/x' }, maintainer);
    expect(r).toMatchObject({ status: 403, body: { message: '403 Forbidden' } });
    expect((await apiJson(gl, `/groups/${gl.groupId}/hooks`, { token: maintainer })).status).toBe(403);
    const s = await post(gl, `/groups/${gl.groupId}/hooks`, { url: 'http://127.0.0.1:9/x' }, readOnlyOwner);
    expect(s.status).toBe(403);
    expect(s.body.error).toBe('insufficient_scope');
    // read_api is enough to list hooks as Owner
    expect((await apiJson(gl, `/groups/${gl.groupId}/hooks`, { token: readOnlyOwner })).status).toBe(200);
  });

  it('answers 403 on group hooks when the main token is not Owner', async () => {
    const dev = await startLocalGitLab({ seed: 'small', role: 'maintainer' });
    try {
      const r = await post(dev, `/groups/${dev.groupId}/hooks`, { url: 'http://127.0.0.1:9/x' });
      expect(r.status).toBe(403);
      // Maintainer may still manage project hooks (the Free-tier fallback).
      const projects = await apiJson(dev, `/groups/${dev.groupId}/projects?include_subgroups=true&with_shared=false`);
      const p = await post(dev, `/projects/${projects.body[0].id}/hooks`, { url: 'http://127.0.0.1:9/x', token: 't0p' });
      expect(p.status).toBe(201);
      expect(p.body.project_id).toBe(projects.body[0].id);
      expect(p.body).not.toHaveProperty('subgroup_events');
      expect(JSON.stringify(p.body)).not.toContain('t0p');
    } finally {
      await dev.close();
    }
  });

  it('answers 404 on group hooks on a Free instance, while project hooks work', async () => {
    const free = await startLocalGitLab({ seed: 'small', tier: 'free' });
    try {
      expect((await apiJson(free, `/groups/${free.groupId}/hooks`)).status).toBe(404);
      expect((await post(free, `/groups/${free.groupId}/hooks`, { url: 'http://127.0.0.1:9/x' })).status).toBe(404);
      const meta = await apiJson(free, '/version');
      expect(meta.body.enterprise).toBe(false);
      const projects = await apiJson(free, `/groups/${free.groupId}/projects?include_subgroups=true&with_shared=false`);
      expect((await post(free, `/projects/${projects.body[0].id}/hooks`, { url: 'http://127.0.0.1:9/x' })).status).toBe(201);
    } finally {
      await free.close();
    }
  });
});
