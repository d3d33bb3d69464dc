// The local Port's scorecard and page routes: bodies checked against Port's published schemas
// (422 in Port's error shape), 404/409 as Port answers, identifiers that never change, and each
// entity's scorecard level evaluated on read — on entities the bundle's real backfill mappings make
// from GitLab's documented REST objects, with the clock fixed so date presets are exact.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderBlueprints, renderPages, renderScorecards } from '../../scripts/bundle/render.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';
import { call, expectPortError, matchesSchema, tokenFor } from '../sandbox/port/http.ts';
import { harness, restObject, type Harness } from '../mappings/helpers.ts';

const noEvaluate = { evaluate: async () => ({ actions: [], problems: [] }), evaluateExpression: async () => null };
const NOW = Date.parse('2020-05-10T12:00:00Z'); // 13 days after the documented project's last activity

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

describe('local Port: scorecards and pages', () => {
  let port: LocalPort;
  let token: string;
  const req = (method: string, path: string, body?: unknown) => call(port, method, path, { token, body });
  const project = () => renderScorecards(h.bundle).find((s) => s.blueprint === 'gitlabProject')!.scorecard;
  const mrScorecard = () => renderScorecards(h.bundle).find((s) => s.blueprint === 'gitlabMergeRequest')!.scorecard;

  beforeEach(async () => {
    port = await startLocalPort({ ...noEvaluate, rateLimit: false, now: () => NOW });
    token = await tokenFor(port);
    for (const b of renderBlueprints(h.bundle)) {
      const { relations, mirrorProperties, calculationProperties, aggregationProperties, ...bare } = b;
      expect((await req('POST', '/v1/blueprints?create_catalog_page=false', bare)).status).toBe(201);
    }
    // Ocean's stages, as the installer sends them: relations everywhere first, then derived properties.
    for (const keys of [['relations'], ['mirrorProperties', 'calculationProperties', 'aggregationProperties']]) {
      for (const b of renderBlueprints(h.bundle)) {
        const rest = Object.fromEntries(Object.entries(b).filter(([k]) => keys.includes(k)));
        if (Object.keys(rest).length) expect((await req('PATCH', `/v1/blueprints/${b.identifier}`, rest)).status).toBe(200);
      }
    }
  });
  afterEach(async () => {
    await port.close();
  });

  it('creates, reads, replaces and deletes a scorecard as Port answers', async () => {
    const created = await req('POST', '/v1/blueprints/gitlabProject/scorecards', project());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ok: true, scorecard: { ...project(), blueprint: 'gitlabProject', id: expect.any(String), createdAt: new Date(NOW).toISOString() } });
    expectPortError(await req('POST', '/v1/blueprints/gitlabProject/scorecards', project()), 409, 'identifier_taken');
    expect((await req('GET', '/v1/blueprints/gitlabProject/scorecards/gitlabProjectHealth')).body.scorecard.rules).toEqual(project().rules);
    expect((await req('GET', '/v1/blueprints/gitlabProject/scorecards')).body.scorecards.map((s: any) => s.identifier)).toEqual(['gitlabProjectHealth']);
    const changed = { ...project(), title: 'Health' };
    const put = await req('PUT', '/v1/blueprints/gitlabProject/scorecards/gitlabProjectHealth', changed);
    expect(put.body).toMatchObject({ ok: true, scorecard: { title: 'Health', id: created.body.scorecard.id } });
    expectPortError(await req('PUT', '/v1/blueprints/gitlabProject/scorecards/gitlabProjectHealth', { ...changed, identifier: 'renamed' }), 422, 'invalid_request', 'change-a-scorecard');
    expectPortError(await req('PUT', '/v1/blueprints/gitlabProject/scorecards/nope', changed), 404, 'not_found', 'change-a-scorecard');
    // PUT with an array: the blueprint's set becomes exactly that.
    const set = await req('PUT', '/v1/blueprints/gitlabMergeRequest/scorecards', [mrScorecard()]);
    expect(set.body.scorecards.map((s: any) => s.identifier)).toEqual(['gitlabMergeRequestHygiene']);
    expect((await req('GET', '/v1/scorecards')).body.scorecards.map((s: any) => `${s.blueprint}/${s.identifier}`)).toEqual(['gitlabProject/gitlabProjectHealth', 'gitlabMergeRequest/gitlabMergeRequestHygiene']);
    const del = await req('DELETE', '/v1/blueprints/gitlabProject/scorecards/gitlabProjectHealth');
    expect(del.body).toEqual({ ok: true });
    expectPortError(await req('GET', '/v1/blueprints/gitlabProject/scorecards/gitlabProjectHealth'), 404, 'not_found', 'get-a-scorecard');
    expectPortError(await req('GET', '/v1/blueprints/nope/scorecards'), 404, 'not_found', 'get-a-blueprints-scorecards');
  });

  it('refuses bodies that break the published schema or Port\'s level rules, in Port\'s error shape', async () => {
    const noRules = { identifier: 'x', title: 'X' };
    expectPortError(await req('POST', '/v1/blueprints/gitlabProject/scorecards', noRules), 422, 'invalid_request', 'create-a-scorecard');
    const dotted = { ...project(), rules: [{ ...project().rules[0], identifier: 'has.description' }] };
    expectPortError(await req('POST', '/v1/blueprints/gitlabProject/scorecards', dotted), 422, 'invalid_request', 'create-a-scorecard');
    const base = { ...project(), rules: [{ ...project().rules[0], level: 'Basic' }] };
    const r = await req('POST', '/v1/blueprints/gitlabProject/scorecards', base);
    expectPortError(r, 422, 'invalid_request', 'create-a-scorecard');
    expect(r.body.message).toContain('base level "Basic"');
    // Without levels, the published schema allows only Gold/Silver/Bronze, and Port's defaults apply.
    const defaults = await req('POST', '/v1/blueprints/gitlabProject/scorecards', { identifier: 'plain', title: 'Plain', rules: [{ ...project().rules[0], level: 'Gold' }] });
    expect(defaults.body.scorecard.levels.map((l: any) => l.title)).toEqual(['Basic', 'Bronze', 'Silver', 'Gold']);
    expectPortError(await req('POST', '/v1/blueprints/gitlabProject/scorecards', { identifier: 'p2', title: 'P', rules: [{ ...project().rules[0], level: 'Platinum' }] }), 422, 'invalid_request', 'create-a-scorecard');
    expectPortError(await req('POST', '/v1/blueprints/nope/scorecards', project()), 404, 'not_found', 'create-a-scorecard');
  });

  it('evaluates each entity\'s levels on read, as Port\'s entity JSON carries them, computed properties included', async () => {
    await req('POST', '/v1/blueprints/gitlabProject/scorecards', project());
    const map = (kind: 'projects' | 'mergeRequests', object: unknown) => h.backfill(kind, { object, parent: restObject('group') }).actions[0]!.entity;
    const upsert = (bp: string, e: unknown) => req('POST', `/v1/blueprints/${bp}/entities?upsert=true&create_missing_related_entities=true`, e);
    const documented = map('projects', restObject('project')); // id 8: description, not archived, active 13 days before NOW
    const archived = map('projects', { ...restObject('project'), id: 9, archived: true });
    const silent = map('projects', { ...restObject('project'), id: 10, description: '', last_activity_at: '2019-01-01T00:00:00Z' });
    for (const e of [documented, archived, silent]) expect((await upsert('gitlabProject', e)).status).toBe(201);
    // One merge request of project 8, merged 10 days before NOW after 24 hours: averageLeadTimeHours (an aggregation) is 24.
    const mr = map('mergeRequests', { ...restObject('merge_request'), project_id: 8, created_at: '2020-04-29T12:00:00Z', merged_at: '2020-04-30T12:00:00Z' });
    expect((await upsert('gitlabMergeRequest', mr)).status).toBe(201);

    const levels = async () => Object.fromEntries(((await req('GET', '/v1/blueprints/gitlabProject/entities')).body.entities as any[]).map((e) => [e.identifier, e.scorecards.gitlabProjectHealth.level]));
    // 8: Bronze — Silver needs the default-branch pipeline to pass, and Port has no pipeline of it;
    // 9: Basic (archived); 10: Basic (no description, inactive).
    expect(await levels()).toEqual({ 8: 'Bronze', 9: 'Basic', 10: 'Basic' });
    const one = await req('GET', '/v1/blueprints/gitlabProject/entities/8');
    expect(one.body.entity.scorecards.gitlabProjectHealth).toEqual({
      level: 'Bronze',
      rules: [
        { identifier: 'hasDescription', status: 'SUCCESS', level: 'Bronze' },
        { identifier: 'notArchived', status: 'SUCCESS', level: 'Bronze' },
        { identifier: 'activeLast3Months', status: 'SUCCESS', level: 'Silver' },
        { identifier: 'defaultBranchPipelinePassing', status: 'FAILURE', level: 'Silver' },
        { identifier: 'pipelineSuccessRate90', status: 'FAILURE', level: 'Gold' },
        { identifier: 'mergesWithinTwoDays', status: 'SUCCESS', level: 'Gold' },
      ],
    });
    // Asked for only the levels: the aggregation the rule reads is still computed for it.
    const slim = await call(port, 'GET', '/v1/blueprints/gitlabProject/entities/8?include=identifier&include=scorecards', { token });
    expect(slim.body.entity.scorecards.gitlabProjectHealth.rules.find((r: any) => r.identifier === 'mergesWithinTwoDays').status).toBe('SUCCESS');
    expect(slim.body.entity.properties).toBeUndefined();
    // include/exclude keep their meaning: levels only when asked for (or nothing is filtered).
    expect((await call(port, 'GET', '/v1/blueprints/gitlabProject/entities/8?exclude=scorecards', { token })).body.entity.scorecards).toBeUndefined();
    expect((await call(port, 'GET', '/v1/blueprints/gitlabProject/entities/8?include=identifier', { token })).body.entity).toEqual({ identifier: '8' });
  });

  it('levels follow the documented merge request, and the scorecard filter leaves unmerged ones out', async () => {
    await req('POST', '/v1/blueprints/gitlabMergeRequest/scorecards', mrScorecard());
    const mr = restObject('merge_request'); // merged, a reviewer, labels, an assignee; 16 months from creation to merge
    const map = (object: unknown) => h.backfill('mergeRequests', { object, parent: restObject('group') }).actions[0]!.entity;
    const upsert = (e: unknown) => req('POST', '/v1/blueprints/gitlabMergeRequest/entities?upsert=true&create_missing_related_entities=true', e);
    await upsert(map(mr)); // Silver: not merged within 2 days
    await upsert(map({ ...mr, id: 2, iid: 2, reviewers: [] })); // no reviewer: Basic, though it passes every Silver rule
    await upsert(map({ ...mr, id: 3, iid: 3, assignees: [], assignee: null })); // no assignee: Bronze
    await upsert(map({ ...mr, id: 4, iid: 4, state: 'opened', merged_at: null })); // not merged: not evaluated
    await upsert(map({ ...mr, id: 5, iid: 5, created_at: '2018-09-06T11:16:17.520Z' })); // merged after 24 h: Gold
    const list = (await req('GET', '/v1/blueprints/gitlabMergeRequest/entities')).body.entities as any[];
    expect(Object.fromEntries(list.map((e) => [e.identifier, e.scorecards.gitlabMergeRequestHygiene?.level ?? 'not evaluated']))).toEqual({ 1: 'Silver', 2: 'Basic', 3: 'Bronze', 4: 'not evaluated', 5: 'Gold' });
    const searched = await req('POST', '/v1/blueprints/gitlabMergeRequest/entities/search', { query: { combinator: 'and', rules: [{ property: 'state', operator: '=', value: 'merged' }] }, include: ['identifier', 'scorecards'] });
    expect(searched.body.entities.map((e: any) => [e.identifier, e.scorecards.gitlabMergeRequestHygiene.level])).toEqual([['1', 'Silver'], ['2', 'Basic'], ['3', 'Bronze'], ['5', 'Gold']]);
    const slim = await req('POST', '/v1/blueprints/gitlabMergeRequest/entities/search', { include: ['identifier'] });
    expect(slim.body.entities[0]).toEqual({ identifier: '1' });
    // A blueprint without scorecards answers exactly the published entity schema.
    const group = await req('GET', `/v1/blueprints/gitlabGroup/entities/${restObject('group').id}`);
    matchesSchema('get-an-entity', group);
  });

  it('pages: create answers {ok, identifier}; GET, PUT, PATCH, widget PATCH/DELETE and DELETE as clients use them', async () => {
    const page = renderPages(h.bundle)[0]!;
    const created = await req('POST', '/v1/pages', page);
    expect(created).toMatchObject({ status: 201, body: { ok: true, identifier: 'gitlabDashboard' } });
    expectPortError(await req('POST', '/v1/pages', page), 409, 'identifier_taken');
    const got = await req('GET', '/v1/pages/gitlabDashboard');
    expect(got.body.page).toMatchObject(page);
    expect((await req('GET', '/v1/pages?compact=true')).body.pages).toEqual([expect.not.objectContaining({ widgets: expect.anything() })]);
    const edited = await req('PATCH', '/v1/pages/gitlabDashboard/widgets/projectCount', { title: 'Live projects' });
    expect(edited.body).toEqual({ ok: true, identifier: 'projectCount' });
    expect((await req('GET', '/v1/pages/gitlabDashboard')).body.page.widgets[0].widgets[0].title).toBe('Live projects');
    expectPortError(await req('PATCH', '/v1/pages/gitlabDashboard/widgets/nope', { title: 'x' }), 404, 'not_found', 'update-a-widget');
    expect((await req('PATCH', '/v1/pages/gitlabDashboard', { locked: true })).body.page.locked).toBe(true);
    const replaced = await req('PUT', '/v1/pages/gitlabDashboard', page);
    expect(replaced.body.page.widgets[0].widgets[0].title).toBe('Projects');
    expect((await req('DELETE', '/v1/pages/gitlabDashboard/widgets/projectsTable')).body).toEqual({ ok: true });
    expect((await req('GET', '/v1/pages/gitlabDashboard')).body.page.widgets[0].widgets.map((w: any) => w.id)).not.toContain('projectsTable');
    expect((await req('DELETE', '/v1/pages/gitlabDashboard')).body).toEqual({ ok: true });
    expectPortError(await req('GET', '/v1/pages/gitlabDashboard'), 404, 'not_found', 'get-a-page');
    expectPortError(await req('DELETE', '/v1/pages/gitlabDashboard'), 404, 'not_found', 'delete-a-page');
  });

  it('page bodies: the page fields of Port\'s last published schema, widgets that are objects with a type', async () => {
    const page = renderPages(h.bundle)[0]!;
    expectPortError(await req('POST', '/v1/pages', { ...page, identifier: 'bad id' }), 422, 'invalid_request');
    expectPortError(await req('POST', '/v1/pages', { ...page, type: 'wiki' }), 422, 'invalid_request');
    expectPortError(await req('POST', '/v1/pages', { ...page, description: 'x'.repeat(151) }), 422, 'invalid_request');
    const r = await req('POST', '/v1/pages', { ...page, widgets: [{ id: 'w' }] });
    expectPortError(r, 422, 'invalid_request');
    expect(r.body.message).toContain('/widgets/0');
    expectPortError(await req('PATCH', '/v1/pages/nope', { locked: true }), 404, 'not_found');
  });
});
