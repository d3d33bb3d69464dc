import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalPort, type LocalPort } from '../../../scripts/sandbox/port/server.ts';
import { call, expectPortError, matchesSchema, tokenFor } from './http.ts';

const noEvaluate = { evaluate: async () => ({ actions: [], problems: [] }), evaluateExpression: async () => null };

const project = {
  identifier: 'gitlabProject',
  title: 'GitLab Project',
  icon: 'GitLab',
  schema: { properties: { url: { type: 'string', format: 'url', title: 'URL' }, visibility: { type: 'string', enum: ['private', 'internal', 'public'] } }, required: [] },
};

describe('local Port: authentication', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let port: LocalPort;
  beforeEach(async () => {
    port = await startLocalPort({ ...noEvaluate, tokenLifetimeSeconds: 60, now: () => clock });
  });
  afterEach(() => port.close());

  it('issues a Bearer token, reuses it until expiry, then refuses it with 401', async () => {
    const first = await call(port, 'POST', '/v1/auth/access_token', { body: { clientId: port.clientId, clientSecret: port.clientSecret } });
    matchesSchema('create-an-access-token', first);
    expect(first.body).toMatchObject({ ok: true, expiresIn: 60, tokenType: 'Bearer' });
    const token = first.body.accessToken;
    expect(token.split('.')).toHaveLength(3); // JWT-shaped like Port's

    clock += 30_000;
    const again = await call(port, 'POST', '/v1/auth/access_token', { body: { clientId: port.clientId, clientSecret: port.clientSecret } });
    expect(again.body.accessToken).toBe(token); // one active token per credential set
    expect(again.body.expiresIn).toBe(30);
    expect((await call(port, 'GET', '/v1/blueprints', { token })).status).toBe(200);

    clock += 31_000;
    const expired = await call(port, 'GET', '/v1/blueprints', { token });
    expectPortError(expired, 401, 'unauthorized', 'get-all-blueprints');
    expect(expired.body.message).toMatch(/expired/);
    const fresh = await tokenFor(port);
    expect(fresh).not.toBe(token);
    expect((await call(port, 'GET', '/v1/blueprints', { token: fresh })).status).toBe(200);
  });

  it('answers 401 for wrong credentials, a missing token and an unknown token', async () => {
    expectPortError(await call(port, 'POST', '/v1/auth/access_token', { body: { clientId: port.clientId, clientSecret: 'wrong' } }), 401, 'unauthorized', 'create-an-access-token');
    expectPortError(await call(port, 'GET', '/v1/blueprints'), 401, 'unauthorized', 'get-all-blueprints');
    expectPortError(await call(port, 'GET', '/v1/blueprints', { token: 'a.b.c' }), 401, 'unauthorized', 'get-all-blueprints');
  });

  it('validates the token body against the published schema (422)', async () => {
    const res = await call(port, 'POST', '/v1/auth/access_token', { body: { clientId: port.clientId } });
    expectPortError(res, 422, 'invalid_request', 'create-an-access-token');
    expect(res.body.message).toMatch(/clientSecret/);
  });
});

describe('local Port: blueprints', () => {
  let port: LocalPort;
  let token: string;
  beforeEach(async () => {
    port = await startLocalPort(noEvaluate);
    token = await tokenFor(port);
  });
  afterEach(() => port.close());

  it('creates (201), reads, lists and refuses a duplicate with 409', async () => {
    const created = await call(port, 'POST', '/v1/blueprints', { token, body: project });
    expect(created.status).toBe(201);
    matchesSchema('create-a-blueprint', created);
    expect(created.body.blueprint).toMatchObject({ identifier: 'gitlabProject', title: 'GitLab Project' });
    expect(port.catalogPages()).toContain('gitlabProject'); // create_catalog_page defaults to true

    const one = await call(port, 'GET', '/v1/blueprints/gitlabProject', { token });
    matchesSchema('get-a-blueprint', one);
    const all = await call(port, 'GET', '/v1/blueprints', { token });
    matchesSchema('get-all-blueprints', all);
    expect(all.body.blueprints.map((b: any) => b.identifier)).toEqual(expect.arrayContaining(['_user', '_team', 'gitlabProject']));

    expectPortError(await call(port, 'POST', '/v1/blueprints', { token, body: project }), 409, 'identifier_taken');
    expectPortError(await call(port, 'GET', '/v1/blueprints/nope', { token }), 404, 'not_found', 'get-a-blueprint');
  });

  it('honours create_catalog_page=false', async () => {
    expect((await call(port, 'POST', '/v1/blueprints?create_catalog_page=false', { token, body: project })).status).toBe(201);
    expect(port.catalogPages()).not.toContain('gitlabProject');
  });

  it('validates bodies against the published schema (422)', async () => {
    const res = await call(port, 'POST', '/v1/blueprints', { token, body: { identifier: 'x', schema: { properties: {} } } });
    expectPortError(res, 422, 'invalid_request', 'create-a-blueprint');
    expect(res.body.message).toMatch(/title/);
    expectPortError(await call(port, 'POST', '/v1/blueprints', { token, rawBody: '{not json' }), 422, 'invalid_request', 'create-a-blueprint');
  });

  it('refuses a relation that is both many and required (422)', async () => {
    await call(port, 'POST', '/v1/blueprints', { token, body: project });
    const res = await call(port, 'POST', '/v1/blueprints', {
      token,
      body: { identifier: 'gitlabIssue', title: 'Issue', schema: { properties: {} }, relations: { projects: { target: 'gitlabProject', many: true, required: true } } },
    });
    expectPortError(res, 422, 'invalid_request', 'create-a-blueprint');
    expect(res.body.message).toMatch(/"many" and "required"/);
    expect(port.blueprint('gitlabIssue')).toBeUndefined();
  });

  it('refuses a relation to a blueprint that does not exist, then accepts it once the target exists', async () => {
    const issue = { identifier: 'gitlabIssue', title: 'Issue', schema: { properties: {} }, relations: { project: { target: 'gitlabProject', many: false, required: false } } };
    const res = await call(port, 'POST', '/v1/blueprints', { token, body: issue });
    expectPortError(res, 404, 'not_found', 'create-a-blueprint');
    await call(port, 'POST', '/v1/blueprints', { token, body: project });
    expect((await call(port, 'POST', '/v1/blueprints', { token, body: issue })).status).toBe(201);
  });

  it('refuses a property type or format change with forbidden_format_change and details.property', async () => {
    await call(port, 'POST', '/v1/blueprints', { token, body: project });
    const patch = await call(port, 'PATCH', '/v1/blueprints/gitlabProject', { token, body: { schema: { properties: { url: { type: 'string' }, visibility: { type: 'string' } } } } });
    expectPortError(patch, 422, 'forbidden_format_change', 'update-a-blueprint');
    expect(patch.body.details).toEqual({ property: 'url' });
    const put = await call(port, 'PUT', '/v1/blueprints/gitlabProject', { token, body: { ...project, schema: { properties: { ...project.schema.properties, visibility: { type: 'number' } } } } });
    expectPortError(put, 422, 'forbidden_format_change', 'change-a-blueprint');
    expect(put.body.details).toEqual({ property: 'visibility' });
    expect(port.blueprint('gitlabProject')?.schema.properties.url.format).toBe('url');
  });

  it('PATCH merges top-level keys and PUT replaces; both answer the published 200 shape', async () => {
    await call(port, 'POST', '/v1/blueprints', { token, body: project });
    const patched = await call(port, 'PATCH', '/v1/blueprints/gitlabProject', { token, body: { title: 'Project', description: 'GitLab projects' } });
    matchesSchema('update-a-blueprint', patched);
    expect(patched.body.blueprint).toMatchObject({ title: 'Project', description: 'GitLab projects', schema: { properties: { url: { format: 'url' } } } });
    const put = await call(port, 'PUT', '/v1/blueprints/gitlabProject', { token, body: { title: 'P2', schema: { properties: { url: { type: 'string', format: 'url' } } } } });
    matchesSchema('change-a-blueprint', put);
    expect(put.body.blueprint.description).toBeUndefined();
    expect(Object.keys(put.body.blueprint.schema.properties)).toEqual(['url']);
  });

  it('deletes a blueprint only after its entities, and answers 404 afterwards', async () => {
    await call(port, 'POST', '/v1/blueprints', { token, body: project });
    await call(port, 'POST', '/v1/blueprints/gitlabProject/entities', { token, body: { identifier: 'g/p', properties: {} } });
    expectPortError(await call(port, 'DELETE', '/v1/blueprints/gitlabProject', { token }), 422, 'has_entities', 'delete-a-blueprint');
    const all = await call(port, 'DELETE', '/v1/blueprints/gitlabProject/all-entities', { token });
    matchesSchema('delete-all-entities-of-a-blueprint', all);
    const del = await call(port, 'DELETE', '/v1/blueprints/gitlabProject', { token });
    matchesSchema('delete-a-blueprint', del);
    expectPortError(await call(port, 'DELETE', '/v1/blueprints/gitlabProject', { token }), 404, 'not_found', 'delete-a-blueprint');
  });

  it('refuses bodies over 1 MiB with 413 before parsing them', async () => {
    const huge = '{"identifier":"x","title":"' + 'a'.repeat(1024 * 1024) + '"';
    const res = await call(port, 'POST', '/v1/blueprints', { token, rawBody: huge });
    expectPortError(res, 413, 'request_too_large', 'create-a-blueprint');
  });

  it('answers unknown routes with Port-shaped 404', async () => {
    expectPortError(await call(port, 'GET', '/v1/nothing-here', { token }), 404, 'not_found');
  });
});
