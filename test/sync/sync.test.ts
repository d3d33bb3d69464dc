// `port-gitlab sync` end to end against both sandboxes, after a real install: the first sync is
// full (no watermark), later ones incremental and pick up changes GitLab made without an event
// (a disabled hook, or no event at all); the watermark lives in Port, advances only after a run
// that failed nothing, and a missing or unusable one means a full sync; a full sync comes by
// itself after --full-after-hours; a dry run writes nothing; disabled hooks are re-enabled.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runSyncCommand, SYNC_HELP } from '../../scripts/commands/sync.ts';
import type { SyncOptions, SyncSummary } from '../../scripts/sync/run.ts';
import { SYNC_STATE_BLUEPRINT } from '../../scripts/sync/watermark.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { createBackfillEngine } from '../../scripts/backfill/mapper.ts';
import type { MappingEngine } from '../../scripts/mapping/engine.ts';
import { FAST, captureIO, portWrites, startSandboxes, type Sandboxes } from '../install/helpers.ts';

type Obj = Record<string, any>;
const BLUEPRINTS = loadBundle().blueprints.map((b) => b.content.identifier);

describe('port-gitlab sync', { timeout: 120_000 }, () => {
  let sb: Sandboxes;
  let port: PortClient;
  let project: Obj;
  let engine: MappingEngine;
  beforeAll(async () => {
    engine = await createBackfillEngine();
    sb = await startSandboxes();
    const c = captureIO(sb.env);
    const r = await runInstallCommand([], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
    port = new PortClient({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret, baseUrl: sb.port.url });
    const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false&order_by=id&sort=asc`, { headers: { 'private-token': sb.gitlab.token } });
    project = ((await res.json()) as Obj[])[0];
  });
  afterAll(async () => {
    await sb?.close();
  });

  async function sync(args: string[] = [], extra: Partial<SyncOptions> = {}) {
    const c = captureIO(sb.env);
    const before = sb.proxy.log.length;
    const r = await runSyncCommand(['--json', ...args], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0, engine, ...extra } });
    const summary = (c.out() ? JSON.parse(c.out()) : undefined) as SyncSummary | undefined;
    return { ...r, summary, err: c.err(), gitlabRequests: sb.proxy.log.slice(before) };
  }
  const state = () => sb.port.entities(SYNC_STATE_BLUEPRINT).find(() => true);
  const entity = (bp: string, id: unknown) => sb.port.entities(bp).find((e) => e.identifier === String(id));

  test('--help explains the command', async () => {
    const c = captureIO(sb.env);
    expect((await runSyncCommand(['--help'], { io: c.io })).exitCode).toBe(0);
    expect(c.out()).toBe(SYNC_HELP + '\n');
    expect(SYNC_HELP).toContain('--full-after-hours');
  });

  test('bad flags: exit 2, nothing requested', async () => {
    const before = sb.proxy.log.length;
    const r = await sync(['--full-after-hours', 'soon', '--overlap-minutes', '99999']);
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('--full-after-hours soon: give a number of hours');
    expect(r.err).toContain('--overlap-minutes 99999: give a number of minutes from 0 to 1440');
    expect(sb.proxy.log.length).toBe(before);
  });

  test('install\'s backfill stored the watermark: the first sync is incremental from its start', async () => {
    const installed = state()!;
    expect(installed.properties).toMatchObject({ lastMode: 'full', formatVersion: 1 });
    expect(installed.properties.lastFullSyncStartedAt).toBe(installed.properties.lastSyncStartedAt);
    const r = await sync();
    expect(r.exitCode, r.err).toBe(0);
    expect(r.summary).toMatchObject({ ok: true, mode: 'incremental', watermark: { read: 'ok', previous: { lastSyncStartedAt: installed.properties.lastSyncStartedAt } } });
    // Incremental: no per-project release listing.
    expect(r.gitlabRequests.some((l) => /\/releases$/.test(l))).toBe(false);
  });

  test('without a watermark (the state entity deleted): a full sync, which then stores one in Port', async () => {
    await port.deleteEntity(SYNC_STATE_BLUEPRINT, state()!.identifier);
    const t0 = Date.now();
    const r = await sync();
    expect(r.exitCode, r.err).toBe(0);
    const s = r.summary!;
    expect(s).toMatchObject({ ok: true, mode: 'full', watermark: { read: 'missing', previous: null }, hooks: { status: 'ok', reenabled: 0 } });
    expect(s.reason).toContain('no watermark in Port');
    expect(Object.keys(s.kinds)).toContain('releases');
    const stored = s.watermark.stored!;
    expect(Date.parse(stored.lastSyncStartedAt)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(stored.lastFullSyncStartedAt).toBe(stored.lastSyncStartedAt);
    expect(state()?.properties).toMatchObject({ lastSyncStartedAt: stored.lastSyncStartedAt, lastFullSyncStartedAt: stored.lastSyncStartedAt, lastMode: 'full', formatVersion: 1 });
  });

  const hookTests = () => Object.entries(sb.gitlab.requestCounts()).filter(([route]) => /\/hooks\/:\w+\/test\/:trigger$/.test(route)).reduce((n, [, c]) => n + c, 0);

  test('a sync of healthy hooks sends them no test delivery (GitLab allows 5 a minute; re-enabling needs them)', async () => {
    const tests = hookTests();
    const deliveries = sb.gitlab.deliveries().length;
    const r = await sync(['--full-after-hours', '1000']);
    expect(r.exitCode, r.err).toBe(0);
    expect(r.summary!.hooks).toMatchObject({ status: 'ok', reenabled: 0, removedDuplicates: 0, message: 'the hooks are healthy' });
    expect(r.summary!.hooks.checks.map((c) => c.check)).toEqual([`gitlab.hook:${sb.gitlab.group}`]);
    expect(hookTests()).toBe(tests);
    expect(sb.gitlab.deliveries().length).toBe(deliveries);
  });

  test('a duplicate of our hook (two installs at once) is deleted by the next sync: the lowest id stays', async () => {
    const [ours] = sb.gitlab.hooks();
    const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/hooks`, {
      method: 'POST', headers: { 'private-token': sb.gitlab.token, 'content-type': 'application/json' },
      body: JSON.stringify({ url: ours.url, token: 'second-install', push_events: true, issues_events: true }),
    });
    expect(res.status).toBe(201);
    const dup = (await res.json()) as Obj;
    expect(sb.gitlab.hooks().map((h) => h.id)).toEqual([ours.id, dup.id]);
    const r = await sync();
    expect(r.exitCode, r.err).toBe(0);
    expect(r.summary!.hooks).toMatchObject({ status: 'ok', removedDuplicates: 1, reenabled: 0 });
    expect(r.summary!.hooks.message).toContain('deleted 1 duplicate hook(s)');
    expect(r.summary!.hooks.checks[0].message).toContain(`deleted duplicate hook(s) ${dup.id}`);
    expect(sb.gitlab.hooks().map((h) => h.id)).toEqual([ours.id]);
    // Converged: the next sync finds nothing to delete.
    expect((await sync()).summary!.hooks).toMatchObject({ status: 'ok', removedDuplicates: 0, message: 'the hooks are healthy' });
  });

  test('changes GitLab made without an event are in Port after the next (incremental) sync', async () => {
    const previous = state()!.properties!.lastSyncStartedAt as string;
    const issueIid = Number((await sb.gitlab.openIssue(project.id, { title: 'will be closed silently' })).object.iid);
    const mr = (await sb.gitlab.openMergeRequest(project.id, { title: 'will be renamed silently' })).object;
    const { pipe, issue } = await sb.gitlab.silently(async () => {
      await sb.gitlab.updateMergeRequest(project.id, Number(mr.iid), { title: 'renamed without an event' });
      const issue = (await sb.gitlab.closeIssue(project.id, issueIid)).object;
      const pipe = await sb.gitlab.runPipeline(project.id, { status: 'failed', jobs: 2 });
      const dep = await sb.gitlab.deploy(project.id, { environment: 'staging' });
      return { pipe, issue, dep };
    });
    // Port did not hear of them.
    expect(entity('gitlabMergeRequest', mr.id)?.title).toBe('will be renamed silently');
    expect(entity('gitlabIssue', issue.id)?.properties?.state).toBe('opened');
    expect(entity('gitlabPipeline', pipe.object.id)).toBeUndefined();

    const r = await sync();
    expect(r.exitCode, r.err).toBe(0);
    const s = r.summary!;
    expect(s.mode).toBe('incremental');
    expect(s.since).toBe(new Date(Date.parse(previous) - 15 * 60_000).toISOString());
    expect(s.kinds.releases).toMatchObject({ fetched: 0, complete: true });
    expect(entity('gitlabMergeRequest', mr.id)?.title).toBe('renamed without an event');
    expect(entity('gitlabIssue', issue.id)?.properties?.state).toBe('closed');
    expect(entity('gitlabPipeline', pipe.object.id)?.properties?.status).toBe('failed');
    for (const j of pipe.jobs) expect(entity('gitlabJob', j.id)).toBeDefined();
    expect(sb.port.entities('gitlabDeployment').some((d) => d.properties?.environment === 'staging' && Date.parse(String(d.properties?.createdAt)) > Date.parse(previous))).toBe(true);
    // Incremental lists no releases and no per-project list older than the window.
    expect(r.gitlabRequests.some((l) => l.endsWith('/releases'))).toBe(false);
    expect(s.watermark.stored!.lastFullSyncStartedAt).toBe(s.watermark.previous!.lastFullSyncStartedAt);
    expect(Date.parse(s.watermark.stored!.lastSyncStartedAt)).toBeGreaterThan(Date.parse(previous));
  });

  test('an incremental sync with nothing changed writes nothing and reads less of GitLab than a full one', async () => {
    const full = await sync(['--full', '--skip-hooks']);
    expect(full.summary).toMatchObject({ ok: true, mode: 'full', reason: 'a full sync was asked for (--full)' });
    const before = sb.port.requestCounts();
    const inc = await sync(['--skip-hooks']);
    expect(inc.summary).toMatchObject({ ok: true, mode: 'incremental' });
    // Only the watermark is written.
    expect(portWrites(sb.port, before)).toEqual({ 'POST /v1/blueprints/:blueprint/entities': 1 });
    expect(inc.summary!.requests!.gitlab).toBeLessThan(full.summary!.requests!.gitlab);
  });

  test('--dry-run writes nothing, not even the watermark', async () => {
    await sb.gitlab.silently(() => sb.gitlab.openIssue(project.id, { title: 'seen by the dry run only' }));
    const snapshot = () => JSON.stringify([...BLUEPRINTS, SYNC_STATE_BLUEPRINT].map((bp) => sb.port.entities(bp)));
    const entitiesBefore = snapshot();
    const before = sb.port.requestCounts();
    const r = await sync(['--dry-run']);
    expect(r.exitCode, r.err).toBe(0);
    expect(r.summary).toMatchObject({ dryRun: true, mode: 'incremental', hooks: { status: 'ok', message: 'the hooks are healthy (dry run: nothing was changed)' }, watermark: { notStored: 'a dry run stores nothing' } });
    expect(r.summary!.kinds.issues.written).toBe(1);
    // Port validated the write (validation_only) and stored nothing.
    expect(Object.keys(portWrites(sb.port, before))).toEqual(['POST /v1/blueprints/:blueprint/entities/bulk']);
    expect(snapshot()).toBe(entitiesBefore);
    expect(sb.port.entities('gitlabIssue').some((e) => e.title === 'seen by the dry run only')).toBe(false);
  });

  test('a missing or unusable watermark means a full sync, never a gap', async () => {
    const id = state()!.identifier;
    const write = (properties: Obj) => port.upsertEntity(SYNC_STATE_BLUEPRINT, { identifier: id, properties }, { merge: false });
    await write({ lastSyncStartedAt: new Date(Date.now() + 3_600_000).toISOString(), lastFullSyncStartedAt: new Date().toISOString(), formatVersion: 1 });
    let r = await sync(['--skip-hooks']);
    expect(r.summary).toMatchObject({ ok: true, mode: 'full', watermark: { read: 'corrupt' } });
    expect(r.summary!.reason).toContain('lastSyncStartedAt');
    expect(r.summary!.reason).toContain('is in the future');

    await write({ lastSyncStartedAt: new Date().toISOString(), formatVersion: 1 });
    r = await sync(['--skip-hooks']);
    expect(r.summary).toMatchObject({ mode: 'full', watermark: { read: 'corrupt' } });
    expect(r.summary!.reason).toContain('lastFullSyncStartedAt is null, not a date-time');

    await write({ lastSyncStartedAt: new Date().toISOString(), lastFullSyncStartedAt: new Date().toISOString(), formatVersion: 99 });
    r = await sync(['--skip-hooks']);
    expect(r.summary).toMatchObject({ mode: 'full', watermark: { read: 'corrupt' } });

    await port.deleteEntity(SYNC_STATE_BLUEPRINT, id);
    r = await sync(['--skip-hooks']);
    expect(r.summary).toMatchObject({ ok: true, mode: 'full', watermark: { read: 'missing' } });
    expect(state()?.properties?.lastMode).toBe('full');
    // And back to incremental.
    expect((await sync(['--skip-hooks'])).summary?.mode).toBe('incremental');
  });

  test('a full sync comes by itself when the last full one is older than --full-after-hours', async () => {
    const r = await sync(['--skip-hooks', '--full-after-hours', '0']);
    expect(r.summary).toMatchObject({ ok: true, mode: 'full' });
    expect(r.summary!.reason).toContain('--full-after-hours 0');
    const lastFull = Date.parse(state()!.properties!.lastFullSyncStartedAt as string);
    // 25 hours later (the default is 24): full; the clock is this process's, not GitLab's.
    const later = () => lastFull + 25 * 3_600_000;
    const late = await sync(['--skip-hooks', '--dry-run'], { now: later });
    expect(late.summary).toMatchObject({ mode: 'full' });
    expect(late.summary!.reason).toMatch(/the last full sync started 25 h ago \(--full-after-hours 24\)/);
    const soon = await sync(['--skip-hooks', '--dry-run'], { now: () => lastFull + 23 * 3_600_000 });
    expect(soon.summary).toMatchObject({ mode: 'incremental' });
  });

  test('a hook GitLab disabled is re-enabled, and what it missed meanwhile arrives with the sync', async () => {
    sb.port.faults.failNext(4, 503); // four failed deliveries: GitLab disables the hook
    const missed: Obj[] = [];
    for (let i = 0; i < 4; i++) missed.push((await sb.gitlab.openIssue(project.id, { title: `missed while the hook failed ${i}` })).object);
    expect(sb.gitlab.hooks()[0].alert_status).toBe('temporarily_disabled');
    for (const m of missed) expect(entity('gitlabIssue', m.id)).toBeUndefined();

    const tests = hookTests();
    const r = await sync();
    expect(r.exitCode, r.err).toBe(0);
    expect(r.summary!.hooks).toMatchObject({ status: 'ok', reenabled: 1 });
    // One test delivery: the one that re-enables it.
    expect(hookTests()).toBe(tests + 1);
    expect(r.summary!.hooks.message).toContain('re-enabled 1 hook(s)');
    expect(sb.gitlab.hooks()[0].alert_status).toBe('executable');
    for (const m of missed) expect(entity('gitlabIssue', m.id)).toBeDefined();
  });

  test('the human summary names the mode, the hooks and the watermark', async () => {
    const c = captureIO(sb.env);
    const r = await runSyncCommand(['--skip-hooks'], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0, engine } });
    expect(r.exitCode, c.err()).toBe(0);
    expect(c.out()).toMatch(/^sync: incremental — changes since the last successful sync/);
    expect(c.out()).toContain('hooks: not checked (--skip-hooks)');
    expect(c.out()).toContain('watermark stored in Port');
    expect(c.out().trim().endsWith('sync: ok')).toBe(true);
  });

  // Last: the proxy's token stays expired.
  test('a listing that fails: exit 1, the watermark does not advance', async () => {
    const before = JSON.stringify(state());
    sb.proxy.expireAfter(/\/merge_requests$/);
    const r = await sync(['--skip-hooks']);
    expect(r.exitCode).toBe(1);
    expect(r.summary!.ok).toBe(false);
    expect(r.summary!.watermark.notStored).toContain('something failed or a listing was incomplete');
    expect(JSON.stringify(state())).toBe(before);
  });
});

describe('port-gitlab sync with a read_api token', { timeout: 120_000 }, () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes({ gitlab: { extraTokens: [{ role: 'owner', scopes: ['read_api'] }] } });
    const c = captureIO(sb.env);
    const r = await runInstallCommand([], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
  });
  afterAll(async () => {
    await sb?.close();
  });

  test('a disabled hook it cannot re-enable: says why, syncs the data anyway, exit 1', async () => {
    const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false`, { headers: { 'private-token': sb.gitlab.token } });
    const project = ((await res.json()) as Obj[])[0]!;
    sb.port.faults.failNext(4, 503);
    const missed: Obj[] = [];
    for (let i = 0; i < 8 && sb.gitlab.hooks()[0].alert_status === 'executable'; i++) missed.push((await sb.gitlab.openIssue(project.id, { title: `missed ${i}` })).object);
    sb.port.faults.clear();
    expect(sb.gitlab.hooks()[0].alert_status).toBe('temporarily_disabled');

    const c = captureIO({ ...sb.env, GITLAB_TOKEN: sb.gitlab.extraTokens[0]! });
    const r = await runSyncCommand(['--json'], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0 } });
    expect(r.exitCode).toBe(1);
    const s = JSON.parse(c.out()) as SyncSummary;
    expect(s.hooks.status).toBe('problems');
    expect(s.hooks.message).toContain('The GitLab token has no `api` scope, so it cannot re-enable hooks');
    expect(sb.gitlab.hooks()[0].alert_status).toBe('temporarily_disabled');
    // The data part needs only read_api: synced, and the watermark stored.
    expect(Object.values(s.kinds).every((k) => k.complete && k.failed === 0)).toBe(true);
    expect(s.watermark.stored).toBeDefined();
    for (const m of missed) expect(sb.port.entities('gitlabIssue').some((e) => e.identifier === String(m.id))).toBe(true);
    expect(c.out() + c.err()).not.toContain(sb.gitlab.extraTokens[0]!);
  });
});
