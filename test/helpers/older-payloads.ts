// Webhook deliveries of older GitLab versions, derived from the documented payloads
// (test/fixtures/gitlab-payloads/) the way GitLab's own data builders of those versions shaped
// them: blocks and keys the builder did not send yet are removed, nothing is invented. Provenance
// (gitlabhq/gitlabhq, read through the search index; see test/fixtures/gitlab-payloads/README.md):
// - lib/gitlab/data_builder/build_data_builder.rb (GitLab 8): no pipeline_id, no failure reason,
//   no build_created_at, user {id, name, email}, commit.id = the pipeline's id, repository block,
//   no project block.
// - lib/gitlab/data_builder/build.rb before `project: project.hook_attrs(backward: false)` (a
//   gitlab.com delivery of January 2023 still has this shape): pipeline_id, project_id,
//   repository {name, url, description, homepage, git_http_url, git_ssh_url, visibility_level},
//   timestamps as "2021-02-23 02:41:37 UTC", no *_iso keys, no project or source_pipeline block.
// - app/models/concerns/issuable.rb `to_hook_data` (GitLab 8): {object_kind, user, repository
//   {name, url, description, homepage}, object_attributes} — no project block, labels, changes,
//   assignees or reviewers; the project is object_attributes.target_project_id (MR) or
//   .project_id (issue).
// - app/models/project.rb `hook_attrs` before `id: id` was added (older project hook_attrs): the project block
//   of issuable and pipeline payloads without an id.
// - lib/gitlab/data_builder/pipeline.rb before `iid` (and url, name) in object_attributes.
// - lib/gitlab/data_builder/deployment.rb: before deployment_id / environment_tier / _slug /
//   _external_url (`build(deployment, status_changed_at)`), and today's builder, which also sends
//   `ref: deployment.ref` (the deployed branch or tag; the documented example lacks it).
import type { WebhookRequest } from '../../scripts/mapping/types.ts';
import { payload } from './fixtures.ts';

export interface OlderPayload {
  name: string;
  request: WebhookRequest & { body: any };
}

function del(o: Record<string, unknown>, ...keys: string[]): void {
  for (const k of keys) delete o[k];
}

function jobBeforeProjectBlock() {
  const r = payload('job');
  del(r.body, 'project', 'source_pipeline', 'build_created_at_iso', 'build_started_at_iso', 'build_finished_at_iso');
  r.body.build_created_at = '2021-02-23 02:41:37 UTC';
  return r;
}

function issuableGitlab8(name: 'merge_request.open' | 'issue.open') {
  const r = payload(name);
  const { object_kind, user, repository, object_attributes } = r.body;
  del(object_attributes, 'labels', 'detailed_merge_status', 'draft', 'escalation_policy', 'escalation_status', 'severity', 'health_status');
  r.body = { object_kind, user: { name: user.name, username: user.username, avatar_url: user.avatar_url }, repository, object_attributes };
  return r;
}

function projectWithoutId(name: 'merge_request.open' | 'issue.open' | 'pipeline') {
  const r = payload(name);
  del(r.body.project, 'id');
  return r;
}

function pipelineWithoutIid(withProjectId: boolean) {
  const r = payload('pipeline');
  del(r.body.object_attributes, 'iid', 'name', 'url');
  if (!withProjectId) del(r.body.project, 'id');
  return r;
}

export const OLDER_PAYLOADS: ReadonlyArray<{ name: string; build: () => WebhookRequest & { body: any } }> = [
  { name: 'job, before the project block (a gitlab.com delivery of January 2023)', build: jobBeforeProjectBlock },
  {
    name: 'job, GitLab 8 (no pipeline_id: commit.id is the pipeline)',
    build: () => {
      const r = jobBeforeProjectBlock();
      del(r.body, 'pipeline_id', 'build_failure_reason', 'build_created_at', 'build_queued_duration', 'retries_count', 'runner', 'environment');
      del(r.body.commit, 'name');
      r.body.user = { id: r.body.user.id, name: r.body.user.name, email: r.body.user.email };
      return r;
    },
  },
  { name: 'merge request, GitLab 8 (no project block)', build: () => issuableGitlab8('merge_request.open') },
  { name: 'merge request, project block without id (older project hook_attrs)', build: () => projectWithoutId('merge_request.open') },
  { name: 'issue, GitLab 8 (no project block)', build: () => issuableGitlab8('issue.open') },
  { name: 'issue, project block without id (older project hook_attrs)', build: () => projectWithoutId('issue.open') },
  { name: 'pipeline, no iid', build: () => pipelineWithoutIid(true) },
  { name: 'pipeline, no iid and a project block without id', build: () => pipelineWithoutIid(false) },
  {
    name: 'deployment with ref (today\'s builder)',
    build: () => {
      const r = payload('deployment');
      r.body.ref = 'master';
      return r;
    },
  },
  {
    name: 'deployment, before deployment_id',
    build: () => {
      const r = payload('deployment');
      del(r.body, 'deployment_id', 'environment_tier', 'environment_slug', 'environment_external_url');
      return r;
    },
  },
];

/** Fresh copies (tests may mutate them). */
export function olderPayloads(): OlderPayload[] {
  return OLDER_PAYLOADS.map(({ name, build }) => ({ name, request: build() }));
}
