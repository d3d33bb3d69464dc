// Upgrade from the version where every install in a Port organisation shared one Port webhook
// (`gitlabIntegration`, one secret) to per-install webhooks. The old state is rebuilt exactly as
// that version left it: the legacy webhook with the bundle's mappings, each group hook at its URL
// with its token and a description naming it, no webhook of the install's own, no sync watermark.
// Then the new version's doctor, sync, install and uninstall run on it: nothing stops working,
// `install` moves the install to its own webhook without losing an event, and the legacy webhook
// goes once no install that has not migrated is left.
import { afterEach, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runUninstallCommand } from '../../scripts/commands/uninstall.ts';
import { runSyncCommand } from '../../scripts/commands/sync.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { defaultOptions, renderWebhook } from '../../scripts/bundle/render.ts';
import { hookDescription } from '../../scripts/install/hook-plan.ts';
import { installIdOf } from '../../scripts/install/install-id.ts';
import { SYNC_STATE_BLUEPRINT } from '../../scripts/sync/watermark.ts';
import type { SyncSummary } from '../../scripts/sync/run.ts';
import { FAST, captureIO, installWebhookId, runDoctor, startSandboxes, type Sandboxes } from './helpers.ts';

const BUNDLE = loadBundle();
const LEGACY = BUNDLE.webhook.content.identifier;
const PARTNERS = 'sandbox-org-partners';
const SECRET = 'legacy-shared-secret-of-every-install-0123456789';
type Obj = Record<string, any>;

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function gitlabJson<T>(s: Sandboxes, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${s.gitlab.url}/api/v4/${path}`, { ...init, headers: { 'private-token': s.gitlab.token, 'content-type': 'application/json' } });
  expect(res.ok, `${path}: ${res.status}`).toBe(true);
  return (await res.json()) as T;
}

/** Makes the token's user Owner of the second top-level group, as an admin would. */
async function ownPartners(s: Sandboxes): Promise<number> {
  const me = await gitlabJson<{ id: number }>(s, 'user');
  await s.gitlab.addMember(PARTNERS, { userId: me.id, accessLevel: 50 });
  return (await gitlabJson<{ id: number }>(s, `groups/${PARTNERS}`)).id;
}

async function install(env: Record<string, string>, onStep?: (step: string) => Promise<void>) {
  const c = captureIO(env);
  const r = await runInstallCommand(['--json'], { io: c.io, tuning: FAST, ...(onStep ? { onStep } : {}) });
  expect(r.exitCode, c.err()).toBe(0);
  return JSON.parse(c.out()) as Obj;
}

const portClient = (s: Sandboxes) => new PortClient({ clientId: s.port.clientId, clientSecret: s.port.clientSecret, baseUrl: s.port.url, retry: FAST.port!.retry });

/**
 * Turns installs of this version into what the version before per-install webhooks left: one
 * `gitlabIntegration` webhook with one secret, every group's hook at its URL with that token.
 */
async function toLegacy(s: Sandboxes, groupIds: number[]): Promise<string> {
  const port = portClient(s);
  const legacy = await port.createWebhook(renderWebhook(BUNDLE, { options: defaultOptions(BUNDLE), secret: SECRET }));
  for (const gid of groupIds) {
    const hook = s.gitlab.hooks().find((h) => h.group_id === gid)!;
    await gitlabJson(s, `groups/${gid}/hooks/${hook.id}`, { method: 'PUT', body: JSON.stringify({ url: legacy.url, token: SECRET, description: hookDescription(LEGACY, SECRET) }) });
    await port.deleteWebhook(installWebhookId(s, [gid]));
    await port.deleteEntity(SYNC_STATE_BLUEPRINT, installIdOf(s.env.GITLAB_URL, [gid]));
  }
  return legacy.url!;
}

const hookOf = (s: Sandboxes, gid: number) => s.gitlab.hooks().find((h) => h.group_id === gid)!;
const firstProject = async (s: Sandboxes, gid: number) => (await gitlabJson<Obj[]>(s, `groups/${gid}/projects?include_subgroups=true&with_shared=false&archived=false&order_by=id&sort=asc`))[0];

/** Opens an MR in GitLab (the hook delivers it) and returns whether Port has it after the delivery. */
async function delivered(s: Sandboxes, projectId: number, title: string): Promise<boolean> {
  const { object: mr } = await s.gitlab.openMergeRequest(projectId, { title });
  await s.port.idle();
  return s.port.entity('gitlabMergeRequest', String(mr.id))?.title === title;
}

describe('one install of the version with a shared webhook', { timeout: 120_000 }, () => {
  test('doctor and sync keep working on the legacy webhook (and say how to migrate); install migrates it without losing an event; uninstall then removes it all', async () => {
    sb = await startSandboxes();
    const s = sb;
    await install(s.env);
    const legacyUrl = await toLegacy(s, [s.gitlab.groupId]);
    const own = installWebhookId(s);
    const hookId = hookOf(s, s.gitlab.groupId).id;
    const project = await firstProject(s, s.gitlab.groupId);
    expect(await delivered(s, project.id, 'through the legacy webhook')).toBe(true);

    // The new version's doctor: healthy, with the legacy webhook named and the way to migrate.
    const d = await runDoctor(s.env);
    expect(d.exitCode, d.out).toBe(0);
    const checks = JSON.parse(d.out).checks as Obj[];
    expect(checks.find((c) => c.check === 'port.webhook.legacy')).toMatchObject({ status: 'warn', message: expect.stringContaining(`run \`port-gitlab install\` to give it its own ("${own}")`) });
    expect(checks.find((c) => c.check === `token:${s.gitlab.group}`)?.status).toBe('ok');

    // Its sync checks the hook against the legacy webhook: healthy.
    const c = captureIO(s.env);
    const sr = await runSyncCommand(['--json'], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0 } });
    expect(sr.exitCode, c.err()).toBe(0);
    const sync = JSON.parse(c.out()) as SyncSummary;
    expect(sync.hooks.status).toBe('ok');
    expect(sync.hooks.checks.map((x) => [x.check, x.status])).toEqual([['port.webhook.legacy', 'warn'], [`gitlab.hook:${s.gitlab.group}`, 'ok']]);

    // The dry run shows the migration and writes nothing.
    const dry = captureIO(s.env);
    const writes = s.proxy.writes().length;
    const webhooksBefore = s.port.webhooks();
    const plan = await runInstallCommand(['--json', '--dry-run'], { io: dry.io, tuning: FAST });
    expect(plan.exitCode, dry.err()).toBe(0);
    const planned = JSON.parse(dry.out()) as Obj;
    expect(planned.webhook).toMatchObject({ identifier: own, action: 'create' });
    expect(planned.hooks).toEqual([expect.objectContaining({ id: hookId, action: 'update', reasons: ['url: → the new webhook URL'] })]);
    expect(planned.legacyWebhook).toMatchObject({ identifier: LEGACY, action: 'delete' });
    expect(planned.plan).toContain(`this install's hooks are repointed to "${own}"`);
    expect(s.proxy.writes().length).toBe(writes);
    expect(s.port.webhooks()).toEqual(webhooksBefore);

    // install: its own webhook first, then the hook moves (one update): an event between the two
    // still reaches Port through the legacy webhook, and one after goes through the new one.
    let during = false;
    const json = await install(s.env, async (step) => {
      if (step !== 'hooks') return;
      expect(s.port.webhooks().map((w) => w.identifier).sort()).toEqual([LEGACY, own].sort());
      during = await delivered(s, project.id, 'during the migration');
    });
    expect(during).toBe(true);
    expect(json.webhook).toMatchObject({ identifier: own, action: 'created', secret: 'generated' });
    expect(json.hooks).toEqual([expect.objectContaining({ id: hookId, action: 'updated' })]);
    expect(json.legacyWebhook).toEqual({ identifier: LEGACY, action: 'deleted', reason: expect.stringContaining('no other install still uses it') });
    const ownWebhook = s.port.webhooks().find((w) => w.identifier === own)!;
    expect(s.port.webhooks().map((w) => w.identifier)).toEqual([own]);
    expect(ownWebhook.security!.secret).not.toBe(SECRET);
    expect(hookOf(s, s.gitlab.groupId)).toMatchObject({ id: hookId, url: ownWebhook.url });
    expect(hookOf(s, s.gitlab.groupId).url).not.toBe(legacyUrl);
    expect(await delivered(s, project.id, 'through its own webhook')).toBe(true);

    const after = await runDoctor(s.env);
    expect(after.exitCode, after.out).toBe(0);
    expect((JSON.parse(after.out).checks as Obj[]).some((x) => x.check === 'port.webhook.legacy')).toBe(false);

    const u = captureIO(s.env);
    expect((await runUninstallCommand(['--yes', '--purge'], { io: u.io, tuning: FAST })).exitCode, u.err()).toBe(0);
    expect(s.port.webhooks()).toEqual([]);
    expect(s.gitlab.hooks()).toEqual([]);
  });

  test('uninstall of a not yet migrated install removes its hook and the legacy webhook', async () => {
    sb = await startSandboxes();
    await install(sb.env);
    await toLegacy(sb, [sb.gitlab.groupId]);
    const u = captureIO(sb.env);
    const r = await runUninstallCommand(['--yes', '--json'], { io: u.io, tuning: FAST });
    expect(r.exitCode, u.err()).toBe(0);
    expect(r.result!.webhook).toEqual({ identifier: LEGACY, deleted: true });
    expect(sb.port.webhooks()).toEqual([]);
    expect(sb.gitlab.hooks()).toEqual([]);
  });
});

test('uninstall after a half-done migration removes the hook still at the legacy URL too', { timeout: 120_000 }, async () => {
  sb = await startSandboxes();
  await install(sb.env);
  // An older version's run left a hook at the legacy webhook on the same group.
  const legacy = await portClient(sb).createWebhook(renderWebhook(BUNDLE, { options: defaultOptions(BUNDLE), secret: SECRET }));
  await gitlabJson(sb, `groups/${sb.gitlab.groupId}/hooks`, { method: 'POST', body: JSON.stringify({ url: legacy.url, token: SECRET, push_events: true }) });
  expect(sb.gitlab.hooks()).toHaveLength(2);
  const u = captureIO(sb.env);
  const r = await runUninstallCommand(['--yes', '--json'], { io: u.io, tuning: FAST });
  expect(r.exitCode, u.err()).toBe(0);
  expect(r.result!.hooks.map((h) => h.deleted)).toEqual([true, true]);
  expect(r.result!.legacyWebhook).toEqual({ identifier: LEGACY, deleted: true });
  expect(sb.gitlab.hooks()).toEqual([]);
  expect(sb.port.webhooks()).toEqual([]);
});

describe('two installs that shared the legacy webhook', { timeout: 120_000 }, () => {
  test('the first to migrate leaves it to the other, whose events still arrive; the second migration deletes it; uninstalling one never touches the other', async () => {
    sb = await startSandboxes();
    const s = sb;
    const partnersId = await ownPartners(s);
    const envA = { ...s.env, GITLAB_GROUPS: s.gitlab.group };
    const envB = { ...s.env, GITLAB_GROUPS: PARTNERS };
    await install(envA);
    await install(envB);
    await toLegacy(s, [s.gitlab.groupId, partnersId]);
    const projectA = await firstProject(s, s.gitlab.groupId);
    const projectB = await firstProject(s, partnersId);

    // A migrates; B has not: the legacy webhook stays for B, and B's hook is not touched.
    const hookB = hookOf(s, partnersId);
    const a = await install(envA);
    expect(a.legacyWebhook).toMatchObject({ identifier: LEGACY, action: 'kept', reason: expect.stringContaining('another install (') });
    expect(s.port.webhooks().map((w) => w.identifier).sort()).toEqual([LEGACY, installWebhookId(s)].sort());
    expect(hookOf(s, partnersId)).toEqual(hookB);
    expect(await delivered(s, projectB.id, 'B, still on the legacy webhook')).toBe(true);
    expect(await delivered(s, projectA.id, 'A, on its own webhook')).toBe(true);
    const doctorB = await runDoctor(envB);
    expect(doctorB.exitCode, doctorB.out).toBe(0);
    expect((JSON.parse(doctorB.out).checks as Obj[]).find((x) => x.check === 'port.webhook.legacy')?.status).toBe('warn');

    // B migrates: A already has its own webhook, so nobody feeds the legacy one any more.
    const b = await install(envB);
    expect(b.legacyWebhook).toMatchObject({ identifier: LEGACY, action: 'deleted' });
    const webhookA = installWebhookId(s);
    const webhookB = installWebhookId(s, [partnersId]);
    expect(s.port.webhooks().map((w) => w.identifier).sort()).toEqual([webhookA, webhookB].sort());
    const [wA, wB] = [webhookA, webhookB].map((id) => s.port.webhooks().find((w) => w.identifier === id)!);
    expect(wA.security!.secret).not.toBe(wB.security!.secret);
    expect(hookOf(s, s.gitlab.groupId).url).toBe(wA.url);
    expect(hookOf(s, partnersId).url).toBe(wB.url);

    // Uninstalling B leaves A's webhook, secret and hook as they were; A's events still arrive.
    const hookA = hookOf(s, s.gitlab.groupId);
    const u = captureIO(envB);
    expect((await runUninstallCommand(['--yes'], { io: u.io, tuning: FAST })).exitCode, u.err()).toBe(0);
    expect(s.port.webhooks()).toEqual([wA]);
    expect(s.gitlab.hooks()).toEqual([hookA]);
    expect(await delivered(s, projectA.id, 'A after B left')).toBe(true);
  });
});
