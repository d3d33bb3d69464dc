/**
 * Renders internal records as GitLab REST API v4 objects (field names and formats of GitLab's
 * API docs: ISO timestamps with milliseconds, `visibility` strings, integer `access_level`,
 * label names as strings, `references`, `web_url`, `namespace{…}`).
 */
import type {
  DeploymentRec, IssueRec, JobRec, MemberRec, MergeRequestRec, PipelineRec, ProjectRec, ReleaseRec, UserRec,
} from './model.ts';
import type { GitLabState, GroupView } from './state.ts';
import { isoDate, restTime, restTimeOrNull } from './format.ts';

type Json = Record<string, unknown>;

export class RestRenderer {
  constructor(private readonly state: GitLabState, private readonly baseUrl: string) {}

  private avatar(id: number): string {
    return `https://www.gravatar.com/avatar/${id.toString(16).padStart(32, '0')}?s=80&d=identicon`;
  }

  userBasic(id: number | null): Json | null {
    if (id === null) return null;
    const u = this.state.user(id);
    if (!u) return null;
    return { id: u.id, username: u.username, name: u.name, state: 'active', locked: false, avatar_url: this.avatar(u.id), web_url: `${this.baseUrl}/${u.username}` };
  }

  /** `GET /user` (the token's own user). */
  currentUser(u: UserRec): Json {
    return {
      ...this.userBasic(u.id), created_at: restTime(u.createdAt), bio: '', location: '', public_email: null, linkedin: '',
      twitter: '', discord: '', website_url: '', organization: '', job_title: '', pronouns: null, bot: false,
      work_information: null, local_time: null, last_sign_in_at: restTime(u.createdAt), confirmed_at: restTime(u.createdAt),
      last_activity_on: isoDate(this.state.now()), email: u.email, theme_id: 1, color_scheme_id: 1, projects_limit: 100000,
      current_sign_in_at: restTime(u.createdAt), identities: [], can_create_group: true, can_create_project: true,
      two_factor_enabled: false, external: false, private_profile: false, commit_email: u.email,
    };
  }

  group(g: GroupView): Json {
    return {
      id: g.id, web_url: `${this.baseUrl}/groups/${g.fullPath}`, name: g.name, path: g.path, description: g.description,
      visibility: g.visibility, share_with_group_lock: false, require_two_factor_authentication: false,
      two_factor_grace_period: 48, project_creation_level: 'developer', auto_devops_enabled: null,
      subgroup_creation_level: 'maintainer', emails_disabled: false, emails_enabled: true, mentions_disabled: null,
      lfs_enabled: true, default_branch: null, default_branch_protection: 2, avatar_url: null, request_access_enabled: true,
      full_name: g.fullName, full_path: g.fullPath, created_at: restTime(g.createdAt), parent_id: g.parentId,
      organization_id: 1, shared_runners_setting: 'enabled', ldap_cn: null, ldap_access: null,
      marked_for_deletion_on: null, archived: false,
    };
  }

  namespace(groupId: number): Json {
    const g = this.state.group(groupId);
    if (!g) return { id: groupId, name: null, path: null, kind: 'group', full_path: null, parent_id: null, avatar_url: null, web_url: null };
    return { id: g.id, name: g.name, path: g.path, kind: 'group', full_path: g.fullPath, parent_id: g.parentId, avatar_url: null, web_url: `${this.baseUrl}/groups/${g.fullPath}` };
  }

  projectWebUrl(p: ProjectRec): string { return `${this.baseUrl}/${this.state.projectFullPath(p)}`; }

  project(p: ProjectRec): Json {
    const g = this.state.group(p.namespaceId);
    const fullPath = this.state.projectFullPath(p);
    const web = `${this.baseUrl}/${fullPath}`;
    const host = new URL(this.baseUrl).host;
    const api = `${this.baseUrl}/api/v4/projects/${p.id}`;
    return {
      id: p.id, description: p.description, name: p.name, name_with_namespace: `${g?.fullName ?? ''} / ${p.name}`,
      path: p.path, path_with_namespace: fullPath, created_at: restTime(p.createdAt), default_branch: p.defaultBranch,
      tag_list: p.topics, topics: p.topics, ssh_url_to_repo: `git@${host.split(':')[0]}:${fullPath}.git`,
      http_url_to_repo: `${web}.git`, web_url: web, readme_url: `${web}/-/blob/main/README.md`, forks_count: 0,
      avatar_url: null, star_count: 0, last_activity_at: restTime(p.lastActivityAt), namespace: this.namespace(p.namespaceId),
      container_registry_image_prefix: `registry.${host.split(':')[0]}/${fullPath}`,
      _links: {
        self: api, issues: `${api}/issues`, merge_requests: `${api}/merge_requests`, repo_branches: `${api}/repository/branches`,
        labels: `${api}/labels`, events: `${api}/events`, members: `${api}/members`, cluster_agents: `${api}/cluster_agents`,
      },
      packages_enabled: true, empty_repo: false, archived: p.archived, visibility: p.visibility,
      resolve_outdated_diff_discussions: false, issues_enabled: true, merge_requests_enabled: true, wiki_enabled: true,
      jobs_enabled: true, snippets_enabled: true, container_registry_enabled: true, creator_id: p.creatorId,
      import_status: 'none', open_issues_count: 0, ci_default_git_depth: 20, public_jobs: true,
      shared_with_groups: [], only_allow_merge_if_pipeline_succeeds: false, request_access_enabled: true,
      merge_method: 'merge', squash_option: 'default_off', repository_access_level: 'enabled',
      merge_requests_access_level: 'enabled', issues_access_level: 'enabled', builds_access_level: 'enabled',
      marked_for_deletion_at: null, marked_for_deletion_on: null,
    };
  }

  private projectPath(projectId: number): string {
    const p = this.state.project(projectId);
    return p ? this.state.projectFullPath(p) : `project-${projectId}`;
  }

  private timeStats(): Json {
    return { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null };
  }

  mergeRequest(mr: MergeRequestRec): Json {
    const path = this.projectPath(mr.projectId);
    const assignees = mr.assigneeIds.map((id) => this.userBasic(id));
    return {
      id: mr.id, iid: mr.iid, project_id: mr.projectId, title: mr.title, description: mr.description, state: mr.state,
      created_at: restTime(mr.createdAt), updated_at: restTime(mr.updatedAt),
      merged_by: this.userBasic(mr.mergeUserId), merge_user: this.userBasic(mr.mergeUserId),
      merged_at: restTimeOrNull(mr.mergedAt), prepared_at: restTime(mr.createdAt),
      closed_by: this.userBasic(mr.closedById), closed_at: restTimeOrNull(mr.closedAt),
      target_branch: mr.targetBranch, source_branch: mr.sourceBranch, user_notes_count: mr.userNotesCount,
      upvotes: 0, downvotes: 0, author: this.userBasic(mr.authorId), assignees, assignee: assignees[0] ?? null,
      reviewers: mr.reviewerIds.map((id) => this.userBasic(id)), source_project_id: mr.projectId,
      target_project_id: mr.projectId, labels: mr.labels, draft: mr.draft, imported: false, imported_from: 'none',
      work_in_progress: mr.draft, milestone: null, merge_when_pipeline_succeeds: false,
      merge_status: mr.state === 'opened' ? 'can_be_merged' : 'unchecked',
      detailed_merge_status: mr.state === 'opened' ? (mr.draft ? 'draft_status' : 'mergeable') : 'not_open',
      merge_after: null, sha: mr.sha, merge_commit_sha: mr.mergeCommitSha, squash_commit_sha: null,
      discussion_locked: mr.state === 'locked' ? true : null, should_remove_source_branch: null,
      force_remove_source_branch: true, reference: `!${mr.iid}`,
      references: { short: `!${mr.iid}`, relative: `${path.slice(path.lastIndexOf('/') + 1)}!${mr.iid}`, full: `${path}!${mr.iid}` },
      web_url: `${this.baseUrl}/${path}/-/merge_requests/${mr.iid}`, time_stats: this.timeStats(), squash: false,
      squash_on_merge: false, task_completion_status: { count: 0, completed_count: 0 }, has_conflicts: false,
      blocking_discussions_resolved: true, approvals_before_merge: null,
    };
  }

  issue(is: IssueRec): Json {
    const path = this.projectPath(is.projectId);
    const api = `${this.baseUrl}/api/v4/projects/${is.projectId}`;
    const assignees = is.assigneeIds.map((id) => this.userBasic(id));
    return {
      id: is.id, iid: is.iid, project_id: is.projectId, title: is.title, description: is.description, state: is.state,
      created_at: restTime(is.createdAt), updated_at: restTime(is.updatedAt), closed_at: restTimeOrNull(is.closedAt),
      closed_by: this.userBasic(is.closedById), labels: is.labels, milestone: null, assignees,
      author: this.userBasic(is.authorId), type: is.issueType === 'incident' ? 'INCIDENT' : 'ISSUE',
      assignee: assignees[0] ?? null, user_notes_count: 0, merge_requests_count: 0, upvotes: 0, downvotes: 0,
      due_date: is.dueDate === null ? null : isoDate(is.dueDate), confidential: is.confidential,
      discussion_locked: null, issue_type: is.issueType, web_url: `${this.baseUrl}/${path}/-/issues/${is.iid}`,
      time_stats: this.timeStats(), task_completion_status: { count: 0, completed_count: 0 }, weight: null,
      blocking_issues_count: 0, has_tasks: false,
      _links: { self: `${api}/issues/${is.iid}`, notes: `${api}/issues/${is.iid}/notes`, award_emoji: `${api}/issues/${is.iid}/award_emoji`, project: api, closed_as_duplicate_of: null },
      references: { short: `#${is.iid}`, relative: `#${is.iid}`, full: `${path}#${is.iid}` },
      severity: 'UNKNOWN', moved_to_id: null, imported: false, imported_from: 'none', service_desk_reply_to: null,
    };
  }

  pipelineBasic(p: PipelineRec): Json {
    return {
      id: p.id, iid: p.iid, project_id: p.projectId, sha: p.sha, ref: p.ref, status: p.status, source: p.source,
      created_at: restTime(p.createdAt), updated_at: restTime(p.updatedAt),
      web_url: `${this.baseUrl}/${this.projectPath(p.projectId)}/-/pipelines/${p.id}`, name: p.name,
    };
  }

  pipeline(p: PipelineRec): Json {
    return {
      ...this.pipelineBasic(p), before_sha: p.beforeSha, tag: false, yaml_errors: null, user: this.userBasic(p.userId),
      started_at: restTimeOrNull(p.startedAt), finished_at: restTimeOrNull(p.finishedAt),
      committed_at: null, duration: p.duration, queued_duration: p.queuedDuration, coverage: null,
      detailed_status: {
        icon: `status_${p.status}`, text: p.status, label: p.status, group: p.status, tooltip: p.status,
        has_details: true, details_path: `/${this.projectPath(p.projectId)}/-/pipelines/${p.id}`, illustration: null,
        favicon: `/assets/ci_favicons/favicon_status_${p.status}.png`,
      },
      archived: false,
    };
  }

  private commit(sha: string, title: string, at: number, authorId: number): Json {
    const u = this.state.user(authorId);
    return {
      author_email: u?.email ?? 'unknown@example.com', author_name: u?.name ?? 'Unknown', created_at: restTime(at),
      id: sha, message: `${title}\n`, short_id: sha.slice(0, 8), title,
    };
  }

  job(j: JobRec): Json {
    const pipe = this.state.pipeline(j.pipelineId);
    const path = this.projectPath(j.projectId);
    return {
      commit: this.commit(j.sha, 'Generated commit', j.createdAt, j.userId), coverage: null, allow_failure: j.allowFailure,
      created_at: restTime(j.createdAt), started_at: restTimeOrNull(j.startedAt), finished_at: restTimeOrNull(j.finishedAt),
      erased_at: null, duration: j.duration, queued_duration: j.queuedDuration,
      artifacts_file: j.status === 'success' ? { filename: 'artifacts.zip', size: 1000 } : undefined,
      artifacts: j.status === 'success' ? [{ file_type: 'trace', size: 1500, filename: 'job.log', file_format: null }] : [],
      artifacts_expire_at: j.finishedAt === null ? null : restTime(j.finishedAt + 30 * 86_400_000),
      tag_list: j.tagList, id: j.id, name: j.name,
      pipeline: pipe ? { id: pipe.id, project_id: pipe.projectId, ref: pipe.ref, sha: pipe.sha, status: pipe.status } : null,
      ref: j.ref, runner: null, runner_manager: null, stage: j.stage, status: j.status, failure_reason: j.failureReason ?? undefined,
      tag: false, web_url: `${this.baseUrl}/${path}/-/jobs/${j.id}`, project: { ci_job_token_scope_enabled: false },
      user: this.userBasic(j.userId), archived: false,
    };
  }

  release(r: ReleaseRec): Json {
    const path = this.projectPath(r.projectId);
    const web = `${this.baseUrl}/${path}`;
    const name = path.slice(path.lastIndexOf('/') + 1);
    const author = this.state.user(r.authorId);
    return {
      tag_name: r.tagName, description: r.description, name: r.name, created_at: restTime(r.createdAt),
      released_at: restTime(r.releasedAt), upcoming_release: false, author: this.userBasic(r.authorId),
      commit: {
        id: r.sha, short_id: r.sha.slice(0, 8), title: r.commitMessage, created_at: restTime(r.createdAt), parent_ids: [],
        message: r.commitMessage, author_name: author?.name ?? null, author_email: author?.email ?? null,
        authored_date: restTime(r.createdAt), committer_name: author?.name ?? null, committer_email: author?.email ?? null,
        committed_date: restTime(r.createdAt),
      },
      commit_path: `/${path}/-/commit/${r.sha}`, tag_path: `/${path}/-/tags/${r.tagName}`,
      assets: {
        count: 4,
        sources: ['zip', 'tar.gz', 'tar.bz2', 'tar'].map((format) => ({ format, url: `${web}/-/archive/${r.tagName}/${name}-${r.tagName}.${format}` })),
        links: [],
      },
      evidences: [],
      _links: {
        closed_issues_url: `${web}/-/issues?release_tag=${r.tagName}&scope=all&state=closed`,
        closed_merge_requests_url: `${web}/-/merge_requests?release_tag=${r.tagName}&scope=all&state=closed`,
        edit_url: `${web}/-/releases/${r.tagName}/edit`,
        merged_merge_requests_url: `${web}/-/merge_requests?release_tag=${r.tagName}&scope=all&state=merged`,
        opened_issues_url: `${web}/-/issues?release_tag=${r.tagName}&scope=all&state=opened`,
        opened_merge_requests_url: `${web}/-/merge_requests?release_tag=${r.tagName}&scope=all&state=opened`,
        self: `${web}/-/releases/${r.tagName}`,
      },
    };
  }

  deployment(d: DeploymentRec): Json {
    const job = d.deployableJobId === null ? null : this.state.job(d.deployableJobId);
    const pipe = job ? this.state.pipeline(job.pipelineId) : null;
    return {
      id: d.id, iid: d.iid, ref: d.ref, sha: d.sha, created_at: restTime(d.createdAt), updated_at: restTime(d.updatedAt),
      finished_at: restTimeOrNull(d.finishedAt), status: d.status, user: this.userBasic(d.userId),
      // GitLab's EnvironmentBasic: no tier (only GET /projects/:id/environments has it).
      environment: {
        id: d.environmentId, name: d.environment, slug: d.environment, external_url: d.environmentExternalUrl,
        created_at: restTime(d.createdAt), updated_at: restTime(d.updatedAt),
      },
      deployable: job ? { ...this.job(job), pipeline: pipe ? this.pipelineBasic(pipe) : null } : null,
    };
  }

  /**
   * GitLab's Environment entity (lib/api/entities/environment.rb: EnvironmentBasic + tier, project,
   * state, auto_stop_at), from the deployments made to it (the local GitLab keeps no other record).
   */
  environment(deployments: readonly DeploymentRec[]): Json {
    const first = deployments[0]!;
    const project = this.state.project(first.projectId);
    return {
      id: first.environmentId, name: first.environment, slug: first.environment, external_url: first.environmentExternalUrl,
      created_at: restTime(Math.min(...deployments.map((d) => d.createdAt))), updated_at: restTime(Math.max(...deployments.map((d) => d.updatedAt))),
      tier: first.environmentTier, project: project ? this.project(project) : null, state: 'available', auto_stop_at: null,
    };
  }

  member(m: MemberRec): Json {
    return {
      ...this.userBasic(m.userId), access_level: m.accessLevel, created_at: restTime(m.createdAt),
      created_by: this.userBasic(m.createdById), expires_at: m.expiresAt === null ? null : isoDate(m.expiresAt),
      group_saml_identity: null, membership_state: 'active',
    };
  }
}
