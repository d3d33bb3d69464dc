// --project-hooks when GitLab refuses the hook on some projects (Free tier): the token's user is
// only Developer on one project (403), a project is deleted between plan and apply (404), a
// project already holds GitLab's maximum of 100 hooks (422). Those projects are skipped and listed
// with the fix, everything else stays installed, the exit code is 1, and a re-run adds only what
// is missing. A token that stops working (401) still aborts and rolls back.
import { afterEach, describe, expect, test } from 'vitest';
import { runInstallCommand, type InstallCommandOptions } from '../../scripts/commands/install.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { GitLabApiError } from '../../scripts/clients/gitlab/errors.ts';
import { projectRefusal } from '../../scripts/install/hook-refusal.ts';
import { FAST, captureIO, portWrites, startSandboxes, type Sandboxes } from './helpers.ts';
import { installWebhookId } from './helpers.ts';

const bundle = loadBundle();
const BLUEPRINTS = bundle.blueprints.map((b) => b.content.identifier);
// The small seed: "sandbox-org" holds cafe-ordering-1 directly; the other active projects sit in
// its subgroups payments (101) and rnd-center (104).
const PAYMENTS = 101;
const RND_CENTER = 104;
const TOKEN_USER = 1;

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function install(args: string[], env: Record<string, string>, o: Pick<InstallCommandOptions, 'onStep'> = {}) {
  const c = captureIO(env);
  const r = await runInstallCommand(args, { io: c.io, tuning: FAST, onStep: o.onStep });
  return { ...r, out: c.out(), err: c.err(), all: c.all() };
}

async function activeProjects(s: Sandboxes): Promise<Array<{ id: number; path_with_namespace: string }>> {
  const res = await fetch(`${s.gitlab.url}/api/v4/groups/${s.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false&per_page=100`, { headers: { 'private-token': s.gitlab.token } });
  return (await res.json()) as Array<{ id: number; path_with_namespace: string }>;
}

const hookedProjects = (s: Sandboxes) => s.gitlab.hooks().filter((h) => h.kind === 'project').map((h) => h.project_id as number).sort();

describe('--project-hooks: a project where the token user is not Maintainer (403)', () => {
  test('dry run names it; the install hooks every other project, keeps the rest, exits 1; a re-run after the fix adds only that hook', async () => {
    // Developer on the top-level group, Maintainer on its two subgroups: only the project that
    // sits directly in the top-level group refuses hooks.
    sb = await startSandboxes({ gitlab: { tier: 'free', role: 'developer' } });
    await sb.gitlab.addMember(PAYMENTS, { userId: TOKEN_USER, accessLevel: 40 });
    await sb.gitlab.addMember(RND_CENTER, { userId: TOKEN_USER, accessLevel: 40 });
    const projects = await activeProjects(sb);
    const refused = projects.find((p) => p.path_with_namespace === 'sandbox-org/cafe-ordering-1')!;
    expect(refused).toBeDefined();
    const others = projects.filter((p) => p !== refused).map((p) => p.id).sort();
    expect(others.length).toBeGreaterThan(1);

    const dry = await install(['--project-hooks', '--dry-run', '--json'], sb.env);
    expect(dry.exitCode, dry.err).toBe(0);
    const plan = JSON.parse(dry.out);
    expect(plan.hooks.filter((h: { action: string }) => h.action === 'refused')).toEqual([
      expect.objectContaining({ target: refused.path_with_namespace, targetId: refused.id, status: 403, during: 'check' }),
    ]);
    expect(plan.plan).toContain(`? could not check project ${refused.path_with_namespace}`);
    expect(plan.notes.join('\n')).toContain(`could not check the hooks of 1 project(s) (${refused.path_with_namespace})`);
    expect(sb.proxy.writes()).toEqual([]);
    expect(portWrites(sb.port)).toEqual({});

    const r = await install(['--project-hooks', '--json'], sb.env);
    expect(r.exitCode, r.err).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.ok).toBe(false);
    expect(json.error).toBeUndefined();
    expect(json.rolledBack).toBeUndefined();
    const refusal = json.hooks.find((h: { action: string }) => h.action === 'refused');
    expect(refusal).toMatchObject({ kind: 'project', target: refused.path_with_namespace, targetId: refused.id, status: 403 });
    expect(refusal.fix).toContain(`needs the Maintainer role on ${refused.path_with_namespace}`);
    expect(json.hooks.filter((h: { action: string }) => h.action === 'created')).toHaveLength(others.length);
    expect(hookedProjects(sb)).toEqual(others);
    // The rest of the install is kept: blueprints, the Port webhook, the backfill.
    expect(BLUEPRINTS.filter((id) => !sb!.port.blueprint(id))).toEqual([]);
    expect(json.webhook).toMatchObject({ identifier: installWebhookId(sb), action: 'created' });
    expect(json.backfill?.ok).toBe(true);
    expect(sb.port.entity('gitlabProject', String(refused.id))).toBeDefined();
    expect(json.notes.join('\n')).toContain(`GitLab refused the hook on 1 of ${projects.length} project(s) (${refused.path_with_namespace})`);

    // Nothing fixed yet: the same refusal, in text this time, and nothing written.
    const portBefore = sb.port.requestCounts();
    const glBefore = sb.proxy.writes().length;
    const again = await install(['--project-hooks', '--skip-backfill'], sb.env);
    expect(again.exitCode, again.all).toBe(1);
    expect(again.err).toContain('project(s) have no hook (exit 1: needs attention)');
    expect(again.err).toContain(`✗ no hook on project ${refused.path_with_namespace}: GitLab answered 403`);
    expect(again.err).toContain(`fix: needs the Maintainer role on ${refused.path_with_namespace}`);
    expect(portWrites(sb.port, portBefore)).toEqual({});
    expect(sb.proxy.writes().slice(glBefore)).toEqual([]);

    // An owner makes the token's user Maintainer of the top-level group: the re-run adds that one hook.
    await sb.gitlab.addMember(sb.gitlab.groupId, { userId: TOKEN_USER, accessLevel: 40 });
    const fixed = await install(['--project-hooks', '--skip-backfill'], sb.env);
    expect(fixed.exitCode, fixed.all).toBe(0);
    expect(portWrites(sb.port, portBefore)).toEqual({});
    expect(sb.proxy.writes().slice(glBefore)).toEqual([`POST /api/v4/projects/${refused.id}/hooks`]);
    expect(hookedProjects(sb)).toEqual(projects.map((p) => p.id).sort());
  });

  test('a token that stops working (401) while hooks are written still aborts and rolls back, past the refused project', async () => {
    sb = await startSandboxes({ gitlab: { tier: 'free', role: 'developer' } });
    await sb.gitlab.addMember(PAYMENTS, { userId: TOKEN_USER, accessLevel: 40 });
    await sb.gitlab.addMember(RND_CENTER, { userId: TOKEN_USER, accessLevel: 40 });
    sb.proxy.expireAfter(/^POST \/api\/v4\/projects\/\d+\/hooks$/);
    const r = await install(['--project-hooks', '--skip-backfill', '--json'], sb.env);
    expect(r.exitCode, r.err).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.error.step).toBe('hooks');
    expect(json.error.message).toContain('401');
    expect(json.error.fix).toContain('GITLAB_TOKEN was rejected');
    // This fresh install's Port side is undone; the hook it made cannot be (the token is dead) and says so.
    expect(BLUEPRINTS.filter((id) => sb!.port.blueprint(id))).toEqual([]);
    expect(json.rolledBack.failed.map((f: { what: string }) => f.what)).toEqual([expect.stringMatching(/^project hook \d+ on sandbox-org\//)]);
    expect(r.all).not.toContain(sb.gitlab.token);
  });
});

describe('--project-hooks: refusals while writing', () => {
  test('a project deleted between plan and apply (404) and one already at 100 hooks (422) are skipped and listed; the next run retries only the full one', async () => {
    sb = await startSandboxes({ gitlab: { tier: 'free' } });
    const first = await install(['--skip-hook', '--skip-backfill'], sb.env);
    expect(first.exitCode, first.all).toBe(0);
    const projects = await activeProjects(sb);
    const [deleted, full] = [projects[0], projects[1]];
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${sb.gitlab.url}/api/v4/projects/${full.id}/hooks`, {
        method: 'POST', headers: { 'private-token': sb.gitlab.token, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `http://127.0.0.1:9/other-${i}`, push_events: true }),
      });
      expect(res.status).toBe(201);
    }
    const fullHooks = sb.gitlab.hooks().length;

    // The webhook exists, so the hooks are planned before any write; the project goes away after.
    const r = await install(['--project-hooks', '--skip-backfill', '--json'], sb.env, {
      onStep: async (s) => { if (s === 'hooks') await sb!.gitlab.destroyProject(deleted.id); },
    });
    expect(r.exitCode, r.err).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.rolledBack).toBeUndefined();
    const refusals = json.hooks.filter((h: { action: string }) => h.action === 'refused').sort((a: { status: number }, b: { status: number }) => a.status - b.status);
    expect(refusals).toEqual([
      expect.objectContaining({ target: deleted.path_with_namespace, status: 404, during: 'create' }),
      expect.objectContaining({ target: full.path_with_namespace, status: 422, during: 'create' }),
    ]);
    expect(refusals[0].fix).toContain(`nothing to do if ${deleted.path_with_namespace} was deleted`);
    expect(refusals[1].reason).toContain(`GitLab answered 422 to create the hook on "${full.path_with_namespace}": Maximum number of project hooks (100) exceeded`);
    const rest = projects.slice(2).map((p) => p.id).sort();
    expect(json.hooks.filter((h: { action: string }) => h.action === 'created').map((h: { targetId: number }) => h.targetId).sort()).toEqual(rest);
    expect(sb.gitlab.hooks().length).toBe(fullHooks + rest.length);

    // The deleted project is gone from the listing; the full one is still full: only it is reported.
    const portBefore = sb.port.requestCounts();
    const glBefore = sb.proxy.writes().length;
    const again = await install(['--project-hooks', '--skip-backfill', '--json'], sb.env);
    expect(again.exitCode, again.err).toBe(1);
    expect(JSON.parse(again.out).hooks.filter((h: { action: string }) => h.action === 'refused').map((h: { target: string }) => h.target)).toEqual([full.path_with_namespace]);
    expect(portWrites(sb.port, portBefore)).toEqual({});
    expect(sb.proxy.writes().slice(glBefore)).toEqual([`POST /api/v4/projects/${full.id}/hooks`]);
  });
});

describe('which answers skip a project, and which stop the run', () => {
  const project = { kind: 'project' as const, id: 7, path: 'acme/web', group: 'acme' };
  // Error bodies as GitLab sends them, through the client's own message extraction.
  const err = (status: number, message: string) => new GitLabApiError({ status, method: 'POST', path: 'projects/7/hooks', message, attempts: 1, code: `http_${status}` });

  test('403, 404 and 422 on a project skip it, with the fix', () => {
    expect(projectRefusal(err(403, '403 Forbidden'), project, 'create')).toMatchObject({ status: 403, targetId: 7, fix: expect.stringContaining('needs the Maintainer role on acme/web') });
    expect(projectRefusal(err(404, '404 Project Not Found'), project, 'update')).toMatchObject({ status: 404, during: 'update' });
    expect(projectRefusal(err(422, '{"url":["is blocked: Requests to localhost are not allowed"]}'), project, 'create')?.reason).toContain('url: is blocked: Requests to localhost are not allowed');
  });

  test('the token (401, a missing api scope), rate limits, server errors and group hooks stop the run', () => {
    expect(projectRefusal(err(401, '401 Unauthorized'), project, 'create')).toBeUndefined();
    expect(projectRefusal(err(403, 'insufficient_scope: The request requires higher privileges than provided by the access token.'), project, 'create')).toBeUndefined();
    expect(projectRefusal(err(429, 'Retry later'), project, 'create')).toBeUndefined();
    expect(projectRefusal(err(502, '502 Bad Gateway'), project, 'check')).toBeUndefined();
    expect(projectRefusal(err(0, 'ECONNRESET'), project, 'check')).toBeUndefined();
    expect(projectRefusal(err(403, '403 Forbidden'), { ...project, kind: 'group' }, 'create')).toBeUndefined();
    expect(projectRefusal(new Error('a bug'), project, 'create')).toBeUndefined();
  });
});
