// Two installs in one Port organisation: two top-level groups of one GitLab, each with its own
// token (B's user is Owner of its group only and a Guest of A's). Each has its own Port webhook and
// secret, and its hook feeds it; doctor, backfill, sync and reconcile of A never touch B's webhook,
// hook or entities (even B's objects that GitLab dropped without an event: that is B's sync's job);
// uninstalling A leaves B working.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import { runSyncCommand } from '../../scripts/commands/sync.ts';
import { runUninstallCommand } from '../../scripts/commands/uninstall.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import type { StoredEntity } from '../../scripts/sandbox/port/store.ts';
import { FAST, captureIO, installWebhookId, runDoctor, startSandboxes, type Sandboxes } from './helpers.ts';

const BLUEPRINTS = loadBundle().blueprints.map((b) => b.content.identifier);
const PARTNERS = 'sandbox-org-partners';
type Obj = Record<string, any>;

describe('two installs (two top-level groups, two tokens) in one Port organisation', { timeout: 180_000 }, () => {
  let sb: Sandboxes;
  let envA: Record<string, string>;
  let envB: Record<string, string>;
  let partnersId: number;
  let projectA: Obj;
  let projectB: Obj;
  const snapshot = () => new Map(BLUEPRINTS.flatMap((bp) => sb.port.entities(bp).map((e) => [`${bp}/${e.identifier}`, e] as [string, StoredEntity])));
  /** B's entities: under its group's URLs, or (members) related to its groups. */
  const ofB = (s: Map<string, StoredEntity>) => {
    const groupsB = new Set([...s].filter(([k, e]) => k.startsWith('gitlabGroup/') && String(e.properties.url ?? '').includes(`/groups/${PARTNERS}`)).map(([, e]) => e.identifier));
    return new Map([...s].filter(([k, e]) => {
      const url = String(e.properties.url ?? '');
      if (url) return url.startsWith(`${sb.gitlab.url}/${PARTNERS}/`) || url.startsWith(`${sb.gitlab.url}/groups/${PARTNERS}`);
      return k.startsWith('gitlabMember/') && groupsB.has(String(e.relations.group));
    }));
  };
  const api = async <T>(token: string, path: string): Promise<T> => (await (await fetch(`${sb.gitlab.url}/api/v4/${path}`, { headers: { 'private-token': token } })).json()) as T;
  const hookOf = (gid: number) => sb.gitlab.hooks().find((h) => h.group_id === gid)!;
  const webhook = (id: string) => sb.port.webhooks().find((w) => w.identifier === id)!;
  async function run(cmd: typeof runInstallCommand | typeof runBackfillCommand | typeof runSyncCommand, env: Record<string, string>, args: string[] = []) {
    const c = captureIO(env);
    const r = await cmd(['--json', ...args], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
    return JSON.parse(c.out()) as Obj;
  }
  async function delivered(projectId: number, title: string): Promise<boolean> {
    const { object: mr } = await sb.gitlab.openMergeRequest(projectId, { title });
    await sb.port.idle();
    return sb.port.entity('gitlabMergeRequest', String(mr.id))?.title === title;
  }

  beforeAll(async () => {
    sb = await startSandboxes({ gitlab: { extraTokens: [{ role: 'guest', username: 'partners-owner' }] } });
    const tokenB = sb.gitlab.extraTokens[0];
    const userB = await api<{ id: number }>(tokenB, 'user');
    await sb.gitlab.addMember(PARTNERS, { userId: userB.id, accessLevel: 50 });
    partnersId = (await api<{ id: number }>(tokenB, `groups/${PARTNERS}`)).id;
    envA = { ...sb.env, GITLAB_GROUPS: sb.gitlab.group };
    envB = { ...sb.env, GITLAB_TOKEN: tokenB, GITLAB_GROUPS: PARTNERS };
    await run(runInstallCommand, envA);
    await run(runInstallCommand, envB);
    const firstProject = async (token: string, gid: number) => (await api<Obj[]>(token, `groups/${gid}/projects?include_subgroups=true&with_shared=false&archived=false&order_by=id&sort=asc`))[0];
    projectA = await firstProject(sb.gitlab.token, sb.gitlab.groupId);
    projectB = await firstProject(tokenB, partnersId);
  });
  afterAll(async () => {
    await sb?.close();
  });

  test('each install has its own webhook, secret and hook, and each one\'s events arrive', async () => {
    const [wA, wB] = [installWebhookId(sb), installWebhookId(sb, [partnersId])].map(webhook);
    expect(sb.port.webhooks()).toHaveLength(2);
    expect(wA.security!.secret).not.toBe(wB.security!.secret);
    expect(hookOf(sb.gitlab.groupId).url).toBe(wA.url);
    expect(hookOf(partnersId).url).toBe(wB.url);
    expect(await delivered(projectA.id, 'A, live')).toBe(true);
    expect(await delivered(projectB.id, 'B, live')).toBe(true);
    expect(ofB(snapshot()).size).toBeGreaterThan(0);
  });

  test('doctor, backfill, full sync and reconcile of A leave B\'s webhook, hook and entities alone', async () => {
    // GitLab drops an MR of each group without an event.
    const mrA = (await sb.gitlab.openMergeRequest(projectA.id, { title: 'A, to be deleted silently' })).object;
    const mrB = (await sb.gitlab.openMergeRequest(projectB.id, { title: 'B, to be deleted silently' })).object;
    await sb.port.idle();
    await sb.gitlab.deleteMergeRequest(projectA.id, Number(mrA.iid));
    await sb.gitlab.deleteMergeRequest(projectB.id, Number(mrB.iid));
    const before = snapshot();
    const webhookB = webhook(installWebhookId(sb, [partnersId]));
    const hookB = hookOf(partnersId);

    const doctor = await runDoctor(envA);
    expect(doctor.exitCode, doctor.out).toBe(0);
    expect((JSON.parse(doctor.out).checks as Obj[]).filter((c) => String(c.check).startsWith('gitlab.hook')).map((c) => c.check)).toEqual([`gitlab.hook:${sb.gitlab.group}`]);
    await run(runBackfillCommand, envA, ['--since-days', 'all']);
    const sync = await run(runSyncCommand, envA, ['--full']);
    expect(sync.hooks.checks.map((c: Obj) => c.check)).toEqual([`gitlab.hook:${sb.gitlab.group}`]);

    const after = snapshot();
    expect(after.has(`gitlabMergeRequest/${mrA.id}`)).toBe(false); // A's, reconciled
    expect(ofB(after)).toEqual(ofB(before)); // B's, all of it: the silently deleted MR is B's sync's business
    expect(after.has(`gitlabMergeRequest/${mrB.id}`)).toBe(true);
    expect(webhook(webhookB.identifier)).toEqual(webhookB);
    expect(hookOf(partnersId)).toEqual(hookB);

    // B's own sync then reconciles B's.
    await run(runSyncCommand, envB, ['--full']);
    expect(snapshot().has(`gitlabMergeRequest/${mrB.id}`)).toBe(false);
  });

  test('a third install over groups the first two already cover is refused before any write (GITLAB_GROUPS changed without an uninstall)', async () => {
    // A's user becomes Owner of B's group too, so that the preflight passes for both groups.
    const me = await api<{ id: number }>(sb.gitlab.token, 'user');
    await sb.gitlab.addMember(PARTNERS, { userId: me.id, accessLevel: 50 });
    const webhooks = sb.port.webhooks();
    const hooks = sb.gitlab.hooks();
    const c = captureIO({ ...envA, GITLAB_GROUPS: `${sb.gitlab.group},${PARTNERS}` });
    const r = await runInstallCommand(['--json'], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(2);
    const json = JSON.parse(c.out()) as Obj;
    expect(json.error.step).toBe('plan');
    expect(json.error.message).toContain(`"${sb.gitlab.group}" is already covered by another install in this Port organisation (its hook ${hookOf(sb.gitlab.groupId).id} feeds the Port webhook "${installWebhookId(sb)}")`);
    expect(json.error.message).toContain(`"${PARTNERS}" is already covered by another install`);
    expect(json.error.fix).toContain('run `port-gitlab uninstall` with its old GITLAB_GROUPS first');
    expect(sb.port.webhooks()).toEqual(webhooks);
    expect(sb.gitlab.hooks()).toEqual(hooks);
  });

  test('uninstalling A leaves B working: its webhook, secret, hook and entities', async () => {
    const webhookB = webhook(installWebhookId(sb, [partnersId]));
    const hookB = hookOf(partnersId);
    const entitiesB = ofB(snapshot());
    const c = captureIO(envA);
    expect((await runUninstallCommand(['--yes', '--purge'], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
    expect(sb.port.webhooks()).toEqual([webhookB]);
    expect(sb.gitlab.hooks()).toEqual([hookB]);
    expect(ofB(snapshot())).toEqual(entitiesB);
    expect(await delivered(projectB.id, 'B, after A left')).toBe(true);
    const doctor = await runDoctor(envB);
    expect(doctor.exitCode, doctor.out).toBe(0);
    const sync = await run(runSyncCommand, envB);
    expect(sync.ok).toBe(true);
  });
});
