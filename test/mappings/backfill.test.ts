// Backfill mappings on GitLab's documented REST objects (test/fixtures/gitlab-rest/), and parity
// with the webhook mappings: for the same GitLab object, the same identifier, title, relations and
// property values; properties only one side can know are listed explicitly below.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackfillKind } from '../../schemas/backfill-file.schema.ts';
import { harness, merged, payload, realProblems, restObject, summary, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

const group = () => restObject('group');
const project = () => restObject('project');

function one(kind: BackfillKind, object: unknown, parent: unknown, options?: Record<string, boolean>) {
  const r = h.backfill(kind, { object, parent }, options);
  expect(realProblems(r)).toEqual([]);
  expect(r.actions).toHaveLength(1);
  expect(r.actions[0]!.action).toBe('upsert');
  return r.actions[0]!;
}

describe('backfill mappings on the documented REST objects', () => {
  it('groups', () => {
    expect(one('groups', group(), group()).entity).toEqual({
      identifier: '2', title: 'Bar Group',
      properties: { fullPath: 'foo/bar', url: 'http://gitlab.example.com/groups/foo/bar', visibility: 'public', description: 'A subgroup of Foo Group', createdAt: '2020-01-15T12:36:29.590Z' },
      relations: { parent: '123' },
    });
    const root = { ...group(), parent_id: null };
    expect(one('groups', root, root).entity.relations?.parent ?? null).toBeNull();
  });

  it('projects', () => {
    expect(one('projects', project(), group()).entity).toEqual({
      identifier: '8', title: 'Html5 Boilerplate',
      properties: {
        pathWithNamespace: 'h5bp/html5-boilerplate', namespace: 'H5bp', url: 'https://gitlab.com/h5bp/html5-boilerplate', defaultBranch: 'main',
        visibility: 'public', archived: false, topics: [], description: 'Shared project for Html5 Boilerplate',
        createdAt: '2020-04-27T06:13:22.642Z', lastActivityAt: '2020-04-27T06:13:22.642Z',
      },
      relations: { group: '28' },
    });
    const personal = project();
    personal.namespace = { id: 3, name: 'Jane', path: 'jane', kind: 'user', full_path: 'jane' };
    personal.archived = true;
    delete personal.topics;
    personal.tag_list = ['legacy'];
    const e = one('projects', personal, group()).entity;
    expect(e.relations?.group ?? null).toBeNull();
    expect(e.properties).toMatchObject({ archived: true, topics: ['legacy'] });
  });

  it('merge requests', () => {
    // created_at → merged_at in whole seconds, to 0.01 h.
    const LEAD_HOURS = Math.round((Date.parse('2018-09-07T11:16:17Z') - Date.parse('2017-04-29T08:46:00Z')) / 36_000) / 100;
    expect(one('mergeRequests', restObject('merge_request'), group()).entity).toEqual({
      identifier: '1', title: 'test1',
      properties: {
        iid: 1, state: 'merged', url: 'http://gitlab.example.com/my-group/my-project/merge_requests/1', author: 'admin', sourceBranch: 'test1',
        targetBranch: 'main', draft: false, labels: ['Community contribution', 'Manage'], reviewers: ['kenyatta_oconnell'], assignees: ['axel.block'],
        detailedMergeStatus: 'not_open', createdAt: '2017-04-29T08:46:00Z', updatedAt: '2017-04-29T08:46:00Z', mergedAt: '2018-09-07T11:16:17.520Z', closedAt: null,
        leadTimeHours: LEAD_HOURS,
      },
      relations: { project: '3' },
    });
    const detailed = restObject('merge_request');
    detailed.labels = [{ id: 1, name: 'bug', color: '#d9534f' }];
    expect(one('mergeRequests', detailed, group()).entity.properties?.labels).toEqual(['bug']);
  });

  it('issues; confidential ones only with the install option', () => {
    expect(one('issues', restObject('issue'), group()).entity).toEqual({
      identifier: '41', title: 'Ut commodi ullam eos dolores perferendis nihil sunt.',
      properties: {
        iid: 1, state: 'closed', url: 'http://gitlab.example.com/my-group/my-project/issues/1', author: 'root', labels: ['foo', 'bar'],
        assignees: ['lennie'], confidential: false, createdAt: '2016-01-04T15:31:46.176Z', updatedAt: '2016-01-04T15:31:46.176Z', closedAt: null,
      },
      relations: { project: '4' },
    });
    const secret = { ...restObject('issue'), confidential: true };
    expect(h.backfill('issues', { object: secret, parent: group() })).toEqual({ actions: [], problems: [] });
    expect(one('issues', secret, group(), { confidentialIssues: true }).entity.properties).toMatchObject({ confidential: true });
  });

  it('pipelines: the single-pipeline entity in full; the list entity without finishedAt/duration (not nulled)', () => {
    expect(one('pipelines', restObject('pipeline'), project()).entity).toEqual({
      identifier: '287', title: 'Pipeline #144 on main',
      properties: {
        iid: 144, status: 'success', ref: 'main', sha: '50f0acb76a40e34a4ff304f7347dcc6587da8a14', source: 'push',
        url: 'http://127.0.0.1:3000/test-group/test-project/-/pipelines/287', createdAt: '2022-09-21T01:05:07.200Z',
        updatedAt: '2022-09-21T01:05:50.185Z', finishedAt: '2022-09-21T01:05:50.175Z', duration: 34,
        // The parent project's default branch is main: id × 16 + 5 (success).
        onDefaultBranch: true, defaultBranchStatusKey: 287 * 16 + 5,
      },
      relations: { project: '21' },
    });
    const list = one('pipelines', restObject('pipeline.list'), project()).entity;
    expect(list.identifier).toBe('47');
    expect(Object.keys(list.properties!).sort()).toEqual(['createdAt', 'defaultBranchStatusKey', 'iid', 'onDefaultBranch', 'ref', 'sha', 'source', 'status', 'updatedAt', 'url']);
    const other = one('pipelines', restObject('pipeline'), { ...project(), default_branch: 'develop' }).entity;
    expect(other.properties).toMatchObject({ onDefaultBranch: false, defaultBranchStatusKey: null });
  });

  it('jobs', () => {
    expect(one('jobs', restObject('job'), project()).entity).toEqual({
      identifier: '6', title: 'rspec:other',
      properties: {
        name: 'rspec:other', stage: 'test', status: 'failed', ref: 'main', sha: '0ff3ae198f8601a285adcf5c0fff204ee6fba5fd',
        url: 'https://example.com/foo/bar/-/jobs/6', createdAt: '2015-12-24T15:51:21.727Z', startedAt: '2015-12-24T17:54:24.729Z',
        finishedAt: '2015-12-24T17:54:24.921Z', duration: 0.192, allowFailure: false, failureReason: 'stuck_or_timeout_failure',
      },
      relations: { pipeline: '6', project: '1' },
    });
  });

  it('deployments', () => {
    expect(one('deployments', restObject('deployment'), project()).entity).toEqual({
      identifier: '42', title: 'Deployment 42 to production',
      properties: {
        status: 'success', environment: 'production', environmentUrl: 'https://about.gitlab.com', ref: 'main', sha: 'a91957a858320c0e17f3a0eca7cfacbff50ea29a',
        url: 'https://gitlab.com/h5bp/html5-boilerplate/-/jobs/664', createdAt: '2016-08-11T11:32:35.444Z', updatedAt: '2016-08-11T11:34:01.123Z',
        // GitLab's deployment object has no tier; the backfill adds it from the project's environments.
        environmentTier: null,
      },
      relations: { project: '8', job: '664' },
    });
    const withTier = { ...restObject('deployment'), environment: { ...restObject('deployment').environment, tier: 'production' } };
    expect(one('deployments', withTier, project()).entity.properties?.environmentTier).toBe('production');
    const api = { ...restObject('deployment'), deployable: null };
    const e = one('deployments', api, project()).entity;
    expect(e.properties?.url).toBe('https://gitlab.com/h5bp/html5-boilerplate/-/environments');
    expect(e.relations?.job ?? null).toBeNull();
  });

  it('releases', () => {
    expect(one('releases', restObject('release'), project()).entity).toEqual({
      identifier: '8-v0.2', title: 'Awesome app v0.2 beta',
      properties: {
        tagName: 'v0.2', name: 'Awesome app v0.2 beta', url: 'https://gitlab.com/h5bp/html5-boilerplate/-/releases/v0.2',
        description: restObject('release').description, author: 'root', createdAt: '2019-01-03T01:56:19.539Z', releasedAt: '2019-01-03T01:56:19.539Z',
      },
      relations: { project: '8' },
    });
  });

  it('members: integer access level named; date-only expiry made a date-time', () => {
    expect(one('members', restObject('member'), group()).entity).toEqual({
      identifier: '2-1', title: 'Raymond Smith',
      properties: { username: 'raymond_smith', name: 'Raymond Smith', accessLevel: 'Developer', expiresAt: null, state: 'active', createdAt: '2012-10-22T14:13:35Z' },
      relations: { group: '2' },
    });
    const m = { ...restObject('member'), access_level: 15, expires_at: '2030-01-31' };
    expect(one('members', m, group()).entity.properties).toMatchObject({ accessLevel: 'Planner', expiresAt: '2030-01-31T00:00:00Z' });
  });
});

// ---------------------------------------------------------------------------------------------
// Parity. Each case describes ONE GitLab object twice: the webhook fixture, and the documented
// REST object with the identity and values of that same object put in (ids, names, timestamps),
// the way GitLab's REST API would return it. Webhook and backfill must then agree.

interface ParityCase {
  kind: BackfillKind;
  blueprint: string;
  webhook: () => any;
  /** The REST object and its list parent for the same GitLab object as the webhook payload. */
  rest: (w: any) => { object: any; parent: any };
  webhookId: (w: any) => string;
  /** Properties only REST carries (the webhook payload has no such field). */
  restOnly: string[];
  /** Relations only REST carries. */
  restOnlyRelations?: string[];
}

/** GitLab's REST merge request for the MR of a Merge Request Hook payload, with what the REST object has and the payload has not. */
function restMergeRequest(w: any, changes: Record<string, unknown> = {}) {
  const a = w.body.object_attributes;
  return {
    parent: group(),
    object: {
      ...restObject('merge_request'), id: a.id, iid: a.iid, project_id: w.body.project.id, title: a.title, state: a.state, web_url: a.url,
      source_branch: a.source_branch, target_branch: a.target_branch, draft: a.draft, labels: a.labels.map((l: any) => l.title),
      reviewers: w.body.reviewers, assignees: w.body.assignees, author: { id: a.author_id, username: w.body.user.username },
      detailed_merge_status: a.detailed_merge_status, created_at: a.created_at, updated_at: a.updated_at, merged_at: null, closed_at: null,
      ...changes,
    },
  };
}

const CASES: ParityCase[] = [
  {
    kind: 'mergeRequests', blueprint: 'gitlabMergeRequest', webhook: () => {
      const w = payload('merge_request.open');
      w.body.user.id = w.body.object_attributes.author_id; // so the author is known
      return w;
    },
    webhookId: (w) => String(w.body.object_attributes.id),
    rest: (w) => restMergeRequest(w),
    restOnly: [],
  },
  {
    // The merge event: mergedAt is the payload's updated_at, as GitLab's merged_at of that MR.
    kind: 'mergeRequests', blueprint: 'gitlabMergeRequest', webhook: () => {
      const w = payload('merge_request.open');
      w.body.user.id = w.body.object_attributes.author_id;
      Object.assign(w.body.object_attributes, { action: 'merge', state: 'merged', updated_at: '2013-12-04 19:53:04 UTC' });
      return w;
    },
    webhookId: (w) => String(w.body.object_attributes.id),
    rest: (w) => restMergeRequest(w, { updated_at: '2013-12-04T19:53:04Z', merged_at: '2013-12-04T19:53:04Z' }),
    restOnly: [],
  },
  {
    kind: 'issues', blueprint: 'gitlabIssue', webhook: () => {
      const w = payload('issue.open');
      w.body.user.id = w.body.object_attributes.author_id;
      return w;
    },
    webhookId: (w) => String(w.body.object_attributes.id),
    rest: (w) => {
      const a = w.body.object_attributes;
      return {
        parent: group(),
        object: {
          ...restObject('issue'), id: a.id, iid: a.iid, project_id: w.body.project.id, title: a.title, state: a.state, web_url: a.url,
          labels: a.labels.map((l: any) => l.title), assignees: w.body.assignees, author: { id: a.author_id, username: w.body.user.username },
          confidential: a.confidential, created_at: a.created_at, updated_at: a.updated_at, closed_at: null,
        },
      };
    },
    restOnly: [],
  },
  {
    kind: 'pipelines', blueprint: 'gitlabPipeline', webhook: () => payload('pipeline'),
    webhookId: (w) => String(w.body.object_attributes.id),
    rest: (w) => {
      const a = w.body.object_attributes;
      return {
        parent: { ...project(), id: w.body.project.id, default_branch: w.body.project.default_branch },
        object: {
          ...restObject('pipeline'), id: a.id, iid: a.iid, project_id: w.body.project.id, status: a.status, ref: a.ref, sha: a.sha, source: a.source,
          web_url: a.url, created_at: '2016-08-12T15:23:28Z', finished_at: '2016-08-12T15:26:29Z', duration: a.duration,
        },
      };
    },
    // Pipeline Hook payloads have no updated_at.
    restOnly: ['updatedAt'],
  },
  {
    kind: 'jobs', blueprint: 'gitlabJob', webhook: () => payload('job'),
    webhookId: (w) => String(w.body.build_id),
    rest: (w) => ({
      parent: { ...project(), id: w.body.project.id },
      object: {
        ...restObject('job'), id: w.body.build_id, name: w.body.build_name, stage: w.body.build_stage, status: w.body.build_status, ref: w.body.ref,
        commit: { ...restObject('job').commit, id: w.body.sha }, pipeline: { ...restObject('job').pipeline, id: w.body.pipeline_id, project_id: w.body.project.id },
        web_url: `${w.body.project.web_url}/-/jobs/${w.body.build_id}`, created_at: w.body.build_created_at_iso, started_at: null, finished_at: null,
        duration: w.body.build_duration, allow_failure: w.body.build_allow_failure, failure_reason: w.body.build_failure_reason,
      },
    }),
    restOnly: [],
  },
  {
    // GitLab's builder sends the deployed ref (lib/gitlab/data_builder/deployment.rb); the documented example lacks it.
    kind: 'deployments', blueprint: 'gitlabDeployment', webhook: () => ({ ...payload('deployment'), body: { ...payload('deployment').body, ref: 'main' } }),
    webhookId: (w) => String(w.body.deployment_id),
    rest: (w) => ({
      parent: { ...project(), id: w.body.project.id, web_url: w.body.project.web_url },
      object: {
        ...restObject('deployment'), id: w.body.deployment_id, status: w.body.status, sha: '279484c09fbe69ededfced8c1bb6e6d24616b468',
        // `tier` is what the backfill adds from GET /projects/:id/environments (GitLab's deployment object has none).
        environment: { id: 1, name: w.body.environment, external_url: w.body.environment_external_url, tier: w.body.environment_tier },
        deployable: { ...restObject('deployment').deployable, id: w.body.deployable_id }, updated_at: '2021-04-28T21:50:00+02:00', ref: w.body.ref,
      },
    }),
    // Deployment Hook payloads have no created_at.
    restOnly: ['createdAt'],
  },
  {
    kind: 'releases', blueprint: 'gitlabRelease', webhook: () => payload('release.create'),
    webhookId: (w) => `${w.body.project.id}-${w.body.tag}`,
    rest: (w) => ({
      parent: { ...project(), id: w.body.project.id, web_url: w.body.project.web_url },
      object: {
        ...restObject('release'), tag_name: w.body.tag, name: w.body.name, description: w.body.description,
        created_at: '2020-11-02T12:55:12Z', released_at: '2020-11-02T12:55:12Z',
      },
    }),
    // Release Hook payloads have no author.
    restOnly: ['author'],
  },
  {
    kind: 'members', blueprint: 'gitlabMember', webhook: () => payload('member.update'),
    webhookId: (w) => `${w.body.group_id}-${w.body.user_id}`,
    rest: (w) => ({
      parent: { ...group(), id: w.body.group_id },
      object: { ...restObject('member'), id: w.body.user_id, username: w.body.user_username, name: w.body.user_name, access_level: 30, expires_at: '2020-12-20', created_at: w.body.created_at },
    }),
    // Member Hook payloads carry no account state.
    restOnly: ['state'],
  },
  {
    kind: 'groups', blueprint: 'gitlabGroup', webhook: () => payload('subgroup.create'),
    webhookId: (w) => String(w.body.group_id),
    rest: (w) => ({
      parent: group(),
      object: { ...group(), id: w.body.group_id, name: w.body.name, path: w.body.path, full_path: w.body.full_path, parent_id: w.body.parent_group_id, created_at: w.body.created_at },
    }),
    // Subgroup Hook payloads have no URL, visibility or description.
    restOnly: ['description', 'url', 'visibility'],
  },
  {
    kind: 'projects', blueprint: 'gitlabProject', webhook: () => payload('push'),
    webhookId: (w) => String(w.body.project.id),
    rest: (w) => {
      const p = w.body.project;
      return {
        parent: group(),
        object: {
          ...project(), id: p.id, name: p.name, path_with_namespace: p.path_with_namespace, namespace: { ...project().namespace, name: p.namespace },
          web_url: p.web_url, default_branch: p.default_branch, visibility: 'private', description: p.description,
        },
      };
    },
    // The project block of webhook payloads has no archived flag, topics, dates or group id.
    restOnly: ['archived', 'createdAt', 'lastActivityAt', 'topics'],
    restOnlyRelations: ['group'],
  },
];

describe('parity: the same GitLab object through the webhook and the backfill', () => {
  for (const c of CASES) {
    it(`${c.kind} (${c.blueprint})`, () => {
      const w = c.webhook();
      const webhookResult = h.run(w);
      expect(realProblems(webhookResult)).toEqual([]);
      const fromWebhook = merged(webhookResult, c.blueprint, c.webhookId(w));
      const input = c.rest(w);
      const backfillResult = h.backfill(c.kind, input);
      expect(realProblems(backfillResult)).toEqual([]);
      expect(summary(backfillResult)).toEqual([`upsert ${c.blueprint} ${c.webhookId(w)}`]);
      const fromRest = backfillResult.actions[0]!.entity;

      expect(fromRest.identifier).toBe(fromWebhook.identifier);
      expect(fromRest.title).toBe(fromWebhook.title);
      // Same relations (plus the listed REST-only ones), same targets.
      expect(Object.keys(fromRest.relations ?? {}).sort()).toEqual([...Object.keys(fromWebhook.relations ?? {}), ...(c.restOnlyRelations ?? [])].sort());
      for (const [k, v] of Object.entries(fromWebhook.relations ?? {})) expect(fromRest.relations?.[k], `relation ${k}`).toEqual(v);
      // Same property set (plus the listed REST-only ones), same values.
      expect(Object.keys(fromRest.properties ?? {}).sort()).toEqual([...Object.keys(fromWebhook.properties ?? {}), ...c.restOnly].sort());
      for (const [k, v] of Object.entries(fromWebhook.properties ?? {})) expect(fromRest.properties?.[k], `property ${k}`).toEqual(v);
    });
  }

  it('covers every backfill kind', () => {
    expect([...new Set(CASES.map((c) => c.kind))].sort()).toEqual(h.bundle.backfill.map((b) => b.content.kind).sort());
  });

  it('REST-only properties exist in the blueprint and nothing else is one-sided', () => {
    for (const c of CASES) {
      const bp = h.bundle.blueprints.find((b) => b.content.identifier === c.blueprint)!.content;
      for (const p of c.restOnly) expect(Object.keys(bp.schema.properties), `${c.blueprint}.${p}`).toContain(p);
    }
  });
});
