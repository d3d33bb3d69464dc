// Contract: our GitLab access layer against the local GitLab (scripts/sandbox/gitlab), which
// renders GitLab's REST shapes, offset and keyset pagination, rate-limit headers, permissions,
// hooks and deliveries. Our page iterator is cross-checked with gitbeaker's own `.all()`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLabApiError, GitLabClient, GitLabGraphQLError, GROUP_HOOK_EVENT_FLAGS, graphqlQuery, type GitLabRetryEvent } from '../../scripts/clients/gitlab/index.ts';
import { startLocalGitLab, type LocalGitLab } from '../../scripts/sandbox/gitlab/index.ts';
import { FakeClock, sendJson, startServer, type ScriptedServer } from './helpers.ts';

let gl: LocalGitLab;
let receiver: ScriptedServer;
const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
let client: GitLabClient;

const collect = async <T>(it: AsyncGenerator<T[]>) => {
  const pages: T[][] = [];
  for await (const p of it) pages.push(p);
  return pages;
};

beforeAll(async () => {
  gl = await startLocalGitLab({ seed: { preset: 'small', projects: 230, mergeRequestsPerProject: 1, issuesPerProject: 1, pipelinesPerProject: 2, jobsPerPipeline: 3, deploymentsPerProject: 1 }, rateLimit: false });
  receiver = await startServer((req, res) => sendJson(res, 200, { ok: true }));
  client = new GitLabClient({ host: gl.url, token: gl.token, clock, random: () => 0.5 });
});
afterAll(async () => {
  await gl?.close();
  await receiver?.close();
});

describe('GitLab client against the local GitLab', () => {
  it('runs the installer preflight calls', async () => {
    expect((await client.version()).version).toBe(gl.version);
    const me = await client.currentUser();
    expect(me.username).toBeTruthy();
    expect(await client.tokenScopes()).toEqual(['api']);
    const group = await client.group(gl.group);
    expect(group?.id).toBe(gl.groupId);
    expect(await client.group('no-such-group')).toBeNull();
  });

  it('lists every project of the group tree in pages of ≤100, matching gitbeaker .all()', async () => {
    const pages = await collect(client.groupProjects(gl.groupId));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const p of pages) expect(p.length).toBeLessThanOrEqual(100);
    const ours = pages.flat().map((p) => p.id).sort((a, b) => a - b);
    expect(new Set(ours).size).toBe(ours.length);
    const theirs = (await client.api.Groups.allProjects(gl.groupId, { includeSubgroups: true, withShared: false, perPage: 100 })).map((p) => p.id).sort((a, b) => a - b);
    expect(ours).toEqual(theirs);
    // with_shared=false: nothing from outside the group tree
    for (const p of pages.flat()) expect(p.path_with_namespace.startsWith(`${gl.group}/`)).toBe(true);
  });

  it('lists descendant groups, merge requests, issues and members', async () => {
    const groups = (await collect(client.descendantGroups(gl.group))).flat();
    const groupsAll = await client.api.Groups.allDescendantGroups(gl.groupId, { perPage: 100 });
    expect(groups.map((g) => g.id).sort()).toEqual(groupsAll.map((g) => g.id).sort());
    expect(groups.length).toBe(6); // depth 2, fanout 2: 2 + 4
    for (const g of groups) expect(g.full_path.startsWith(`${gl.group}/`)).toBe(true);
    const mrs = (await collect(client.groupMergeRequests(gl.groupId))).flat();
    const mrsAll = await client.api.MergeRequests.all({ groupId: gl.groupId, scope: 'all', perPage: 100 });
    expect(mrs.map((m) => m.id).sort()).toEqual(mrsAll.map((m) => m.id).sort());
    expect(mrs.length).toBeGreaterThan(100);
    const issues = (await collect(client.groupIssues(gl.groupId, { state: 'all' }))).flat();
    expect(new Set(issues.map((i) => i.id)).size).toBe(issues.length);
    expect(issues.length).toBeGreaterThan(100);
    const members = (await collect(client.groupMembers(gl.groupId))).flat();
    expect(members.every((m) => typeof m.access_level === 'number')).toBe(true);
  });

  it('follows keyset pagination for project jobs', async () => {
    let project: { id: number } | undefined;
    for await (const page of client.groupProjects(gl.groupId)) {
      for (const p of page) {
        const jobs = (await collect(client.pages(`projects/${p.id}/jobs`, { per_page: 100 }))).flat();
        if (jobs.length >= 3) project = p;
        if (project) break;
      }
      if (project) break;
    }
    expect(project).toBeDefined();
    if (!project) return;
    const keysetPages = await collect(client.projectJobs(project.id, { per_page: 1 }));
    const offset = (await collect(client.pages<{ id: number }>(`projects/${project.id}/jobs`, { per_page: 100 }))).flat();
    const keyset = keysetPages.flat().map((j) => j.id as number);
    expect(keysetPages.length).toBeGreaterThanOrEqual(offset.length); // one job per page (plus a final empty page, if any)
    expect(keyset).toEqual([...keyset].sort((a, b) => b - a)); // order_by=id, sort=desc
    expect(keyset.sort()).toEqual(offset.map((j) => j.id).sort());
    const pipelines = (await collect(client.projectPipelines(project.id))).flat();
    let viaPipelines = 0;
    for (const p of pipelines) viaPipelines += (await collect(client.pipelineJobs(project.id, p.id as number))).flat().length;
    expect(viaPipelines).toBe(offset.length);
  });

  it('creates, finds, edits, test-delivers and deletes a group hook with every flag explicit', async () => {
    const url = `${receiver.url}/port-ingest/abc`;
    const spec = { url, token: 'sandbox-hook-secret-123', name: 'Port', description: 'port-gitlab-template', events: { merge_requests_events: true, member_events: true, project_events: true, subgroup_events: true } };
    const created = await client.createGroupHook(gl.groupId, spec);
    const stored = gl.hooks().find((h) => h.id === created.id)!;
    for (const flag of GROUP_HOOK_EVENT_FLAGS.filter((f) => f in stored)) expect(stored[flag]).toBe(spec.events[flag as keyof typeof spec.events] === true);
    expect(stored).toMatchObject({ member_events: true, project_events: true, emoji_events: false, name: 'Port' });
    const found = (await client.listGroupHooks(gl.groupId)).find((h) => h.url === url);
    expect(found?.id).toBe(created.id);
    await client.editGroupHook(gl.groupId, created.id, { ...spec, events: { ...spec.events, pipeline_events: true } });
    expect(gl.hooks().find((h) => h.id === created.id)).toMatchObject({ pipeline_events: true, merge_requests_events: true });
    await client.testGroupHook(gl.groupId, created.id, 'push_events');
    const delivery = receiver.requests.at(-1)!;
    expect(delivery.headers['x-gitlab-token']).toBe('sandbox-hook-secret-123');
    expect(delivery.headers['x-gitlab-event']).toBe('Push Hook');
    expect(await client.deleteGroupHook(gl.groupId, created.id)).toBe(true);
    expect(await client.deleteGroupHook(gl.groupId, created.id)).toBe(false);
  });

  it('rides out a 429 burst, 5xx and a dropped connection, honouring Retry-After', async () => {
    clock.sleeps.length = 0;
    gl.faults.throttleNext(1, 7);
    gl.faults.failNext(2, 502);
    gl.faults.dropNext(1);
    expect((await client.group(gl.groupId))?.id).toBe(gl.groupId);
    expect(clock.sleeps[0]).toBe(7000);
    expect(clock.sleeps).toHaveLength(4);
  });
});

describe('tiers, permissions and the server budget', () => {
  it('reports group hooks as unavailable on a Free instance, and 403 for a non-Owner', async () => {
    const free = await startLocalGitLab({ tier: 'free' });
    const dev = await startLocalGitLab({ role: 'developer' });
    try {
      const e1 = await new GitLabClient({ host: free.url, token: free.token }).listGroupHooks(free.groupId).catch((e) => e);
      expect(e1).toBeInstanceOf(GitLabApiError);
      expect(e1.status).toBe(404);
      const e2 = await new GitLabClient({ host: dev.url, token: dev.token }).createGroupHook(dev.groupId, { url: 'http://127.0.0.1:9/x', token: 'tok-123456', events: {} }).catch((e) => e);
      expect(e2.status).toBe(403);
      expect(JSON.stringify(e2) + e2.message).not.toContain(dev.token);
    } finally {
      await free.close();
      await dev.close();
    }
  });

  it('waits for RateLimit-Reset when the server budget is spent, instead of collecting 429s', async () => {
    const c2 = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
    const limited = await startLocalGitLab({ rateLimit: { limit: 3, windowMs: 60_000 }, now: () => c2.now() });
    try {
      const retries: GitLabRetryEvent[] = [];
      const c = new GitLabClient({ host: limited.url, token: limited.token, clock: c2, onRetry: (e) => retries.push(e) });
      for (let i = 0; i < 7; i++) await c.currentUser();
      expect(retries).toEqual([]);
      expect(c2.sleeps.length).toBeGreaterThanOrEqual(2);
      for (const ms of c2.sleeps) expect(ms).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('GraphQL through the client (graphqlQuery)', () => {
  it('posts to /api/graphql beside /api/v4 with the token, returns data, and throws GitLab\'s {errors} as GitLabGraphQLError', async () => {
    const data = await graphqlQuery<{ group: { fullPath: string } }>(client, 'query($g: ID!) { group(fullPath: $g) { fullPath } }', { g: gl.group });
    expect(data).toEqual({ group: { fullPath: gl.group } });
    const err = await graphqlQuery(client, '{ group(fullPath: "x") { nope } }', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitLabGraphQLError);
    expect((err as GitLabGraphQLError).message).toBe("GitLab's GraphQL API refused the query: Field 'nope' doesn't exist on type 'Group' (at query.group.nope)");
    // A token GitLab does not know: 401, as for REST.
    const wrong = new GitLabClient({ host: gl.url, token: 'glpat-unknown', clock, random: () => 0.5, retry: { maxAttempts: 1 } });
    const denied = await graphqlQuery(wrong, '{ group(fullPath: "x") { id } }', {}).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(GitLabApiError);
    expect((denied as GitLabApiError).status).toBe(401);
    expect((denied as GitLabApiError).path).toBe('graphql');
  });
});
