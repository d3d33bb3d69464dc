// Shared helpers for the installer's end-to-end tests: both sandboxes in-process, a captured
// command IO, a loopback proxy that logs (and can fail) GitLab requests, and write counters.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalPort, type LocalPort, type LocalPortOptions } from '../../scripts/sandbox/port/server.ts';
import { startLocalGitLab, type LocalGitLab, type LocalGitLabOptions } from '../../scripts/sandbox/gitlab/index.ts';
import type { CommandIO } from '../../scripts/install/io.ts';
import type { ClientTuning } from '../../scripts/install/clients.ts';
import { runDoctorCommand } from '../../scripts/commands/doctor.ts';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { installIdOf } from '../../scripts/install/install-id.ts';
import { installWebhookIdentifier } from '../../scripts/install/install-webhook.ts';

export interface Sandboxes {
  port: LocalPort;
  gitlab: LocalGitLab;
  proxy: GitLabProxy;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Fast retries: the sandboxes answer at once, and failure tests must not wait for real backoff. */
export const FAST: ClientTuning = {
  port: { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } },
  gitlab: { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } },
};

export async function startSandboxes(o: { gitlab?: LocalGitLabOptions; port?: LocalPortOptions } = {}): Promise<Sandboxes> {
  const port = await startLocalPort({ rateLimit: false, ...o.port });
  const gitlab = await startLocalGitLab({ seed: 'small', rateLimit: false, ...o.gitlab });
  const proxy = await startGitLabProxy(gitlab.url);
  const env = {
    PORT_CLIENT_ID: port.clientId,
    PORT_CLIENT_SECRET: port.clientSecret,
    PORT_API_URL: port.url,
    GITLAB_URL: proxy.url,
    GITLAB_TOKEN: gitlab.token,
    GITLAB_GROUPS: gitlab.group,
  };
  return {
    port, gitlab, proxy, env,
    async close() {
      await proxy.close();
      await gitlab.close();
      await port.close();
    },
  };
}

export interface Captured {
  io: CommandIO;
  out(): string;
  err(): string;
  all(): string;
}

export function captureIO(env: Record<string, string | undefined>, o: { isTTY?: boolean; answers?: string[] } = {}): Captured {
  let out = '';
  let err = '';
  const answers = [...(o.answers ?? [])];
  return {
    io: {
      env,
      stdout: (t) => { out += t; },
      stderr: (t) => { err += t; },
      isTTY: o.isTTY ?? false,
      prompt: async (q) => { err += q; return answers.shift() ?? ''; },
    },
    out: () => out,
    err: () => err,
    all: () => out + err,
  };
}

export interface GitLabProxy {
  url: string;
  /** Every request seen: `METHOD /api/v4/path` (no query). */
  log: string[];
  /** From now on every request is answered 401, as GitLab does for an expired token. */
  expire(): void;
  /** The token expires right after the first request whose `METHOD /path` matches is forwarded. */
  expireAfter(match: RegExp): void;
  writes(): string[];
  close(): Promise<void>;
}

/** A loopback reverse proxy in front of the local GitLab: logs requests, can expire the token. */
export async function startGitLabProxy(target: string): Promise<GitLabProxy> {
  const t = new URL(target);
  const log: string[] = [];
  let expired = false;
  let expireAfter: RegExp | undefined;
  const server: Server = createServer((req, res) => {
    const line = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    log.push(line);
    if (!expired && expireAfter?.test(line)) {
      expireAfter = undefined;
      expired = true; // this request still goes through; the next ones do not
    } else if (expired) {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: '401 Unauthorized' }));
      return;
    }
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (r) => {
      // Link headers name the upstream origin; the client re-roots them on its own origin anyway.
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { if (!res.headersSent) res.writeHead(502).end(); else res.destroy(); });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    expire: () => { expired = true; },
    expireAfter: (match) => { expireAfter = match; },
    // A GraphQL query is a read, though POSTed (sync's changed-pipelines scan).
    writes: () => log.filter((l) => !l.startsWith('GET ') && l !== 'POST /api/graphql'),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Port API write requests (per route) since `before`; token and search requests are reads. */
export function portWrites(port: LocalPort, before: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [route, n] of Object.entries(port.requestCounts())) {
    const delta = n - (before[route] ?? 0);
    if (delta <= 0 || route.startsWith('GET ') || route.includes('/ingest/')) continue;
    if (route === 'POST /v1/auth/access_token' || route.endsWith('/entities/search')) continue;
    out[route] = delta;
  }
  return out;
}

/** Doctor's audit-log polling, shortened for the sandbox (deliveries land within milliseconds). */
/**
 * GitLab Free (no group hooks) after `install --project-hooks --skip-backfill`, with the group's
 * projects in id order: the starting point of the project-hook tests of doctor and sync.
 */
export async function startFreeTierWithProjectHooks(): Promise<{ sb: Sandboxes; projects: Array<{ id: number; path_with_namespace: string }> }> {
  const sb = await startSandboxes({ gitlab: { tier: 'free' } });
  const c = captureIO(sb.env);
  const r = await runInstallCommand(['--project-hooks', '--skip-backfill'], { io: c.io, tuning: FAST });
  if (r.exitCode !== 0) throw new Error(`install --project-hooks exited ${r.exitCode}: ${c.err()}`);
  const res = await fetch(`${sb.gitlab.url}/api/v4/groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false&order_by=id&sort=asc&per_page=100`, { headers: { 'private-token': sb.gitlab.token } });
  return { sb, projects: (await res.json()) as Array<{ id: number; path_with_namespace: string }> };
}

/** Requests either sandbox has seen so far (Port's per-route counts and the GitLab proxy's log). */
export function requestsSeen(sb: Sandboxes): number {
  return Object.values(sb.port.requestCounts()).reduce((a, b) => a + b, 0) + sb.proxy.log.length;
}

export const DOCTOR = { auditPolls: 20, auditPollMs: 50 };

/** `port-gitlab doctor ARGS` against the sandboxes, with its exit code and captured output. */
export async function runDoctor(env: Record<string, string | undefined>, args: string[] = ['--json']) {
  const c = captureIO(env);
  const r = await runDoctorCommand(args, { io: c.io, tuning: FAST, doctor: DOCTOR });
  return { ...r, out: c.out(), err: c.err() };
}

/** The identifier of an install's own Port webhook (install-webhook.ts): its GitLab URL and top-level group ids name it. */
export function installWebhookId(sb: Sandboxes, groupIds: readonly number[] = [sb.gitlab.groupId], gitlabUrl: string = sb.env.GITLAB_URL): string {
  return installWebhookIdentifier(loadBundle().webhook.content.identifier, installIdOf(gitlabUrl, groupIds));
}
