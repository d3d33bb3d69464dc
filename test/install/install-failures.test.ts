// What the install does when something is wrong: inputs, credentials, tier, role, a blueprint
// Port refuses, a forbidden type change, and tokens that expire while it runs. Each case checks
// the exit code, that the message says what to fix, that no secret is printed, and what was written.
import { afterEach, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { loadBundle, type Bundle } from '../../scripts/bundle/load.ts';
import { createClients } from '../../scripts/install/clients.ts';
import { readInputs } from '../../scripts/install/inputs.ts';
import { SecretSet } from '../../scripts/install/io.ts';
import { runInstall } from '../../scripts/install/run.ts';
import { FAST, captureIO, portWrites, startSandboxes, type Sandboxes } from './helpers.ts';

const bundle = loadBundle();
const BLUEPRINTS = bundle.blueprints.map((b) => b.content.identifier);
let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function install(args: string[], env: Record<string, string | undefined>) {
  const c = captureIO(env);
  const r = await runInstallCommand(args, { io: c.io, tuning: FAST });
  return { ...r, out: c.out(), err: c.err(), all: c.all() };
}

function nothingWritten(s: Sandboxes) {
  expect(portWrites(s.port)).toEqual({});
  expect(s.proxy.writes()).toEqual([]);
  expect(BLUEPRINTS.filter((id) => s.port.blueprint(id))).toEqual([]);
}

describe('inputs', () => {
  test('missing and malformed inputs are all reported at once, before any request', async () => {
    sb = await startSandboxes();
    const env = { PORT_API_URL: sb.port.url, GITLAB_URL: sb.proxy.url, INGEST_CONFIDENTIAL_ISSUES: 'maybe' };
    const r = await install([], env);
    expect(r.exitCode).toBe(2);
    for (const name of ['PORT_CLIENT_ID (or --port-client-id): not set', 'PORT_CLIENT_SECRET (or --port-client-secret): not set', 'GITLAB_TOKEN (or --gitlab-token): not set', 'GITLAB_GROUPS (or --gitlab-groups): not set', 'INGEST_CONFIDENTIAL_ISSUES (or --confidential-issues): "maybe" is not a boolean']) {
      expect(r.err).toContain(name);
    }
    expect(r.err).toContain('Port → Settings → Credentials'); // where to get it, from template.json
    expect(sb.port.requestCounts()).toEqual({});
    expect(sb.proxy.log).toEqual([]);
  });

  test('a subgroup, a URL, a bad region and a bad Port URL are refused with the fix; secrets given as flags are not echoed', async () => {
    sb = await startSandboxes();
    const secret = 'port-secret-value-0123456789';
    const token = 'glpat-never-print-this-token';
    const r = await install(['--port-client-id', 'id', '--port-client-secret', secret, '--gitlab-token', token, '--gitlab-groups', 'acme/platform,https://gitlab.com/acme', '--port-region', 'mars', '--gitlab-url', 'ftp://gitlab'], {});
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('"acme/platform" is a subgroup; list its top-level group "acme"');
    expect(r.err).toContain('"https://gitlab.com/acme" is a URL');
    expect(r.err).toContain('"mars" is not a region; use eu or us');
    expect(r.err).toContain('GITLAB_URL (or --gitlab-url)');
    expect(r.all).not.toContain(secret);
    expect(r.all).not.toContain(token);
    // An unknown flag right after a secret: parseArgs's message must not carry the secret either.
    const u = await install(['--gitlab-token', token, '--bogus'], {});
    expect(u.exitCode).toBe(2);
    expect(u.err).toContain("Unknown option '--bogus'");
    expect(u.all).not.toContain(token);
  });

  test('--port-region us resolves to Port\'s US API', () => {
    const { inputs } = readInputs(bundle.template, { 'port-region': 'us' }, { PORT_CLIENT_ID: 'a', PORT_CLIENT_SECRET: 'b', GITLAB_TOKEN: 'c', GITLAB_GROUPS: 'acme, 42 ,acme' });
    expect(inputs?.portApiUrl).toBe('https://api.us.port.io');
    expect(inputs?.gitlabUrl).toBe('https://gitlab.com');
    expect(inputs?.gitlabGroups).toEqual([{ kind: 'path', path: 'acme', raw: 'acme' }, { kind: 'id', id: 42, raw: '42' }]);
  });
});

describe('confirmation', () => {
  test('on a terminal the plan is shown and "no" writes nothing (exit 1)', async () => {
    sb = await startSandboxes();
    const c = captureIO(sb.env, { isTTY: true, answers: ['n'] });
    const r = await runInstallCommand(['--skip-backfill'], { io: c.io, tuning: FAST });
    expect(r.exitCode).toBe(1);
    expect(c.err()).toContain('+ gitlabProject (create');
    expect(c.err()).toContain('Apply these changes? [y/N]');
    expect(c.err()).toContain('cancelled; nothing was written');
    nothingWritten(sb);
  });
});

describe('credentials and permissions', () => {
  test('wrong Port credentials: exit 2, what to fix, the secret never printed, nothing written', async () => {
    sb = await startSandboxes();
    const wrong = 'wrong-port-secret-abcdef123456';
    const r = await install(['--json'], { ...sb.env, PORT_CLIENT_SECRET: wrong });
    expect(r.exitCode).toBe(2);
    const json = JSON.parse(r.out);
    expect(json.error.message).toContain('Port rejected the credentials');
    expect(json.error.message).toContain('PORT_CLIENT_SECRET');
    expect(r.all).not.toContain(wrong);
    nothingWritten(sb);
  });

  test('a wrong GitLab token: exit 2, the token never printed, nothing written', async () => {
    sb = await startSandboxes();
    const wrong = 'glpat-wrongwrongwrong123';
    const r = await install([], { ...sb.env, GITLAB_TOKEN: wrong });
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('rejected GITLAB_TOKEN (401)');
    expect(r.all).not.toContain(wrong);
    nothingWritten(sb);
  });

  test('a non-Owner token: exit 2 explaining the Owner role, nothing written', async () => {
    sb = await startSandboxes({ gitlab: { role: 'maintainer' } });
    const r = await install([], sb.env);
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('group hooks on "sandbox-org" need the Owner role');
    expect(r.err).toContain('is Maintainer');
    expect(r.err).toMatch(/--skip-hook/);
    nothingWritten(sb);
  });

  test('a read_api token is refused for hooks but enough with --skip-hook', async () => {
    sb = await startSandboxes({ gitlab: { scopes: ['read_api'] } });
    const r = await install([], sb.env);
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('lack "api"');
    nothingWritten(sb);
    const ok = await install(['--skip-hook', '--skip-backfill'], sb.env);
    expect(ok.exitCode, ok.err).toBe(0);
    expect(sb.gitlab.hooks()).toEqual([]);
  });
});

describe('GitLab Free tier', () => {
  test('without --project-hooks: exit 2 explaining the consequences, nothing written', async () => {
    sb = await startSandboxes({ gitlab: { tier: 'free' } });
    const r = await install([], sb.env);
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('group hooks are not available on "sandbox-org"');
    expect(r.err).toContain('Premium or Ultimate');
    expect(r.err).toContain('projects created later get none');
    expect(r.err).toContain('--project-hooks');
    nothingWritten(sb);
  });

  test('with --project-hooks: one hook per active project, live events reach Port, a re-run writes nothing', async () => {
    sb = await startSandboxes({ gitlab: { tier: 'free' } });
    const r = await install(['--project-hooks', '--skip-backfill', '--json'], sb.env);
    expect(r.exitCode, r.err).toBe(0);
    const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false&per_page=100`, { headers: { 'private-token': sb.gitlab.token } });
    const projects = (await res.json()) as Array<{ id: number }>;
    expect(projects.length).toBeGreaterThan(1);
    const hooks = sb.gitlab.hooks();
    expect(hooks.every((h) => h.kind === 'project')).toBe(true);
    expect(hooks.map((h) => h.project_id).sort()).toEqual(projects.map((p) => p.id).sort());
    const json = JSON.parse(r.out);
    expect(json.notes.join('\n')).toContain('project hooks cannot carry');
    expect(hooks[0].subgroup_events).toBeUndefined(); // project hooks have no group-only flags

    const { object: mr } = await sb.gitlab.openMergeRequest(projects[0].id, { title: 'free tier change' });
    await sb.port.idle();
    expect(sb.port.entity('gitlabMergeRequest', String(mr.id))?.title).toBe('free tier change');

    const before = sb.port.requestCounts();
    const glBefore = sb.proxy.writes().length;
    const again = await install(['--project-hooks', '--skip-backfill'], sb.env);
    expect(again.exitCode, again.err).toBe(0);
    expect(portWrites(sb.port, before)).toEqual({});
    expect(sb.proxy.writes().slice(glBefore)).toEqual([]);
  });
});

async function coreInstall(s: Sandboxes, b: Bundle, onStep?: Parameters<typeof runInstall>[0]['onStep']) {
  const { inputs } = readInputs(b.template, {}, s.env);
  const secrets = new SecretSet();
  const { port, gitlab } = createClients(inputs!, secrets, FAST);
  return runInstall({ bundle: b, port, gitlab, inputs: inputs!, onStep, onSecret: (x) => secrets.add(x) }, { skipBackfill: true });
}

describe('failures while writing', () => {
  test('Port answers 422 on a blueprint: what this run created is rolled back, exit 1', async () => {
    sb = await startSandboxes();
    // The last blueprint gets a relation that is both many and required, which Port refuses (422)
    // when the relations are PATCHed in stage 2, after every blueprint was created bare.
    const broken: Bundle = structuredClone(bundle);
    const last = broken.blueprints.at(-1)!.content;
    last.relations = { ...last.relations, owners: { target: 'gitlabGroup', required: true, many: true } };
    const s = await coreInstall(sb, broken);
    expect(s.exitCode).toBe(1);
    expect(s.error?.step).toBe('blueprints');
    expect(s.error?.message).toContain(`adding the relations of blueprint "${last.identifier}"`);
    expect(s.error?.message).toContain('422');
    expect(s.error?.message).toContain('"many" and "required"');
    expect(s.rolledBack?.undone).toEqual([...BLUEPRINTS].reverse().map((id) => `blueprint ${id}`));
    expect(s.rolledBack?.failed).toEqual([]);
    expect(BLUEPRINTS.filter((id) => sb!.port.blueprint(id))).toEqual([]);
    expect(sb.port.webhooks()).toEqual([]);
    expect(sb.gitlab.hooks()).toEqual([]);
  });

  test('a forbidden type change on an existing blueprint stops before any write, with an explanation', async () => {
    sb = await startSandboxes();
    const token = (await (await fetch(`${sb.port.url}/v1/auth/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: sb.port.clientId, clientSecret: sb.port.clientSecret }) })).json()).accessToken;
    const created = await fetch(`${sb.port.url}/v1/blueprints?create_catalog_page=false`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ identifier: 'gitlabGroup', title: 'GitLab Group', schema: { properties: { url: { type: 'number', title: 'URL as a number' } }, required: [] } }),
    });
    expect(created.status).toBe(201);
    const before = sb.port.requestCounts();
    const r = await install([], sb.env);
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('forbidden_format_change');
    expect(r.err).toContain('property "url" cannot change from number to string (format url)');
    expect(r.err).toContain('Nothing was written');
    expect(portWrites(sb.port, before)).toEqual({});
    expect(sb.proxy.writes()).toEqual([]);
  });

  test('the Port token expiring during the run is refreshed and the install completes', async () => {
    let offset = 0;
    sb = await startSandboxes({ port: { now: () => Date.now() + offset } });
    const s = await coreInstall(sb, bundle, (step) => {
      if (step === 'webhook') offset += 4 * 3600_000; // Port's tokens live 3 hours
    });
    expect(s.exitCode, s.error?.message).toBe(0);
    expect(sb.port.requestCounts()['POST /v1/auth/access_token']).toBe(2);
    expect(sb.port.webhooks()).toHaveLength(1);
  });

  test('the GitLab token expiring during the run: exit 1, the fix, a rollback of this run, no token printed', async () => {
    sb = await startSandboxes();
    const c = captureIO(sb.env);
    const proxy = sb.proxy;
    const r = await runInstallCommand(['--skip-backfill'], { io: c.io, tuning: FAST, onStep: (step) => { if (step === 'hooks') proxy.expire(); } });
    expect(r.exitCode).toBe(1);
    expect(c.err()).toContain('install failed at hooks');
    expect(c.err()).toContain('GITLAB_TOKEN was rejected');
    expect(c.err()).toContain('rolled back: webhook gitlabIntegration-');
    expect(c.all()).not.toContain(sb.gitlab.token);
    expect(BLUEPRINTS.filter((id) => sb!.port.blueprint(id))).toEqual([]);
    expect(sb.port.webhooks()).toEqual([]);
    expect(sb.gitlab.hooks()).toEqual([]);
  });
});
