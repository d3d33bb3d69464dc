// Contract: our Port client against the local Port (scripts/sandbox/port), which enforces Port's
// published schemas, limits and auth. Both share one fake clock, so token expiry and Retry-After
// are exercised without waiting.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortApiError, PortClient, PortRequestSchemaError } from '../../scripts/clients/port/index.ts';
import type { Blueprint } from '../../scripts/port/types.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';
import { FakeClock } from './helpers.ts';

// As the installer's first stage sends it: the metrics name blueprints that do not exist yet.
const { aggregationProperties: _a, calculationProperties: _c, mirrorProperties: _m, ...groupBlueprint } = JSON.parse(readFileSync(new URL('../../blueprints/gitlabGroup.json', import.meta.url), 'utf8')) as Blueprint;

const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
let serverSkewMs = 0;
let port: LocalPort;
let client: PortClient;

beforeAll(async () => {
  port = await startLocalPort({ now: () => clock.now() + serverSkewMs, tokenLifetimeSeconds: 3600 });
  client = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url, clock, random: () => 0.5, validateRequests: true, installId: 'contract' });
});
afterAll(async () => {
  await port?.close();
});

describe('Port client against the local Port', () => {
  it('creates, reads and patches a bundle blueprint', async () => {
    expect(await client.getBlueprint('gitlabGroup')).toBeNull();
    const created = await client.createBlueprint(groupBlueprint, { createCatalogPage: false });
    expect(created.identifier).toBe('gitlabGroup');
    expect(port.catalogPages()).not.toContain('gitlabGroup');
    const patched = await client.patchBlueprint('gitlabGroup', { schema: { properties: { ...groupBlueprint.schema.properties, extra: { type: 'string', title: 'Extra' } } } });
    expect(Object.keys(patched.schema.properties)).toContain('extra');
    expect((await client.listBlueprints()).map((b) => b.identifier)).toContain('gitlabGroup');
  });

  it('bulk-upserts with per-index results, and the User-Agent becomes $datasource', async () => {
    const entities = Array.from({ length: 20 }, (_, i) => ({ identifier: String(100 + i), title: `group-${i}`, properties: { fullPath: `acme/g${i}`, visibility: 'private' } }));
    entities[3] = { ...entities[3]!, properties: { fullPath: 'acme/g3', visibility: 'secret-ish' } };
    const out = await client.upsertEntities('gitlabGroup', entities);
    expect(out.status).toBe(207);
    expect(out.failed).toBe(1);
    expect(out.results[3]).toMatchObject({ ok: false, identifier: '103' });
    expect(out.results.filter((r) => r.ok)).toHaveLength(19);
    expect(port.entity('gitlabGroup', '100')?.datasource).toBe(client.userAgent);
    expect(client.userAgent).toMatch(/^port-gitlab-template\/\d+\.\d+\.\d+\/contract$/);
    const more = await client.upsertEntities('gitlabGroup', [{ identifier: '200', properties: { fullPath: 'acme' } }, { identifier: '201', properties: { fullPath: 'acme/x' }, relations: { parent: '200' } }]);
    expect(more.status).toBe(200);
    expect(await client.countEntities('gitlabGroup')).toBe(21);
  });

  it('searches page by page following next, then bulk-deletes', async () => {
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of client.searchEntityPages('gitlabGroup', { limit: 8, query: { combinator: 'and', rules: [{ property: '$datasource', operator: '=', value: client.userAgent }] } })) {
      pages.push(page.length);
      ids.push(...page.map((e) => e.identifier as string));
    }
    expect(pages).toEqual([8, 8, 5]);
    expect(new Set(ids).size).toBe(21);
    await client.deleteEntities('gitlabGroup', ['101', '102']);
    expect(await client.getEntity('gitlabGroup', '101')).toBeNull();
    expect(await client.countEntities('gitlabGroup')).toBe(19);
    let all = 0;
    for await (const _ of client.searchEntities('gitlabGroup', { limit: 7 })) all++; // no query: every entity
    expect(all).toBe(19);
  });

  it('manages a webhook through the `integration` envelope', async () => {
    const hook = await client.createWebhook({ identifier: 'gitlabContract', title: 'GitLab contract', enabled: true, mappings: [], security: { secret: 'contract-secret-1234567890', signatureHeaderName: 'x-gitlab-token', signatureAlgorithm: 'plain' } });
    expect(hook.url).toMatch(new RegExp(`^${port.url}/`));
    expect((await client.getWebhook('gitlabContract'))?.webhookKey).toBe(hook.webhookKey);
    expect((await client.patchWebhook('gitlabContract', { enabled: false })).enabled).toBe(false);
    expect((await client.listWebhooks()).map((w) => w.identifier)).toContain('gitlabContract');
    expect(await client.deleteWebhook('gitlabContract')).toBe(true);
    expect(await client.getWebhook('gitlabContract')).toBeNull();
    expect((await client.getAuditLogs({ resources: ['webhook'] })).length).toBeGreaterThan(0);
  });

  it('survives 429, 5xx and a dropped connection, honouring Retry-After', async () => {
    clock.sleeps.length = 0;
    port.faults.throttleNext(1, 4);
    port.faults.failNext(2, 503);
    port.faults.dropNext(1);
    expect(await client.countEntities('gitlabGroup')).toBe(19);
    expect(clock.sleeps[0]).toBe(4000);
    expect(clock.sleeps).toHaveLength(4);
  });

  it('recovers from a token Port no longer accepts (401 → refresh → retry)', async () => {
    const before = port.requestCounts()['POST /v1/auth/access_token'] ?? 0;
    serverSkewMs = 2 * 3600_000; // the server now considers our cached token expired
    expect(await client.countEntities('gitlabGroup')).toBe(19);
    expect(port.requestCounts()['POST /v1/auth/access_token']).toBe(before + 1);
  });

  it('agrees with the local Port on what is invalid: our schema check and Port\'s 422', async () => {
    const bad = { identifier: 'bad id with spaces' };
    const before = port.requestCounts()['POST /v1/blueprints/:blueprint/entities'] ?? 0;
    const local = await client.upsertEntity('gitlabGroup', bad).catch((e) => e);
    expect(local).toBeInstanceOf(PortRequestSchemaError);
    expect(port.requestCounts()['POST /v1/blueprints/:blueprint/entities'] ?? 0).toBe(before); // nothing sent
    const unchecked = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url, clock, validateRequests: false });
    const remote = await unchecked.upsertEntity('gitlabGroup', bad).catch((e) => e);
    expect(remote).toBeInstanceOf(PortApiError);
    expect(remote.status).toBe(422);
    expect(JSON.stringify(remote) + remote.message).not.toContain(port.clientSecret);
  });
});
