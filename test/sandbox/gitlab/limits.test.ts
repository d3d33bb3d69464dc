// Rate limiting (RateLimit-* headers, 429 "Retry later" with Retry-After) and fault injection
// of the local GitLab, plus the shared HTTP kit's building blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gitlab } from '@gitbeaker/rest';
import { startLocalGitLab, type LocalGitLab } from '../../../scripts/sandbox/gitlab/index.ts';
import { Router } from '../../../scripts/sandbox/http/router.ts';
import { FaultInjector } from '../../../scripts/sandbox/http/faults.ts';
import { FixedWindowLimiter } from '../../../scripts/sandbox/http/rate-limit.ts';
import { listen } from '../../../scripts/sandbox/http/listen.ts';
import { createServer } from 'node:http';
import { api, apiJson } from './helpers.ts';

describe('rate limit', () => {
  let clock = Date.UTC(2026, 0, 1, 12, 0, 0);
  let gl: LocalGitLab;
  beforeAll(async () => { gl = await startLocalGitLab({ rateLimit: { limit: 3, windowMs: 60_000 }, now: () => clock }); });
  afterAll(() => gl.close());

  it('counts requests in RateLimit-* headers and answers 429 Retry later with Retry-After over budget', async () => {
    const first = await api(gl, '/user');
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-observed')).toBe('1');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(first.headers.get('ratelimit-reset')).toBe(String((clock - (clock % 60_000) + 60_000) / 1000));
    await api(gl, '/user');
    await api(gl, '/user');
    const limited = await api(gl, '/user');
    expect(limited.status).toBe(429);
    expect(await limited.text()).toBe('Retry later');
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('ratelimit-resettime')).toBe(new Date(clock + 60_000).toUTCString());
    clock += 60_000;
    expect((await api(gl, '/user')).status).toBe(200);
  });
});

describe('fault injection', () => {
  let gl: LocalGitLab;
  beforeAll(async () => { gl = await startLocalGitLab({ rateLimit: false }); });
  afterAll(() => gl.close());

  it('forces 5xx, 429 bursts and dropped connections, then serves normally', async () => {
    gl.faults.failNext(1, 502);
    const e = await apiJson(gl, '/user');
    expect(e).toMatchObject({ status: 502, body: { message: '502 Bad Gateway' } });
    gl.faults.throttleNext(2, 7);
    for (let i = 0; i < 2; i++) {
      const t = await api(gl, '/user');
      expect(t.status).toBe(429);
      expect(t.headers.get('retry-after')).toBe('7');
    }
    gl.faults.dropNext(1);
    await expect(api(gl, '/user')).rejects.toThrow();
    expect((await api(gl, '/user')).status).toBe(200);
    expect(gl.faults.stats).toMatchObject({ errors: 1, throttled: 2, dropped: 1 });
  });

  it('gitbeaker retries a 429 burst and succeeds', async () => {
    const client = new Gitlab({ host: gl.url, token: gl.token });
    gl.faults.throttleNext(2, 0);
    expect((await client.Users.showCurrentUser()).id).toBe(1);
  });

  it('random fractions are reproducible for a given fault seed', () => {
    const run = () => {
      const f = new FaultInjector({ errorRate: 0.3, dropRate: 0.1, seed: 9 });
      return Array.from({ length: 50 }, () => f.next().kind).join(',');
    };
    expect(run()).toBe(run());
    expect(run()).toMatch(/error/);
    expect(run()).toMatch(/drop/);
  });

  it('periodic throttle bursts: every N requests, M consecutive 429s', () => {
    const f = new FaultInjector({ throttleBurst: { every: 5, length: 2, retryAfterSeconds: 3 } });
    const kinds = Array.from({ length: 12 }, () => f.next().kind);
    expect(kinds).toEqual(['pass', 'pass', 'pass', 'pass', 'throttle', 'throttle', 'pass', 'pass', 'pass', 'throttle', 'throttle', 'pass']);
  });
});

describe('http kit', () => {
  it('router decodes URL-encoded params and tells 404 from 405', () => {
    const r = new Router().get('/groups/:id/hooks/:hook', () => 1).post('/x/*rest', () => 2);
    const m = r.match('GET', '/groups/my-group%2Fsub/hooks/3');
    expect(m).toMatchObject({ kind: 'found', params: { id: 'my-group/sub', hook: '3' } });
    expect(r.match('DELETE', '/groups/a/hooks/1')).toEqual({ kind: 'method_not_allowed', allowed: ['GET'] });
    expect(r.match('GET', '/nope').kind).toBe('not_found');
    expect(r.match('GET', '/groups/%E0%A4%A/hooks/1').kind).toBe('bad_path');
    expect(r.match('POST', '/x/a%2Fb/c')).toMatchObject({ params: { rest: 'a/b/c' } });
  });

  it('rate limiter windows follow the injected clock', () => {
    let t = 1_000_000;
    const l = new FixedWindowLimiter({ limit: 2, windowMs: 1000, now: () => t });
    expect(l.take('k').allowed).toBe(true);
    expect(l.take('k').allowed).toBe(true);
    const refused = l.take('k');
    expect(refused).toMatchObject({ allowed: false, remaining: 0, observed: 3, retryAfterSeconds: 1 });
    expect(l.take('other').allowed).toBe(true);
    t += 1000;
    expect(l.take('k')).toMatchObject({ allowed: true, observed: 1 });
  });

  it('listen refuses non-loopback hosts', async () => {
    const s = createServer();
    await expect(listen(s, { host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });
});
