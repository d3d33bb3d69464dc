// Deliveries GitLab sends but does not document, built by changing the documented payloads the way
// GitLab's payload builders do (actions, states, timestamps, confidential flags, deleted paths,
// header case, nulls), and inputs that are not usable GitLab deliveries at all.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRequestText } from '../../scripts/mapping/request-file.ts';
import { harness, merged, payload, realProblems, summary, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

describe('merge request variants', () => {
  it('merge: state merged, mergedAt = the merge event time, closedAt cleared', () => {
    const req = payload('merge_request.open');
    Object.assign(req.body.object_attributes, { action: 'merge', state: 'merged', state_id: 3, updated_at: '2013-12-04 10:11:12 UTC' });
    const r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabProject 1', 'upsert gitlabMergeRequest 99', 'upsert gitlabMergeRequest 99']);
    expect(merged(r, 'gitlabMergeRequest', '99').properties).toMatchObject({ state: 'merged', updatedAt: '2013-12-04T10:11:12Z', mergedAt: '2013-12-04T10:11:12Z', closedAt: null });
    expect(realProblems(r)).toEqual([]);
  });

  it('close: state closed, closedAt = the close event time, mergedAt cleared', () => {
    const req = payload('merge_request.open');
    Object.assign(req.body.object_attributes, { action: 'close', state: 'closed', updated_at: '2013-12-05T08:00:00Z' });
    const r = h.run(req);
    expect(merged(r, 'gitlabMergeRequest', '99').properties).toMatchObject({ state: 'closed', closedAt: '2013-12-05T08:00:00Z', mergedAt: null });
  });

  it('an update of an already merged MR leaves mergedAt/closedAt alone (not nulled)', () => {
    const req = payload('merge_request.open');
    Object.assign(req.body.object_attributes, { action: 'update', state: 'merged' });
    const r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabProject 1', 'upsert gitlabMergeRequest 99']);
    const props = merged(r, 'gitlabMergeRequest', '99').properties!;
    expect(props).not.toHaveProperty('mergedAt');
    expect(props).not.toHaveProperty('closedAt');
  });

  it('reopen clears closedAt', () => {
    const req = payload('merge_request.open');
    Object.assign(req.body.object_attributes, { action: 'reopen', state: 'opened' });
    expect(merged(h.run(req), 'gitlabMergeRequest', '99').properties).toMatchObject({ closedAt: null, mergedAt: null });
  });

  it('sets the author only when the actor is the author', () => {
    const req = payload('merge_request.open');
    req.body.user.id = req.body.object_attributes.author_id;
    req.body.user.username = 'the-author';
    const r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabProject 1', 'upsert gitlabMergeRequest 99', 'upsert gitlabMergeRequest 99', 'upsert gitlabMergeRequest 99']);
    expect(merged(r, 'gitlabMergeRequest', '99').properties).toMatchObject({ author: 'the-author' });
  });

  it('approval events update the MR like any other action', () => {
    const req = payload('merge_request.open');
    req.body.object_attributes.action = 'approved';
    expect(summary(h.run(req))).toEqual(['upsert gitlabProject 1', 'upsert gitlabMergeRequest 99', 'upsert gitlabMergeRequest 99']);
  });

  it('older payloads: draft from work_in_progress; no reviewers/assignees/labels keys → empty lists', () => {
    const req = payload('merge_request.open');
    delete req.body.object_attributes.draft;
    req.body.object_attributes.work_in_progress = true;
    delete req.body.reviewers;
    delete req.body.assignees;
    delete req.body.labels;
    req.body.object_attributes.labels = [];
    const r = h.run(req);
    expect(merged(r, 'gitlabMergeRequest', '99').properties).toMatchObject({ draft: true, reviewers: [], assignees: [], labels: [] });
    expect(realProblems(r)).toEqual([]);
  });
});

describe('issue variants', () => {
  it('close: closedAt from closed_at when GitLab sends it', () => {
    const req = payload('issue.open');
    Object.assign(req.body.object_attributes, { action: 'close', state: 'closed', closed_at: '2013-12-06 09:00:00 UTC', updated_at: '2013-12-06 09:00:01 UTC' });
    const r = h.run(req);
    expect(merged(r, 'gitlabIssue', '301').properties).toMatchObject({ state: 'closed', closedAt: '2013-12-06T09:00:00Z', updatedAt: '2013-12-06T09:00:01Z' });
  });

  it('close without closed_at (the documented example has none): the close event time', () => {
    const req = payload('issue.open');
    Object.assign(req.body.object_attributes, { action: 'close', state: 'closed', updated_at: '2013-12-06T09:00:01Z' });
    expect(merged(h.run(req), 'gitlabIssue', '301').properties).toMatchObject({ closedAt: '2013-12-06T09:00:01Z' });
  });

  it('an update of a closed issue without closed_at leaves closedAt alone', () => {
    const req = payload('issue.open');
    Object.assign(req.body.object_attributes, { action: 'update', state: 'closed' });
    const r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabProject 1', 'upsert gitlabIssue 301']);
    expect(merged(r, 'gitlabIssue', '301').properties).not.toHaveProperty('closedAt');
  });

  it('work items that are not issues are ignored', () => {
    const req = payload('issue.open');
    req.body.object_kind = 'work_item';
    req.body.object_attributes.type = 'Task';
    expect(h.run(req).actions).toEqual([]);
  });
});

describe('confidential issues', () => {
  const confidential = () => {
    const req = payload('issue.open');
    req.headers['X-Gitlab-Event'] = 'Confidential Issue Hook';
    req.body.event_type = 'confidential_issue';
    req.body.object_attributes.confidential = true;
    return req;
  };

  it('by default: Confidential Issue Hook deletes the issue (it may have been public) and upserts nothing', () => {
    const r = h.run(confidential());
    expect(summary(r)).toEqual(['delete gitlabIssue 301']);
    expect(r.actions[0]!.deleteDependents).toBe(false);
    expect(r.problems).toEqual([]);
  });

  it('with confidentialIssues on: upserted like any issue, marked confidential, never deleted', () => {
    const r = h.run(confidential(), { confidentialIssues: true });
    expect(summary(r)).toEqual(['upsert gitlabProject 1', 'upsert gitlabIssue 301', 'upsert gitlabIssue 301']);
    expect(merged(r, 'gitlabIssue', '301').properties).toMatchObject({ confidential: true, state: 'opened', iid: 23 });
    expect(realProblems(r)).toEqual([]);
  });

  it('confidential off again: a public Issue Hook upserts with confidential false', () => {
    const req = payload('issue.open');
    req.body.changes.confidential = { previous: true, current: false };
    expect(merged(h.run(req), 'gitlabIssue', '301').properties).toMatchObject({ confidential: false });
  });

  it('a confidential payload under Issue Hook is never ingested (defence in depth)', () => {
    const req = payload('issue.open');
    req.body.object_attributes.confidential = true;
    expect(h.run(req).actions).toEqual([]);
  });
});

describe('CI variants', () => {
  it('failed pipeline', () => {
    const req = payload('pipeline');
    req.body.object_attributes.status = 'failed';
    const r = h.run(req);
    expect(merged(r, 'gitlabPipeline', '31').properties).toMatchObject({ status: 'failed' });
    expect(realProblems(r)).toEqual([]);
  });

  it('running pipeline of an older GitLab (no url): not finished yet, page URL built from the project', () => {
    const req = payload('pipeline');
    Object.assign(req.body.object_attributes, { status: 'running', finished_at: null, duration: null });
    delete req.body.object_attributes.url;
    const r = h.run(req);
    expect(merged(r, 'gitlabPipeline', '31').properties).toMatchObject({
      status: 'running', finishedAt: null, duration: null, url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/31',
    });
  });

  it('every pipeline status GitLab sends fits the blueprint', () => {
    for (const status of ['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'success', 'failed', 'canceled', 'canceling', 'skipped', 'manual', 'scheduled']) {
      const req = payload('pipeline');
      req.body.object_attributes.status = status;
      expect(realProblems(h.run(req)), status).toEqual([]);
    }
  });

  it('an unknown status is reported as a misfit, not silently written', () => {
    const req = payload('pipeline');
    req.body.object_attributes.status = 'exploded';
    expect(h.run(req).problems.some((p) => p.field === 'entity.properties.status')).toBe(true);
  });

  it('failed job: failure reason kept; old "YYYY-MM-DD hh:mm:ss UTC" timestamps without _iso variants', () => {
    const req = payload('job');
    Object.assign(req.body, {
      build_status: 'failed', build_failure_reason: 'script_failure', build_duration: 12.5,
      build_created_at: '2021-02-23 02:41:37 UTC', build_started_at: '2021-02-23 02:41:40 UTC', build_finished_at: '2021-02-23 02:41:52 UTC',
    });
    for (const k of ['build_created_at_iso', 'build_started_at_iso', 'build_finished_at_iso']) delete req.body[k];
    const r = h.run(req);
    expect(merged(r, 'gitlabJob', '1977').properties).toMatchObject({
      status: 'failed', failureReason: 'script_failure', duration: 12.5,
      createdAt: '2021-02-23T02:41:37Z', startedAt: '2021-02-23T02:41:40Z', finishedAt: '2021-02-23T02:41:52Z',
    });
    expect(realProblems(r)).toEqual([]);
  });

  it('the job belongs to pipeline_id, not commit.id', () => {
    const req = payload('job');
    req.body.commit.id = 999999;
    expect(merged(h.run(req), 'gitlabJob', '1977').relations).toEqual({ pipeline: '2366', project: '380' });
  });

  it('deployment started by the API (no job): no job upsert, no job relation, environments page', () => {
    const req = payload('deployment');
    Object.assign(req.body, { status: 'running', deployable_id: null, deployable_url: null });
    const r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabProject 30', 'upsert gitlabDeployment 15', 'upsert gitlabDeployment 15']);
    const d = merged(r, 'gitlabDeployment', '15');
    expect(d.properties).toMatchObject({ status: 'running', url: 'http://10.126.0.2:3000/root/test-deployment-webhooks/-/environments' });
    expect(d.relations?.job ?? null).toBeNull();
  });

  it('deployment without commit_url falls back to the short SHA', () => {
    const req = payload('deployment');
    delete req.body.commit_url;
    expect(merged(h.run(req), 'gitlabDeployment', '15').properties).toMatchObject({ sha: '279484c0' });
  });
});

describe('releases, projects, groups, members', () => {
  it('release update upserts; delete deletes the same identifier and upserts nothing', () => {
    const upd = payload('release.create');
    upd.body.action = 'update';
    upd.body.description = 'edited';
    expect(merged(h.run(upd), 'gitlabRelease', '2-v1.1').properties).toMatchObject({ description: 'edited' });
    const del = payload('release.create');
    del.body.action = 'delete';
    const r = h.run(del);
    expect(summary(r)).toEqual(['delete gitlabRelease 2-v1.1']);
    expect(r.actions[0]!.deleteDependents).toBe(false);
  });

  it('release tags with characters Port forbids become _ in the identifier; unicode letters stay', () => {
    const req = payload('release.create');
    req.body.tag = 'v2.0 beta#1?';
    req.body.name = null;
    let r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabProject 2', 'upsert gitlabRelease 2-v2.0_beta_1_']);
    expect(merged(r, 'gitlabRelease', '2-v2.0_beta_1_')).toMatchObject({ title: 'v2.0 beta#1?', properties: { tagName: 'v2.0 beta#1?', name: null } });
    expect(realProblems(r)).toEqual([]);
    req.body.tag = 'версия-1';
    r = h.run(req);
    expect(summary(r)[1]).toBe('upsert gitlabRelease 2-версия-1');
    expect(realProblems(r)).toEqual([]);
  });

  it('a destroyed project whose path carries GitLab\'s -deleted-<id> suffix is deleted by id', () => {
    const req = payload('project.destroy');
    Object.assign(req.body, { name: 'project1-deleted-22', path: 'project1-deleted-22', path_with_namespace: 'group1/project1-deleted-22' });
    expect(summary(h.run(req))).toEqual(['delete gitlabProject 22']);
  });

  it('a push that deletes a branch still refreshes the project', () => {
    const req = payload('push');
    Object.assign(req.body, { after: '0000000000000000000000000000000000000000', checkout_sha: null, commits: [], total_commits_count: 0 });
    expect(summary(h.run(req))).toEqual(['upsert gitlabProject 15']);
  });

  it('member with no expiry and REST-style numeric access level', () => {
    const req = payload('member.add');
    Object.assign(req.body, { expires_at: null, group_access: 40 });
    const r = h.run(req);
    expect(merged(r, 'gitlabMember', '100-64').properties).toMatchObject({ expiresAt: null, accessLevel: 'Maintainer' });
    expect(realProblems(r)).toEqual([]);
  });

  it('every role name GitLab sends fits the access level enum', () => {
    for (const role of ['Guest', 'Planner', 'Reporter', 'Developer', 'Maintainer', 'Owner', 'Minimal access']) {
      const req = payload('member.update');
      req.body.group_access = role;
      expect(realProblems(h.run(req)), role).toEqual([]);
    }
  });
});

describe('unicode, nulls and header case', () => {
  it('unicode titles and names pass through unchanged', () => {
    const req = payload('merge_request.open');
    req.body.object_attributes.title = 'Réparer 🐛 in Zürich — 日本語のタイトル';
    req.body.project.name = 'Проект ✨';
    const r = h.run(req);
    expect(merged(r, 'gitlabMergeRequest', '99').title).toBe('Réparer 🐛 in Zürich — 日本語のタイトル');
    expect(merged(r, 'gitlabProject', '1').title).toBe('Проект ✨');
    expect(realProblems(r)).toEqual([]);
  });

  it('null fields give nulls or empty lists, never errors', () => {
    const req = payload('merge_request.open');
    Object.assign(req.body.object_attributes, { title: null, description: null, detailed_merge_status: null, created_at: null, labels: null });
    req.body.labels = null;
    req.body.project.description = null;
    req.body.project.default_branch = null;
    const r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabProject 1', 'upsert gitlabMergeRequest 99', 'upsert gitlabMergeRequest 99']);
    expect(merged(r, 'gitlabMergeRequest', '99')).toMatchObject({ title: null, properties: { labels: [], detailedMergeStatus: null, createdAt: null } });
    expect(merged(r, 'gitlabProject', '1').properties).toMatchObject({ description: null, defaultBranch: null });
    expect(realProblems(r)).toEqual([]);
  });

  it('an unparseable timestamp becomes null instead of failing the entity', () => {
    const req = payload('note.merge_request'); // carries GitLab's "2015-04-08T21: 00:25-07:00" typo, but notes map nothing
    expect(h.run(req).actions).toEqual([]);
    const mr = payload('merge_request.open');
    mr.body.object_attributes.updated_at = '2015-04-08T21: 00:25-07:00';
    expect(merged(h.run(mr), 'gitlabMergeRequest', '99').properties).toMatchObject({ updatedAt: null });
  });

  for (const name of ['X-GITLAB-EVENT', 'x-gitlab-event', 'X-Gitlab-Event']) {
    it(`header name ${name} routes the same`, () => {
      const req = payload('pipeline');
      const event = req.headers['X-Gitlab-Event']!;
      delete req.headers['X-Gitlab-Event'];
      req.headers[name] = event;
      expect(summary(h.run(req))).toEqual(['upsert gitlabProject 1', 'upsert gitlabPipeline 31']);
    });
  }
});

describe('bad input: no action, the problem said, no crash', () => {
  it('invalid JSON text', () => {
    const parsed = parseRequestText('{"headers": {"X-Gitlab-Event": "Push Hook"}, "body": {');
    expect(parsed.request).toBeUndefined();
    expect(parsed.problems.join()).toMatch(/invalid JSON/);
  });

  it('a body that is a string but not JSON: reported, and the mappings do nothing with it', () => {
    const parsed = parseRequestText(JSON.stringify({ headers: { 'X-Gitlab-Event': 'Push Hook' }, body: 'not json {' }));
    expect(parsed.problems.join()).toMatch(/not JSON/);
    const r = h.run(parsed.request!);
    expect(r.actions).toEqual([]);
    // `.body.object_kind` on a string is a jq error: reported, and the filter counts as false.
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems.every((p) => p.field === 'filter')).toBe(true);
  });

  it('an empty body', () => {
    for (const event of ['Merge Request Hook', 'Push Hook', 'Member Hook', 'Project Hook', 'Confidential Issue Hook']) {
      expect(h.run({ headers: { 'X-Gitlab-Event': event }, body: null }), event).toEqual({ actions: [], problems: [] });
      expect(h.run({ headers: { 'X-Gitlab-Event': event }, body: {} }), event).toEqual({ actions: [], problems: [] });
    }
    expect(parseRequestText('').problems.join()).toMatch(/empty/);
  });

  it('an unknown event, or a known event with a body of another kind', () => {
    const unknown = payload('merge_request.open');
    unknown.headers['X-Gitlab-Event'] = 'Telepathy Hook';
    expect(h.run(unknown).actions).toEqual([]);
    const mismatched = payload('merge_request.open');
    mismatched.headers['X-Gitlab-Event'] = 'Pipeline Hook';
    expect(h.run(mismatched).actions).toEqual([]);
  });

  it('a request that is not from GitLab (a GitHub delivery)', () => {
    const text = JSON.stringify({ headers: { 'X-GitHub-Event': 'pull_request' }, body: { action: 'opened', pull_request: { id: 1, title: 'x' }, repository: { id: 2 } } });
    const parsed = parseRequestText(text);
    expect(parsed.problems.join()).toMatch(/not a GitLab webhook request/);
    expect(h.run(parsed.request!)).toEqual({ actions: [], problems: [] });
  });

  it('a GitLab body with hostile field types does not crash the engine', () => {
    const req = payload('merge_request.open');
    req.body.object_attributes.id = { nested: true };
    req.body.labels = 'API';
    req.body.project = [];
    const r = h.run(req);
    // The project block is unusable (no id): its entity is skipped and reported, nothing throws.
    expect(r.actions.some((a) => a.blueprint === 'gitlabProject')).toBe(false);
    expect(r.problems.length).toBeGreaterThan(0);
  });
});
