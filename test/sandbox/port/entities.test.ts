import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalPort, type LocalPort } from '../../../scripts/sandbox/port/server.ts';
import { call, expectPortError, matchesSchema, tokenFor } from './http.ts';

const noEvaluate = { evaluate: async () => ({ actions: [], problems: [] }), evaluateExpression: async () => null };
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/gitlab-payloads/${name}.json`, import.meta.url), 'utf8')).body;
const mrPayload = fixture('merge_request.open');

const blueprints = [
  { identifier: 'gitlabProject', title: 'Project', schema: { properties: { url: { type: 'string', format: 'url' }, description: { type: 'string' } }, required: [] } },
  {
    identifier: 'gitlabMergeRequest',
    title: 'Merge Request',
    schema: {
      properties: {
        state: { type: 'string', enum: ['opened', 'closed', 'merged', 'locked'] },
        link: { type: 'string', format: 'url' },
        createdAt: { type: 'string', format: 'date-time' },
        labels: { type: 'array', items: { type: 'string' } },
      },
      required: ['state'],
    },
    relations: { project: { target: 'gitlabProject', required: false, many: false } },
  },
];

// The entity the bundle's MR mapping makes from GitLab's documented payload.
const mr = (overrides: Record<string, unknown> = {}) => ({
  identifier: `${mrPayload.project.path_with_namespace}/mr/${mrPayload.object_attributes.iid}`,
  title: mrPayload.object_attributes.title,
  properties: { state: mrPayload.object_attributes.state, link: mrPayload.object_attributes.url, createdAt: mrPayload.object_attributes.created_at, labels: mrPayload.labels.map((l: any) => l.title) },
  relations: { project: mrPayload.project.path_with_namespace },
  ...overrides,
});

describe('local Port: entities', () => {
  let port: LocalPort;
  let token: string;
  const post = (path: string, body: unknown, headers?: Record<string, string>) => call(port, 'POST', path, { token, body, headers });

  beforeEach(async () => {
    port = await startLocalPort(noEvaluate);
    token = await tokenFor(port);
    for (const bp of blueprints) expect((await post('/v1/blueprints', bp)).status).toBe(201);
  });
  afterEach(() => port.close());

  it('refuses a relation to a missing entity with 404 not_found, and creates a placeholder with create_missing_related_entities', async () => {
    const missing = await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true', mr());
    expectPortError(missing, 404, 'not_found', 'create-an-entity');
    expect(port.entities('gitlabMergeRequest')).toEqual([]);

    const res = await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true&create_missing_related_entities=true', mr());
    expect(res.status).toBe(201);
    matchesSchema('create-an-entity', res);
    expect(res.body.entity).toMatchObject({ identifier: 'gitlabhq/gitlab-test/mr/1', relations: { project: 'gitlabhq/gitlab-test' } });
    expect(port.entity('gitlabProject', 'gitlabhq/gitlab-test')).toMatchObject({ identifier: 'gitlabhq/gitlab-test', title: null, properties: {}, relations: {} });
  });

  it('plain create refuses an existing identifier with 409 identifier_taken', async () => {
    await post('/v1/blueprints/gitlabProject/entities', { identifier: 'p', properties: {} });
    expectPortError(await post('/v1/blueprints/gitlabProject/entities', { identifier: 'p', properties: {} }), 409, 'identifier_taken');
    expectPortError(await post('/v1/blueprints/nope/entities', { identifier: 'p' }), 404, 'not_found', 'create-an-entity');
  });

  it('upsert replaces the entity, upsert+merge changes only the given fields', async () => {
    await post('/v1/blueprints/gitlabProject/entities', { identifier: 'p', title: 'P', properties: { url: 'https://gitlab.com/p', description: 'first' } });
    await post('/v1/blueprints/gitlabProject/entities?upsert=true&merge=true', { identifier: 'p', properties: { description: 'second' } });
    expect(port.entity('gitlabProject', 'p')).toMatchObject({ title: 'P', properties: { url: 'https://gitlab.com/p', description: 'second' } });
    await post('/v1/blueprints/gitlabProject/entities?upsert=true', { identifier: 'p', properties: { description: 'third' } });
    const replaced = port.entity('gitlabProject', 'p')!;
    expect(replaced.properties).toEqual({ description: 'third' });
    expect(replaced.title).toBeNull();
  });

  it('a relation given as null (a mapping whose target id is absent) sets none: merge clears it, nothing is created', async () => {
    await post('/v1/blueprints/gitlabProject/entities', { identifier: 'p', properties: {} });
    await post('/v1/blueprints/gitlabMergeRequest/entities', mr({ identifier: 'm', relations: { project: 'p' } }));
    const r = await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true&merge=true&create_missing_related_entities=true', { identifier: 'm', relations: { project: null } });
    expect(r.status).toBe(201);
    expect(port.entity('gitlabMergeRequest', 'm')!.relations).toEqual({ project: null });
    expect(port.entity('gitlabProject', 'null')).toBeUndefined();
    // The string "null" is an identifier like any other: Port would create a placeholder of that name.
    await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true&merge=true&create_missing_related_entities=true', { identifier: 'm', relations: { project: 'null' } });
    expect(port.entity('gitlabProject', 'null')).toMatchObject({ identifier: 'null', title: null });
  });

  it('keeps what the audit log recorded when the entity changes later (relation cleared, property dropped)', async () => {
    await post('/v1/blueprints/gitlabProject/entities', { identifier: 'p', properties: { url: 'https://gitlab.com/p', description: 'first' } });
    await post('/v1/blueprints/gitlabMergeRequest/entities', mr({ identifier: 'm', relations: { project: 'p' } }));
    await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true&merge=true', { identifier: 'm', properties: { state: 'merged' } });
    const recorded = async () => {
      const audits = (await call(port, 'GET', '/v1/audit-log?entity=m&includes=diff&includes=action', { token })).body.audits;
      return audits.map((a: any) => [a.action, a.diff?.after ?? null]);
    };
    const before = await recorded();
    expect(before[0]).toEqual(['UPDATE', expect.objectContaining({ properties: expect.objectContaining({ state: 'merged', labels: expect.any(Array) }), relations: { project: 'p' } })]);
    const bp = blueprints[1]!;
    const { labels: _dropped, ...kept } = bp.schema.properties;
    expect((await call(port, 'DELETE', '/v1/blueprints/gitlabProject/all-entities', { token })).status).toBe(200);
    expect((await call(port, 'PUT', '/v1/blueprints/gitlabMergeRequest', { token, body: { ...bp, schema: { ...bp.schema, properties: kept } } })).status).toBe(200);
    expect(port.entity('gitlabMergeRequest', 'm')).toMatchObject({ properties: { state: 'merged' }, relations: { project: null } });
    expect(port.entity('gitlabMergeRequest', 'm')!.properties).not.toHaveProperty('labels');
    expect(await recorded()).toEqual(before);
  });

  it('checks entities against the blueprint (422), with merge allowing absent required properties', async () => {
    await post('/v1/blueprints/gitlabProject/entities', { identifier: mrPayload.project.path_with_namespace, properties: {} });
    const bad = await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true', mr({ properties: { state: 'draft', createdAt: '2013-12-03 17:23:34 UTC' } }));
    expectPortError(bad, 422, 'invalid_request', 'create-an-entity');
    expect(bad.body.message).toMatch(/state.*draft/);
    expect(bad.body.message).toMatch(/RFC 3339/);
    const noState = await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true', mr({ properties: {} }));
    expectPortError(noState, 422, 'invalid_request', 'create-an-entity');
    expect(noState.body.message).toMatch(/required property "state"/);
    expect((await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true', mr())).status).toBe(201);
    expect((await post('/v1/blueprints/gitlabMergeRequest/entities?upsert=true&merge=true', { identifier: mr().identifier, properties: { labels: ['x'] } })).status).toBe(201);
    const schemaBad = await post('/v1/blueprints/gitlabMergeRequest/entities', { identifier: 'has space', properties: {} });
    expectPortError(schemaBad, 422, 'invalid_request', 'create-an-entity');
  });

  it('records the writer\'s User-Agent as $datasource, searchable', async () => {
    await post('/v1/blueprints/gitlabProject/entities', { identifier: 'a', properties: {} }, { 'user-agent': 'port-gitlab-template/0.1.0/install-1' });
    await post('/v1/blueprints/gitlabProject/entities', { identifier: 'b', properties: {} }, { 'user-agent': 'someone-else/2' });
    expect(port.entity('gitlabProject', 'a')?.datasource).toBe('port-gitlab-template/0.1.0/install-1');
    const res = await post('/v1/blueprints/gitlabProject/entities/search', { query: { combinator: 'and', rules: [{ property: '$datasource', operator: 'contains', value: 'port-gitlab-template/' }] } });
    matchesSchema('search-a-blueprints-entities', res);
    expect(res.body.entities.map((e: any) => e.identifier)).toEqual(['a']);
  });

  it('bulk upsert answers 200 when all succeed and 207 with per-index errors otherwise', async () => {
    const ok = await post('/v1/blueprints/gitlabProject/entities/bulk?upsert=true', { entities: [{ identifier: 'p1', properties: {} }, { identifier: 'p2', properties: {} }] });
    expect(ok.status).toBe(200);
    matchesSchema('create-multiple-entities', ok);
    expect(ok.body).toEqual({ ok: true, entities: [{ created: true, identifier: 'p1', index: 0 }, { created: true, identifier: 'p2', index: 1 }], errors: [] });

    const mixed = await post('/v1/blueprints/gitlabProject/entities/bulk?upsert=true', {
      entities: [{ identifier: 'p1', properties: { description: 'again' } }, { identifier: 'p3', properties: { url: 'not a url' } }, { identifier: 'p4', properties: { nope: 1 } }],
    });
    expect(mixed.status).toBe(207);
    matchesSchema('create-multiple-entities', mixed);
    expect(mixed.body.entities).toEqual([{ created: false, identifier: 'p1', index: 0 }]);
    expect(mixed.body.errors.map((e: any) => [e.index, e.identifier, e.statusCode, e.error])).toEqual([[1, 'p3', 422, 'invalid_request'], [2, 'p4', 422, 'invalid_request']]);
    expect(port.entity('gitlabProject', 'p3')).toBeUndefined();

    const tooMany = await post('/v1/blueprints/gitlabProject/entities/bulk', { entities: Array.from({ length: 21 }, (_, i) => ({ identifier: `x${i}` })) });
    expectPortError(tooMany, 422, 'invalid_request', 'create-multiple-entities');
  });

  it('gets, lists, counts and deletes entities with Port\'s envelopes', async () => {
    await post('/v1/blueprints/gitlabProject/entities', { identifier: 'group/sub/proj', title: 'Proj', properties: { url: 'http://127.0.0.1:8080/group/sub/proj' } });
    const one = await call(port, 'GET', `/v1/blueprints/gitlabProject/entities/${encodeURIComponent('group/sub/proj')}`, { token });
    matchesSchema('get-an-entity', one);
    expect(one.body.entity).toEqual({ identifier: 'group/sub/proj', title: 'Proj', properties: { url: 'http://127.0.0.1:8080/group/sub/proj' }, relations: {} });
    const all = await call(port, 'GET', '/v1/blueprints/gitlabProject/entities', { token });
    matchesSchema('get-all-entities-of-a-blueprint', all);
    const count = await call(port, 'GET', '/v1/blueprints/gitlabProject/entities-count', { token });
    matchesSchema('get-a-blueprints-entity-count', count);
    expect(count.body.count).toBe(1);
    const del = await call(port, 'DELETE', `/v1/blueprints/gitlabProject/entities/${encodeURIComponent('group/sub/proj')}`, { token });
    matchesSchema('delete-an-entity', del);
    expectPortError(await call(port, 'GET', `/v1/blueprints/gitlabProject/entities/${encodeURIComponent('group/sub/proj')}`, { token }), 404, 'not_found', 'get-an-entity');
  });

  it('refuses deleting an entity with dependents unless delete_dependents, and bulk delete is refused whole', async () => {
    await post('/v1/blueprints/gitlabProject/entities/bulk', { entities: [{ identifier: 'p1' }, { identifier: 'p2' }, { identifier: 'p3' }] });
    await post('/v1/blueprints/gitlabMergeRequest/entities', mr({ identifier: 'mr1', relations: { project: 'p2' } }));

    expectPortError(await call(port, 'DELETE', '/v1/blueprints/gitlabProject/entities/p2', { token }), 422, 'has_dependents', 'delete-an-entity');
    const refused = await post('/v1/blueprints/gitlabProject/bulk/entities/delete', { entities: ['p1', 'p2', 'p3'] });
    expectPortError(refused, 422, 'has_dependents', 'delete-multiple-entities');
    expect(port.entities('gitlabProject').map((e) => e.identifier)).toEqual(['p1', 'p2', 'p3']); // nothing deleted

    const done = await post('/v1/blueprints/gitlabProject/bulk/entities/delete?delete_dependents=true', { entities: ['p1', 'p2'] });
    matchesSchema('delete-multiple-entities', done);
    expect(done.body.deletedEntities).toEqual(['p1', 'p2']);
    expect(port.entities('gitlabProject').map((e) => e.identifier)).toEqual(['p3']);
    expect(port.entities('gitlabMergeRequest')).toEqual([]);

    expectPortError(await post('/v1/blueprints/gitlabProject/bulk/entities/delete', { entities: Array.from({ length: 101 }, (_, i) => `e${i}`) }), 422, 'invalid_request', 'delete-multiple-entities');
  });

  it('search: a date property "between" {from, to} (bounds included), as Port\'s Date Range rule', async () => {
    const at = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString();
    const entities = Array.from({ length: 5 }, (_, i) => mr({ identifier: `mr${i}`, properties: { state: 'opened', createdAt: at(i) } }));
    entities.push(mr({ identifier: 'undated', properties: { state: 'opened' } }));
    expect((await post('/v1/blueprints/gitlabMergeRequest/entities/bulk?create_missing_related_entities=true', { entities })).status).toBe(200);
    const search = (operator: string, value: unknown) => post('/v1/blueprints/gitlabMergeRequest/entities/search', { query: { combinator: 'and', rules: [{ property: 'createdAt', operator, value }] }, include: ['identifier'] });
    const res = await search('between', { from: at(1), to: at(3) });
    matchesSchema('search-a-blueprints-entities', res);
    expect(res.body.entities.map((e: any) => e.identifier)).toEqual(['mr1', 'mr2', 'mr3']);
    // Without the date an entity matches neither rule (Port documents no case; the local Port's choice).
    expect((await search('notBetween', { from: at(1), to: at(3) })).body.entities.map((e: any) => e.identifier)).toEqual(['mr0', 'mr4']);
    expectPortError(await search('between', { from: 'last week', to: at(3) }), 422, 'invalid_request');
  });

  it('search pages with limit and next, and filters on meta-properties and properties', async () => {
    for (let batch = 0; batch < 3; batch++) {
      const entities = Array.from({ length: 20 }, (_, i) => ({ identifier: `p${batch * 20 + i}`, title: `Project ${batch * 20 + i}`, properties: { description: i % 2 ? 'odd' : 'even' } }));
      expect((await post('/v1/blueprints/gitlabProject/entities/bulk', { entities })).status).toBe(200);
    }
    const seen: string[] = [];
    let from: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await post('/v1/blueprints/gitlabProject/entities/search', { query: { combinator: 'and', rules: [{ property: 'description', operator: '=', value: 'even' }] }, limit: 7, ...(from ? { from } : {}) });
      matchesSchema('search-a-blueprints-entities', res);
      seen.push(...res.body.entities.map((e: any) => e.identifier));
      from = res.body.next;
      if (!from) break;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);

    const meta = await post('/v1/blueprints/gitlabProject/entities/search', {
      query: { combinator: 'or', rules: [{ property: '$identifier', operator: 'in', value: ['p1', 'p2'] }, { combinator: 'and', rules: [{ property: '$title', operator: 'contains', value: 'Project 5' }, { property: '$blueprint', operator: '=', value: 'gitlabProject' }] }] },
      include: ['identifier'],
    });
    expect(meta.body.entities).toEqual(['p1', 'p2', 'p5', 'p50', 'p51', 'p52', 'p53', 'p54', 'p55', 'p56', 'p57', 'p58', 'p59'].map((identifier) => ({ identifier })));

    // `$identifier in [...]` under `and` (the backfill's compare query): unknown ids are ignored,
    // the other rules still apply, and paging works as for any query.
    const byId: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await post('/v1/blueprints/gitlabProject/entities/search', {
        query: { combinator: 'and', rules: [{ property: '$identifier', operator: 'in', value: ['p0', 'p1', 'p2', 'p3', 'p4', 'nope', 'p2'] }, { property: 'description', operator: '=', value: 'even' }] },
        limit: 2,
        include: ['identifier'],
        ...(cursor ? { from: cursor } : {}),
      });
      matchesSchema('search-a-blueprints-entities', res);
      byId.push(...res.body.entities.map((e: any) => e.identifier));
      cursor = res.body.next;
      if (!cursor) break;
    }
    expect(byId.sort()).toEqual(['p0', 'p2', 'p4']);

    const bad = await post('/v1/blueprints/gitlabProject/entities/search', { limit: 1001 });
    expectPortError(bad, 422, 'invalid_request', 'search-a-blueprints-entities');
    const badCursor = await post('/v1/blueprints/gitlabProject/entities/search', { from: 'bogus' });
    expectPortError(badCursor, 422, 'invalid_request', 'search-a-blueprints-entities');
  });
});
