// Uninstall when two installs (different top-level groups) share one Port organisation: each has
// its own Port webhook, and they share the blueprints, so uninstalling A removes only A's GitLab
// hooks and A's webhook (and with --purge only A's entities and sync watermark); B keeps working.
// Entities written before install ids existed have no known owner and are never deleted by a
// shared uninstall.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runUninstallCommand } from '../../scripts/commands/uninstall.ts';
import { userAgent } from '../../scripts/clients/shared/user-agent.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import type { StoredEntity } from '../../scripts/sandbox/port/store.ts';
import { FAST, captureIO, installWebhookId, startSandboxes, type Sandboxes } from './helpers.ts';
import { SYNC_STATE_BLUEPRINT } from '../../scripts/sync/watermark.ts';

const BUNDLE = loadBundle();
const BLUEPRINTS = BUNDLE.blueprints.map((b) => b.content.identifier);
const PARTNERS = 'sandbox-org-partners';

type Snapshot = Map<string, StoredEntity>;
const snapshot = (sb: Sandboxes): Snapshot => new Map(BLUEPRINTS.flatMap((bp) => sb.port.entities(bp).map((e) => [`${bp}/${e.identifier}`, e] as [string, StoredEntity])));
const writtenBy = (s: Snapshot, installId: string) => new Map([...s].filter(([, e]) => e.datasource === userAgent(installId)));

async function gitlabJson<T>(sb: Sandboxes, path: string): Promise<T> {
  return (await (await fetch(`${sb.gitlab.url}/api/v4/${path}`, { headers: { 'private-token': sb.gitlab.token } })).json()) as T;
}

/** Makes the token's user Owner of the second top-level group, as an admin would. */
async function ownPartners(sb: Sandboxes): Promise<number> {
  const me = await gitlabJson<{ id: number }>(sb, 'user');
  await sb.gitlab.addMember(PARTNERS, { userId: me.id, accessLevel: 50 });
  return (await gitlabJson<{ id: number }>(sb, `groups/${PARTNERS}`)).id;
}

async function install(env: Record<string, string>): Promise<string> {
  const c = captureIO(env);
  const r = await runInstallCommand(['--json'], { io: c.io, tuning: FAST });
  expect(r.exitCode, c.err()).toBe(0);
  return r.summary!.installId!;
}

async function uninstall(env: Record<string, string>, args: string[]) {
  const c = captureIO(env);
  const r = await runUninstallCommand(['--yes', '--json', ...args], { io: c.io, tuning: FAST });
  return { ...r, err: c.err(), json: JSON.parse(c.out() || 'null') as Record<string, unknown> | null };
}

const hookGroups = (sb: Sandboxes) => sb.gitlab.hooks().map((h) => h.group_id);

describe('two installs into one Port: uninstall of one leaves the other working', () => {
  let sb: Sandboxes;
  let partnersId: number;
  let envA: Record<string, string>;
  let envB: Record<string, string>;
  let idA: string;
  let idB: string;

  beforeAll(async () => {
    sb = await startSandboxes();
    partnersId = await ownPartners(sb);
    envA = { ...sb.env, GITLAB_GROUPS: sb.gitlab.group };
    envB = { ...sb.env, GITLAB_GROUPS: PARTNERS };
    idA = await install(envA);
    idB = await install(envB);
  });
  afterAll(async () => {
    await sb?.close();
  });

  test('uninstall of A removes A\'s hook and A\'s own webhook only: B\'s webhook, the blueprints and every entity stay, and B\'s hook still feeds Port', async () => {
    expect(new Set(hookGroups(sb))).toEqual(new Set([sb.gitlab.groupId, partnersId]));
    const webhookA = installWebhookId(sb);
    const webhookB = installWebhookId(sb, [partnersId]);
    expect(new Set(sb.port.webhooks().map((w) => w.identifier))).toEqual(new Set([webhookA, webhookB]));
    const secretB = sb.port.webhooks().find((w) => w.identifier === webhookB)!.security!.secret;
    const before = snapshot(sb);
    expect(writtenBy(before, idB).size).toBeGreaterThan(0);

    const r = await uninstall(envA, []);
    expect(r.exitCode, r.err).toBe(0);
    expect(hookGroups(sb)).toEqual([partnersId]);
    expect(sb.port.webhooks().map((w) => w.identifier)).toEqual([webhookB]);
    expect(sb.port.webhooks()[0].security!.secret).toBe(secretB);
    for (const bp of BLUEPRINTS) expect(sb.port.blueprint(bp), bp).toBeDefined();
    expect(snapshot(sb)).toEqual(before);

    // Said plainly, and the same facts in the JSON result.
    expect(r.err).toContain(`deleted the Port webhook ${webhookA}`);
    expect(r.err).toContain('kept the blueprints. Why: another install (');
    const projectsOfB = [...writtenBy(before, idB).keys()].filter((k) => k.startsWith('gitlabProject/')).length;
    expect(r.err).toContain(`${projectsOfB} of gitlabProject`);
    expect(r.result!.webhook).toEqual({ identifier: webhookA, deleted: true });
    const shared = r.json!.shared as { otherInstalls: number; unknownOwner: number; blueprints: Array<{ blueprint: string; otherInstalls: number }>; reason: string };
    expect(shared.unknownOwner).toBe(0);
    expect(shared.otherInstalls).toBe(writtenBy(before, idB).size);
    expect(shared.blueprints.find((b) => b.blueprint === 'gitlabProject')?.otherInstalls).toBe(projectsOfB);

    // B's GitLab hook still delivers to the kept webhook.
    const [project] = await gitlabJson<Array<{ id: number }>>(sb, `groups/${partnersId}/projects?include_subgroups=true&archived=false`);
    const { object: mr } = await sb.gitlab.openMergeRequest(project.id, { title: 'B still works after A left' });
    await sb.port.idle();
    expect(sb.port.entity('gitlabMergeRequest', String(mr.id))?.title).toBe('B still works after A left');
  });

  test('purge of A deletes exactly A\'s entities and sync watermark and keeps B\'s and the blueprints; purge of B then removes everything', async () => {
    // Each install's backfill stored its sync watermark.
    expect(sb.port.entities(SYNC_STATE_BLUEPRINT).map((e) => e.identifier).sort()).toEqual([idA, idB].sort());
    const before = snapshot(sb);
    const ofA = writtenBy(before, idA);
    expect(ofA.size).toBeGreaterThan(0);

    const a = await uninstall(envA, ['--purge']);
    expect(a.exitCode, a.err).toBe(0);
    const after = snapshot(sb);
    for (const key of ofA.keys()) expect(after.has(key), key).toBe(false);
    for (const [key, e] of before) if (!ofA.has(key)) expect(after.get(key), key).toEqual(e);
    expect(after.size).toBe(before.size - ofA.size);
    for (const bp of BLUEPRINTS) expect(sb.port.blueprint(bp), bp).toBeDefined();
    expect(sb.port.webhooks().map((w) => w.identifier)).toEqual([installWebhookId(sb, [partnersId])]);
    expect(a.result!.blueprints.every((b) => b.kept && !b.deleted)).toBe(true);
    expect(a.result!.syncState).toEqual({ entityDeleted: true, blueprintDeleted: false });
    expect(sb.port.entities(SYNC_STATE_BLUEPRINT).map((e) => e.identifier)).toEqual([idB]);
    expect(a.result!.blueprints.reduce((n, b) => n + b.entitiesDeleted, 0)).toBe(ofA.size);
    expect(a.err).toContain(`${[...ofA.keys()].filter((k) => k.startsWith('gitlabProject/')).length} gitlabProject entities of this install`);

    // B is the last install: its purge takes everything, including the MR its hook delivered.
    const b = await uninstall(envB, ['--purge']);
    expect(b.exitCode, b.err).toBe(0);
    expect(b.result!.shared).toBeNull();
    expect(b.result!.blueprints.map((x) => x.identifier)).toEqual([...BLUEPRINTS].reverse());
    expect(b.result!.blueprints.reduce((n, x) => n + x.entitiesDeleted, 0)).toBe(after.size);
    for (const bp of BLUEPRINTS) {
      expect(sb.port.blueprint(bp), bp).toBeUndefined();
      expect(sb.port.entities(bp), bp).toEqual([]);
    }
    expect(sb.port.webhooks()).toEqual([]);
    expect(sb.gitlab.hooks()).toEqual([]);
    // The last install's watermark took the state blueprint with it.
    expect(b.result!.syncState).toEqual({ entityDeleted: true, blueprintDeleted: true });
    expect(sb.port.blueprint(SYNC_STATE_BLUEPRINT)).toBeUndefined();
  });
});

describe('entities written before install ids existed have no known owner', () => {
  let sb: Sandboxes;
  afterAll(async () => {
    await sb?.close();
  });

  test('a purge keeps them and the blueprints, deletes this install\'s entities and its own webhook, and says why', async () => {
    sb = await startSandboxes();
    const id = await install(sb.env);
    // An older version of this package wrote one project: `$datasource` without an install id.
    const legacy = new PortClient({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret, baseUrl: sb.port.url, retry: FAST.port!.retry });
    await legacy.upsertEntity('gitlabProject', { identifier: 'legacy-1', title: 'written before install ids', properties: {}, relations: {} });
    expect(sb.port.entity('gitlabProject', 'legacy-1')?.datasource).toBe(userAgent());
    const ours = writtenBy(snapshot(sb), id);

    const r = await uninstall(sb.env, ['--purge']);
    expect(r.exitCode, r.err).toBe(0);
    expect(r.err).toContain('entities of unknown owner (1 entity of gitlabProject, written by a version before install ids existed');
    expect(r.result!.shared).toMatchObject({ otherInstalls: 0, unknownOwner: 1, blueprints: [{ blueprint: 'gitlabProject', otherInstalls: 0, unknownOwner: 1 }] });
    const left = snapshot(sb);
    expect([...left.keys()]).toEqual(['gitlabProject/legacy-1']);
    expect(r.result!.blueprints.reduce((n, b) => n + b.entitiesDeleted, 0)).toBe(ours.size);
    expect(sb.port.webhooks()).toEqual([]);
    for (const bp of BLUEPRINTS) expect(sb.port.blueprint(bp), bp).toBeDefined();
    expect(sb.gitlab.hooks()).toEqual([]);
  });
});

test('an entity of unknown owner pointing at one of this install\'s keeps it: the purge reports it with the fix and exits 1', async () => {
  const sb = await startSandboxes();
  try {
    const id = await install(sb.env);
    const project = [...writtenBy(snapshot(sb), id).keys()].find((k) => k.startsWith('gitlabProject/'))!.split('/')[1];
    const legacy = new PortClient({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret, baseUrl: sb.port.url, retry: FAST.port!.retry });
    await legacy.upsertEntity('gitlabMergeRequest', { identifier: 'legacy-mr', title: 'written before install ids', properties: {}, relations: { project } });

    const r = await uninstall(sb.env, ['--purge']);
    expect(r.exitCode, r.err).toBe(1);
    const failure = r.result!.failures.find((f) => f.what.startsWith('1 gitlabProject entities of this install'));
    expect(failure?.what).toContain(`(${project})`);
    expect(failure?.fix).toContain('still point at them');
    // Kept: the legacy MR, the project it points at, and the groups that project (or a kept subgroup) points at.
    const left = [...snapshot(sb).keys()];
    expect(left).toEqual(expect.arrayContaining(['gitlabMergeRequest/legacy-mr', `gitlabProject/${project}`]));
    expect(left.filter((k) => !k.startsWith('gitlabGroup/')).sort()).toEqual(['gitlabMergeRequest/legacy-mr', `gitlabProject/${project}`]);
    expect(left.length).toBeGreaterThan(2);
    expect(r.result!.failures.map((f) => f.what.replace(/ of this install.*/, '')).sort()).toEqual([`${left.length - 2} gitlabGroup entities`, '1 gitlabProject entities'].sort());
    expect(sb.port.webhooks()).toEqual([]);
  } finally {
    await sb.close();
  }
});

describe('entities last written by the shared webhook are still the install\'s', () => {
  let sb: Sandboxes;
  afterAll(async () => {
    await sb?.close();
  });

  test('a shared purge deletes what a live event of A wrote too (its URL is under A\'s group), and nothing of B', async () => {
    sb = await startSandboxes();
    const partnersId = await ownPartners(sb);
    const envA = { ...sb.env, GITLAB_GROUPS: sb.gitlab.group };
    const idA = await install(envA);
    const idB = await install({ ...sb.env, GITLAB_GROUPS: PARTNERS });
    // A live change in A's GitLab: the webhook upserts the MR and its project (partial upsert).
    // One of A's own projects (not one shared into A's group from B's: that one is B's).
    const [project] = await gitlabJson<Array<{ id: number }>>(sb, `groups/${sb.gitlab.groupId}/projects?include_subgroups=true&archived=false&with_shared=false`);
    const { object: mr } = await sb.gitlab.openMergeRequest(project.id, { title: 'written by the webhook' });
    await sb.port.idle();
    const byWebhook = [...snapshot(sb)].filter(([, e]) => !e.datasource?.startsWith('port-gitlab-template/')).map(([k]) => k).sort();
    expect(byWebhook).toEqual([`gitlabMergeRequest/${mr.id}`, `gitlabProject/${project.id}`]);
    const before = snapshot(sb);

    const r = await uninstall(envA, ['--purge']);
    expect(r.exitCode, r.err).toBe(0);
    expect(r.err).toContain('whoever wrote them last');
    const after = snapshot(sb);
    // Before ownership by URL, these two stayed behind (their `$datasource` is the webhook's).
    for (const key of byWebhook) expect(after.has(key), key).toBe(false);
    expect([...after.keys()].filter((k) => !writtenBy(before, idB).has(k))).toEqual([]);
    expect(writtenBy(after, idA).size).toBe(0);
    expect(writtenBy(after, idB)).toEqual(writtenBy(before, idB));
    expect(hookGroups(sb)).toEqual([partnersId]);
  });
});
