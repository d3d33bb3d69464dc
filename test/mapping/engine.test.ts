// Port's webhook-mapping semantics (reference/port.md §2), on GitLab's documented payloads, with
// both engines: every passing filter applies, itemsToParse exposes `.item` (first 500), delete
// operations carry only the identifier, failing expressions become null and are reported.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import { createMappingEngine, type MappingEngine } from '../../scripts/mapping/engine.ts';
import { ENGINES, onEngine, requireNativeEngine } from '../helpers/engines.ts';
import { payload } from '../helpers/fixtures.ts';

const isMr = '.headers."x-gitlab-event" == "Merge Request Hook"';

for (const name of ENGINES) describe(`mapping engine on ${name}`, onEngine(name), () => {
  let engine: MappingEngine;
  beforeAll(async () => {
    if (name === 'port-native') requireNativeEngine();
    engine = await createMappingEngine({ engine: name });
  });

  it('applies every mapping whose filter passes, in order', () => {
    const mappings: BundleMapping[] = [
      { blueprint: 'p', filter: isMr, entity: { identifier: '.body.project.id | tostring', title: '.body.project.name' } },
      { blueprint: 'mr', filter: isMr, entity: { identifier: '.body.object_attributes.id | tostring', relations: { project: '.body.project.id | tostring' } } },
      { blueprint: 'skip', filter: '.headers."x-gitlab-event" == "Issue Hook"', entity: { identifier: '"x"' } },
    ];
    const r = engine.evaluateWebhook(mappings, payload('merge_request.open'));
    expect(r.problems).toEqual([]);
    expect(r.actions.map((a) => [a.action, a.blueprint, a.entity.identifier])).toEqual([
      ['upsert', 'p', '1'],
      ['upsert', 'mr', '99'],
    ]);
    expect(r.actions[0]!.entity.title).toBe('Gitlab Test');
    expect(r.actions[1]!.entity.relations).toEqual({ project: '1' });
  });

  it('lowercases header names before the mappings see them', () => {
    const req = payload('merge_request.open');
    req.headers = { 'X-GITLAB-EVENT': 'Merge Request Hook' };
    const r = engine.evaluateWebhook([{ blueprint: 'p', filter: isMr, entity: { identifier: '.headers | keys | join(",")' } }], req);
    expect(r.actions[0]!.entity.identifier).toBe('x-gitlab-event');
  });

  it('treats a failing or non-truthy filter as false, reporting the failure', () => {
    const r = engine.evaluateWebhook(
      [
        { blueprint: 'a', filter: '.body.object_attributes.id.x', entity: { identifier: '"a"' } },
        { blueprint: 'b', filter: 'null', entity: { identifier: '"b"' } },
        { blueprint: 'c', filter: '"yes"', entity: { identifier: '"c"' } },
      ],
      payload('merge_request.open'),
    );
    expect(r.actions.map((a) => a.blueprint)).toEqual(['c']);
    expect(r.problems).toEqual([expect.objectContaining({ mapping: 0, field: 'filter' })]);
  });

  it('turns a failing property into null and reports where', () => {
    const r = engine.evaluateWebhook(
      [{ blueprint: 'mr', filter: isMr, entity: { identifier: '.body.object_attributes.id | tostring', properties: { ok: '.body.object_attributes.state', bad: '.body.object_attributes.id | ascii_downcase' } } }],
      payload('merge_request.open'),
    );
    expect(r.actions[0]!.entity.properties).toEqual({ ok: 'opened', bad: null });
    expect(r.problems).toEqual([expect.objectContaining({ mapping: 0, field: 'entity.properties.bad' })]);
  });

  it('reports an expression that does not compile and still evaluates the others', () => {
    const r = engine.evaluateWebhook(
      [{ blueprint: 'mr', filter: isMr, entity: { identifier: '.body.object_attributes.iid | tostring', properties: { broken: '.body.(', fine: '.body.object_attributes.title' } } }],
      payload('merge_request.open'),
    );
    expect(r.actions[0]!.entity.properties).toEqual({ broken: null, fine: 'MS-Viewport' });
    expect(r.problems).toEqual([expect.objectContaining({ field: 'entity.properties.broken', message: expect.stringContaining('does not compile') })]);
  });

  it('skips an entity whose identifier is not a string, as Port does', () => {
    const r = engine.evaluateWebhook([{ blueprint: 'mr', filter: isMr, entity: { identifier: '.body.object_attributes.id' } }], payload('merge_request.open'));
    expect(r.actions).toEqual([]);
    expect(r.problems[0]!.message).toMatch(/tostring/);
  });

  it('reports an identifier or relation an absent id turned into "null" (Port would write it as given)', () => {
    const req = payload('merge_request.open');
    delete req.body.project;
    const r = engine.evaluateWebhook(
      [
        { blueprint: 'p', filter: isMr, entity: { identifier: '.body.project.id | tostring' } },
        { blueprint: 'mr', filter: isMr, entity: { identifier: '.body.object_attributes.id | tostring', relations: { project: '.body.project.id | tostring', other: '.body.nothing // "" | tostring' } } },
      ],
      req,
    );
    expect(r.actions.map((a) => [a.blueprint, a.entity.identifier])).toEqual([['p', 'null'], ['mr', '99']]);
    expect(r.problems.map((p) => [p.mapping, p.field])).toEqual([[0, 'entity.identifier'], [1, 'entity.relations.project'], [1, 'entity.relations.other']]);
    expect(r.problems[0]!.message).toMatch(/"null".*gitlab_id/);
  });

  it('takes the first output of a multi-output expression', () => {
    const r = engine.evaluateWebhook([{ blueprint: 'mr', filter: isMr, entity: { identifier: '.body.labels[].id | tostring' } }], payload('merge_request.open'));
    expect(r.actions.map((a) => a.entity.identifier)).toEqual(['206']);
  });

  it('exposes each itemsToParse element as .item, up to 500', () => {
    const req = payload('push');
    req.body.commits = Array.from({ length: 501 }, (_, i) => ({ id: `c${i}`, message: `m${i}` }));
    const r = engine.evaluateWebhook(
      [{ blueprint: 'commit', filter: '.body.object_kind == "push"', itemsToParse: '.body.commits', entity: { identifier: '.item.id', title: '.item.message', relations: { project: '.body.project_id | tostring' } } }],
      req,
    );
    expect(r.actions).toHaveLength(500);
    expect(r.actions[499]!.entity).toEqual({ identifier: 'c499', title: 'm499', relations: { project: '15' } });
    expect(r.problems).toEqual([expect.objectContaining({ field: 'itemsToParse', message: expect.stringContaining('first 500') })]);
  });

  it('reports itemsToParse that is not an array', () => {
    const r = engine.evaluateWebhook([{ blueprint: 'x', filter: 'true', itemsToParse: '.body.object_kind', entity: { identifier: '.item' } }], payload('push'));
    expect(r.actions).toEqual([]);
    expect(r.problems[0]).toMatchObject({ field: 'itemsToParse' });
  });

  it('emits deletes with only the identifier and deleteDependents', () => {
    const r = engine.evaluateWebhook(
      [{ blueprint: 'gitlabProject', operation: { type: 'delete', deleteDependents: false }, filter: '.body.event_name == "project_destroy"', entity: { identifier: '.body.project_id | tostring' } }],
      payload('project.destroy'),
    );
    expect(r.actions).toEqual([{ action: 'delete', blueprint: 'gitlabProject', entity: { identifier: '22' }, deleteDependents: false, mapping: 0 }]);
  });

  it('checks each upsert against its blueprint when given a checker', async () => {
    const checked = await createMappingEngine({
      engine: name,
      checkEntity: (_bp, e) => (typeof e.properties?.iid === 'number' ? [] : [{ path: '/properties/iid', message: 'must be a number' }]),
    });
    const r = checked.evaluateWebhook([{ blueprint: 'mr', filter: isMr, entity: { identifier: '"1"', properties: { iid: '.body.object_attributes.iid | tostring' } } }], payload('merge_request.open'));
    expect(r.problems).toEqual([{ mapping: 0, blueprint: 'mr', field: 'entity.properties.iid', message: '1: must be a number' }]);
  });

  it('evaluates a batch with the same results as one by one', () => {
    const mappings: BundleMapping[] = [{ blueprint: 'x', filter: 'true', entity: { identifier: '.headers."x-gitlab-event"', title: '.body.object_kind' } }];
    const reqs = ['push', 'merge_request.open', 'issue.open', 'member.add'].map(payload);
    expect(engine.evaluateWebhookBatch(mappings, reqs)).toEqual(reqs.map((r) => engine.evaluateWebhook(mappings, r)));
  });
});
