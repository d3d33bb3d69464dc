// The install against both sandboxes, in order: a dry run on an empty Port, the fresh install,
// an idempotent second run, a dry run after it, a live GitLab change reaching Port through the hook
// and the webhook, a forged delivery, and drift that a re-run repairs without removing user data.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { GROUP_HOOK_EVENT_FLAGS } from '../../scripts/clients/gitlab/index.ts';
import { desiredHookEvents, HOOK_NAME } from '../../scripts/install/hook-plan.ts';
import { secretFingerprint } from '../../scripts/install/webhook-secret.ts';
import { FAST, captureIO, portWrites, startSandboxes, type Sandboxes } from './helpers.ts';

const bundle = loadBundle();
const BLUEPRINTS = bundle.blueprints.map((b) => b.content.identifier);
const WEBHOOK = bundle.webhook.content.identifier;
let sb: Sandboxes;

async function install(args: string[], env = sb.env) {
  const c = captureIO(env);
  const r = await runInstallCommand(args, { io: c.io, tuning: FAST });
  return { ...r, out: c.out(), err: c.err(), all: c.all() };
}

async function gitlabGet<T>(path: string): Promise<T> {
  const res = await fetch(`${sb.gitlab.url}/api/v4/${path}`, { headers: { 'private-token': sb.gitlab.token } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  sb = await startSandboxes();
});
afterAll(async () => {
  await sb?.close();
});

describe('install against the local Port and GitLab', () => {
  test('a dry run on an empty Port prints the plan and writes nothing', async () => {
    const r = await install(['--dry-run', '--json']);
    expect(r.exitCode).toBe(0);
    expect(portWrites(sb.port)).toEqual({});
    expect(sb.proxy.writes()).toEqual([]);
    const json = JSON.parse(r.out);
    expect(json.dryRun).toBe(true);
    expect(json.blueprints.created).toEqual(BLUEPRINTS);
    expect(json.webhook).toMatchObject({ identifier: WEBHOOK, action: 'create', secret: 'generated' });
    expect(json.hooks).toEqual([expect.objectContaining({ kind: 'group', target: sb.gitlab.group, action: 'create' })]);
    // Property-level diff of what would be created.
    expect(json.plan).toContain('+ schema.properties.pathWithNamespace');
    expect(json.plan).toContain('+ relations.project: relation to gitlabProject');
    expect(json.plan).toContain('+ aggregationProperties.averageLeadTimeHours: aggregation: average of gitlabMergeRequest.leadTimeHours');
    expect(json.plan).toContain('+ calculationProperties.pipelineSuccessRate30d: calculated number');
    expect(json.plan).toContain('+ mirrorProperties.projectPath: mirror of project.pathWithNamespace');
  });

  test('a fresh install creates the blueprints, a secured webhook and one group hook with every event flag', async () => {
    const r = await install(['--json', '--skip-backfill']);
    expect(r.exitCode, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ ok: true, blueprints: { created: BLUEPRINTS, updated: [], unchanged: [] }, webhook: { identifier: WEBHOOK, action: 'created', secret: 'generated' } });

    for (const id of BLUEPRINTS) {
      const stored = sb.port.blueprint(id)!;
      const want = bundle.blueprints.find((b) => b.content.identifier === id)!.content;
      expect(Object.keys(stored.schema.properties).sort()).toEqual(Object.keys(want.schema.properties).sort());
      expect(stored.relations ?? {}).toEqual(want.relations ?? {});
      // Stage 3: the metrics, once every blueprint and relation they name exists.
      for (const k of ['aggregationProperties', 'calculationProperties', 'mirrorProperties'] as const) expect(stored[k] ?? {}, `${id} ${k}`).toEqual(want[k] ?? {});
    }
    expect(sb.port.catalogPages()).toEqual([]); // create_catalog_page=false on purpose

    const webhook = sb.port.webhooks().find((w) => w.identifier === WEBHOOK)!;
    expect(json.webhook.url).toBe(webhook.url);
    const secret = webhook.security!.secret!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(webhook.security).toMatchObject({ signatureHeaderName: 'x-gitlab-token', signatureAlgorithm: 'plain' });
    expect(r.all).not.toContain(secret);

    const hooks = sb.gitlab.hooks();
    expect(hooks).toHaveLength(1);
    const hook = hooks[0];
    expect(hook).toMatchObject({ kind: 'group', url: webhook.url, name: HOOK_NAME });
    expect(json.hooks).toEqual([{ kind: 'group', target: sb.gitlab.group, targetId: sb.gitlab.groupId, id: hook.id, action: 'created' }]);
    const on = desiredHookEvents(bundle, { confidentialIssues: false });
    expect(on).toEqual(expect.arrayContaining(['merge_requests_events', 'pipeline_events', 'job_events', 'subgroup_events', 'member_events', 'project_events']));
    for (const flag of GROUP_HOOK_EVENT_FLAGS) expect(hook[flag], flag).toBe(on.includes(flag));
    expect(String(hook.description)).toContain(secretFingerprint(secret));
  });

  test('a second install with nothing changed sends no write request to either service', async () => {
    const before = sb.port.requestCounts();
    const glBefore = sb.proxy.writes().length;
    const r = await install(['--json', '--skip-backfill']);
    expect(r.exitCode, r.err).toBe(0);
    expect(portWrites(sb.port, before)).toEqual({});
    expect(sb.proxy.writes().slice(glBefore)).toEqual([]);
    const json = JSON.parse(r.out);
    expect(json.blueprints).toEqual({ created: [], updated: [], unchanged: BLUEPRINTS });
    expect(json.webhook).toMatchObject({ action: 'unchanged', secret: 'kept' });
    expect(json.hooks.map((h: { action: string }) => h.action)).toEqual(['unchanged']);
  });

  test('a dry run after the install plans no change and writes nothing', async () => {
    const before = sb.port.requestCounts();
    const glBefore = sb.proxy.writes().length;
    const r = await install(['--dry-run']);
    expect(r.exitCode).toBe(0);
    expect(portWrites(sb.port, before)).toEqual({});
    expect(sb.proxy.writes().slice(glBefore)).toEqual([]);
    expect(r.out).toContain('= webhook gitlabIntegration (unchanged)');
    expect(r.out).toContain('= group hook on sandbox-org');
  });

  test('a GitLab change after the install reaches Port through the hook and the webhook', async () => {
    const projects = await gitlabGet<Array<{ id: number; path_with_namespace: string; archived: boolean }>>(`groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false`);
    const project = projects[0];
    const { object: mr } = await sb.gitlab.openMergeRequest(project.id, { title: 'Installer e2e: live change' });
    await sb.port.idle();
    const entity = sb.port.entity('gitlabMergeRequest', String(mr.id));
    expect(entity, 'the MR reached Port').toBeDefined();
    expect(entity!.title).toBe('Installer e2e: live change');
    expect(entity!.relations.project).toBe(String(project.id));
    const last = sb.gitlab.deliveries().at(-1)!;
    expect(last).toMatchObject({ outcome: 'delivered' });
  });

  test('a forged delivery (wrong token) is refused and changes nothing', async () => {
    const webhook = sb.port.webhooks().find((w) => w.identifier === WEBHOOK)!;
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/gitlab-payloads/merge_request.open.json', import.meta.url), 'utf8')) as { headers: Record<string, string>; body: { object_attributes: { id: number } } };
    const rejected = sb.port.ingestStats().rejected;
    const res = await fetch(webhook.url, { method: 'POST', headers: { ...fixture.headers, 'X-Gitlab-Token': 'forged-token-value' }, body: JSON.stringify(fixture.body) });
    expect(res.status).toBe(401);
    await sb.port.idle();
    expect(sb.port.ingestStats().rejected).toBe(rejected + 1);
    expect(sb.port.entity('gitlabMergeRequest', String(fixture.body.object_attributes.id))).toBeUndefined();
  });

  test('drift is repaired additively: user properties stay, our missing parts and hook flags come back', async () => {
    // A user adds a property and removes one of ours; someone turns a hook flag off.
    const token = (await (await fetch(`${sb.port.url}/v1/auth/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret }) })).json()).accessToken as string;
    const bp = sb.port.blueprint('gitlabProject')!;
    const { topics: _removed, ...rest } = bp.schema.properties;
    const patched = await fetch(`${sb.port.url}/v1/blueprints/gitlabProject`, {
      method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ schema: { properties: { ...rest, costCenter: { type: 'string', title: 'Cost center' } }, required: [] } }),
    });
    expect(patched.status).toBe(200);
    const hook = sb.gitlab.hooks()[0];
    const edited = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/hooks/${hook.id}`, { method: 'PUT', headers: { 'private-token': sb.gitlab.token, 'content-type': 'application/json' }, body: JSON.stringify({ pipeline_events: false }) });
    expect(edited.status).toBe(200);

    const before = sb.port.requestCounts();
    const glBefore = sb.proxy.writes().length;
    const r = await install(['--json', '--skip-backfill']);
    expect(r.exitCode, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.blueprints.updated).toEqual(['gitlabProject']);
    expect(json.hooks[0]).toMatchObject({ id: hook.id, action: 'updated' });
    expect(portWrites(sb.port, before)).toEqual({ 'PATCH /v1/blueprints/:identifier': 1 });
    expect(sb.proxy.writes().slice(glBefore)).toEqual([`PUT /api/v4/groups/${sb.gitlab.groupId}/hooks/${hook.id}`]);
    const props = sb.port.blueprint('gitlabProject')!.schema.properties;
    expect(props.costCenter).toEqual({ type: 'string', title: 'Cost center' });
    expect(props.topics).toBeDefined();
    expect(sb.gitlab.hooks()[0].pipeline_events).toBe(true);
  });

  test('a webhook secret Port does not give back is rotated together with the hook token', async () => {
    const token = (await (await fetch(`${sb.port.url}/v1/auth/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret }) })).json()).accessToken as string;
    const old = sb.port.webhooks().find((w) => w.identifier === WEBHOOK)!;
    // Port answering with a masked secret: it cannot be recovered, so both sides must change.
    const res = await fetch(`${sb.port.url}/v1/webhooks/${WEBHOOK}`, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ security: { ...old.security, secret: '********' } }) });
    expect(res.status).toBe(200);

    const r = await install(['--json', '--skip-backfill']);
    expect(r.exitCode, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.webhook).toMatchObject({ action: 'updated', secret: 'rotated', url: old.url });
    expect(json.hooks[0].action).toBe('updated');
    const rotated = sb.port.webhooks().find((w) => w.identifier === WEBHOOK)!.security!.secret!;
    expect(rotated).not.toBe(old.security!.secret);
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.all).not.toContain(rotated);

    // The hook got the same new value: a live change is accepted by Port.
    const projects = await gitlabGet<Array<{ id: number }>>(`groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false`);
    const { object: pipeline } = await sb.gitlab.runPipeline(projects[0].id, { status: 'success', jobs: 1 });
    await sb.port.idle();
    expect(sb.port.entity('gitlabPipeline', String(pipeline.id))).toBeDefined();
  });
});

describe('install with the backfill', () => {
  let own: Sandboxes;
  beforeAll(async () => {
    own = await startSandboxes();
  });
  afterAll(async () => {
    await own?.close();
  });

  test('brings existing GitLab objects into Port; a second full run writes nothing to either service', async () => {
    const c = captureIO(own.env);
    const r = await runInstallCommand(['--json'], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
    const json = JSON.parse(c.out());
    expect(json.backfill.ok).toBe(true);
    expect(json.backfill.kinds.projects.written).toBeGreaterThan(0);
    // Every project of the group tree (shared projects excluded) is in Port.
    const res = await fetch(`${own.gitlab.url}/api/v4/groups/${own.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&per_page=100`, { headers: { 'private-token': own.gitlab.token } });
    const projects = (await res.json()) as Array<{ id: number }>;
    expect(own.port.entities('gitlabProject').map((e) => e.identifier).sort()).toEqual(projects.map((p) => String(p.id)).sort());

    const before = own.port.requestCounts();
    const glBefore = own.proxy.writes().length;
    const again = captureIO(own.env);
    const r2 = await runInstallCommand(['--json'], { io: again.io, tuning: FAST });
    expect(r2.exitCode, again.err()).toBe(0);
    expect(portWrites(own.port, before)).toEqual({});
    expect(own.proxy.writes().slice(glBefore)).toEqual([]);
    const json2 = JSON.parse(again.out());
    expect(Object.values(json2.backfill.kinds).every((k) => (k as { written: number }).written === 0)).toBe(true);
  });
});
