import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PortApiError, PortClient, PortRequestSchemaError, resolvePortBaseUrl } from '../../scripts/clients/port/index.ts';
import { checkRequestBody, checkResponseBody } from '../../scripts/port/api-schemas.ts';
import { packageVersion } from '../../scripts/clients/shared/user-agent.ts';
import { dropConnection, FakeClock, sendJson, startServer, type Handler, type ScriptedServer } from './helpers.ts';

const SECRET = 'cs_SuperSecretValue_9f8e7d6c5b4a';
const CLIENT_ID = 'client-id-123';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that issues tokens `tok-1`, `tok-2`, … and hands every other request to `route`. */
async function portServer(route: Handler, tokenTtlSeconds = 10_800) {
  let issued = 0;
  server = await startServer(async (req, res) => {
    if (req.path === '/v1/auth/access_token') {
      expect(checkRequestBody('create-an-access-token', req.json).ok).toBe(true);
      if (req.json.clientSecret !== SECRET) return sendJson(res, 401, { ok: false, error: 'unauthorized', message: 'wrong credentials' });
      issued++;
      const body = { ok: true, accessToken: `tok-${issued}-abcdefghijklmnop`, expiresIn: tokenTtlSeconds, tokenType: 'Bearer' };
      expect(checkResponseBody('create-an-access-token', 200, body).ok).toBe(true);
      return sendJson(res, 200, body);
    }
    if (req.headers.authorization !== `Bearer tok-${issued}-abcdefghijklmnop`) {
      return sendJson(res, 401, { ok: false, error: 'unauthorized', message: 'token expired' });
    }
    await route(req, res);
  });
  return server;
}

function client(url: string, clock = new FakeClock(), extra: Partial<ConstructorParameters<typeof PortClient>[0]> = {}) {
  return new PortClient({ clientId: CLIENT_ID, clientSecret: SECRET, baseUrl: url, clock, random: () => 0.5, ...extra });
}

const tokenRequests = (s: ScriptedServer) => s.requests.filter((r) => r.path === '/v1/auth/access_token').length;

describe('region and base URL', () => {
  it('resolves eu/us shortcuts, defaults to EU and strips /v1', () => {
    expect(resolvePortBaseUrl(undefined)).toBe('https://api.port.io');
    expect(resolvePortBaseUrl('eu')).toBe('https://api.port.io');
    expect(resolvePortBaseUrl('US')).toBe('https://api.us.port.io');
    expect(resolvePortBaseUrl('https://api.getport.io/v1/')).toBe('https://api.getport.io');
  });
  it('rejects unusable values with what to set', () => {
    expect(() => resolvePortBaseUrl('mars')).toThrow(/PORT_API_URL/);
    expect(() => resolvePortBaseUrl('ftp://x')).toThrow(/https/);
    expect(() => resolvePortBaseUrl('https://u:p@api.port.io')).toThrow(/credentials/);
  });
});

describe('authentication', () => {
  it('requests one token for many concurrent and sequential calls, and sends our User-Agent', async () => {
    const s = await portServer((req, res) => sendJson(res, 200, { ok: true, blueprints: [] }));
    const c = client(s.url);
    await Promise.all(Array.from({ length: 8 }, () => c.listBlueprints()));
    await c.listBlueprints();
    expect(tokenRequests(s)).toBe(1);
    const calls = s.requests.filter((r) => r.path === '/v1/blueprints');
    expect(calls).toHaveLength(9);
    for (const r of s.requests) expect(r.headers['user-agent']).toBe(`port-gitlab-template/${packageVersion()}`);
  });

  it('appends the install id to the User-Agent', async () => {
    const s = await portServer((req, res) => sendJson(res, 200, { ok: true, blueprints: [] }));
    await client(s.url, new FakeClock(), { installId: 'inst-42' }).listBlueprints();
    expect(s.requests.at(-1)!.headers['user-agent']).toBe(`port-gitlab-template/${packageVersion()}/inst-42`);
  });

  it('forInstall writes as the install with the same token, and leaves the original client as it was', async () => {
    const s = await portServer((req, res) => sendJson(res, 200, { ok: true, blueprints: [] }));
    const base = client(s.url);
    await base.listBlueprints();
    const inst = base.forInstall('gl-0123456789ab');
    expect(inst.installId).toBe('gl-0123456789ab');
    await inst.listBlueprints();
    await base.listBlueprints();
    const agents = s.requests.filter((r) => r.path === '/v1/blueprints').map((r) => r.headers['user-agent']);
    expect(agents).toEqual([`port-gitlab-template/${packageVersion()}`, `port-gitlab-template/${packageVersion()}/gl-0123456789ab`, `port-gitlab-template/${packageVersion()}`]);
    expect(tokenRequests(s)).toBe(1);
    expect(() => base.forInstall('has space')).toThrow(/User-Agent/);
  });

  it('refreshes the token before expiresIn minus the margin', async () => {
    const s = await portServer((req, res) => sendJson(res, 200, { ok: true, blueprints: [] }), 3600);
    const clock = new FakeClock();
    const c = client(s.url, clock);
    await c.listBlueprints();
    clock.current += 3600_000 - 5 * 60_000 - 1000; // still inside the margin-adjusted lifetime
    await c.listBlueprints();
    expect(tokenRequests(s)).toBe(1);
    clock.current += 2000; // past expiresIn - 5 min
    await c.listBlueprints();
    expect(tokenRequests(s)).toBe(2);
  });

  it('refreshes once on a 401 and retries the request with the new token', async () => {
    let rejectedOnce = false;
    const s = await portServer((req, res) => {
      if (!rejectedOnce) {
        rejectedOnce = true;
        return sendJson(res, 401, { ok: false, error: 'unauthorized', message: 'token revoked' });
      }
      sendJson(res, 200, { ok: true, blueprint: { identifier: 'x' } });
    });
    const bp = await client(s.url).getBlueprint('x');
    expect(bp).toEqual({ identifier: 'x' });
    expect(tokenRequests(s)).toBe(2);
    const gets = s.requests.filter((r) => r.path === '/v1/blueprints/x');
    expect(gets.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1-abcdefghijklmnop', 'Bearer tok-2-abcdefghijklmnop']);
  });

  it('gives up after one refresh when Port keeps answering 401', async () => {
    const s = await portServer((req, res) => sendJson(res, 401, { ok: false, error: 'unauthorized', message: 'nope' }));
    const err = await client(s.url).listBlueprints().catch((e) => e);
    expect(err).toBeInstanceOf(PortApiError);
    expect(err.status).toBe(401);
    expect(tokenRequests(s)).toBe(2);
    expect(s.requests.filter((r) => r.path === '/v1/blueprints')).toHaveLength(2);
  });

  it('reports wrong credentials with what to set, without the secret', async () => {
    const s = await portServer(() => undefined);
    const c = new PortClient({ clientId: CLIENT_ID, clientSecret: 'wrong-secret-value', baseUrl: s.url, clock: new FakeClock() });
    const err = await c.authenticate().catch((e) => e);
    expect(err).toBeInstanceOf(PortApiError);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/PORT_CLIENT_ID and PORT_CLIENT_SECRET/);
    expect(JSON.stringify(err) + inspect(err)).not.toContain('wrong-secret-value');
  });
});

describe('retries and rate limits', () => {
  it('honours Retry-After in seconds and as an HTTP date on 429', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    let n = 0;
    const s = await portServer((req, res) => {
      n++;
      if (n === 1) return sendJson(res, 429, { ok: false, error: 'rate_limited', message: 'slow down' }, { 'retry-after': '7' });
      if (n === 2) return sendJson(res, 429, { ok: false, error: 'rate_limited', message: 'slow down' }, { 'retry-after': new Date(clock.now() + 3000).toUTCString() });
      sendJson(res, 200, { ok: true, blueprints: [{ identifier: 'a' }] });
    });
    const list = await client(s.url, clock).listBlueprints();
    expect(list).toEqual([{ identifier: 'a' }]);
    expect(clock.sleeps).toEqual([7000, 3000]);
  });

  it('on 429 without Retry-After waits for x-ratelimit-reset (seconds-until or epoch)', async () => {
    const clock = new FakeClock(1_750_000_000_000);
    let n = 0;
    const s = await portServer((req, res) => {
      n++;
      if (n === 1) return sendJson(res, 429, { ok: false, error: 'rate_limited', message: '' }, { 'x-ratelimit-reset': '4' });
      if (n === 2) return sendJson(res, 429, { ok: false, error: 'rate_limited', message: '' }, { 'x-ratelimit-reset': String(clock.now() / 1000 + 9) });
      sendJson(res, 200, { ok: true, blueprints: [] });
    });
    await client(s.url, clock).listBlueprints();
    expect(clock.sleeps).toEqual([4000, 9000]);
  });

  it('waits proactively when x-ratelimit-remaining reaches 0', async () => {
    const clock = new FakeClock(1_750_000_000_000);
    let n = 0;
    const s = await portServer((req, res) => {
      n++;
      const headers: Record<string, string> = n === 1 ? { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(clock.now() / 1000 + 12), 'x-ratelimit-limit': '100' } : { 'x-ratelimit-remaining': '99' };
      sendJson(res, 200, { ok: true, blueprints: [] }, headers);
    });
    const c = client(s.url, clock);
    await c.listBlueprints();
    expect(clock.sleeps).toEqual([]);
    await c.listBlueprints();
    expect(clock.sleeps).toEqual([12_000]);
    await c.listBlueprints();
    expect(clock.sleeps).toEqual([12_000]);
    expect(s.requests.filter((r) => r.path === '/v1/blueprints')).toHaveLength(3);
  });

  it('retries a 5xx burst with exponential full-jitter backoff, then succeeds', async () => {
    const statuses = [502, 503, 504, 500];
    const s = await portServer((req, res) => {
      const st = statuses.shift();
      if (st) return sendJson(res, st, { ok: false, error: 'server_error', message: 'upstream trouble' });
      sendJson(res, 200, { ok: true, count: 5 });
    });
    const clock = new FakeClock();
    expect(await client(s.url, clock).countEntities('gitlabProject')).toBe(5);
    // random() = 0.5, base 500 ms: 0.5·500·2^n
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000]);
  });

  it('retries a dropped connection, then succeeds', async () => {
    let dropped = false;
    const s = await portServer((req, res) => {
      if (!dropped) {
        dropped = true;
        return dropConnection(res);
      }
      sendJson(res, 200, { ok: true, count: 1 });
    });
    const clock = new FakeClock();
    expect(await client(s.url, clock).countEntities('x')).toBe(1);
    expect(clock.sleeps).toHaveLength(1);
    expect(s.requests.filter((r) => r.path.endsWith('entities-count'))).toHaveLength(2);
  });

  it('retries a request that timed out', async () => {
    let hung = false;
    const s = await portServer((req, res) => {
      if (!hung) {
        hung = true;
        return; // never answered: the client's per-request timeout fires
      }
      sendJson(res, 200, { ok: true, count: 2 });
    });
    const clock = new FakeClock();
    expect(await client(s.url, clock, { timeoutMs: 300 }).countEntities('x')).toBe(2);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('gives up after maxAttempts with a clear error', async () => {
    const s = await portServer((req, res) => sendJson(res, 503, { ok: false, error: 'unavailable', message: 'maintenance' }));
    const clock = new FakeClock();
    const err = await client(s.url, clock, { retry: { maxAttempts: 3 } }).countEntities('x').catch((e) => e);
    expect(err).toBeInstanceOf(PortApiError);
    expect(err).toMatchObject({ status: 503, code: 'unavailable', attempts: 3, method: 'GET', path: '/v1/blueprints/x/entities-count' });
    expect(err.message).toMatch(/after 3 attempts: 503 unavailable: maintenance/);
    expect(s.requests.filter((r) => r.path.endsWith('entities-count'))).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('refuses a Retry-After longer than maxWaitMs instead of sleeping', async () => {
    const s = await portServer((req, res) => sendJson(res, 429, { ok: false, error: 'rate_limited', message: 'later' }, { 'retry-after': '3600' }));
    const clock = new FakeClock();
    const err = await client(s.url, clock, { retry: { maxWaitMs: 60_000 } }).countEntities('x').catch((e) => e);
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/asked to wait 3600 s, more than the 60 s allowed/);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not retry a 422', async () => {
    const s = await portServer((req, res) => sendJson(res, 422, { ok: false, error: 'invalid_request', message: 'bad', details: { property: 'x' } }));
    const err = await client(s.url).patchBlueprint('b', { title: 'B' }).catch((e) => e);
    expect(err).toMatchObject({ status: 422, code: 'invalid_request', details: { property: 'x' }, attempts: 1 });
  });
});

describe('secrets never appear in errors', () => {
  const leaks = (err: unknown) => {
    const texts = [String(err), (err as Error).message, (err as Error).stack ?? '', JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })];
    return texts.join('\n');
  };

  it('redacts a token or secret that Port echoes back, and carries no request headers', async () => {
    const s = await portServer((req, res) =>
      sendJson(res, 422, { ok: false, error: 'invalid', message: `bad header ${req.headers.authorization} / ${SECRET}`, details: { echoed: req.headers.authorization } }),
    );
    const err = await client(s.url).createWebhook({ title: 'gitlab', enabled: true }).catch((e) => e);
    expect(err).toBeInstanceOf(PortApiError);
    const all = leaks(err);
    expect(all).not.toContain('tok-1-abcdefghijklmnop');
    expect(all).not.toContain(SECRET);
    expect(all).not.toMatch(/authorization/i);
    expect(all).toContain('[REDACTED]');
  });

  it('a network failure (axios error with config and headers inside) is reduced to safe fields', async () => {
    const s = await portServer((req, res) => dropConnection(res));
    const err = await client(s.url, new FakeClock(), { retry: { maxAttempts: 2 } }).listBlueprints().catch((e) => e);
    expect(err).toBeInstanceOf(PortApiError);
    expect(err.status).toBe(0);
    expect(err.attempts).toBe(2);
    const all = leaks(err);
    expect(all).not.toContain('tok-1');
    expect(all).not.toContain(SECRET);
    expect(all).not.toMatch(/authorization|clientSecret/i);
    expect(err.cause).toBeUndefined();
  });
});

describe('typed methods', () => {
  it('bulk upsert maps 207 results back to each input index', async () => {
    const s = await portServer((req, res) => {
      expect(req.path).toBe('/v1/blueprints/gitlabMergeRequest/entities/bulk');
      expect(Object.fromEntries(req.query)).toMatchObject({ upsert: 'true', merge: 'true', create_missing_related_entities: 'true' });
      const body = {
        ok: true,
        entities: [
          { created: true, identifier: 'mr-1', index: 0 },
          { created: false, identifier: 'mr-3', index: 2 },
        ],
        errors: [{ identifier: 'mr-2', index: 1, statusCode: 422, error: 'invalid_entity', message: 'property "state" must be string' }],
      };
      expect(checkResponseBody('create-multiple-entities', 207, body).ok).toBe(true);
      sendJson(res, 207, body);
    });
    const out = await client(s.url).upsertEntities(
      'gitlabMergeRequest',
      [{ identifier: 'mr-1', properties: {} }, { identifier: 'mr-2', properties: { state: 1 } }, { identifier: 'mr-3' }],
      { createMissingRelatedEntities: true },
    );
    expect(out.status).toBe(207);
    expect(out.written).toBe(2);
    expect(out.failed).toBe(1);
    expect(out.results).toEqual([
      { index: 0, ok: true, identifier: 'mr-1', created: true, additionalData: undefined },
      { index: 1, ok: false, identifier: 'mr-2', statusCode: 422, error: 'invalid_entity', message: 'property "state" must be string' },
      { index: 2, ok: true, identifier: 'mr-3', created: false, additionalData: undefined },
    ]);
  });

  it('bulk upsert reports an index Port left out as a failure, and refuses more than 20', async () => {
    const s = await portServer((req, res) => sendJson(res, 200, { ok: true, entities: [{ created: true, identifier: 'a', index: 0 }], errors: [] }));
    const c = client(s.url);
    const out = await c.upsertEntities('b', [{ identifier: 'a' }, { identifier: 'b' }]);
    expect(out.results[1]).toMatchObject({ ok: false, error: 'missing_result', identifier: 'b' });
    await expect(c.upsertEntities('b', Array.from({ length: 21 }, (_, i) => ({ identifier: `e${i}` })))).rejects.toThrow(/1–20/);
    await expect(c.deleteEntities('b', [])).rejects.toThrow(/1–100/);
  });

  it('search iterates pages following `next` and fetches a page only when asked', async () => {
    const pages: Record<string, { entities: object[]; next?: string }> = {
      start: { entities: [{ identifier: 'a' }, { identifier: 'b' }], next: 'cursor-2' },
      'cursor-2': { entities: [{ identifier: 'c' }, { identifier: 'd' }], next: 'cursor-3' },
      'cursor-3': { entities: [{ identifier: 'e' }] },
    };
    const s = await portServer((req, res) => {
      expect(req.path).toBe('/v1/blueprints/gitlabProject/entities/search');
      expect(checkRequestBody('search-a-blueprints-entities', req.json).ok).toBe(true);
      sendJson(res, 200, { ok: true, ...pages[req.json.from ?? 'start'] });
    });
    const searches = () => s.requests.filter((r) => r.path.endsWith('/search'));
    const it = client(s.url).searchEntityPages('gitlabProject', { limit: 2, query: { combinator: 'and', rules: [{ property: '$datasource', operator: 'contains', value: 'port-gitlab-template' }] } });
    const first = await it.next();
    expect(first.value).toHaveLength(2);
    expect(searches()).toHaveLength(1);
    const rest: string[] = [];
    for await (const page of it) rest.push(...page.map((e) => e.identifier as string));
    expect(rest).toEqual(['c', 'd', 'e']);
    expect(searches().map((r) => [r.json.from, r.json.limit])).toEqual([[undefined, 2], ['cursor-2', 2], ['cursor-3', 2]]);
  });

  it('validates bodies against Port\'s published schema before sending', async () => {
    const s = await portServer((req, res) => sendJson(res, 201, { ok: true, blueprint: req.json }));
    const c = client(s.url, new FakeClock(), { validateRequests: true });
    const err = await c.createBlueprint({ identifier: 'bad', schema: { properties: {} } } as never).catch((e) => e);
    expect(err).toBeInstanceOf(PortRequestSchemaError);
    expect(err.message).toMatch(/title/);
    expect(s.requests.filter((r) => r.path === '/v1/blueprints')).toHaveLength(0);
    await c.createBlueprint({ identifier: 'good', title: 'Good', schema: { properties: {} } }, { createCatalogPage: false });
    const sent = s.requests.filter((r) => r.path === '/v1/blueprints');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.query.get('create_catalog_page')).toBe('false');
  });

  it('reads the `integration` envelope of webhooks and returns null for a 404', async () => {
    const s = await portServer((req, res) => {
      if (req.method === 'GET' && req.path === '/v1/webhooks/missing') return sendJson(res, 404, { ok: false, error: 'not_found', message: 'Webhook missing not found' });
      if (req.method === 'POST' && req.path === '/v1/webhooks') return sendJson(res, 201, { ok: true, integration: { ...req.json, webhookKey: 'k1', url: 'https://ingest.port.io/k1' } });
      if (req.method === 'GET' && req.path === '/v1/webhooks') return sendJson(res, 200, { ok: true, integrations: [{ identifier: 'gitlab', webhookKey: 'k1' }] });
      if (req.method === 'DELETE') return sendJson(res, 404, { ok: false, error: 'not_found', message: 'gone' });
      sendJson(res, 500, {});
    });
    const c = client(s.url);
    expect(await c.getWebhook('missing')).toBeNull();
    const created = await c.createWebhook({ identifier: 'gitlab', title: 'GitLab', enabled: true, security: { secret: 'x', signatureHeaderName: 'x-gitlab-token', signatureAlgorithm: 'plain' } });
    expect(created.url).toBe('https://ingest.port.io/k1');
    expect((await c.listWebhooks()).map((w) => w.identifier)).toEqual(['gitlab']);
    expect(await c.deleteWebhook('gone')).toBe(false);
  });
});
