// `port-gitlab backfill` checks Port, the GitLab token and the groups before it lists anything
// (issue 12 §4, §6): a wrong secret, a URL that is not Port, Port down, a Port without the
// blueprints or a rejected token exit 2 with one message (one JSON object with --json), and the
// local GitLab sees no list request.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import { blueprintsWritten } from '../../scripts/backfill/preflight.ts';
import type { CommandIO } from '../../scripts/install/io.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';
import { closeServer, listen } from '../../scripts/sandbox/http/index.ts';
import { startSandboxes, type Sandboxes } from './helpers.ts';

let sb: Sandboxes;
let notPort: Server;
let notPortUrl: string;
let downUrl: string;
let emptyPort: LocalPort;
beforeAll(async () => {
  sb = await startSandboxes({ gitlab: { extraTokens: [{ scopes: ['read_api'], role: 'reporter', username: 'reader' }] } });
  // What PORT_API_URL gets when someone pastes the web app's address: HTML, 200, for anything.
  notPort = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Port</title><div id="root"></div>');
  });
  notPortUrl = await listen(notPort);
  // A port nothing listens on any more: connection refused.
  const gone = createServer();
  downUrl = await listen(gone);
  await closeServer(gone);
  emptyPort = await startLocalPort({ rateLimit: false });
});
afterAll(async () => {
  await Promise.allSettled([sb?.close(), notPort && closeServer(notPort), emptyPort?.close()]);
});

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CommandIO = { env, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false, prompt: async () => '' };
  return { value, out: () => out.join(''), err: () => err.join('') };
}

const env = (over: Record<string, string> = {}) => ({
  PORT_CLIENT_ID: sb.port.clientId, PORT_CLIENT_SECRET: sb.port.clientSecret, PORT_API_URL: sb.port.url,
  GITLAB_URL: sb.gitlab.url, GITLAB_TOKEN: sb.gitlab.token, GITLAB_GROUPS: sb.gitlab.group, ...over,
});
// Fast retries: a Port that answers 5xx or drops connections costs milliseconds.
const tuning = { gitlab: { rateLimits: { '**': 1_000_000 }, retry: { baseDelayMs: 5, maxDelayMs: 20 } }, port: { retry: { baseDelayMs: 5, maxDelayMs: 20 } } };

/** The list endpoints the backfill reads; the preflight reads none of them. */
const LISTS = ['descendant_groups', 'groups/:id/projects', 'merge_requests', 'issues', 'groups/:id/members', 'pipelines', 'jobs', 'deployments', 'releases'];
function listRequests(): number {
  return Object.entries(sb.gitlab.requestCounts())
    .filter(([route]) => LISTS.some((l) => route.endsWith(`/${l}`)))
    .reduce((n, [, c]) => n + c, 0);
}
function gitlabRequests(): number {
  return Object.values(sb.gitlab.requestCounts()).reduce((n, c) => n + c, 0);
}

async function refused(over: Record<string, string>, args: string[] = []) {
  const listsBefore = listRequests();
  const before = gitlabRequests();
  const entitiesBefore = sb.port.entities('gitlabProject').length;
  const text = io(env(over));
  const r = await runBackfillCommand(args, { io: text.value, tuning });
  const json = io(env(over));
  const rj = await runBackfillCommand(['--json', ...args], { io: json.value, tuning });
  expect([r.exitCode, rj.exitCode]).toEqual([2, 2]);
  expect(listRequests()).toBe(listsBefore);
  // The token, the version, each group and the user's role on it: a handful of reads, twice.
  expect(gitlabRequests() - before).toBeLessThanOrEqual(2 * 6);
  expect(sb.port.entities('gitlabProject')).toHaveLength(entitiesBefore);
  expect(text.out()).toBe('');
  expect(text.err()).toMatch(/^backfill: preflight failed; nothing was listed from GitLab/);
  // One JSON object on stdout, describing the failure.
  const lines = json.out().trim().split('\n');
  expect(lines).toHaveLength(1);
  const parsed = JSON.parse(lines[0]!) as { ok: boolean; exitCode: number; error: { step: string; message: string }; preflight: { ok: boolean; checks: Array<{ check: string; status: string; message: string; fix?: string }> } };
  expect(parsed).toMatchObject({ ok: false, exitCode: 2, error: { step: 'preflight' }, preflight: { ok: false } });
  for (const t of [text.out(), text.err(), json.out(), json.err()]) {
    expect(t).not.toContain(sb.port.clientSecret);
    expect(t).not.toContain(sb.gitlab.token);
  }
  const failed = parsed.preflight.checks.filter((c) => c.status === 'fail');
  return { err: text.err(), json: parsed, failed };
}

describe('backfill preflight', () => {
  it('a wrong PORT_CLIENT_SECRET: exit 2, the credentials named, nothing listed from GitLab', async () => {
    const { err, failed } = await refused({ PORT_CLIENT_SECRET: 'not-the-secret' });
    expect(failed.map((c) => c.check)).toEqual(['port.credentials']);
    expect(failed[0]!.fix).toMatch(/PORT_CLIENT_SECRET/);
    expect(err).toContain(failed[0]!.message);
    expect(err).not.toContain('not-the-secret');
  });

  it('a PORT_API_URL that is not Port (a web page answering 200): exit 2, PORT_API_URL named, nothing listed', async () => {
    const { err, failed } = await refused({ PORT_API_URL: notPortUrl });
    expect(failed.map((c) => c.check)).toEqual(['port.credentials']);
    expect(`${failed[0]!.message} ${failed[0]!.fix}`).toContain('PORT_API_URL');
    expect(err).toContain(notPortUrl);
  });

  it('Port down (connection refused): exit 2, PORT_API_URL and the network named, nothing listed', async () => {
    const { failed } = await refused({ PORT_API_URL: downUrl });
    expect(failed.map((c) => c.check)).toEqual(['port.credentials']);
    expect(failed[0]!.message).toMatch(/ECONNREFUSED/);
    expect(failed[0]!.fix).toMatch(/PORT_API_URL/);
  });

  it('Port answering 503 to everything: exit 2 after the client\'s retries, nothing listed', async () => {
    sb.port.faults.configure({ errorRate: 1, errorStatus: 503 });
    try {
      const { failed } = await refused({});
      expect(failed.map((c) => c.check)).toEqual(['port.credentials']);
      expect(failed[0]!.message).toMatch(/503/);
    } finally {
      sb.port.faults.clear();
    }
  });

  it('a Port without the integration\'s blueprints (no install yet): exit 2, run install first', async () => {
    const { failed } = await refused({ PORT_API_URL: emptyPort.url, PORT_CLIENT_ID: emptyPort.clientId, PORT_CLIENT_SECRET: emptyPort.clientSecret });
    expect(failed.map((c) => c.check)).toEqual(['port.blueprints']);
    expect(failed[0]!.message).toContain('"gitlabProject"');
    expect(failed[0]!.fix).toMatch(/port-gitlab install/);
  });

  it('a rejected GitLab token: exit 2, and a new token needs read_api, not api', async () => {
    const { json, failed } = await refused({ GITLAB_TOKEN: 'glpat-revoked-000000000000' });
    expect(failed.map((c) => c.check)).toEqual(['gitlab.token']);
    expect(failed[0]!.message).toMatch(/rejected GITLAB_TOKEN \(401\)/);
    expect(failed[0]!.fix).toMatch(/with the read_api scope/);
    expect(JSON.stringify(json)).not.toMatch(/\bapi scope/);
  });

  it('a group the token cannot see: exit 2 naming it', async () => {
    const { failed } = await refused({ GITLAB_GROUPS: `${sb.gitlab.group},no-such-group` });
    expect(failed.map((c) => c.check)).toEqual(['gitlab.group:no-such-group']);
    expect(failed[0]!.message).toContain('"no-such-group"');
  });

  it('reports every problem at once (Port and GitLab)', async () => {
    const { failed } = await refused({ PORT_API_URL: downUrl, GITLAB_TOKEN: 'glpat-revoked-000000000000' });
    expect(failed.map((c) => c.check)).toEqual(['port.credentials', 'gitlab.token']);
  });

  it('passes with a read_api token and a Reporter, and the backfill runs', async () => {
    const run = io(env({ GITLAB_TOKEN: sb.gitlab.extraTokens[0]! }));
    const r = await runBackfillCommand(['--kinds', 'groups,projects', '--since-days', 'all'], { io: run.value, tuning });
    expect(run.err()).not.toMatch(/preflight failed/);
    expect(r.exitCode).toBe(0);
    expect(r.summary!.kinds.projects!.written + r.summary!.kinds.projects!.unchanged).toBeGreaterThan(0);
  });

  it('needs the blueprints the chosen kinds write and those they relate to', () => {
    expect(blueprintsWritten(sb.bundle, ['groups'])).toEqual(['gitlabGroup']);
    expect(blueprintsWritten(sb.bundle, ['jobs']).sort()).toEqual(['gitlabJob', 'gitlabPipeline', 'gitlabProject'].sort());
    expect(blueprintsWritten(sb.bundle)).toHaveLength(sb.bundle.blueprints.length);
  });
});
