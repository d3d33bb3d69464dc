// Every documented GitLab webhook payload (test/fixtures/gitlab-payloads/) through the rendered
// webhook mappings: exactly the actions Port would take, with their key properties and relations.
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, merged, payload, payloadFiles, realProblems, summary, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

/** Events this integration deliberately ignores (issue 3, "no action"). */
const NO_ACTION = [
  'emoji.award', 'feature_flag', 'milestone.create', 'note.commit', 'note.issue', 'note.merge_request', 'note.snippet',
  'resource_access_token.group', 'resource_access_token.project', 'tag_push', 'vulnerability', 'wiki_page.create',
  'member.access_request', 'member.access_request_denied',
  'system.group_create', 'system.group_destroy', 'system.group_rename', 'system.project_create', 'system.project_destroy',
  'system.project_rename', 'system.project_transfer', 'system.project_update', 'system.user_add_to_group',
  'system.user_remove_from_group', 'system.user_update_for_group',
];

const EXPECTED: Record<string, { actions: string[]; check?: (r: ReturnType<Harness['run']>) => void }> = {
  'merge_request.open': {
    actions: ['upsert gitlabProject 1', 'upsert gitlabMergeRequest 99', 'upsert gitlabMergeRequest 99'],
    check(r) {
      expect(merged(r, 'gitlabProject', '1')).toEqual({
        identifier: '1', title: 'Gitlab Test',
        properties: { pathWithNamespace: 'gitlabhq/gitlab-test', namespace: 'GitlabHQ', url: 'http://example.com/gitlabhq/gitlab-test', defaultBranch: 'master', visibility: 'public', description: 'Aut reprehenderit ut est.' },
      });
      expect(merged(r, 'gitlabMergeRequest', '99')).toEqual({
        identifier: '99', title: 'MS-Viewport',
        properties: {
          iid: 1, state: 'opened', url: 'http://example.com/diaspora/merge_requests/1', sourceBranch: 'ms-viewport', targetBranch: 'master',
          draft: false, labels: ['API'], reviewers: ['user1'], assignees: ['user1'], detailedMergeStatus: 'mergeable',
          createdAt: '2013-12-03T17:23:34Z', updatedAt: '2013-12-03T17:23:34Z', mergedAt: null, closedAt: null, leadTimeHours: null,
        },
        relations: { project: '1' },
      });
      // The actor (user 1) is not the author (51): the author stays untouched, not nulled.
      expect(merged(r, 'gitlabMergeRequest', '99').properties).not.toHaveProperty('author');
    },
  },
  'issue.open': {
    actions: ['upsert gitlabProject 1', 'upsert gitlabIssue 301', 'upsert gitlabIssue 301'],
    check(r) {
      expect(merged(r, 'gitlabIssue', '301')).toEqual({
        identifier: '301', title: 'New API: create/update/delete file',
        properties: {
          iid: 23, state: 'opened', url: 'http://example.com/diaspora/issues/23', labels: ['API'], assignees: ['user1'],
          confidential: false, createdAt: '2013-12-03T17:15:43Z', updatedAt: '2013-12-03T17:15:43Z', closedAt: null,
        },
        // project.id (1), not object_attributes.project_id (14): the doc example disagrees with itself.
        relations: { project: '1' },
      });
    },
  },
  pipeline: {
    actions: ['upsert gitlabProject 1', 'upsert gitlabPipeline 31'],
    check(r) {
      expect(merged(r, 'gitlabPipeline', '31')).toEqual({
        identifier: '31', title: 'Pipeline #3 on master',
        properties: {
          iid: 3, status: 'success', ref: 'master', sha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2', source: 'merge_request_event',
          url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31', createdAt: '2016-08-12T15:23:28Z', finishedAt: '2016-08-12T15:26:29Z', duration: 63,
          // ref master is the project's default branch: id 31 × 16 + 5 (success).
          onDefaultBranch: true, defaultBranchStatusKey: 501,
        },
        relations: { project: '1' },
      });
    },
  },
  job: {
    actions: ['upsert gitlabProject 380', 'upsert gitlabPipeline 2366', 'upsert gitlabJob 1977'],
    check(r) {
      // The pipeline is pipeline_id (2366); the parent carries nothing it cannot know (no status).
      expect(merged(r, 'gitlabPipeline', '2366')).toEqual({
        identifier: '2366',
        properties: { ref: 'gitlab-script-trigger', sha: '2293ada6b400935a1378653304eaf6221e0fdb8f', url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/2366' },
        relations: { project: '380' },
      });
      expect(merged(r, 'gitlabJob', '1977')).toEqual({
        identifier: '1977', title: 'test',
        properties: {
          name: 'test', stage: 'test', status: 'created', ref: 'gitlab-script-trigger', sha: '2293ada6b400935a1378653304eaf6221e0fdb8f',
          url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/1977', createdAt: '2021-02-23T02:41:37Z', startedAt: null, finishedAt: null,
          duration: null, allowFailure: false,
          // The payload keeps an earlier try's reason; a created job has not failed.
          failureReason: null,
        },
        relations: { pipeline: '2366', project: '380' },
      });
    },
  },
  deployment: {
    actions: ['upsert gitlabProject 30', 'upsert gitlabJob 796', 'upsert gitlabDeployment 15', 'upsert gitlabDeployment 15'],
    check(r) {
      expect(merged(r, 'gitlabProject', '30').properties).toMatchObject({ visibility: 'private', description: '' });
      expect(merged(r, 'gitlabJob', '796')).toEqual({
        identifier: '796', properties: { url: 'http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796' }, relations: { project: '30' },
      });
      expect(merged(r, 'gitlabDeployment', '15')).toEqual({
        identifier: '15', title: 'Deployment 15 to staging',
        properties: {
          status: 'success', environment: 'staging', environmentUrl: 'https://staging.example.com',
          sha: '279484c09fbe69ededfced8c1bb6e6d24616b468', url: 'http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796',
          updatedAt: '2021-04-28T21:50:00+02:00', environmentTier: 'staging',
        },
        relations: { project: '30', job: '796' },
      });
    },
  },
  'release.create': {
    actions: ['upsert gitlabProject 2', 'upsert gitlabRelease 2-v1.1'],
    check(r) {
      expect(merged(r, 'gitlabRelease', '2-v1.1')).toEqual({
        identifier: '2-v1.1', title: 'v1.1',
        properties: {
          tagName: 'v1.1', name: 'v1.1', url: 'https://example.com/gitlab-org/release-webhook-example/-/releases/v1.1',
          description: 'v1.1 has been released', createdAt: '2020-11-02T12:55:12Z', releasedAt: '2020-11-02T12:55:12Z',
        },
        relations: { project: '2' },
      });
    },
  },
  'member.add': {
    actions: ['upsert gitlabGroup 100', 'upsert gitlabMember 100-64'],
    check(r) {
      expect(merged(r, 'gitlabGroup', '100')).toEqual({ identifier: '100', title: 'webhook-test' });
      expect(merged(r, 'gitlabMember', '100-64')).toEqual({
        identifier: '100-64', title: 'Test User',
        properties: { username: 'test_user', name: 'Test User', accessLevel: 'Guest', expiresAt: '2020-12-14T00:00:00Z', createdAt: '2020-12-11T04:57:22Z' },
        relations: { group: '100' },
      });
    },
  },
  'member.update': {
    actions: ['upsert gitlabGroup 100', 'upsert gitlabMember 100-64'],
    check(r) {
      expect(merged(r, 'gitlabMember', '100-64').properties).toMatchObject({ accessLevel: 'Developer', expiresAt: '2020-12-20T00:00:00Z' });
    },
  },
  'member.remove': { actions: ['delete gitlabMember 100-64'] },
  'subgroup.create': {
    actions: ['upsert gitlabGroup 7', 'upsert gitlabGroup 10'],
    check(r) {
      expect(merged(r, 'gitlabGroup', '7')).toEqual({ identifier: '7', title: 'group1', properties: { fullPath: 'group1' } });
      expect(merged(r, 'gitlabGroup', '10')).toEqual({
        identifier: '10', title: 'subgroup1', properties: { fullPath: 'group1/subgroup1', createdAt: '2021-01-20T09:40:12Z' }, relations: { parent: '7' },
      });
    },
  },
  'subgroup.destroy': { actions: ['delete gitlabGroup 10'] },
  'project.create': {
    actions: ['upsert gitlabProject 22'],
    check(r) {
      expect(merged(r, 'gitlabProject', '22')).toEqual({
        identifier: '22', title: 'project1', properties: { pathWithNamespace: 'group1/project1', visibility: 'private', createdAt: '2024-10-07T10:43:48Z' },
      });
    },
  },
  'project.destroy': { actions: ['delete gitlabProject 22'] },
  push: {
    actions: ['upsert gitlabProject 15'],
    check(r) {
      expect(merged(r, 'gitlabProject', '15')).toEqual({
        identifier: '15', title: 'Diaspora',
        properties: { pathWithNamespace: 'mike/diaspora', namespace: 'Mike', url: 'http://example.com/mike/diaspora', defaultBranch: 'master', visibility: 'private', description: '' },
      });
    },
  },
};

describe('every vendored GitLab payload', () => {
  it('is covered by exactly one expectation here', () => {
    const covered = [...NO_ACTION, ...Object.keys(EXPECTED)].map((n) => `${n}.json`).sort();
    expect(covered).toEqual(payloadFiles);
  });

  for (const [name, { actions, check }] of Object.entries(EXPECTED)) {
    it(`${name}: ${actions.join(', ')}`, () => {
      const r = h.run(payload(name));
      expect(summary(r)).toEqual(actions);
      expect(realProblems(r)).toEqual([]);
      check?.(r);
      // Deletes never cascade to dependents (a project delete must not wipe its MRs' history).
      for (const a of r.actions.filter((x) => x.action === 'delete')) expect(a.deleteDependents).toBe(false);
    });
  }

  for (const name of NO_ACTION) {
    it(`${name}: no action, no problem`, () => {
      const r = h.run(payload(name));
      expect(r).toEqual({ actions: [], problems: [] });
    });
  }

  it('upserts parents before the entities that relate to them', () => {
    for (const name of Object.keys(EXPECTED)) {
      const r = h.run(payload(name));
      const seen = new Set<string>();
      for (const a of r.actions) {
        if (a.action !== 'upsert') continue;
        for (const [rel, target] of Object.entries(a.entity.relations ?? {})) {
          const bp = h.bundle.blueprints.find((b) => b.content.identifier === a.blueprint)!.content.relations![rel]!.target;
          if (target !== null) expect(seen.has(`${bp} ${target}`) || `${bp} ${target}` === `${a.blueprint} ${a.entity.identifier}`, `${name}: ${a.blueprint} ${a.entity.identifier} → ${rel} ${target}`).toBe(true);
        }
        seen.add(`${a.blueprint} ${a.entity.identifier}`);
      }
    }
  });
});
