// doctor on a GitLab older than 15.5 (and, alike, with an OAuth token): `GET /personal_access_tokens/self`
// answers 404 although `/user` accepts the token. install warns and goes on; doctor must do the same
// and still run the webhook, hook and token-delivery checks (issue 12 §5).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { FAST, captureIO, runDoctor, startSandboxes, type Sandboxes } from './helpers.ts';

describe('doctor when the token record cannot be read (GitLab 15.4)', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes({ gitlab: { version: '15.4.6-ee' } });
  });
  afterAll(async () => {
    await sb?.close();
  });

  test('the local GitLab answers that route 404, as GitLab before 15.5 does, and /user 200', async () => {
    const get = (path: string) => fetch(`${sb.gitlab.url}/api/v4/${path}`, { headers: { 'private-token': sb.gitlab.token } });
    expect((await get('personal_access_tokens/self')).status).toBe(404);
    expect((await get('user')).status).toBe(200);
  });

  test('install warns; doctor warns the same way, runs every hook check and says healthy', async () => {
    const c = captureIO(sb.env);
    const installed = await runInstallCommand(['--json', '--skip-backfill'], { io: c.io, tuning: FAST });
    expect(installed.exitCode, c.err()).toBe(0);
    const pre = JSON.parse(c.out()).preflight.checks.find((x: { check: string }) => x.check === 'gitlab.scopes');
    expect(pre).toMatchObject({ status: 'warn' });
    expect(pre.message).toContain('GitLab before 15.5');

    const r = await runDoctor(sb.env);
    const report = JSON.parse(r.out) as { ok: boolean; checks: Array<{ check: string; status: string; message: string }> };
    const byName = (name: string) => report.checks.find((x) => x.check === name);
    expect(byName('gitlab.token'), r.out).toMatchObject({ status: 'ok' });
    expect(byName('gitlab.scopes')).toMatchObject({ status: 'warn', message: pre.message });
    expect(r.out).not.toContain('rejected the token');
    // The checks the 404 used to skip.
    expect(byName('port.webhook')).toMatchObject({ status: 'ok' });
    expect(byName(`gitlab.hook:${sb.gitlab.group}`)).toMatchObject({ status: 'ok' });
    expect(byName(`token:${sb.gitlab.group}`)).toMatchObject({ status: 'ok' });
    expect(report.ok).toBe(true);
    expect(r.exitCode).toBe(0);
  });
});
