// Reconcile owns what the install maps, whoever wrote it last (issue 10 §1). Two installs share one
// Port (A: the sandbox group, B: the partners group); live GitLab changes reach Port through A's
// hook and the shared webhook; then GitLab drops some of them without any event (a merge request,
// an issue and a pipeline deleted, a project transferred to B's group, a subgroup with its project
// and member transferred out to the top level). A's next backfill deletes exactly those; B's
// entities and hand-made ones stay. Another GitLab instance's entities make the backfill refuse
// before anything is listed or deleted (instance-guard.ts: their numeric ids would collide).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import type { StoredEntity } from '../../scripts/sandbox/port/store.ts';
import { FAST, captureIO, startSandboxes, type Sandboxes } from '../install/helpers.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';

const BUNDLE = loadBundle();
const BLUEPRINTS = BUNDLE.blueprints.map((b) => b.content.identifier);
const PARTNERS = 'sandbox-org-partners';
const OTHER_GITLAB = 'https://gitlab.other.example';

type Obj = Record<string, any>;
type Snapshot = Map<string, StoredEntity>;
const snapshot = (sb: Sandboxes): Snapshot => new Map(BLUEPRINTS.flatMap((bp) => sb.port.entities(bp).map((e) => [`${bp}/${e.identifier}`, e] as [string, StoredEntity])));

async function gitlabJson<T>(sb: Sandboxes, path: string): Promise<T> {
  return (await (await fetch(`${sb.gitlab.url}/api/v4/${path}`, { headers: { 'private-token': sb.gitlab.token } })).json()) as T;
}

async function install(env: Record<string, string>): Promise<void> {
  const c = captureIO(env);
  const r = await runInstallCommand(['--json'], { io: c.io, tuning: FAST });
  expect(r.exitCode, c.err()).toBe(0);
}

async function backfill(env: Record<string, string>) {
  const c = captureIO(env);
  // The whole history: the deletion threshold then weighs what was deleted against all of it.
  const r = await runBackfillCommand(['--json', '--since-days', 'all'], { io: c.io, tuning: FAST });
  return { ...r, err: c.err() };
}

/** Writes an entity through Port's API as another writer (a person, another tool) would. */
async function writeAs(sb: Sandboxes, userAgent: string, blueprint: string, entity: Obj): Promise<void> {
  const token = await fetch(`${sb.port.url}/v1/auth/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret }) });
  const { accessToken } = (await token.json()) as { accessToken: string };
  const res = await fetch(`${sb.port.url}/v1/blueprints/${blueprint}/entities?upsert=true`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}`, 'user-agent': userAgent },
    body: JSON.stringify(entity),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

describe('reconcile owns what the install maps, whoever wrote it last', () => {
  let sb: Sandboxes;
  let envA: Record<string, string>;
  let envB: Record<string, string>;

  beforeAll(async () => {
    sb = await startSandboxes();
    const me = await gitlabJson<{ id: number }>(sb, 'user');
    await sb.gitlab.addMember(PARTNERS, { userId: me.id, accessLevel: 50 });
    envA = { ...sb.env, GITLAB_GROUPS: sb.gitlab.group };
    envB = { ...sb.env, GITLAB_GROUPS: PARTNERS };
    await install(envA);
    await install(envB);
    for (const env of [envA, envB]) expect((await backfill(env)).exitCode).toBe(0);
  });
  afterAll(async () => {
    await sb?.close();
  });

  test('webhook-written objects that leave GitLab without an event are gone after the next backfill; nothing of B, of another GitLab or made by hand is touched', async () => {
    const gl = sb.gitlab;
    const [p0] = await gitlabJson<Obj[]>(sb, `groups/${gl.groupId}/projects?include_subgroups=true&archived=false&order_by=id&sort=asc`);
    const [member] = await gitlabJson<Obj[]>(sb, `groups/${gl.groupId}/members`);

    // Live changes, each delivered by A's group hook to the shared webhook.
    const mr = (await gl.openMergeRequest(p0.id, { title: 'deleted later' })).object as Obj;
    const issue = (await gl.openIssue(p0.id, { title: 'deleted later' })).object as Obj;
    const pipeline = await gl.runPipeline(p0.id, { jobs: 2 });
    const sub = (await gl.createSubgroup(gl.groupId, { name: 'Leaving' })).object as Obj;
    const leavingApp = (await gl.createProject(sub.id, { name: 'Leaving app' })).object as Obj;
    const leavingMr = (await gl.openMergeRequest(leavingApp.id, { title: 'in a subgroup that leaves' })).object as Obj;
    await gl.addMember(sub.id, { userId: member.id, accessLevel: 30 });
    const moving = (await gl.createProject(gl.groupId, { name: 'Moving app' })).object as Obj;
    const movingIssue = (await gl.openIssue(moving.id, { title: 'in a project that moves to B' })).object as Obj;
    const movingPipeline = await gl.runPipeline(moving.id, { jobs: 1 });
    await sb.port.idle();

    const gone = [
      `gitlabMergeRequest/${mr.id}`, `gitlabIssue/${issue.id}`, `gitlabPipeline/${pipeline.object.id}`,
      ...pipeline.jobs.map((j) => `gitlabJob/${j.id}`),
      `gitlabGroup/${sub.id}`, `gitlabProject/${leavingApp.id}`, `gitlabMergeRequest/${leavingMr.id}`, `gitlabMember/${sub.id}-${member.id}`,
      `gitlabProject/${moving.id}`, `gitlabIssue/${movingIssue.id}`, `gitlabPipeline/${movingPipeline.object.id}`,
      ...movingPipeline.jobs.map((j) => `gitlabJob/${j.id}`),
    ];
    const live = snapshot(sb);
    for (const key of gone) {
      expect(live.has(key), key).toBe(true);
      // The webhook was their last writer: `$datasource` says nothing about the install.
      expect(live.get(key)!.datasource ?? '', key).not.toMatch(/^port-gitlab-template\//);
    }
    // What only hooks wrote has no url: the subgroup (Subgroup Hook) and the member.
    expect(live.get(`gitlabGroup/${sub.id}`)!.properties.url ?? null).toBeNull();

    // Another install of this package on another GitLab instance (same group path, other host), and hand-made entities.
    const other = 'port-gitlab-template/0.0.0/gl-0ther1nstall0';
    await writeAs(sb, other, 'gitlabGroup', { identifier: 'other-group', title: 'sandbox-org elsewhere', properties: { fullPath: gl.group, url: `${OTHER_GITLAB}/groups/${gl.group}` } });
    await writeAs(sb, other, 'gitlabProject', { identifier: 'other-project', title: 'app', properties: { url: `${OTHER_GITLAB}/${gl.group}/app` }, relations: { group: 'other-group' } });
    await writeAs(sb, other, 'gitlabMergeRequest', { identifier: 'other-mr', title: 'elsewhere', properties: { state: 'opened', url: `${OTHER_GITLAB}/${gl.group}/app/-/merge_requests/1` }, relations: { project: 'other-project' } });
    await writeAs(sb, other, 'gitlabMember', { identifier: 'other-group-1', title: 'someone', properties: {}, relations: { group: 'other-group' } });
    await writeAs(sb, 'manual-import/1.0', 'gitlabProject', { identifier: 'hand-made', title: 'no url', properties: {} });
    await writeAs(sb, 'manual-import/1.0', 'gitlabProject', { identifier: 'hand-made-elsewhere', title: 'url elsewhere', properties: { url: 'https://example.com/sandbox-org/x' } });
    await writeAs(sb, 'manual-import/1.0', 'gitlabMergeRequest', { identifier: 'hand-made-mr', title: 'prefix look-alike', properties: { state: 'opened', url: `${gl.url}/${gl.group}-partners-not/x/-/merge_requests/1` } });

    // Entities with a url on another host: the backfill refuses (exit 2) and changes nothing; the
    // reconcile rule would leave them anyway (ownership-rule.test.ts). They go, children first, as
    // the other instance's `uninstall --purge` would take them.
    const withOtherHost = snapshot(sb);
    const refused = await backfill(envA);
    expect(refused.exitCode, refused.err).toBe(2);
    expect(refused.err).toContain('Port already holds entities of another GitLab instance than');
    expect(snapshot(sb)).toEqual(withOtherHost);
    const port = new PortClient({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret, baseUrl: sb.port.url, retry: FAST.port!.retry });
    for (const [bp, id] of [['gitlabMergeRequest', 'other-mr'], ['gitlabMember', 'other-group-1'], ['gitlabProject', 'other-project'], ['gitlabGroup', 'other-group'], ['gitlabProject', 'hand-made-elsewhere']]) {
      expect(await port.deleteEntity(bp, id), `${bp}/${id}`).toBe(true);
    }

    // GitLab drops them without a single event.
    await gl.deleteMergeRequest(p0.id, mr.iid as number);
    await gl.deleteIssue(p0.id, issue.iid as number);
    await gl.deletePipeline(p0.id, pipeline.object.id as number);
    await gl.transferGroup(sub.id, null);
    await gl.transferProject(moving.id, PARTNERS);
    const deliveriesBefore = gl.deliveries().length;
    await sb.port.idle();
    expect(gl.deliveries().length).toBe(deliveriesBefore);

    const before = snapshot(sb);
    const r = await backfill(envA);
    expect(r.exitCode, r.err).toBe(0);
    const after = snapshot(sb);
    for (const key of gone) expect(after.has(key), key).toBe(false);
    // Everything else is as it was: B's entities, the hand-made ones, and A's still in GitLab.
    for (const [key, e] of before) if (!gone.includes(key)) expect(after.get(key), key).toEqual(e);
    expect(after.size).toBe(before.size - gone.length);
    for (const key of ['gitlabProject/hand-made', 'gitlabMergeRequest/hand-made-mr']) {
      expect(after.has(key), key).toBe(true);
    }
    const summary = r.summary!;
    expect(summary.kinds.groups!.reconcile).toMatchObject({ status: 'deleted', stale: 1 });
    expect(summary.kinds.members!.reconcile).toMatchObject({ status: 'deleted', stale: 1 });
    expect(summary.kinds.projects!.reconcile).toMatchObject({ status: 'deleted', stale: 2 });

    // The project now belongs to B: B's next backfill brings it back under B's URL, and A's next run leaves it.
    const rb = await backfill(envB);
    expect(rb.exitCode, rb.err).toBe(0);
    expect(sb.port.entity('gitlabProject', String(moving.id))?.properties.url).toBe(`${gl.url}/${PARTNERS}/moving-app`);
    expect(sb.port.entity('gitlabIssue', String(movingIssue.id))).toBeDefined();
    const again = await backfill(envA);
    expect(again.exitCode, again.err).toBe(0);
    expect(sb.port.entity('gitlabProject', String(moving.id))).toBeDefined();
    expect(sb.port.entity('gitlabIssue', String(movingIssue.id))).toBeDefined();
  });
});
