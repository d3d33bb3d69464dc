// Scorecards and the dashboard page through the installer's lifecycle, against the local Port and
// GitLab: planned in a dry run, created on a fresh install, untouched (zero writes, counted) by a
// re-run, a page edited in Port kept unless --overwrite-dashboard, a rule added in Port kept on
// update, rolled back when a fresh install fails, a page Port refuses reported without failing
// the install, removed by uninstall unless another install still uses the Port side, and the
// opt-out (INSTALL_DASHBOARDS=false / --no-dashboards).
import { afterEach, describe, expect, test } from 'vitest';
import { runInstallCommand, type InstallCommandOptions } from '../../scripts/commands/install.ts';
import { runUninstallCommand } from '../../scripts/commands/uninstall.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { renderPages, renderScorecards } from '../../scripts/bundle/render.ts';
import { FAST, captureIO, portWrites, runDoctor, startSandboxes, type Sandboxes } from '../install/helpers.ts';

const bundle = loadBundle();
const SCORECARDS = renderScorecards(bundle).map((s) => `${s.blueprint}/${s.scorecard.identifier}`);
const PAGE = renderPages(bundle)[0]!;
let sb: Sandboxes | undefined;

afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function install(args: string[], env: Record<string, string> = sb!.env, onStep?: InstallCommandOptions['onStep']) {
  const c = captureIO(env);
  const r = await runInstallCommand(['--skip-backfill', ...args], { io: c.io, tuning: FAST, onStep });
  return { ...r, out: c.out(), err: c.err(), json: args.includes('--json') ? JSON.parse(c.out()) : undefined };
}

async function uninstall(args: string[], env: Record<string, string> = sb!.env) {
  const c = captureIO(env);
  const r = await runUninstallCommand(['--yes', ...args], { io: c.io, tuning: FAST });
  return { ...r, out: c.out(), err: c.err() };
}

async function port(method: string, path: string, body?: unknown) {
  const t = await fetch(`${sb!.port.url}/v1/auth/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: sb!.port.clientId, clientSecret: sb!.port.clientSecret }) });
  const { accessToken } = (await t.json()) as { accessToken: string };
  const res = await fetch(sb!.port.url + path, { method, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

const scorecardsInPort = async () => ((await port('GET', '/v1/scorecards')).body.scorecards as any[]).map((s) => `${s.blueprint}/${s.identifier}`);

describe('scorecards and the dashboard through install, re-run and uninstall', () => {
  test('dry run plans them; install creates them; a re-run sends no write; a dry run then plans no change', async () => {
    sb = await startSandboxes();
    const dry = await install(['--dry-run', '--json']);
    expect(dry.exitCode, dry.err).toBe(0);
    expect(portWrites(sb.port)).toEqual({});
    expect(dry.json.scorecards).toEqual({ created: SCORECARDS, updated: [], unchanged: [] });
    expect(dry.json.pages).toEqual([{ identifier: 'gitlabDashboard', action: 'create' }]);
    expect(dry.json.plan).toContain('Scorecards:\n  + gitlabProject/gitlabProjectHealth (create)\n      + rule hasDescription (Bronze)');
    expect(dry.json.plan).toContain('+ page gitlabDashboard "GitLab" (create;');

    const first = await install(['--json']);
    expect(first.exitCode, first.err).toBe(0);
    expect(first.json).toMatchObject({ scorecards: { created: SCORECARDS }, pages: [{ identifier: 'gitlabDashboard', action: 'created' }] });
    expect(await scorecardsInPort()).toEqual(SCORECARDS);
    expect((await port('GET', '/v1/pages/gitlabDashboard')).body.page).toMatchObject(PAGE);

    const before = sb.port.requestCounts();
    const again = await install(['--json']);
    expect(again.exitCode, again.err).toBe(0);
    expect(portWrites(sb.port, before)).toEqual({});
    const reads = (route: string) => (sb!.port.requestCounts()[route] ?? 0) - (before[route] ?? 0);
    // One read per scorecarded blueprint and one per page: what proves "nothing changed".
    expect(reads('GET /v1/blueprints/:blueprint/scorecards')).toBe(2);
    expect(reads('GET /v1/pages/:identifier')).toBe(1);
    expect(again.json).toMatchObject({ scorecards: { created: [], updated: [], unchanged: SCORECARDS }, pages: [{ identifier: 'gitlabDashboard', action: 'unchanged' }] });

    const plan = await install(['--dry-run']);
    expect(plan.out).toContain('= gitlabProject/gitlabProjectHealth (unchanged)');
    expect(plan.out).toContain('= page gitlabDashboard (unchanged)');
  });

  test('a page edited in Port is kept and the plan says where it differs; --overwrite-dashboard replaces it', async () => {
    sb = await startSandboxes();
    expect((await install([])).exitCode).toBe(0);
    expect((await port('PATCH', '/v1/pages/gitlabDashboard/widgets/projectCount', { title: 'Our projects' })).status).toBe(200);

    const dry = await install(['--dry-run']);
    expect(dry.out).toContain('! page gitlabDashboard: differs from this bundle\'s (at widgets.0.widgets.0.title): edited in Port, or installed by another version — kept as it is; --overwrite-dashboard replaces it');
    const before = sb.port.requestCounts();
    const kept = await install(['--json']);
    expect(kept.exitCode, kept.err).toBe(0);
    expect(portWrites(sb.port, before)).toEqual({});
    expect(kept.json.pages).toEqual([{ identifier: 'gitlabDashboard', action: 'kept', reason: expect.stringContaining('edited in Port') }]);
    expect(kept.json.notes).toEqual(expect.arrayContaining([expect.stringContaining('the dashboard page "gitlabDashboard" was edited in Port: kept as it is')]));
    expect((await port('GET', '/v1/pages/gitlabDashboard')).body.page.widgets[0].widgets[0].title).toBe('Our projects');

    const mid = sb.port.requestCounts();
    const replaced = await install(['--json', '--overwrite-dashboard']);
    expect(replaced.json.pages).toEqual([{ identifier: 'gitlabDashboard', action: 'replaced' }]);
    expect(portWrites(sb.port, mid)).toEqual({ 'PUT /v1/pages/:identifier': 1 });
    expect((await port('GET', '/v1/pages/gitlabDashboard')).body.page.widgets[0].widgets[0].title).toBe('Projects');
    const conflict = await install(['--no-dashboards', '--overwrite-dashboard']);
    expect(conflict.exitCode).toBe(2);
    expect(conflict.err).toContain('--no-dashboards and --overwrite-dashboard cannot be used together');
  });

  test('a changed rule is PUT back with the rules a user added in Port kept; an added rule alone changes nothing', async () => {
    sb = await startSandboxes();
    expect((await install([])).exitCode).toBe(0);
    const path = '/v1/blueprints/gitlabProject/scorecards/gitlabProjectHealth';
    const current = (await port('GET', path)).body.scorecard;
    const theirs = { identifier: 'hasPathWithNamespace', title: 'Has a path', level: 'Bronze', query: { combinator: 'and', conditions: [{ property: 'pathWithNamespace', operator: 'isNotEmpty' }] } };
    const body = (rules: unknown[]) => ({ identifier: current.identifier, title: current.title, levels: current.levels, rules });
    expect((await port('PUT', path, body([...current.rules, theirs]))).status).toBe(200);
    let before = sb.port.requestCounts();
    expect((await install(['--json'])).json.scorecards.unchanged).toEqual(SCORECARDS);
    expect(portWrites(sb.port, before)).toEqual({});

    const edited = current.rules.map((r: any) => (r.identifier === 'notArchived' ? { ...r, title: 'Alive' } : r));
    expect((await port('PUT', path, body([...edited, theirs]))).status).toBe(200);
    const dry = await install(['--dry-run']);
    expect(dry.out).toContain('~ gitlabProject/gitlabProjectHealth (update, PUT)\n      ~ rule notArchived: title\n      = rule hasPathWithNamespace (added in Port: kept)');
    before = sb.port.requestCounts();
    const r = await install(['--json']);
    expect(r.json.scorecards.updated).toEqual(['gitlabProject/gitlabProjectHealth']);
    expect(portWrites(sb.port, before)).toEqual({ 'PUT /v1/blueprints/:blueprint/scorecards/:identifier': 1 });
    const after = (await port('GET', path)).body.scorecard;
    expect(after.rules.map((x: any) => [x.identifier, x.title])).toEqual([...current.rules.map((x: any) => [x.identifier, x.title]), ['hasPathWithNamespace', 'Has a path']]);
    expect(after.id).toBe(current.id); // the same scorecard: identifiers never change
  });

  test('a fresh install that fails after them rolls them back with the blueprints', async () => {
    sb = await startSandboxes();
    const r = await install(['--json'], sb.env, (step) => { if (step === 'webhook') sb!.port.faults.failNext(3, 500); });
    expect(r.exitCode).toBe(1);
    expect(r.json.error.step).toBe('webhook');
    expect(r.json.rolledBack.undone).toEqual(expect.arrayContaining(['page gitlabDashboard', 'scorecard gitlabProject/gitlabProjectHealth', 'scorecard gitlabMergeRequest/gitlabMergeRequestHygiene', 'blueprint gitlabProject']));
    // Newest first: the page and scorecards go before the blueprints they are on.
    expect(r.json.rolledBack.undone.indexOf('scorecard gitlabProject/gitlabProjectHealth')).toBeLessThan(r.json.rolledBack.undone.indexOf('blueprint gitlabProject'));
    expect(await scorecardsInPort()).toEqual([]);
    expect((await port('GET', '/v1/pages/gitlabDashboard')).status).toBe(404);
    expect(r.json.scorecards.created).toEqual([]);
  });

  test('a page Port refuses is reported, the install still succeeds, and a re-run creates it', async () => {
    sb = await startSandboxes();
    expect((await install([])).exitCode).toBe(0);
    expect((await port('DELETE', '/v1/pages/gitlabDashboard')).status).toBe(200);
    // Scorecards are unchanged, so the page create is the step's only request: Port's beta API refuses it.
    const r = await install(['--json'], sb.env, (step) => { if (step === 'scorecards') sb!.port.faults.failNext(1, 422); });
    expect(r.exitCode, r.err).toBe(0);
    expect(r.json.ok).toBe(true);
    expect(r.json.pages).toEqual([{ identifier: 'gitlabDashboard', action: 'failed', reason: expect.stringContaining('422') }]);
    expect(r.json.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^the dashboard page "gitlabDashboard" could not be created or replaced \(Port's Pages API is beta\): .*run the installer again, or set INSTALL_DASHBOARDS=false/)]));
    expect((await port('GET', '/v1/pages/gitlabDashboard')).status).toBe(404);
    const again = await install(['--json']);
    expect(again.json.pages).toEqual([{ identifier: 'gitlabDashboard', action: 'created' }]);
  });

  test('doctor reports them as the bundle has them, then a page edited in Port and a deleted scorecard, without failing', async () => {
    sb = await startSandboxes();
    const checks = async () => {
      const d = await runDoctor(sb!.env);
      return (JSON.parse(d.out).checks as Array<{ check: string; status: string; message: string; fix?: string }>).filter((c) => /dashboards|scorecards|page/.test(c.check));
    };
    expect(await checks()).toEqual([{ check: 'port.dashboards', status: 'ok', message: 'no scorecard or dashboard page of this bundle in Port (installed with INSTALL_DASHBOARDS=false, or by an older version)', fix: 'run `port-gitlab install` to add them' }]);
    expect((await install([])).exitCode).toBe(0);
    expect(await checks()).toEqual([{ check: 'port.dashboards', status: 'ok', message: 'scorecards gitlabProjectHealth, gitlabMergeRequestHygiene and page gitlabDashboard are as this bundle has them' }]);
    await port('PATCH', '/v1/pages/gitlabDashboard/widgets/projectCount', { title: 'Ours' });
    await port('DELETE', '/v1/blueprints/gitlabMergeRequest/scorecards/gitlabMergeRequestHygiene');
    const d = await runDoctor(sb.env);
    expect(JSON.parse(d.out).checks.filter((c: { check: string }) => /dashboards|page/.test(c.check))).toEqual([
      { check: 'port.dashboards', status: 'warn', message: 'missing in Port: scorecard gitlabMergeRequest/gitlabMergeRequestHygiene', fix: 'run `port-gitlab install`' },
      expect.objectContaining({ check: 'port.page:gitlabDashboard', status: 'warn', message: expect.stringContaining('differs from this bundle\'s (at widgets.0.widgets.0.title)') }),
    ]);
  });

  test('a page another run created between this run\'s plan and its create is taken as is, not a failure', async () => {
    sb = await startSandboxes();
    const r = await install(['--json'], sb.env, async (step) => { if (step === 'scorecards') expect((await port('POST', '/v1/pages', PAGE)).status).toBe(201); });
    expect(r.exitCode, r.err).toBe(0);
    expect(r.json.pages).toEqual([{ identifier: 'gitlabDashboard', action: 'unchanged' }]);
    expect(sb.port.requestCounts()['POST /v1/pages']).toBe(2); // theirs, then ours (409)
  });

  test('uninstall removes them; a page edited in Port stays unless --purge', async () => {
    sb = await startSandboxes();
    expect((await install([])).exitCode).toBe(0);
    expect((await port('PATCH', '/v1/pages/gitlabDashboard/widgets/projectCount', { title: 'Ours now' })).status).toBe(200);
    const dry = await uninstall(['--json']);
    expect(dry.exitCode, dry.err).toBe(0);
    const json = JSON.parse(dry.out);
    expect(json.scorecards).toEqual(SCORECARDS.map((n) => ({ blueprint: n.split('/')[0], identifier: n.split('/')[1], deleted: true })));
    expect(json.pages).toEqual([{ identifier: 'gitlabDashboard', deleted: false, kept: expect.stringContaining('edited in Port (differs at widgets.0.widgets.0.title)') }]);
    expect(await scorecardsInPort()).toEqual([]);
    expect((await port('GET', '/v1/pages/gitlabDashboard')).status).toBe(200);
    const purge = await uninstall(['--purge', '--json']);
    expect(JSON.parse(purge.out).pages).toEqual([{ identifier: 'gitlabDashboard', deleted: true }]);
    expect((await port('GET', '/v1/pages/gitlabDashboard')).status).toBe(404);
  });

  test('uninstall keeps them while another install still uses the Port side', async () => {
    sb = await startSandboxes();
    const me = (await (await fetch(`${sb.gitlab.url}/api/v4/user`, { headers: { 'private-token': sb.gitlab.token } })).json()) as { id: number };
    await sb.gitlab.addMember('sandbox-org-partners', { userId: me.id, accessLevel: 50 });
    const envA = { ...sb.env, GITLAB_GROUPS: sb.gitlab.group };
    const envB = { ...sb.env, GITLAB_GROUPS: 'sandbox-org-partners' };
    // Both installs need entities in Port for uninstall to see who uses it: run B's backfill.
    expect((await install([], envA)).exitCode).toBe(0);
    const c = captureIO(envB);
    expect((await runInstallCommand([], { io: c.io, tuning: FAST })).exitCode, c.err()).toBe(0);
    const r = await uninstall(['--json'], envA);
    expect(r.exitCode, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.shared).not.toBeNull();
    expect(json.scorecards.every((s: any) => s.kept === true && s.deleted === false)).toBe(true);
    expect(json.pages).toEqual([{ identifier: 'gitlabDashboard', deleted: false, kept: 'another install still uses the Port side' }]);
    expect(await scorecardsInPort()).toEqual(SCORECARDS);
    const plan = await uninstall([], envA);
    expect(plan.err + plan.out).toContain('This will keep scorecard gitlabProject/gitlabProjectHealth, scorecard gitlabMergeRequest/gitlabMergeRequestHygiene, page gitlabDashboard: another install still uses them.');
  });

  test('the opt-out installs neither, reads neither, and says so; a bad value is refused before any request', async () => {
    sb = await startSandboxes();
    const before = sb.port.requestCounts();
    const r = await install(['--json', '--no-dashboards']);
    expect(r.exitCode, r.err).toBe(0);
    expect(r.json).toMatchObject({ dashboards: 'skipped: INSTALL_DASHBOARDS=false (--no-dashboards)', scorecards: { created: [], updated: [], unchanged: [] }, pages: [] });
    const counts = sb.port.requestCounts();
    for (const route of Object.keys(counts)) if (/scorecards|pages/.test(route)) expect(counts[route]! - (before[route] ?? 0), route).toBe(0);
    expect(await scorecardsInPort()).toEqual([]);
    const viaEnv = await install(['--dry-run'], { ...sb.env, INSTALL_DASHBOARDS: 'false' });
    expect(viaEnv.out).toContain('Scorecards and dashboard:\n  (skipped: INSTALL_DASHBOARDS=false (--no-dashboards))');
    const bad = await install([], { ...sb.env, INSTALL_DASHBOARDS: 'maybe' });
    expect(bad.exitCode).toBe(2);
    expect(bad.err).toContain('INSTALL_DASHBOARDS (or --no-dashboards): "maybe" is not a boolean');
  });
});
