// Two installs at once, and hooks left duplicated (issue 12 §2). GitLab delivers every event once
// per hook, each delivery with its own Idempotency-Key, so a second hook at the webhook's URL makes
// Port ingest every event twice. The runs here are held at a barrier after their plans, so both
// plan the same creates before either writes: the race the issue reproduced, made deterministic.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runUninstallCommand } from '../../scripts/commands/uninstall.ts';
import { createClients } from '../../scripts/install/clients.ts';
import type { InstallStep } from '../../scripts/install/errors.ts';
import { readInputs } from '../../scripts/install/inputs.ts';
import { SecretSet } from '../../scripts/install/io.ts';
import { runInstall, type InstallFlags, type InstallSummary } from '../../scripts/install/run.ts';
import { FAST, captureIO, runDoctor, startSandboxes, type Sandboxes } from './helpers.ts';
import { installWebhookId } from './helpers.ts';

const bundle = loadBundle();

/** Resolves for all `n` callers once the n-th reaches step `at`: every run has planned by then. */
function barrier(n: number, at: InstallStep): (s: InstallStep) => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  return async (s) => {
    if (s !== at) return;
    if (++arrived === n) open();
    await gate;
  };
}

/** Two `install --yes --skip-backfill` runs at once, both planned before either writes. */
async function installTwiceAtOnce(sb: Sandboxes, flags: InstallFlags = {}): Promise<InstallSummary[]> {
  const inputs = readInputs(bundle.template, {}, sb.env).inputs!;
  const wait = barrier(2, 'blueprints');
  return Promise.all([0, 1].map(() => {
    const { port, gitlab } = createClients(inputs, new SecretSet(), FAST);
    return runInstall({ bundle, port, gitlab, inputs, onStep: wait }, { yes: true, skipBackfill: true, ...flags });
  }));
}

async function gitlabApi(sb: Sandboxes, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sb.gitlab.url}/api/v4/${path}`, { method, headers: { 'private-token': sb.gitlab.token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

const webhookUrl = (sb: Sandboxes) => sb.port.webhooks().find((w) => w.identifier === installWebhookId(sb))!.url as string;
const hooksAt = (sb: Sandboxes, kind: 'group' | 'project', ownerId: number) =>
  sb.gitlab.hooks().filter((h) => h.kind === kind && h[kind === 'group' ? 'group_id' : 'project_id'] === ownerId && h.url === webhookUrl(sb));

interface Check { check: string; status: string; message: string; fix?: string }
const checkOf = (out: string, name: string): Check | undefined => (JSON.parse(out).checks as Check[]).find((c) => c.check === name);

describe('two installs at once into an empty Port and GitLab', () => {
  let sb: Sandboxes;
  beforeAll(async () => { sb = await startSandboxes(); });
  afterAll(async () => { await sb?.close(); });

  test('both succeed (the 409 of the later create converges into an update), with one webhook, every blueprint and one group hook', async () => {
    const runs = await installTwiceAtOnce(sb);
    for (const r of runs) expect(r.exitCode, JSON.stringify(r.error)).toBe(0);
    // Each blueprint was created by exactly one of them; the other updated it.
    const created = runs.flatMap((r) => r.blueprints.created).sort();
    expect(created).toEqual(bundle.blueprints.map((b) => b.content.identifier).sort());
    expect(runs.map((r) => r.webhook?.action).sort()).toEqual(['created', 'unchanged']);
    expect(runs.find((r) => r.webhook?.action === 'unchanged')!.notes.join('\n')).toContain('created by another run');
    expect(sb.port.webhooks().filter((w) => w.identifier === installWebhookId(sb))).toHaveLength(1);
    expect(hooksAt(sb, 'group', sb.gitlab.groupId)).toHaveLength(1);
    // The one hook left carries the webhook's secret: doctor's test delivery proves it.
    const d = await runDoctor(sb.env);
    expect(d.exitCode, d.out).toBe(0);
  });

  test('with the group hook deleted, two re-runs at once create one hook, not two', async () => {
    const [hook] = hooksAt(sb, 'group', sb.gitlab.groupId);
    expect((await gitlabApi(sb, 'DELETE', `groups/${sb.gitlab.groupId}/hooks/${hook.id}`)).status).toBe(204);
    const runs = await installTwiceAtOnce(sb);
    for (const r of runs) expect(r.exitCode, JSON.stringify(r.error)).toBe(0);
    const left = hooksAt(sb, 'group', sb.gitlab.groupId);
    expect(left).toHaveLength(1);
    // Both report the hook that was kept: the lowest id of the two created.
    expect(runs.map((r) => r.hooks[0]).map((h) => ('id' in h ? h.id : undefined))).toEqual([left[0].id, left[0].id]);
    expect((await runDoctor(sb.env)).exitCode).toBe(0);
  });

  test('a duplicate hook left behind: doctor fails it with the fix, a re-run of install removes it', async () => {
    const [kept] = hooksAt(sb, 'group', sb.gitlab.groupId);
    const res = await gitlabApi(sb, 'POST', `groups/${sb.gitlab.groupId}/hooks`, { url: webhookUrl(sb), token: 'whatever-token', merge_requests_events: true });
    expect(res.status).toBe(201);
    const extra = (await res.json()) as { id: number };
    expect(hooksAt(sb, 'group', sb.gitlab.groupId)).toHaveLength(2);

    const bad = await runDoctor(sb.env);
    expect(bad.exitCode).toBe(1);
    const dup = checkOf(bad.out, `gitlab.hook.duplicates:${sb.gitlab.group}`);
    expect(dup).toMatchObject({ status: 'fail' });
    expect(dup!.message).toContain(`id ${extra.id}`);
    expect(dup!.fix).toContain(`keeps hook ${kept.id}`);
    expect(hooksAt(sb, 'group', sb.gitlab.groupId)).toHaveLength(2); // doctor reports, it does not delete

    const dry = captureIO(sb.env);
    expect((await runInstallCommand(['--dry-run'], { io: dry.io, tuning: FAST })).exitCode, dry.err()).toBe(0);
    expect(dry.all()).toContain(`duplicate group hook on ${sb.gitlab.group} (id ${extra.id}, same URL): delete`);
    expect(hooksAt(sb, 'group', sb.gitlab.groupId)).toHaveLength(2);

    const c = captureIO(sb.env);
    expect((await runInstallCommand(['--json', '--yes', '--skip-backfill'], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
    expect(JSON.parse(c.out()).hooks[0]).toMatchObject({ id: kept.id, removedDuplicates: [extra.id] });
    expect(hooksAt(sb, 'group', sb.gitlab.groupId).map((h) => h.id)).toEqual([kept.id]);
    expect((await runDoctor(sb.env)).exitCode).toBe(0);
  });

  test('the webhook\'s request identifier (per delivery) drops a resend of a delivery, and only that', async () => {
    const projects = (await (await gitlabApi(sb, 'GET', `groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false`)).json()) as Array<{ id: number }>;
    const before = sb.port.ingestStats();
    const res = await sb.gitlab.openIssue(projects[0].id, { title: 'delivered once, resent once' });
    const [delivery] = res.events[0].deliveries;
    expect(res.events[0].deliveries).toHaveLength(1); // one hook: one delivery per event
    expect((await sb.gitlab.resendDelivery(delivery.idempotencyKey))?.outcome).toBe('delivered');
    await sb.port.idle();
    const after = sb.port.ingestStats();
    expect(after.received - before.received).toBe(2);
    expect(after.deduplicated - before.deduplicated).toBe(1);
    expect(after.processed - before.processed).toBe(1);
    expect(sb.port.entity('gitlabIssue', String(res.object.id))?.title).toBe('delivered once, resent once');
  });

  test('uninstall removes every hook of ours, a duplicate too (it would go on delivering to a deleted webhook)', async () => {
    const url = webhookUrl(sb);
    expect((await gitlabApi(sb, 'POST', `groups/${sb.gitlab.groupId}/hooks`, { url, token: 'whatever-token', merge_requests_events: true })).status).toBe(201);
    expect(hooksAt(sb, 'group', sb.gitlab.groupId)).toHaveLength(2);
    const c = captureIO(sb.env);
    expect((await runUninstallCommand(['--yes'], { io: c.io, tuning: FAST })).exitCode, c.all()).toBe(0);
    expect(sb.gitlab.hooks().filter((h) => h.url === url)).toEqual([]);
  });
});

describe('two installs at once with --project-hooks (GitLab Free)', () => {
  let sb: Sandboxes;
  let projects: Array<{ id: number; path_with_namespace: string }>;
  beforeAll(async () => {
    sb = await startSandboxes({ gitlab: { tier: 'free' } });
    const res = await gitlabApi(sb, 'GET', `groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false&per_page=100`);
    projects = (await res.json()) as typeof projects;
    expect(projects.length).toBeGreaterThan(2);
  });
  afterAll(async () => { await sb?.close(); });

  test('one hook per project, whatever order the two runs wrote in', async () => {
    const runs = await installTwiceAtOnce(sb, { projectHooks: true });
    for (const r of runs) expect(r.exitCode, JSON.stringify(r.error)).toBe(0);
    for (const p of projects) expect(hooksAt(sb, 'project', p.id), p.path_with_namespace).toHaveLength(1);
  });

  test('a duplicate on one project: doctor fails it in the summary of duplicates, install removes it', async () => {
    const victim = projects[1];
    const [kept] = hooksAt(sb, 'project', victim.id);
    const res = await gitlabApi(sb, 'POST', `projects/${victim.id}/hooks`, { url: webhookUrl(sb), token: 'whatever-token', merge_requests_events: true });
    expect(res.status).toBe(201);
    const extra = (await res.json()) as { id: number };

    const bad = await runDoctor(sb.env);
    expect(bad.exitCode).toBe(1);
    const dup = checkOf(bad.out, `gitlab.project-hooks.duplicates:${sb.gitlab.group}`);
    expect(dup).toMatchObject({ status: 'fail' });
    expect(dup!.message).toContain(`${victim.path_with_namespace}: also hook ${extra.id}`);

    const c = captureIO(sb.env);
    expect((await runInstallCommand(['--yes', '--skip-backfill', '--project-hooks'], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
    expect(c.out()).toContain(`GitLab project hook ${kept.id} on ${victim.path_with_namespace}: unchanged; deleted duplicate hook(s) ${extra.id} (same URL)`);
    expect(hooksAt(sb, 'project', victim.id).map((h) => h.id)).toEqual([kept.id]);
    expect((await runDoctor(sb.env)).exitCode).toBe(0);
  });
});
