import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startLocalPort, type LocalPort } from '../../../scripts/sandbox/port/server.ts';
import { call, expectPortError, tokenFor } from './http.ts';

const noEvaluate = { evaluate: async () => ({ actions: [], problems: [] }), evaluateExpression: async () => null };
const project = { identifier: 'gitlabProject', title: 'Project', schema: { properties: { url: { type: 'string', format: 'url' } } } };

describe('local Port: rate limits', () => {
  let port: LocalPort;
  afterEach(() => port?.close());

  it('sends x-ratelimit-* headers and answers 429 with Retry-After once the budget is spent', async () => {
    const clock = Date.parse('2026-03-01T10:00:10Z');
    port = await startLocalPort({ ...noEvaluate, rateLimit: { limit: 3, periodSeconds: 60 }, now: () => clock });
    const token = await tokenFor(port); // request 1
    const second = await call(port, 'GET', '/v1/blueprints', { token });
    expect(second.headers.get('x-ratelimit-period')).toBe('60');
    expect(second.headers.get('x-ratelimit-limit')).toBe('3');
    expect(second.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(second.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-03-01T10:01:00Z') / 1000)); // UTC epoch seconds
    expect((await call(port, 'GET', '/v1/blueprints', { token })).headers.get('x-ratelimit-remaining')).toBe('0');
    const refused = await call(port, 'GET', '/v1/blueprints', { token });
    expectPortError(refused, 429, 'rate_limit_exceeded');
    expect(refused.headers.get('retry-after')).toBe('50');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
  });
});

describe('local Port: fault injection', () => {
  let port: LocalPort;
  afterEach(() => port?.close());

  it('injects 5xx, 429 bursts and dropped connections on demand, then serves normally', async () => {
    port = await startLocalPort(noEvaluate);
    const token = await tokenFor(port);
    port.faults.failNext(1, 503);
    const failed = await call(port, 'GET', '/v1/blueprints', { token });
    expectPortError(failed, 503, 'internal_error');
    port.faults.throttleNext(2, 7);
    for (let i = 0; i < 2; i++) {
      const throttled = await call(port, 'GET', '/v1/blueprints', { token });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
    }
    port.faults.dropNext(1);
    await expect(call(port, 'GET', '/v1/blueprints', { token })).rejects.toThrow();
    expect((await call(port, 'GET', '/v1/blueprints', { token })).status).toBe(200);
    expect(port.faults.stats).toMatchObject({ errors: 1, throttled: 2, dropped: 1 });
  });

  it('configured random faults are reproducible for a seed', async () => {
    const run = async () => {
      const p = await startLocalPort({ ...noEvaluate, faults: { errorRate: 0.5, seed: 42 } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await call(p, 'GET', '/v1/nothing')).status);
      await p.close();
      return statuses;
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a).toContain(500);
    expect(a).toContain(404);
  });

  it('a 429 burst every N requests', async () => {
    port = await startLocalPort({ ...noEvaluate, faults: { throttleBurst: { every: 4, length: 2, retryAfterSeconds: 1 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await call(port, 'GET', '/v1/nothing')).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429, 404, 404, 429]);
  });
});

describe('local Port: persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-port-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps credentials, tokens, blueprints, entities, webhooks and dedupe keys across a restart', async () => {
    const stateFile = join(dir, 'state.json');
    // A small evaluator over the mapping types: counts evaluations; the request id is the event UUID.
    let evaluations = 0;
    const evaluators = {
      evaluate: async () => { evaluations++; return { actions: [], problems: [] }; },
      evaluateExpression: async (_expression: string, input: unknown) => (input as { headers: Record<string, string> }).headers['x-gitlab-event-uuid'] ?? null,
    };
    const deliver = (url: string) => fetch(url, { method: 'POST', headers: { 'x-gitlab-token': 's3cr3t-value', 'x-gitlab-event-uuid': 'evt-1' }, body: '{}' });
    const first = await startLocalPort({ ...evaluators, stateFile });
    const token = await tokenFor(first);
    await call(first, 'POST', '/v1/blueprints', { token, body: project });
    await call(first, 'POST', '/v1/blueprints/gitlabProject/entities', { token, body: { identifier: 'g/p', properties: { url: 'https://gitlab.com/g/p' } } });
    const hook = await call(first, 'POST', '/v1/webhooks', { token, body: { identifier: 'gitlab', title: 'GitLab', enabled: true, security: { secret: 's3cr3t-value', signatureHeaderName: 'x-gitlab-token', signatureAlgorithm: 'plain', requestIdentifierPath: '.headers."x-gitlab-event-uuid"' } } });
    expect((await deliver(hook.body.integration.url)).status).toBe(202);
    await first.idle();
    expect(evaluations).toBe(1);
    await first.close();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(1);

    const second = await startLocalPort({ ...evaluators, stateFile });
    try {
      expect(second.clientId).toBe(first.clientId);
      expect(second.clientSecret).toBe(first.clientSecret);
      expect((await call(second, 'GET', `/v1/blueprints/gitlabProject/entities/${encodeURIComponent('g/p')}`, { token })).body.entity.properties.url).toBe('https://gitlab.com/g/p');
      const again = await call(second, 'GET', '/v1/webhooks/gitlab', { token });
      expect(again.body.integration.webhookKey).toBe(hook.body.integration.webhookKey);
      expect(again.body.integration.url).toBe(`${second.url}/ingest/${hook.body.integration.webhookKey}`);
      expect((await deliver(again.body.integration.url)).status).toBe(202);
      await second.idle();
      expect(evaluations).toBe(1); // the same event UUID is not processed again after the restart
      expect(second.ingestEvents().map((e) => e.status)).toEqual(['deduplicated']);
    } finally {
      await second.close();
    }
  });

  it('refuses a corrupt state file with an actionable message', async () => {
    const bad = join(dir, 'bad.json');
    (await import('node:fs')).writeFileSync(bad, '{oops');
    await expect(startLocalPort({ ...noEvaluate, stateFile: bad })).rejects.toThrow(/not valid JSON.*delete it/);
  });
});
