// Two GitLab instances, one Port organisation: entity identifiers are GitLab's numeric ids, which
// each instance numbers on its own (the two local GitLabs below, same seed, have the very same
// ids), so a second instance would overwrite the first one's entities. install, backfill and sync
// for the second instance refuse (exit 2) before writing anything, name the entities found and the
// way out; the first instance keeps working; once it is uninstalled with --purge, the second
// installs. Two installs of one instance (other top-level groups) are not refused (uninstall-shared).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import { runSyncCommand } from '../../scripts/commands/sync.ts';
import { runUninstallCommand } from '../../scripts/commands/uninstall.ts';
import { startLocalGitLab, type LocalGitLab } from '../../scripts/sandbox/gitlab/index.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import type { StoredEntity } from '../../scripts/sandbox/port/store.ts';
import { FAST, captureIO, portWrites, runDoctor, startSandboxes, type Sandboxes } from './helpers.ts';

const BLUEPRINTS = loadBundle().blueprints.map((b) => b.content.identifier);
type Obj = Record<string, any>;

describe('a second GitLab instance in the same Port organisation', { timeout: 120_000 }, () => {
  let sb: Sandboxes;
  let second: LocalGitLab;
  let envB: Record<string, string>;
  const snapshot = () => new Map(BLUEPRINTS.flatMap((bp) => sb.port.entities(bp).map((e) => [`${bp}/${e.identifier}`, e] as [string, StoredEntity])));

  beforeAll(async () => {
    sb = await startSandboxes();
    second = await startLocalGitLab({ seed: 'small', rateLimit: false });
    envB = { ...sb.env, GITLAB_URL: second.url, GITLAB_TOKEN: second.token, GITLAB_GROUPS: second.group };
    const c = captureIO(sb.env);
    expect((await runInstallCommand([], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
  });
  afterAll(async () => {
    await second?.close();
    await sb?.close();
  });

  test('the two instances number their objects alike: the same ids, other hosts', async () => {
    expect(second.groupId).toBe(sb.gitlab.groupId);
    expect(second.group).toBe(sb.gitlab.group);
    expect(second.url).not.toBe(sb.gitlab.url);
    expect(sb.port.entity('gitlabGroup', String(second.groupId))?.properties.url).toBe(`${sb.gitlab.url}/groups/${sb.gitlab.group}`);
  });

  test('install, backfill and sync for the second instance refuse before writing, and say why and what to do', async () => {
    const before = snapshot();
    const counts = sb.port.requestCounts();
    const webhooks = sb.port.webhooks();
    const run = async (cmd: typeof runInstallCommand | typeof runBackfillCommand | typeof runSyncCommand) => {
      const c = captureIO(envB);
      const r = await cmd(['--json'], { io: c.io, tuning: FAST });
      return { exitCode: r.exitCode, json: JSON.parse(c.out()) as Obj, err: c.err() };
    };
    for (const [name, cmd] of [['install', runInstallCommand], ['backfill', runBackfillCommand], ['sync', runSyncCommand]] as const) {
      const r = await run(cmd);
      expect(r.exitCode, `${name}: ${r.err}`).toBe(2);
      const check = (r.json.preflight.checks as Obj[]).find((c) => c.check === 'gitlab.instance');
      expect(check, name).toMatchObject({ status: 'fail' });
      expect(check!.message).toContain(`Port already holds entities of another GitLab instance than ${second.url}: gitlabGroup "${sb.gitlab.groupId}" (${sb.gitlab.url}/groups/${sb.gitlab.group})`);
      expect(check!.message).toContain('would overwrite each other');
      expect(check!.fix).toContain('separate Port organisation for each GitLab instance');
      expect(check!.fix).toContain('port-gitlab uninstall --purge');
    }
    // Nothing written to Port, no webhook for the second instance, no hook in its GitLab.
    expect(portWrites(sb.port, counts)).toEqual({});
    expect(snapshot()).toEqual(before);
    expect(sb.port.webhooks()).toEqual(webhooks);
    expect(second.hooks()).toEqual([]);
  });

  test('the first instance keeps working: its events still arrive, its backfill is not refused', async () => {
    const [project] = (await (await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?with_shared=false&include_subgroups=true&order_by=id&sort=asc`, { headers: { 'private-token': sb.gitlab.token } })).json()) as Obj[];
    const { object: mr } = await sb.gitlab.openMergeRequest(project.id, { title: 'first instance, after the refusal' });
    await sb.port.idle();
    expect(sb.port.entity('gitlabMergeRequest', String(mr.id))?.title).toBe('first instance, after the refusal');
    const c = captureIO(sb.env);
    expect((await runBackfillCommand(['--json'], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
    const d = await runDoctor(sb.env);
    expect(d.exitCode, d.out).toBe(0);
    expect((JSON.parse(d.out).checks as Obj[]).find((x) => x.check === 'gitlab.instance')).toMatchObject({ status: 'ok', message: `Port holds no GitLab entity of another instance than ${sb.gitlab.url}` });
  });

  test('doctor of an instance whose Port already holds another instance\'s entities fails with the same check', async () => {
    const d = await runDoctor(envB);
    expect(d.exitCode).toBe(1);
    expect((JSON.parse(d.out).checks as Obj[]).find((x) => x.check === 'gitlab.instance')).toMatchObject({ status: 'fail', message: expect.stringContaining(`another GitLab instance than ${second.url}`) });
  });

  test('the way out: once the first instance is uninstalled with --purge, the second installs', async () => {
    const u = captureIO(sb.env);
    expect((await runUninstallCommand(['--yes', '--purge'], { io: u.io, tuning: FAST })).exitCode, u.err()).toBe(0);
    const c = captureIO(envB);
    const r = await runInstallCommand(['--json'], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
    expect(sb.port.entity('gitlabGroup', String(second.groupId))?.properties.url).toBe(`${second.url}/groups/${second.group}`);
    expect(second.hooks()).toHaveLength(1);
  });
});

describe('a second GitLab instance while the first has written nothing yet', { timeout: 120_000 }, () => {
  test('its install is refused on the first install\'s webhook, which records its instance', async () => {
    const sb = await startSandboxes();
    const second = await startLocalGitLab({ seed: 'small', rateLimit: false });
    try {
      const a = captureIO(sb.env);
      expect((await runInstallCommand(['--skip-backfill'], { io: a.io, tuning: FAST })).exitCode, a.err()).toBe(0);
      expect(BLUEPRINTS.every((bp) => sb.port.entities(bp).length === 0)).toBe(true);
      const [webhookA] = sb.port.webhooks();
      expect(webhookA.description).toContain(`GitLab instance: ${sb.gitlab.url}`);

      const c = captureIO({ ...sb.env, GITLAB_URL: second.url, GITLAB_TOKEN: second.token, GITLAB_GROUPS: second.group });
      const r = await runInstallCommand(['--json'], { io: c.io, tuning: FAST });
      expect(r.exitCode, c.err()).toBe(2);
      const check = (JSON.parse(c.out()).preflight.checks as Obj[]).find((x) => x.check === 'gitlab.instance');
      expect(check).toMatchObject({ status: 'fail', message: expect.stringContaining(`another install in this Port organisation is for another GitLab instance than ${second.url}: Port webhook "${webhookA.identifier}" (${sb.gitlab.url})`) });
      expect(sb.port.webhooks()).toEqual([webhookA]);
      expect(second.hooks()).toEqual([]);
    } finally {
      await second.close();
      await sb.close();
    }
  });
});
