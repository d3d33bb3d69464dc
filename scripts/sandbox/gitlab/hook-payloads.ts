/**
 * Webhook payloads in the shapes of GitLab's "Webhook events" documentation (the vendored
 * fixtures in test/fixtures/gitlab-payloads/): the `project` block with `namespace` as a display
 * name and integer `visibility_level`, labels as objects, "YYYY-MM-DD hh:mm:ss UTC" timestamps
 * where the docs use them, and Member/Subgroup/Project hooks without `object_kind`.
 */
import type {
  DeploymentRec, GroupRec, IssueRec, JobRec, MemberRec, MergeRequestRec, PipelineRec, ProjectRec, ReleaseRec,
} from './model.ts';
import { ACCESS_LEVEL_NAMES, VISIBILITY_LEVEL } from './model.ts';
import { hookOffsetTime, hookUtc, hookUtcOrNull, isoSeconds, isoSecondsOrNull, restTime, restTimeOrNull } from './format.ts';
import type { GitLabState } from './state.ts';

type Json = Record<string, unknown>;

const STATE_ID = { opened: 1, closed: 2, merged: 3, locked: 4 } as const;

export class PayloadBuilder {
  constructor(private readonly state: GitLabState, private readonly baseUrl: string, private readonly plan: string | null) {}

  private host(): string { return new URL(this.baseUrl).hostname; }
  private avatar(id: number): string { return `https://www.gravatar.com/avatar/${id.toString(16).padStart(32, '0')}?s=80&d=identicon`; }

  user(id: number): Json {
    const u = this.state.user(id);
    return { id, name: u?.name ?? 'Ghost User', username: u?.username ?? 'ghost', avatar_url: this.avatar(id), email: u?.email ?? '[REDACTED]' };
  }

  private userShort(id: number): Json {
    const u = this.state.user(id);
    return { id, name: u?.name ?? 'Ghost User', username: u?.username ?? 'ghost', avatar_url: this.avatar(id) };
  }

  /** The common `project` block; `reduced` is the variant of pipeline and job payloads. */
  project(p: ProjectRec, reduced = false): Json {
    const path = this.state.projectFullPath(p);
    const web = `${this.baseUrl}/${path}`;
    const ns = this.state.group(p.namespaceId);
    const block: Json = {
      id: p.id, name: p.name, description: p.description ?? '', web_url: web, avatar_url: null,
      git_ssh_url: `git@${this.host()}:${path}.git`, git_http_url: `${web}.git`, namespace: ns?.name ?? '',
      visibility_level: VISIBILITY_LEVEL[p.visibility], path_with_namespace: path, default_branch: p.defaultBranch,
    };
    if (reduced) return block;
    return { ...block, ci_config_path: null, homepage: web, url: `git@${this.host()}:${path}.git`, ssh_url: `git@${this.host()}:${path}.git`, http_url: `${web}.git` };
  }

  private repository(p: ProjectRec): Json {
    const web = `${this.baseUrl}/${this.state.projectFullPath(p)}`;
    return { name: p.name, url: `git@${this.host()}:${this.state.projectFullPath(p)}.git`, description: p.description ?? '', homepage: web };
  }

  private labels(names: string[], projectId: number): Json[] {
    return names.map((title) => ({
      id: 200 + [...title].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 100000, 7), title, color: '#6699cc', project_id: projectId,
      created_at: isoSeconds(Date.UTC(2023, 0, 1)), updated_at: isoSeconds(Date.UTC(2023, 0, 1)), template: false,
      description: null, type: 'ProjectLabel', group_id: null,
    }));
  }

  mergeRequest(mr: MergeRequestRec, action: string, actorId: number, changes: Json): Json {
    const p = this.state.project(mr.projectId)!;
    const path = this.state.projectFullPath(p);
    const labels = this.labels(mr.labels, p.id);
    const projectBlock = this.project(p);
    const { id: _id, ci_config_path: _c, ...sourceBlock } = projectBlock;
    const payload: Json = {
      object_kind: 'merge_request', event_type: 'merge_request', user: this.user(actorId), project: projectBlock,
      repository: this.repository(p),
      object_attributes: {
        id: mr.id, iid: mr.iid, target_branch: mr.targetBranch, source_branch: mr.sourceBranch, source_project_id: p.id,
        author_id: mr.authorId, assignee_ids: mr.assigneeIds, assignee_id: mr.assigneeIds[0] ?? null, reviewer_ids: mr.reviewerIds,
        title: mr.title, created_at: isoSeconds(mr.createdAt), updated_at: isoSeconds(mr.updatedAt), last_edited_at: null,
        last_edited_by_id: null, milestone_id: null, state_id: STATE_ID[mr.state], state: mr.state,
        blocking_discussions_resolved: true, work_in_progress: mr.draft, draft: mr.draft, first_contribution: false,
        merge_status: mr.state === 'opened' ? 'unchecked' : 'can_be_merged', target_project_id: p.id,
        description: mr.description ?? '', prepared_at: isoSeconds(mr.createdAt), total_time_spent: 0, time_change: 0,
        human_total_time_spent: null, human_time_change: null, human_time_estimate: null,
        url: `${this.baseUrl}/${path}/-/merge_requests/${mr.iid}`, source: sourceBlock, target: sourceBlock,
        last_commit: {
          id: mr.sha, message: `${mr.title}\n`, title: mr.title, timestamp: isoSeconds(mr.updatedAt),
          url: `${this.baseUrl}/${path}/-/commit/${mr.sha}`, author: { name: this.state.user(mr.authorId)?.name ?? 'Ghost User', email: this.state.user(mr.authorId)?.email ?? '[REDACTED]' },
        },
        labels, action, detailed_merge_status: mr.state === 'opened' ? 'mergeable' : 'not_open',
      },
      labels, changes,
    };
    if (mr.assigneeIds.length) payload.assignees = mr.assigneeIds.map((id) => this.userShort(id));
    if (mr.reviewerIds.length) payload.reviewers = mr.reviewerIds.map((id) => this.userShort(id));
    return payload;
  }

  issue(is: IssueRec, action: string, actorId: number, changes: Json): Json {
    const p = this.state.project(is.projectId)!;
    const path = this.state.projectFullPath(p);
    const labels = this.labels(is.labels, p.id);
    const payload: Json = {
      object_kind: 'issue', event_type: is.confidential ? 'confidential_issue' : 'issue', user: this.user(actorId),
      project: this.project(p),
      object_attributes: {
        id: is.id, title: is.title, assignee_ids: is.assigneeIds, assignee_id: is.assigneeIds[0] ?? null, author_id: is.authorId,
        project_id: p.id, created_at: isoSeconds(is.createdAt), updated_at: isoSeconds(is.updatedAt), updated_by_id: actorId,
        last_edited_at: null, last_edited_by_id: null, relative_position: 0, description: is.description ?? '',
        milestone_id: null, state_id: STATE_ID[is.state], confidential: is.confidential, discussion_locked: null,
        due_date: is.dueDate === null ? null : new Date(is.dueDate).toISOString().slice(0, 10), moved_to_id: null,
        duplicated_to_id: null, time_estimate: 0, total_time_spent: 0, time_change: 0, human_total_time_spent: null,
        human_time_estimate: null, human_time_change: null, weight: null, health_status: null,
        type: is.issueType === 'incident' ? 'Incident' : 'Issue', iid: is.iid,
        url: `${this.baseUrl}/${path}/-/issues/${is.iid}`, state: is.state, action,
        severity: 'unknown', escalation_status: null, escalation_policy: null, labels,
      },
      repository: this.repository(p), labels, changes,
    };
    if (is.assigneeIds.length) {
      payload.assignees = is.assigneeIds.map((id) => this.userShort(id));
      payload.assignee = payload.assignees && (payload.assignees as Json[])[0];
    }
    return payload;
  }

  /** `changes` block entry with "UTC"-style timestamps, as the docs show for updated_at. */
  change(previous: unknown, current: unknown): Json { return { previous, current }; }
  utc(ms: number | null): string | null { return hookUtcOrNull(ms); }

  pipeline(pipe: PipelineRec, jobs: JobRec[]): Json {
    const p = this.state.project(pipe.projectId)!;
    const path = this.state.projectFullPath(p);
    const author = this.state.user(pipe.userId);
    return {
      object_kind: 'pipeline',
      object_attributes: {
        id: pipe.id, iid: pipe.iid, name: pipe.name, ref: pipe.ref, tag: false, sha: pipe.sha, before_sha: pipe.beforeSha,
        source: pipe.source, status: pipe.status, stages: [...new Set(jobs.map((j) => j.stage))],
        created_at: hookUtc(pipe.createdAt), finished_at: hookUtcOrNull(pipe.finishedAt), duration: pipe.duration,
        variables: [], url: `${this.baseUrl}/${path}/-/pipelines/${pipe.id}`,
      },
      merge_request: null,
      user: this.user(pipe.userId),
      project: this.project(p, true),
      commit: {
        id: pipe.sha, message: 'Generated commit\n', timestamp: isoSeconds(pipe.createdAt),
        url: `${this.baseUrl}/${path}/-/commit/${pipe.sha}`, author: { name: author?.name ?? 'Ghost User', email: author?.email ?? '[REDACTED]' },
      },
      builds: jobs.map((j) => ({
        id: j.id, stage: j.stage, name: j.name, status: j.status, created_at: hookUtc(j.createdAt),
        started_at: hookUtcOrNull(j.startedAt), finished_at: hookUtcOrNull(j.finishedAt), duration: j.duration,
        queued_duration: j.queuedDuration, failure_reason: j.failureReason, when: j.status === 'manual' ? 'manual' : 'on_success',
        manual: j.status === 'manual', allow_failure: j.allowFailure, user: this.user(j.userId), runner: null,
        artifacts_file: { filename: null, size: null },
        environment: j.environment ? { name: j.environment, action: 'start', deployment_tier: j.environment } : null,
      })),
    };
  }

  job(j: JobRec, pipe: PipelineRec): Json {
    const p = this.state.project(j.projectId)!;
    const path = this.state.projectFullPath(p);
    const web = `${this.baseUrl}/${path}`;
    const author = this.state.user(pipe.userId);
    return {
      object_kind: 'build', ref: j.ref, tag: false, before_sha: pipe.beforeSha, sha: j.sha, build_id: j.id, build_name: j.name,
      build_stage: j.stage, build_status: j.status, build_created_at: restTime(j.createdAt), build_created_at_iso: isoSeconds(j.createdAt),
      build_started_at: restTimeOrNull(j.startedAt), build_started_at_iso: isoSecondsOrNull(j.startedAt),
      build_finished_at: restTimeOrNull(j.finishedAt), build_finished_at_iso: isoSecondsOrNull(j.finishedAt),
      build_duration: j.duration, build_queued_duration: j.queuedDuration, build_allow_failure: j.allowFailure,
      build_failure_reason: j.failureReason ?? 'unknown_failure', retries_count: 0, pipeline_id: pipe.id, project_id: p.id,
      project_name: path,
      user: { id: pipe.userId, name: author?.name ?? 'Ghost User', email: author?.email ?? '[REDACTED]', avatar_url: this.avatar(pipe.userId) },
      commit: {
        id: pipe.id, name: pipe.name, sha: pipe.sha, message: 'Generated commit\n', author_name: author?.name ?? 'Ghost User',
        author_email: author?.email ?? '[REDACTED]', status: pipe.status, duration: pipe.duration,
        started_at: hookUtcOrNull(pipe.startedAt), started_at_iso: isoSecondsOrNull(pipe.startedAt),
        finished_at: hookUtcOrNull(pipe.finishedAt), finished_at_iso: isoSecondsOrNull(pipe.finishedAt),
      },
      repository: {
        name: p.name, description: p.description ?? '', homepage: web, git_ssh_url: `git@${this.host()}:${path}.git`,
        git_http_url: `${web}.git`, visibility_level: VISIBILITY_LEVEL[p.visibility],
      },
      project: this.project(p, true),
      runner: null,
      environment: j.environment ? { name: j.environment, action: 'start', deployment_tier: j.environment } : null,
    };
  }

  deployment(d: DeploymentRec): Json {
    const p = this.state.project(d.projectId)!;
    const path = this.state.projectFullPath(p);
    const user = this.state.user(d.userId);
    return {
      object_kind: 'deployment', status: d.status, status_changed_at: hookOffsetTime(d.updatedAt), deployment_id: d.id,
      deployable_id: d.deployableJobId, deployable_url: d.deployableJobId === null ? null : `${this.baseUrl}/${path}/-/jobs/${d.deployableJobId}`,
      environment: d.environment, environment_tier: d.environmentTier, environment_slug: d.environment,
      environment_external_url: d.environmentExternalUrl, project: this.project(p), short_sha: d.sha.slice(0, 8),
      user: this.user(d.userId), user_url: `${this.baseUrl}/${user?.username ?? 'ghost'}`,
      commit_url: `${this.baseUrl}/${path}/-/commit/${d.sha}`, commit_title: 'Generated commit',
    };
  }

  release(r: ReleaseRec, action: 'create' | 'update' | 'delete'): Json {
    const p = this.state.project(r.projectId)!;
    const path = this.state.projectFullPath(p);
    const web = `${this.baseUrl}/${path}`;
    const author = this.state.user(r.authorId);
    return {
      id: r.id, created_at: hookUtc(r.createdAt), description: r.description ?? '', name: r.name, released_at: hookUtc(r.releasedAt),
      tag: r.tagName, object_kind: 'release', project: this.project(p), url: `${web}/-/releases/${r.tagName}`, action,
      assets: {
        count: 4, links: [],
        sources: ['zip', 'tar.gz', 'tar.bz2', 'tar'].map((format) => ({ format, url: `${web}/-/archive/${r.tagName}/${p.path}-${r.tagName}.${format}` })),
      },
      commit: {
        id: r.sha, message: r.commitMessage, title: r.commitMessage, timestamp: isoSeconds(r.createdAt),
        url: `${web}/-/commit/${r.sha}`, author: { name: author?.name ?? 'Ghost User', email: author?.email ?? '[REDACTED]' },
      },
    };
  }

  /** Project Hook (17.6+): no object_kind; destroy reports the `-deleted-<id>` path GitLab renames to. */
  projectEvent(p: ProjectRec, event: 'project_create' | 'project_destroy', now: number, owners: { name: string; email: string }[]): Json {
    const fullPath = this.state.projectFullPath(p);
    const suffix = event === 'project_destroy' ? `-deleted-${p.id}` : '';
    return {
      event_name: event, created_at: isoSeconds(p.createdAt), updated_at: isoSeconds(now), name: p.name,
      path: `${p.path}${suffix}`, path_with_namespace: `${fullPath}${suffix}`, project_id: p.id,
      project_namespace_id: 5_000_000 + p.id, owners, project_visibility: p.visibility,
    };
  }

  subgroupEvent(g: GroupRec, parent: GroupRec, event: 'subgroup_create' | 'subgroup_destroy', now: number): Json {
    return {
      created_at: isoSeconds(g.createdAt), updated_at: isoSeconds(now), event_name: event, name: g.name, path: g.path,
      full_path: g.fullPath, group_id: g.id, parent_group_id: parent.id, parent_name: parent.name, parent_path: parent.path,
      parent_full_path: parent.fullPath,
    };
  }

  memberEvent(m: MemberRec, g: GroupRec, event: 'user_add_to_group' | 'user_update_for_group' | 'user_remove_from_group', now: number): Json {
    const u = this.state.user(m.userId);
    return {
      created_at: isoSeconds(m.createdAt), updated_at: isoSeconds(now), group_name: g.name, group_path: g.path, group_id: g.id,
      user_username: u?.username ?? 'ghost', user_name: u?.name ?? 'Ghost User', user_email: u?.email ?? '[REDACTED]',
      user_id: m.userId, group_access: ACCESS_LEVEL_NAMES[m.accessLevel], group_plan: this.plan,
      expires_at: isoSecondsOrNull(m.expiresAt), event_name: event,
    };
  }
}
