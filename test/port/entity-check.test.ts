import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkEntity, entityIdentifierProblem } from '../../scripts/port/entity-check.ts';
import { checkRequestBody } from '../../scripts/port/api-schemas.ts';

const payload = JSON.parse(readFileSync(new URL('../fixtures/gitlab-payloads/merge_request.open.json', import.meta.url), 'utf8'));
const mr = payload.body.object_attributes;

const blueprint = {
  identifier: 'gitlabMergeRequest',
  title: 'Merge Request',
  schema: {
    properties: {
      state: { type: 'string', enum: ['opened', 'closed', 'merged', 'locked'] },
      link: { type: 'string', format: 'url' },
      createdAt: { type: 'string', format: 'date-time' },
      labels: { type: 'array', items: { type: 'string' } },
      reviewers: { type: 'array', items: { type: 'string', format: 'user' } },
      iid: { type: 'number' },
      draft: { type: 'boolean' },
      raw: { type: 'object' },
    },
    required: ['state'],
  },
  relations: {
    project: { target: 'gitlabProject', required: true, many: false },
    assignees: { target: '_user', required: false, many: true },
  },
  calculationProperties: { webLink: { calculation: '.properties.link', type: 'string' } },
};

// The entity a merge-request mapping makes from GitLab's documented payload.
function entity(): Record<string, any> {
  return {
    identifier: `${payload.body.project.path_with_namespace}!${mr.iid}`.replace('!', '/mr/'),
    title: mr.title,
    properties: { state: mr.state, link: mr.url, createdAt: mr.created_at, labels: payload.body.labels.map((l: any) => l.title), iid: mr.iid, draft: false, raw: {} },
    relations: { project: payload.body.project.path_with_namespace, assignees: ['user@example.com'] },
  };
}

describe('checkEntity', () => {
  it('accepts a mapped GitLab merge request that also passes the published schema', () => {
    const e = entity();
    expect(checkRequestBody('create-an-entity', e).ok).toBe(true);
    expect(checkEntity(e, blueprint)).toEqual([]);
  });

  it('checks the identifier pattern, type and length', () => {
    expect(entityIdentifierProblem('group/sub/proj=1:é')).toBeUndefined();
    for (const bad of ['has space', '.', '..', 'x'.repeat(1001), 'a#b', '', 42, null]) {
      expect(checkEntity({ ...entity(), identifier: bad }, blueprint).map((v) => v.path), String(bad)).toEqual(['/identifier']);
    }
    expect(checkEntity({ ...entity(), identifier: 42 }, blueprint)[0].message).toMatch(/tostring/);
  });

  it('rejects undeclared and computed properties', () => {
    const e = entity();
    e.properties.unknownProp = 1;
    e.properties.webLink = 'https://x.example';
    const v = checkEntity(e, blueprint);
    expect(v.map((x) => x.path)).toEqual(['/properties/unknownProp', '/properties/webLink']);
    expect(v[1].message).toMatch(/calculation property/);
  });

  it('checks types, formats, enums and array items', () => {
    const e = entity();
    e.properties = {
      state: 'draft',
      link: 'not a url',
      createdAt: '2013-12-03 17:23:34 UTC',
      labels: ['ok', 3],
      reviewers: ['not-an-email'],
      iid: '1',
      draft: 'false',
      raw: [],
    };
    const v = checkEntity(e, blueprint);
    expect(v.map((x) => x.path)).toEqual([
      '/properties/state', '/properties/link', '/properties/createdAt', '/properties/labels/1',
      '/properties/reviewers/0', '/properties/iid', '/properties/draft', '/properties/raw',
    ]);
    expect(v[2].message).toMatch(/RFC 3339/);
  });

  it('accepts RFC 3339 date-times with offsets and fractions', () => {
    for (const d of ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.123+02:00', '2024-05-01t12:00:00z']) {
      expect(checkEntity({ ...entity(), properties: { ...entity().properties, createdAt: d } }, blueprint), d).toEqual([]);
    }
  });

  it('accepts absolute URLs on any host (self-managed GitLab, loopback) and rejects relative ones', () => {
    for (const url of ['http://127.0.0.1:8080/g/p', 'http://localhost/x', 'https://gitlab.example.com/g/p/-/merge_requests/1']) {
      expect(checkEntity({ ...entity(), properties: { ...entity().properties, link: url } }, blueprint), url).toEqual([]);
    }
    for (const url of ['/g/p', 'gitlab.com/g/p', 'https://has space.com/x', 'https://']) {
      expect(checkEntity({ ...entity(), properties: { ...entity().properties, link: url } }, blueprint).map((v) => v.path), url).toEqual(['/properties/link']);
    }
  });

  it('allows null for optional properties but not for required ones', () => {
    const e = entity();
    e.properties.link = null;
    expect(checkEntity(e, blueprint)).toEqual([]);
    e.properties.state = null;
    expect(checkEntity(e, blueprint).map((x) => x.path)).toEqual(['/properties/state']);
  });

  it('requires required properties and relations unless partial', () => {
    const e = { identifier: 'x', properties: {} };
    expect(checkEntity(e, blueprint).map((x) => x.path)).toEqual(['/properties/state', '/relations/project']);
    expect(checkEntity(e, blueprint, { partial: true })).toEqual([]);
    expect(checkEntity({ properties: { state: 'opened' } }, blueprint, { partial: true })).toEqual([]);
  });

  it('checks relation shape: single is a string, many an array of identifiers', () => {
    const e = entity();
    e.relations = { project: ['a'], assignees: 'b', nope: 'c' };
    expect(checkEntity(e, blueprint).map((x) => x.path)).toEqual(['/relations/project', '/relations/assignees', '/relations/nope']);
    e.relations = { project: 'has space', assignees: ['ok', 'bad id'] };
    expect(checkEntity(e, blueprint).map((x) => x.path)).toEqual(['/relations/project', '/relations/assignees/1']);
    e.relations = { project: null, assignees: null };
    expect(checkEntity(e, blueprint).map((x) => x.path)).toEqual(['/relations/project']);
    e.relations = { project: { combinator: 'and', rules: [{ property: 'url', operator: '=', value: 'x' }] } };
    expect(checkEntity(e, blueprint)).toEqual([]);
  });

  it('answers a non-object with one violation instead of throwing', () => {
    expect(checkEntity('x', blueprint)).toHaveLength(1);
    expect(checkEntity({ identifier: 'a', properties: [] }, blueprint).map((x) => x.path)).toContain('/properties');
  });
});
