// The local Port driven by the same Port client the installer and backfill use, with the bundle's
// real blueprints and webhook mappings, and GitLab's documented payloads delivered to the ingest URL.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../../scripts/bundle/load.ts';
import { renderBlueprints, renderWebhook } from '../../../scripts/bundle/render.ts';
import { PortApiError, PortClient } from '../../../scripts/clients/port/index.ts';
import type { Blueprint } from '../../../scripts/port/types.ts';
import { startLocalPort, type LocalPort } from '../../../scripts/sandbox/port/server.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/gitlab-payloads/${name}.json`, import.meta.url), 'utf8'));
const SECRET = 'contract-test-secret-0123456789abcdef';

describe('local Port through the Port client', () => {
  let port: LocalPort;
  let client: PortClient;
  let retries = 0;

  beforeAll(async () => {
    port = await startLocalPort({ tokenLifetimeSeconds: 3600 });
    client = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url, installId: 'contract', retry: { baseDelayMs: 1, maxDelayMs: 5, maxWaitMs: 2000 }, onRetry: () => { retries++; } });
  });
  afterAll(() => port.close());

  it('installs the bundle the way Ocean does: bare blueprints, then relations, then everything', async () => {
    const blueprints = renderBlueprints(loadBundle());
    const bare = (b: Blueprint): Blueprint => {
      const { relations: _r, mirrorProperties: _m, calculationProperties: _c, aggregationProperties: _a, ownership: _o, ...rest } = b;
      return rest as Blueprint;
    };
    for (const b of blueprints) await client.createBlueprint(bare(b));
    for (const b of blueprints) if (b.relations) await client.patchBlueprint(b.identifier, { relations: b.relations });
    for (const b of blueprints) await client.patchBlueprint(b.identifier, b);
    const stored = await client.listBlueprints();
    for (const b of blueprints) expect(stored.find((s) => s.identifier === b.identifier)?.relations ?? {}).toEqual(b.relations ?? {});
  });

  it('applies real GitLab events through the bundle webhook, recording outcomes in the audit log', async () => {
    const hook = await client.createWebhook(renderWebhook(loadBundle(), { secret: SECRET }));
    expect(hook.url).toBe(`${port.url}/ingest/${hook.webhookKey}`);
    for (const name of ['project.create', 'merge_request.open', 'issue.open', 'pipeline']) {
      const { headers, body } = fixture(name);
      const res = await fetch(hook.url, { method: 'POST', headers: { ...headers, 'X-Gitlab-Token': SECRET, 'X-Gitlab-Event-UUID': `${name}-1` }, body: JSON.stringify(body) });
      expect(res.status, name).toBe(202);
    }
    await port.idle();
    const mrBody = fixture('merge_request.open').body;
    const mrs = port.entities('gitlabMergeRequest');
    expect(mrs.length).toBeGreaterThan(0);
    expect(mrs.map((e) => e.title)).toContain(mrBody.object_attributes.title);
    const failures = await client.getAuditLogs({ webhookId: hook.identifier, status: 'FAILURE' });
    expect(failures.map((f) => f.message)).toEqual([]);
    const successes = await client.getAuditLogs({ webhookId: hook.identifier, status: 'SUCCESS' });
    expect(successes.length).toBeGreaterThanOrEqual(mrs.length);
  });

  it('bulk upserts report per-index results, and searches page with next', async () => {
    const project = (await client.listBlueprints()).find((b) => b.identifier === 'gitlabProject')!;
    const required = project.schema.required ?? [];
    expect(required).toEqual([]); // the bulk below writes title-only projects
    const entities = Array.from({ length: 20 }, (_, i) => ({ identifier: `bulk-${i}`, title: `Bulk ${i}`, properties: {} }));
    entities[5] = { identifier: 'bulk-5', title: 'x', properties: { nope: 1 } as Record<string, unknown> };
    const result = await client.upsertEntities('gitlabProject', entities);
    expect(result.status).toBe(207);
    expect(result.failed).toBe(1);
    expect(result.results[5]).toMatchObject({ ok: false, statusCode: 422 });
    const seen: string[] = [];
    for await (const page of client.searchEntityPages('gitlabProject', { limit: 4, query: { combinator: 'and', rules: [{ property: '$identifier', operator: 'contains', value: 'bulk-' }] } })) {
      expect(page.length).toBeLessThanOrEqual(4);
      seen.push(...page.map((e) => String(e.identifier)));
    }
    expect(seen.sort()).toEqual(entities.filter((_, i) => i !== 5).map((e) => e.identifier).sort());
    const mine = [];
    for await (const e of client.searchEntities('gitlabProject', { query: { combinator: 'and', rules: [{ property: '$datasource', operator: 'contains', value: '/contract' }] } })) mine.push(e.identifier);
    expect(mine.length).toBe(19);
  });

  it('retries through injected 503s and 429s', async () => {
    port.faults.failNext(2, 503);
    port.faults.throttleNext(1, 0);
    const before = retries;
    expect(await client.countEntities('gitlabProject')).toBeGreaterThan(0);
    expect(retries - before).toBe(3);
  });

  it('surfaces Port errors with their code', async () => {
    const err = await client.createBlueprint({ identifier: 'gitlabProject', title: 'again', schema: { properties: {} } }).catch((e) => e);
    expect(err).toBeInstanceOf(PortApiError);
    expect(err.status).toBe(409);
    expect(err.error ?? err.code).toBe('identifier_taken');
  });
});
