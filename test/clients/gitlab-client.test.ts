import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { GitLabApiError, GitLabClient, GROUP_HOOK_EVENT_FLAGS, parseLinkHeader, resolveGitLabHost } from '../../scripts/clients/gitlab/index.ts';
import { packageVersion } from '../../scripts/clients/shared/user-agent.ts';
import { dropConnection, FakeClock, sendJson, startServer, type Handler, type ScriptedServer } from './helpers.ts';

const TOKEN = 'glpat-TopSecretToken1234567890';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function gitlab(handler: Handler): Promise<ScriptedServer> {
  server = await startServer(async (req, res) => {
    if (req.headers['private-token'] !== TOKEN) return sendJson(res, 401, { message: '401 Unauthorized' });
    await handler(req, res);
  });
  return server;
}

function client(url: string, clock = new FakeClock(), extra: Partial<ConstructorParameters<typeof GitLabClient>[0]> = {}) {
  return new GitLabClient({ host: url, token: TOKEN, clock, random: () => 0.5, ...extra });
}

/** Serves `items` with GitLab's offset pagination headers; `linkHost` is what GitLab advertises in Link. */
function offsetPage(req: { query: URLSearchParams; path: string }, items: unknown[], linkHost: string, extraHeaders: Record<string, string> = {}) {
  const perPage = Math.min(100, Number(req.query.get('per_page') ?? 20));
  const page = Number(req.query.get('page') ?? 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(p));
    return `<${linkHost}${req.path}?${q}>`;
  };
  const rels = [page < last ? `${link(page + 1)}; rel="next"` : '', `${link(1)}; rel="first"`, `${link(last)}; rel="last"`].filter(Boolean);
  return { slice, headers: { link: rels.join(', '), 'x-page': String(page), 'x-per-page': String(perPage), 'x-next-page': page < last ? String(page + 1) : '', ...extraHeaders } };
}

describe('host', () => {
  it('defaults to gitlab.com and strips /api/v4 and slashes', () => {
    expect(resolveGitLabHost('')).toBe('https://gitlab.com');
    expect(resolveGitLabHost('https://git.example.com/gitlab/api/v4/')).toBe('https://git.example.com/gitlab');
    expect(() => resolveGitLabHost('https://user:glpat@git.example.com')).toThrow(/GITLAB_TOKEN/);
    expect(() => resolveGitLabHost('git.example.com')).toThrow(/GITLAB_URL/);
  });
  it('parses Link headers', () => {
    expect(parseLinkHeader('<https://g/api/v4/x?page=2>; rel="next", <https://g/api/v4/x?page=1>; rel="first"')).toEqual({ next: 'https://g/api/v4/x?page=2', first: 'https://g/api/v4/x?page=1' });
  });
});

describe('page iterator', () => {
  it('follows offset Link headers one page at a time, with per_page=100, ignoring a wrong x-total', async () => {
    const projects = Array.from({ length: 250 }, (_, i) => ({ id: i + 1, path_with_namespace: `acme/p${i + 1}` }));
    const s = await gitlab((req, res) => {
      expect(req.path).toBe('/api/v4/groups/acme%2Fplatform/projects');
      // GitLab behind a proxy advertising another origin: the client must stay on its own.
      const { slice, headers } = offsetPage(req, projects, 'http://localhost:1', { 'x-total': '7', 'x-total-pages': '1' });
      sendJson(res, 200, slice, headers);
    });
    const it = client(s.url).groupProjects('acme/platform');
    const seen: number[] = [];
    const first = await it.next();
    expect(first.value).toHaveLength(100);
    expect(s.requests).toHaveLength(1); // nothing fetched ahead: one page in memory
    seen.push(...(first.value as Array<{ id: number }>).map((p) => p.id));
    for await (const page of it) {
      expect(s.requests.length).toBe(seen.length / 100 + 1);
      seen.push(...page.map((p) => p.id));
    }
    expect(seen).toEqual(projects.map((p) => p.id));
    expect(s.requests).toHaveLength(3);
    const q = s.requests[0]!.query;
    expect(Object.fromEntries(q)).toMatchObject({ per_page: '100', include_subgroups: 'true', with_shared: 'false' });
    expect(s.requests.map((r) => r.query.get('page'))).toEqual([null, '2', '3']);
  });

  it('follows keyset Link headers (id_after) for project jobs until no Link is sent', async () => {
    const jobs = Array.from({ length: 230 }, (_, i) => ({ id: 1000 - i, name: `job-${i}`, status: 'success' }));
    const s = await gitlab((req, res) => {
      expect(Object.fromEntries(req.query)).toMatchObject({ pagination: 'keyset', order_by: 'id', sort: 'desc', per_page: '100' });
      const after = req.query.get('id_after');
      const rest = after ? jobs.filter((j) => j.id < Number(after)) : jobs;
      const slice = rest.slice(0, 100);
      const headers: Record<string, string> = {};
      if (rest.length > 100) {
        const q = new URLSearchParams(req.query);
        q.set('id_after', String(slice.at(-1)!.id));
        headers.link = `<${s.url}${req.path}?${q}>; rel="next"`;
      }
      sendJson(res, 200, slice, headers);
    });
    const ids: number[] = [];
    for await (const page of client(s.url).projectJobs(42)) ids.push(...page.map((j) => j.id as number));
    expect(ids).toEqual(jobs.map((j) => j.id));
    expect(s.requests.map((r) => r.query.get('id_after'))).toEqual([null, '901', '801']);
  });

  it('stops with an error when GitLab points back to a page already read', async () => {
    const s = await gitlab((req, res) => sendJson(res, 200, [{ id: 1 }], { link: `<${s.url}${req.url}>; rel="next"` }));
    const err = await (async () => {
      for await (const _ of client(s.url).pages('groups/1/members')) void _;
    })().catch((e) => e);
    expect(err).toBeInstanceOf(GitLabApiError);
    expect(err.code).toBe('pagination_loop');
  });
});

describe('retries and rate limits', () => {
  it('honours Retry-After on 429, also inside gitbeaker methods', async () => {
    let n = 0;
    const projects = Array.from({ length: 5 }, (_, i) => ({ id: i + 1 }));
    const s = await gitlab((req, res) => {
      n++;
      if (n === 1 || n === 3) {
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': n === 1 ? '30' : '2', 'ratelimit-name': 'throttle_authenticated_api' });
        return res.end('Retry later\n');
      }
      const { slice, headers } = offsetPage(req, projects, s.url);
      sendJson(res, 200, slice, headers);
    });
    const clock = new FakeClock();
    const c = client(s.url, clock);
    const all = await c.api.Groups.allProjects(7, { includeSubgroups: true, perPage: 3 });
    expect(all.map((p) => p.id)).toEqual([1, 2, 3, 4, 5]);
    expect(clock.sleeps).toEqual([30_000, 2000]);
    expect(s.requests[0]!.path).toBe('/api/v4/groups/7/projects');
    expect(s.requests[0]!.query.get('include_subgroups')).toBe('true');
  });

  it('on 429 without Retry-After waits until RateLimit-Reset', async () => {
    const clock = new FakeClock(1_750_000_000_000);
    let n = 0;
    const s = await gitlab((req, res) => {
      if (++n === 1) return sendJson(res, 429, { message: 'Retry later' }, { 'ratelimit-reset': String(clock.now() / 1000 + 45), 'ratelimit-remaining': '0' });
      sendJson(res, 200, { version: '17.6.0', revision: 'abc' });
    });
    expect((await client(s.url, clock).version()).version).toBe('17.6.0');
    expect(clock.sleeps).toEqual([45_000]);
  });

  it('refuses a Retry-After beyond the maximum wait with an explanation', async () => {
    const s = await gitlab((req, res) => sendJson(res, 429, { message: 'Retry later' }, { 'retry-after': '1800' }));
    const clock = new FakeClock();
    const err = await client(s.url, clock).currentUser().catch((e) => e);
    expect(err).toBeInstanceOf(GitLabApiError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', retryAfterMs: 1_800_000 });
    expect(err.message).toMatch(/asked to wait 1800 s, more than the 1200 s allowed/);
    expect(clock.sleeps).toEqual([]);
  });

  it('waits proactively when RateLimit-Remaining reaches 0', async () => {
    const clock = new FakeClock(1_750_000_000_000);
    let n = 0;
    const s = await gitlab((req, res) => {
      n++;
      sendJson(res, 200, { id: 1, username: 'bot' }, n === 1 ? { 'ratelimit-remaining': '0', 'ratelimit-reset': String(clock.now() / 1000 + 20) } : { 'ratelimit-remaining': '1999' });
    });
    const c = client(s.url, clock);
    await c.currentUser();
    await c.currentUser();
    expect(clock.sleeps).toEqual([20_000]);
  });

  it('retries a 5xx burst and a dropped connection with backoff, then succeeds', async () => {
    const script = [500, 502, 'drop', 503, 504];
    const s = await gitlab((req, res) => {
      const step = script.shift();
      if (step === 'drop') return dropConnection(res);
      if (typeof step === 'number') return sendJson(res, step, { message: `${step} trouble` });
      sendJson(res, 200, { id: 5, full_path: 'acme' });
    });
    const clock = new FakeClock();
    expect(await client(s.url, clock).group('acme')).toEqual({ id: 5, full_path: 'acme' });
    // random() = 0.5, base 1000 ms: 0.5·1000·2^n
    expect(clock.sleeps).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('retries a request that timed out, and follows a same-origin redirect with the token', async () => {
    let hung = false;
    const s = await gitlab((req, res) => {
      if (req.path === '/api/v4/projects/acme%2Fold') {
        res.writeHead(301, { location: 'http://localhost:1/api/v4/projects/42' });
        return res.end();
      }
      if (!hung) {
        hung = true;
        return; // never answered
      }
      sendJson(res, 200, { id: 42, path_with_namespace: 'acme/new' });
    });
    const clock = new FakeClock();
    const c = client(s.url, clock, { requestTimeoutMs: 300 });
    const project = await c.request<{ id: number }>({ method: 'GET', path: 'projects/acme%2Fold' });
    expect(project.body.id).toBe(42);
    expect(s.requests.map((r) => r.path)).toEqual(['/api/v4/projects/acme%2Fold', '/api/v4/projects/42', '/api/v4/projects/42']);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('gives up after maxAttempts with a typed error that never contains the token', async () => {
    const s = await gitlab((req, res) => sendJson(res, 503, { message: `backend down, token was ${req.headers['private-token']}` }));
    const err = await client(s.url, new FakeClock(), { retry: { maxAttempts: 3 } }).tokenScopes().catch((e) => e);
    expect(err).toBeInstanceOf(GitLabApiError);
    expect(err).toMatchObject({ status: 503, method: 'GET', path: 'personal_access_tokens/self', attempts: 3 });
    expect(err.message).toMatch(/after 3 attempts: 503/);
    const all = [String(err), err.stack, JSON.stringify(err), inspect(err, { showHidden: true, depth: 10 })].join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).toContain('[REDACTED]');
    expect(s.requests).toHaveLength(3);
  });

  it('does not retry a 404 and explains a 401', async () => {
    const s = await gitlab((req, res) => sendJson(res, 404, { message: '404 Group Not Found' }));
    const c = client(s.url);
    expect(await c.group('nope')).toBeNull();
    const err = await c.api.Groups.show('nope').catch((e) => e);
    expect(err).toMatchObject({ status: 404, attempts: 1, gitlabMessage: '404 Group Not Found' });
    const bad = new GitLabClient({ host: s.url, token: 'glpat-wrong-token-value', clock: new FakeClock() });
    const e401 = await bad.currentUser().catch((e) => e);
    expect(e401.status).toBe(401);
    expect(e401.message).toMatch(/GITLAB_TOKEN/);
    expect(JSON.stringify(e401) + e401.message).not.toContain('glpat-wrong-token-value');
  });

  it('keeps to the client-side budget overall and per endpoint', async () => {
    const s = await gitlab((req, res) => sendJson(res, 200, req.path.endsWith('/projects') ? [] : { id: 1 }));
    const clock = new FakeClock();
    const overall = client(s.url, clock, { rateLimits: { '**': 3 } });
    for (let i = 0; i < 3; i++) await overall.currentUser();
    expect(clock.sleeps).toEqual([]);
    await overall.currentUser(); // 4th inside one minute: waits for the first to leave the window
    expect(clock.sleeps).toEqual([60_000]);

    const clock2 = new FakeClock();
    const perEndpoint = client(s.url, clock2, { rateLimits: { '**': 100, 'groups/*/projects': 1 } });
    for await (const _ of perEndpoint.groupProjects(1)) void _;
    await perEndpoint.currentUser(); // another endpoint: not held back
    expect(clock2.sleeps).toEqual([]);
    for await (const _ of perEndpoint.groupProjects('acme/sub')) void _; // same bucket: 1 per minute
    expect(clock2.sleeps).toEqual([60_000]);
    expect(s.requests).toHaveLength(7);
  });
});

describe('headers, hooks and preflight', () => {
  it('sends the token only as PRIVATE-TOKEN and our User-Agent', async () => {
    const s = await gitlab((req, res) => sendJson(res, 200, { id: 1, username: 'bot' }));
    await client(s.url).currentUser();
    const r = s.requests[0]!;
    expect(r.headers['user-agent']).toBe(`port-gitlab-template/${packageVersion()}`);
    expect(r.url).not.toContain(TOKEN);
  });

  it('creates and edits a group hook with every event flag explicit, snake_case, through gitbeaker', async () => {
    const s = await gitlab((req, res) => {
      if (req.method === 'POST') return sendJson(res, 201, { id: 9, url: req.json.url, group_id: 3, ...req.json, token: undefined });
      if (req.method === 'PUT') return sendJson(res, 200, { id: 9, url: req.json.url, group_id: 3 });
      sendJson(res, 500, {});
    });
    const c = client(s.url);
    const spec = {
      url: 'https://ingest.port.io/abc',
      token: 'hook-secret-value',
      name: 'Port',
      description: 'port-gitlab-template',
      branchFilterStrategy: 'all_branches' as const,
      events: { merge_requests_events: true, member_events: true, project_events: true, subgroup_events: true, pipeline_events: true },
    };
    const hook = await c.createGroupHook('acme', spec);
    expect(hook.id).toBe(9);
    const post = s.requests[0]!;
    expect(post.path).toBe('/api/v4/groups/acme/hooks');
    for (const flag of GROUP_HOOK_EVENT_FLAGS) expect(typeof post.json[flag]).toBe('boolean');
    expect(post.json).toMatchObject({
      url: spec.url,
      token: 'hook-secret-value',
      name: 'Port',
      description: 'port-gitlab-template',
      branch_filter_strategy: 'all_branches',
      enable_ssl_verification: true,
      merge_requests_events: true,
      member_events: true,
      project_events: true,
      emoji_events: false,
      feature_flag_events: false,
      resource_access_token_events: false,
      push_events: false,
    });
    await c.editGroupHook('acme', 9, spec);
    expect(s.requests[1]!.method).toBe('PUT');
    expect(s.requests[1]!.path).toBe('/api/v4/groups/acme/hooks/9');
    expect(s.requests[1]!.json.token).toBe('hook-secret-value');
    expect(s.requests[1]!.json.member_events).toBe(true);
    await expect(c.createGroupHook('acme', { ...spec, events: { merge_request_events: true } as never })).rejects.toThrow(/Unknown hook event flag\(s\): merge_request_events/);
  });

  it('lists, tests and deletes hooks; a missing hook deletes as false', async () => {
    const s = await gitlab((req, res) => {
      if (req.method === 'GET') return sendJson(res, 200, [{ id: 9, url: 'https://ingest.port.io/abc', alert_status: 'executable' }]);
      if (req.method === 'POST') return sendJson(res, 201, { message: '201 Created' });
      if (req.path.endsWith('/9')) {
        res.writeHead(204);
        return res.end();
      }
      sendJson(res, 404, { message: '404 Not found' });
    });
    const c = client(s.url);
    expect((await c.listGroupHooks(3)).map((h) => h.alert_status)).toEqual(['executable']);
    await c.testGroupHook(3, 9, 'merge_requests_events');
    expect(s.requests[1]!.path).toBe('/api/v4/groups/3/hooks/9/test/merge_requests_events');
    expect(await c.deleteGroupHook(3, 9)).toBe(true);
    expect(await c.deleteGroupHook(3, 10)).toBe(false);
  });

  it('reads version (falling back to /version), token scopes and membership', async () => {
    const s = await gitlab((req, res) => {
      if (req.path === '/api/v4/metadata') return sendJson(res, 404, { error: '404 Not Found' });
      if (req.path === '/api/v4/version') return sendJson(res, 200, { version: '15.0.0-ee', revision: 'deadbeef' });
      if (req.path === '/api/v4/personal_access_tokens/self') return sendJson(res, 200, { id: 4, name: 'installer', scopes: ['api', 'read_api'], active: true });
      if (req.path === '/api/v4/groups/3/members/all/7') return sendJson(res, 200, { id: 7, username: 'bot', access_level: 50 });
      sendJson(res, 404, { message: '404 Not found' });
    });
    const c = client(s.url);
    expect(await c.version()).toEqual({ version: '15.0.0-ee', revision: 'deadbeef' });
    expect(await c.tokenScopes()).toEqual(['api', 'read_api']);
    expect((await c.groupMember(3, 7))?.access_level).toBe(50);
    expect(await c.groupMember(3, 8)).toBeNull();
  });
});
