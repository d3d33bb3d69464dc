import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalPort, type LocalPort } from '../../../scripts/sandbox/port/server.ts';
import { call, expectPortError, tokenFor } from './http.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/gitlab-payloads/${name}.json`, import.meta.url), 'utf8'));
const mrOpen = fixture('merge_request.open');
const SECRET = 'a-per-install-secret-of-at-least-32-chars';

const blueprints = [
  { identifier: 'gitlabProject', title: 'Project', schema: { properties: { url: { type: 'string', format: 'url' } } } },
  {
    identifier: 'gitlabMergeRequest',
    title: 'Merge Request',
    schema: { properties: { state: { type: 'string', enum: ['opened', 'closed', 'merged', 'locked'] }, link: { type: 'string', format: 'url' } }, required: ['state'] },
    relations: { project: { target: 'gitlabProject', required: false, many: false } },
  },
];

// A webhook in Port's own form, evaluated by the bundle's real mapping engine through the local
// Port's default evaluator. (Port's published schema types the string operations `"create"` /
// `"delete"` as objects, so only the `{type}` forms pass its validation.)
const webhook = {
  identifier: 'gitlab',
  title: 'GitLab',
  enabled: true,
  security: { secret: SECRET, signatureHeaderName: 'X-Gitlab-Token', signatureAlgorithm: 'plain' as const, requestIdentifierPath: '.headers."x-gitlab-event-uuid"' },
  mappings: [
    {
      blueprint: 'gitlabMergeRequest',
      filter: '.headers."x-gitlab-event" == "Merge Request Hook" and .body.object_attributes.action != "close"',
      entity: {
        identifier: '.body.object_attributes.id | tostring',
        title: '.body.object_attributes.title',
        properties: { state: '.body.object_attributes.state', link: '.body.object_attributes.url' },
        relations: { project: '.body.project.id | tostring' },
      },
    },
    {
      blueprint: 'gitlabMergeRequest',
      operation: { type: 'delete', deleteDependents: true },
      filter: '.body.object_attributes.action == "close"',
      entity: { identifier: '.body.object_attributes.id | tostring' },
    },
  ],
};

describe('local Port: webhooks and ingest', () => {
  let port: LocalPort;
  let token: string;
  let ingestUrl: string;
  let uuid = 0;
  const deliver = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Gitlab-Event': 'Merge Request Hook', 'X-Gitlab-Event-UUID': `uuid-${++uuid}`, 'X-Gitlab-Token': SECRET, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    port = await startLocalPort();
    token = await tokenFor(port);
    for (const bp of blueprints) expect((await call(port, 'POST', '/v1/blueprints', { token, body: bp })).status).toBe(201);
  });
  afterAll(() => port.close());

  beforeEach(async () => {
    await call(port, 'DELETE', '/v1/webhooks/gitlab', { token });
    const created = await call(port, 'POST', '/v1/webhooks', { token, body: webhook });
    expect(created.status).toBe(201);
    ingestUrl = created.body.integration.url;
    await call(port, 'DELETE', '/v1/blueprints/gitlabMergeRequest/all-entities', { token });
    await call(port, 'DELETE', '/v1/blueprints/gitlabProject/all-entities', { token });
  });

  it('answers {ok, integration: {…, webhookKey, url}} with url pointing at its own ingest route', async () => {
    const got = await call(port, 'GET', '/v1/webhooks/gitlab', { token });
    expect(got.status).toBe(200);
    expect(got.body.ok).toBe(true);
    const integration = got.body.integration;
    expect(integration).toMatchObject({ identifier: 'gitlab', title: 'GitLab', enabled: true });
    expect(integration.webhookKey).toMatch(/^[0-9a-f]{32}$/);
    expect(integration.url).toBe(`${port.url}/ingest/${integration.webhookKey}`);
    const list = await call(port, 'GET', '/v1/webhooks', { token });
    expect(list.body.integrations.map((w: any) => w.identifier)).toEqual(['gitlab']);
    expectPortError(await call(port, 'POST', '/v1/webhooks', { token, body: webhook }), 409, 'identifier_taken');
    expectPortError(await call(port, 'POST', '/v1/webhooks', { token, body: { ...webhook, title: 'x'.repeat(31) } }), 422, 'invalid_request', 'create-a-webhook');
    expectPortError(await call(port, 'GET', '/v1/webhooks/none', { token }), 404, 'not_found', 'get-a-webhook');
  });

  it('PATCH keeps unspecified keys and the key; PUT replaces; DELETE removes', async () => {
    const before = (await call(port, 'GET', '/v1/webhooks/gitlab', { token })).body.integration;
    const patched = await call(port, 'PATCH', '/v1/webhooks/gitlab', { token, body: { description: 'GitLab events' } });
    expect(patched.body.integration).toMatchObject({ description: 'GitLab events', webhookKey: before.webhookKey, mappings: webhook.mappings });
    const put = await call(port, 'PUT', '/v1/webhooks/gitlab', { token, body: { title: 'GitLab 2', enabled: true } });
    expect(put.body.integration).toMatchObject({ title: 'GitLab 2', mappings: [], url: before.url });
    expect(put.body.integration.description).toBeUndefined();
    expect((await call(port, 'DELETE', '/v1/webhooks/gitlab', { token })).body).toEqual({ ok: true });
    expectPortError(await call(port, 'DELETE', '/v1/webhooks/gitlab', { token }), 404, 'not_found', 'delete-a-webhook');
  });

  it('applies a GitLab merge-request event asynchronously: 202, then merge-upserts with placeholder related entities', async () => {
    const res = await deliver(mrOpen.body);
    expect(res.status).toBe(202);
    const { webhookEventId } = (await res.json()) as { webhookEventId: string };
    await port.idle();
    expect(port.entity('gitlabMergeRequest', String(mrOpen.body.object_attributes.id))).toMatchObject({
      title: mrOpen.body.object_attributes.title,
      properties: { state: 'opened', link: mrOpen.body.object_attributes.url },
      relations: { project: String(mrOpen.body.project.id) },
      datasource: 'port-webhook/gitlab',
    });
    expect(port.entity('gitlabProject', String(mrOpen.body.project.id))).toMatchObject({ title: null, properties: {} });

    const audit = await call(port, 'GET', `/v1/audit-log?webhookEventId=${webhookEventId}`, { token });
    expect(audit.status).toBe(200);
    expect(audit.body.audits.map((a: any) => [a.context.blueprint, a.action, a.status])).toEqual([
      ['gitlabMergeRequest', 'CREATE', 'SUCCESS'],
      ['gitlabProject', 'CREATE', 'SUCCESS'],
    ]);
  });

  it('merge semantics: a later event changes only mapped fields; a delete mapping removes the entity', async () => {
    await deliver(mrOpen.body);
    await port.idle();
    const id = String(mrOpen.body.object_attributes.id);
    await call(port, 'PATCH', `/v1/blueprints/gitlabMergeRequest/entities/${id}`, { token, body: { icon: 'Merge' } });
    const merged = structuredClone(mrOpen.body);
    merged.object_attributes.state = 'merged';
    await deliver(merged);
    await port.idle();
    expect(port.entity('gitlabMergeRequest', id)).toMatchObject({ icon: 'Merge', properties: { state: 'merged' } });
    const closed = structuredClone(mrOpen.body);
    closed.object_attributes.action = 'close';
    await deliver(closed);
    await port.idle();
    expect(port.entity('gitlabMergeRequest', id)).toBeUndefined();
  });

  it('rejects a wrong or missing token with 401 and writes nothing', async () => {
    const wrong = await deliver(mrOpen.body, { 'X-Gitlab-Token': 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ ok: false, error: 'unauthorized' });
    const missing = await fetch(ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Merge Request Hook' }, body: JSON.stringify(mrOpen.body) });
    expect(missing.status).toBe(401);
    const text = await missing.text();
    expect(text).not.toContain(SECRET);
    await port.idle();
    expect(port.entities('gitlabMergeRequest')).toEqual([]);
    expect(port.entities('gitlabProject')).toEqual([]);
  });

  it('deduplicates on requestIdentifierPath: the same event UUID is processed once', async () => {
    const changed = structuredClone(mrOpen.body);
    changed.object_attributes.state = 'locked';
    expect((await deliver(mrOpen.body, { 'X-Gitlab-Event-UUID': 'same-uuid' })).status).toBe(202);
    expect((await deliver(changed, { 'X-Gitlab-Event-UUID': 'same-uuid' })).status).toBe(202);
    await port.idle();
    expect(port.entity('gitlabMergeRequest', String(mrOpen.body.object_attributes.id))?.properties.state).toBe('opened');
    expect(port.ingestEvents().slice(-2).map((e) => e.status)).toEqual(['processed', 'deduplicated']);
  });

  it('refuses bodies over 512 KiB with 413 and writes nothing', async () => {
    const big = structuredClone(mrOpen.body);
    big.object_attributes.description = 'x'.repeat(512 * 1024);
    const res = await deliver(big);
    expect(res.status).toBe(413);
    await port.idle();
    expect(port.entities('gitlabMergeRequest')).toEqual([]);
  });

  it('drops events for a disabled webhook', async () => {
    await call(port, 'PATCH', '/v1/webhooks/gitlab', { token, body: { enabled: false } });
    const before = port.ingestStats().dropped;
    expect((await deliver(mrOpen.body)).status).toBe(202);
    await port.idle();
    expect(port.ingestStats().dropped).toBe(before + 1);
    expect(port.entities('gitlabMergeRequest')).toEqual([]);
  });

  it('records failed writes in the audit log, filterable by webhook and status', async () => {
    const bad = structuredClone(mrOpen.body);
    bad.object_attributes.state = 'draft'; // not in the blueprint's enum
    const res = await deliver(bad);
    const { webhookEventId } = (await res.json()) as { webhookEventId: string };
    await port.idle();
    const failures = await call(port, 'GET', '/v1/audit-log?webhookId=gitlab&status=FAILURE', { token });
    const mine = failures.body.audits.filter((a: any) => a.context.webhookEvent === webhookEventId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'FAILURE', resourceType: 'entity', context: { blueprint: 'gitlabMergeRequest', entity: String(bad.object_attributes.id) } });
    expect(mine[0].message).toMatch(/draft/);
    const limited = await call(port, 'GET', '/v1/audit-log?limit=1&includes=status&includes=context', { token });
    expect(limited.body.audits).toHaveLength(1);
    expect(Object.keys(limited.body.audits[0]).sort()).toEqual(['context', 'status']);
    expectPortError(await call(port, 'GET', '/v1/audit-log?status=MAYBE', { token }), 422, 'invalid_request');
  });

  it('answers 404 for an unknown ingest key', async () => {
    const res = await fetch(`${port.url}/ingest/0123456789abcdef0123456789abcdef`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(404);
  });
});
