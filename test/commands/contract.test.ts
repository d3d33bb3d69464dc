// The CLI's contract, as scripts and CI jobs rely on it (issue 12 §6): exit codes that mean what
// the README says, one JSON object on stdout for every outcome of a --json run, conflicting flags
// refused, diagnoses that name the real cause, preview saying what Port's ingest would refuse,
// and the flags a job passes to install accepted by backfill too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../scripts/cli.ts';
import { unreadable } from '../../scripts/commands/preview.ts';
import { GitLabClient } from '../../scripts/clients/gitlab/index.ts';
import { GitLabApiError } from '../../scripts/clients/gitlab/errors.ts';
import { PortApiError } from '../../scripts/clients/port/errors.ts';
import { gitlabTokenFailure, portAuthFailure } from '../../scripts/install/credential-diagnosis.ts';
import { PAYLOAD_DIR } from '../helpers/fixtures.ts';
import { captureIO, startSandboxes, type Sandboxes, requestsSeen } from '../install/helpers.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes();
});
afterAll(async () => {
  await sb?.close();
});

const requests = () => requestsSeen(sb);

async function cli(args: string[], env: Record<string, string | undefined> = sb.env) {
  const c = captureIO(env);
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** The one JSON object a --json run printed (fails when stdout holds anything else). */
function onlyJson(out: string): Record<string, unknown> {
  const lines = out.trim().split('\n');
  expect(lines, out).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

describe('exit codes', () => {
  test('validate --dir on a missing directory says so and exits 2 (not "package.json: file not found")', async () => {
    const r = await cli(['validate', '--dir', '/nonexistent/fork']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dir /nonexistent/fork: the directory does not exist');
    expect(r.err).not.toContain('file not found');
    const j = await cli(['validate', '--json', '--dir', '/nonexistent/fork']);
    expect(j.code).toBe(2);
    expect(onlyJson(j.out)).toMatchObject({ ok: false, exitCode: 2, error: expect.stringContaining('does not exist') });
  });

  test('uninstall with a secret Port rejects: exit 2 (nothing was deleted), one JSON object naming the cause', async () => {
    const before = sb.gitlab.hooks().length;
    const r = await cli(['uninstall', '--json', '--yes'], { ...sb.env, PORT_CLIENT_SECRET: 'wrong-secret-0123456789' });
    expect(r.code).toBe(2);
    const j = onlyJson(r.out);
    expect(j).toMatchObject({ ok: false, exitCode: 2 });
    expect(j.error).toMatch(/Port rejected the credentials|clientSecret is wrong/);
    expect(r.out + r.err).not.toContain('wrong-secret-0123456789');
    expect(sb.gitlab.hooks()).toHaveLength(before);
  });
});

describe('--json prints one JSON object for every outcome', () => {
  test('install with a missing input: the input problems as a JSON object, before any request', async () => {
    const before = requests();
    const { GITLAB_TOKEN: _, ...env } = sb.env;
    const r = await cli(['install', '--json', '--dry-run'], env);
    expect(r.code).toBe(2);
    const j = onlyJson(r.out);
    expect(j).toMatchObject({ ok: false, exitCode: 2 });
    expect(j.error).toContain('GITLAB_TOKEN (or --gitlab-token): not set');
    expect(requests()).toBe(before);
  });

  test('every command, given --json and an unknown flag: one JSON object without the usage text', async () => {
    const commands = ['validate', 'preview', 'render', 'install', 'uninstall', 'backfill', 'doctor'];
    for (const command of [...commands.map((c) => [c]), ['sandbox', 'serve']]) {
      const r = await cli([...command, '--json', '--no-such-flag']);
      expect(r.code, command.join(' ')).toBe(2);
      const j = onlyJson(r.out);
      expect(j, command.join(' ')).toMatchObject({ ok: false, exitCode: 2 });
      expect(j.error, command.join(' ')).toMatch(/no-such-flag/);
      expect(j.error, command.join(' ')).not.toContain('usage: port-gitlab');
    }
  });

  test('a command that printed its own JSON gets no second object', async () => {
    const r = await cli(['validate', '--json']);
    expect(r.code).toBe(0);
    expect(onlyJson(r.out)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('conflicting flags are refused (exit 2, before any request)', () => {
  test('install --skip-hook --project-hooks', async () => {
    const before = requests();
    const r = await cli(['install', '--skip-hook', '--project-hooks', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--skip-hook and --project-hooks cannot be used together');
    expect(requests()).toBe(before);
  });

  test('backfill --skip-reconcile --delete-threshold', async () => {
    const before = requests();
    const r = await cli(['backfill', '--skip-reconcile', '--delete-threshold', '0.2', '--json']);
    expect(r.code).toBe(2);
    expect(onlyJson(r.out).error).toContain('--skip-reconcile and --delete-threshold cannot be used together');
    expect(requests()).toBe(before);
  });
});

describe('diagnoses name the real cause', () => {
  const preflightFailure = async (env: Record<string, string>) => {
    const r = await cli(['install', '--dry-run', '--json'], env);
    expect(r.code).toBe(2);
    return String((onlyJson(r.out).error as { message: string }).message);
  };

  test('Port unreachable is not "Port rejected the credentials"', async () => {
    const message = await preflightFailure({ ...sb.env, PORT_API_URL: 'http://127.0.0.1:1' });
    expect(message).toContain('Port could not be reached at http://127.0.0.1:1');
    expect(message).not.toContain('rejected the credentials');
  });

  test('a PORT_API_URL that is not Port (here: GitLab) is named as such, with the regions to use', async () => {
    const message = await preflightFailure({ ...sb.env, PORT_API_URL: sb.gitlab.url });
    expect(message).toContain(`${sb.gitlab.url} does not answer as Port's API`);
    expect(message).toContain('https://api.port.io');
    expect(message).not.toContain('rejected the credentials');
  });

  test('doctor says the same of a URL that is not Port', async () => {
    const r = await cli(['doctor', '--json'], { ...sb.env, PORT_API_URL: sb.gitlab.url });
    expect(r.code).toBe(1);
    const check = (onlyJson(r.out).checks as Array<{ check: string; message: string }>).find((c) => c.check === 'port.credentials');
    expect(check?.message).toContain("does not answer as Port's API");
  });

  test('a GitLab token with a non-Latin-1 character: an input problem with its position, before any request', async () => {
    const before = requests();
    const token = `${sb.gitlab.token}\u2019`;
    const r = await cli(['install', '--dry-run'], { ...sb.env, GITLAB_TOKEN: token });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`GITLAB_TOKEN (or --gitlab-token): contains a character that cannot be sent in an HTTP header (character ${[...token].length}, U+2019`);
    expect(r.err).not.toMatch(/network|could not be reached/);
    expect(r.err).not.toContain(token);
    expect(requests()).toBe(before);
  });

  test('the same token reaching the HTTP layer is reported as the token, not the network, and not retried', async () => {
    const gitlab = new GitLabClient({ host: sb.proxy.url, token: `${sb.gitlab.token}\u2019x`, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    const before = sb.proxy.log.length;
    const err = await gitlab.currentUser().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GitLabApiError);
    expect((err as GitLabApiError).code).toBe('invalid_header_value');
    expect((err as GitLabApiError).attempts).toBe(1);
    expect((err as GitLabApiError).message).toContain(`GITLAB_TOKEN contains a character that cannot be sent in an HTTP header (character ${sb.gitlab.token.length + 1}, U+2019`);
    expect(sb.proxy.log.length).toBe(before);
  });

  test('URL errors carry no ".." and no full stop glued to a URL', async () => {
    const r = await cli(['install', '--dry-run'], { ...sb.env, GITLAB_URL: 'not a url', PORT_API_URL: 'nowhere at all' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('GITLAB_URL (or --gitlab-url): GitLab URL "not a url" is not a URL');
    expect(r.err).toContain('PORT_API_URL (or --port-api-url): Port API URL "nowhere at all" is neither a region');
    expect(r.err).not.toContain('..');
    expect(r.err).not.toMatch(/https?:\/\/\S*\.\s/);
  });
});

describe('credential diagnoses, by what answered', () => {
  const port = (status: number, code: string, message = 'x') => new PortApiError({ status, code, message, method: 'POST', path: '/v1/auth/access_token', attempts: 1 });
  const gitlab = (status: number, message: string) => new GitLabApiError({ status, code: `http_${status}`, message, method: 'GET', path: 'user', attempts: 1 });
  const URL_ = 'https://api.port.io';

  test('Port: only its own refusal is "rejected the credentials"', () => {
    expect(portAuthFailure(port(401, 'unauthorized', 'wrong secret'), URL_).message).toMatch(/^Port rejected the credentials at/);
    expect(portAuthFailure(port(401, 'http_401', 'Unauthorized'), URL_).message).toMatch(/does not answer as Port's API/);
    expect(portAuthFailure(port(200, 'invalid_token_response'), URL_).message).toMatch(/does not answer as Port's API \(POST \/v1\/auth\/access_token: 200 without an access token\)/);
    expect(portAuthFailure(port(503, 'http_503', 'Service Unavailable'), URL_)).toMatchObject({ message: expect.stringMatching(/is unavailable \(503\)/), fix: expect.stringContaining('try again') });
    expect(portAuthFailure(port(0, 'econnrefused', 'ECONNREFUSED'), URL_).message).toMatch(/^Port could not be reached/);
  });

  test('GitLab: 401 rejected, 403 a missing scope, 404 not GitLab, no answer unreachable', () => {
    expect(gitlabTokenFailure(gitlab(401, '401 Unauthorized'), 'https://gitlab.com').message).toContain('rejected GITLAB_TOKEN (401)');
    expect(gitlabTokenFailure(gitlab(401, '401 Unauthorized'), 'https://gitlab.com', 'read_api').fix).toContain('read_api scope');
    expect(gitlabTokenFailure(gitlab(403, '403 Forbidden - insufficient_scope'), 'https://gitlab.com').message).toContain('lacks the scope');
    expect(gitlabTokenFailure(gitlab(404, 'Not Found'), 'https://port.example').message).toContain("does not answer as GitLab's API");
    expect(gitlabTokenFailure(new GitLabApiError({ status: 0, code: 'econnrefused', message: 'ECONNREFUSED', method: 'GET', path: 'user', attempts: 3 }), 'https://gitlab.example').message).toContain('could not be reached');
  });
});

describe('preview says what Port would do with the request as given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'preview-contract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const mr = () => JSON.parse(readFileSync(join(PAYLOAD_DIR, 'merge_request.open.json'), 'utf8'));

  test('a body over 512 KiB: Port refuses it (413), no action, exit 1', async () => {
    const req = mr();
    req.body.object_attributes.description = 'x'.repeat(520 * 1024);
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify(req));
    const r = await cli(['preview', '--json', file]);
    expect(r.code).toBe(1);
    const line = onlyJson(r.out);
    expect(line.actions).toEqual([]);
    expect(JSON.stringify(line.problems)).toMatch(/over Port's 512\.0 KiB ingest limit: Port answers 413/);
  });

  test('a request just under the limit still maps', async () => {
    const req = mr();
    req.body.object_attributes.description = 'x'.repeat(500 * 1024);
    const file = join(dir, 'under.json');
    writeFileSync(file, JSON.stringify(req));
    const r = await cli(['preview', '--json', file]);
    expect(r.code, r.out).toBe(0);
    expect((onlyJson(r.out).actions as unknown[]).length).toBeGreaterThan(0);
  });

  test('without the X-Gitlab-Token header: Port refuses it, no action, exit 1', async () => {
    const req = mr();
    delete req.headers['X-Gitlab-Token'];
    const file = join(dir, 'no-token.json');
    writeFileSync(file, JSON.stringify(req));
    const r = await cli(['preview', '--json', file]);
    expect(r.code).toBe(1);
    const line = onlyJson(r.out);
    expect(line.actions).toEqual([]);
    expect(JSON.stringify(line.problems)).toContain('no x-gitlab-token header');
  });

  test('a directory, or a file that cannot be read, gets a sentence instead of an errno code', async () => {
    const r = await cli(['preview', '--json', dir]);
    expect(r.code).toBe(1);
    const message = JSON.stringify(onlyJson(r.out).problems);
    expect(message).toContain('it is a directory');
    expect(message).not.toContain('EISDIR');
    // Tests may run as root, for whom no file is unreadable: the permission sentence from its errno.
    const denied = Object.assign(new Error("EACCES: permission denied, open 'x.json'"), { code: 'EACCES' });
    expect(unreadable(denied)).toBe('cannot read the file: permission denied; make it readable (chmod +r) or copy it somewhere you can read');
  });
});

describe('backfill accepts --yes like install and uninstall', () => {
  test('backfill --yes runs (a job can pass the same flags to every command)', async () => {
    const installed = await cli(['install', '--yes', '--skip-hook', '--skip-backfill']);
    expect(installed.code, installed.err).toBe(0);
    const r = await cli(['backfill', '--yes', '--kinds', 'groups', '--json']);
    expect(r.err).not.toContain("Unknown option '--yes'");
    expect(r.code, r.err).toBe(0);
    expect(onlyJson(r.out)).toMatchObject({ ok: true });
  });
});
