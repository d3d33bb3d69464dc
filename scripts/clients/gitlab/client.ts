// The GitLab access layer the installer, backfill and doctor use: a gitbeaker `Gitlab` wired to
// our transport, page iterators for every kind the backfill lists, and hook helpers.
import {
  Gitlab,
  type AddResourceHookOptions,
  type DeploymentSchema,
  type ExpandedUserSchema,
  type GroupSchema,
  type IssueSchema,
  type JobSchema,
  type MemberSchema,
  type MergeRequestSchema,
  type PipelineSchema,
  type ProjectSchema,
  type ReleaseSchema,
} from '@gitbeaker/rest';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { RetryPolicy } from '../shared/backoff.ts';
import { userAgent } from '../shared/user-agent.ts';
import { hookBody, GROUP_HOOK_EVENT_FLAGS, PROJECT_HOOK_EVENT_FLAGS, type GroupHookEvent, type HookSpec, type HookTestTrigger, type ProjectHookEvent } from './hooks.ts';
import { resolveGitLabHost } from './host.ts';
import { pages, type PageOptions, type QueryParams } from './paginate.ts';
import { createRequesterFn } from './requester.ts';
import { GitLabTransport, type GitLabRequest, type GitLabResponse, type GitLabRetryEvent } from './transport.ts';

export type GitLabId = number | string;

/**
 * Client-side budget per 60 s, ~80% of GitLab.com's published limits (gitlab.md §4.4): 2,000/min
 * per user overall, 600/min on group projects and on project jobs, 400/min on single
 * project/group reads, 50/min on the group list.
 */
export const DEFAULT_GITLAB_RATE_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  '**': 1500,
  'groups/*/projects': 500,
  'projects/*/jobs': 500,
  'projects/*': 320,
  'groups/*': 320,
  groups: 40,
});

export const DEFAULT_GITLAB_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  // GitLab's Retry-After can reach 20 minutes on heavy throttling (gitlab.md §6 item 14).
  maxWaitMs: 20 * 60_000,
};

export interface GitLabClientOptions {
  /** Instance root (default https://gitlab.com). */
  host?: string;
  token: string;
  /** Requests per `rateLimitWindowMs` by endpoint glob (`*` = one path segment, `**` = everything). Replaces the defaults. */
  rateLimits?: Record<string, number>;
  rateLimitWindowMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Timeout of one HTTP request (default 60 s). */
  requestTimeoutMs?: number;
  /** gitbeaker's timeout for a whole method call including its auto-pagination (default 30 min; null = none). */
  queryTimeoutMs?: number | null;
  installId?: string;
  clock?: Clock;
  random?: () => number;
  onRetry?: (event: GitLabRetryEvent) => void;
}

/** A hook as GitLab returns it (group_webhooks.md): snake_case, never with its token. */
export interface GitLabHook {
  id: number;
  url: string;
  name?: string | null;
  description?: string | null;
  group_id?: number;
  project_id?: number;
  alert_status?: string;
  disabled_until?: string | null;
  enable_ssl_verification?: boolean;
  [flag: string]: unknown;
}

export interface GitLabVersion {
  version: string;
  revision: string;
  enterprise?: boolean;
  [key: string]: unknown;
}

export interface GitLabTokenInfo {
  id: number;
  name: string;
  scopes: string[];
  active?: boolean;
  expires_at?: string | null;
  [key: string]: unknown;
}

const enc = (id: GitLabId) => encodeURIComponent(String(id));

export class GitLabClient {
  readonly host: string;
  readonly transport: GitLabTransport;
  /** gitbeaker, routed through our transport (retries, Retry-After, shared rate limits, GitLabApiError). */
  readonly api: InstanceType<typeof Gitlab<false>>;

  constructor(options: GitLabClientOptions) {
    if (!options.token) throw new Error('GitLab token missing: set GITLAB_TOKEN to a personal, group or project access token with the api scope (read_api is enough for backfill).');
    this.host = resolveGitLabHost(options.host);
    this.transport = new GitLabTransport({
      host: this.host,
      token: options.token,
      userAgent: userAgent(options.installId),
      retry: { ...DEFAULT_GITLAB_RETRY, ...options.retry },
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      rateLimits: options.rateLimits ?? { ...DEFAULT_GITLAB_RATE_LIMITS },
      rateLimitWindowMs: options.rateLimitWindowMs ?? 60_000,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      onRetry: options.onRetry,
    });
    this.api = new Gitlab({
      host: this.host,
      token: options.token,
      camelize: false,
      queryTimeout: options.queryTimeoutMs === undefined ? 30 * 60_000 : options.queryTimeoutMs,
      // No `rateLimits`: gitbeaker only hands them to the requesterFn, and ours ignores them
      // because the transport enforces one budget for the whole client.
      requesterFn: createRequesterFn(this.transport),
    });
  }

  /** Escape hatch: one request through the transport. */
  request<T = unknown>(req: GitLabRequest): Promise<GitLabResponse<T>> {
    return this.transport.request<T>(req);
  }

  /** Pages (arrays) of any list endpoint, one page in memory at a time. */
  pages<T = Record<string, unknown>>(path: string, params: QueryParams = {}, options: PageOptions = {}): AsyncGenerator<T[]> {
    return pages<T>(this.transport, path, params, options);
  }

  // --- Backfill listings (each yields pages) --------------------------------------------------
  // Offset pages are ordered by creation (id / created_at, ascending) by default: an object
  // updated or created while we page then cannot shift unread rows past us, as it would with
  // `updated_at` ordering. Callers may override any parameter.

  /** All descendant groups at any depth (not the group itself). */
  descendantGroups(groupId: GitLabId, params: QueryParams = {}, options?: PageOptions): AsyncGenerator<GroupSchema[]> {
    return this.pages<GroupSchema>(`groups/${enc(groupId)}/descendant_groups`, { order_by: 'id', sort: 'asc', ...params }, options);
  }

  /** Projects of the group and its subgroups, without projects shared into it; archived ones included unless `archived` is set. */
  groupProjects(groupId: GitLabId, params: QueryParams = {}, options?: PageOptions): AsyncGenerator<ProjectSchema[]> {
    return this.pages<ProjectSchema>(`groups/${enc(groupId)}/projects`, { include_subgroups: true, with_shared: false, order_by: 'id', sort: 'asc', ...params }, options);
  }

  /** Merge requests of the group and its subgroups (`state` default all). */
  groupMergeRequests(groupId: GitLabId, params: QueryParams & { state?: 'opened' | 'closed' | 'locked' | 'merged' | 'all'; updated_after?: string } = {}, options?: PageOptions): AsyncGenerator<MergeRequestSchema[]> {
    return this.pages<MergeRequestSchema>(`groups/${enc(groupId)}/merge_requests`, { state: 'all', scope: 'all', order_by: 'created_at', sort: 'asc', ...params }, options);
  }

  /** Issues of the group and its subgroups. `state: 'all'` (default) is sent as no state filter. */
  groupIssues(groupId: GitLabId, params: QueryParams & { state?: 'opened' | 'closed' | 'all'; updated_after?: string } = {}, options?: PageOptions): AsyncGenerator<IssueSchema[]> {
    const { state, ...rest } = params;
    return this.pages<IssueSchema>(`groups/${enc(groupId)}/issues`, { scope: 'all', order_by: 'created_at', sort: 'asc', ...(state && state !== 'all' ? { state } : {}), ...rest }, options);
  }

  projectPipelines(projectId: GitLabId, params: QueryParams & { updated_after?: string } = {}, options?: PageOptions): AsyncGenerator<PipelineSchema[]> {
    return this.pages<PipelineSchema>(`projects/${enc(projectId)}/pipelines`, params, options);
  }

  pipelineJobs(projectId: GitLabId, pipelineId: number, params: QueryParams = {}, options?: PageOptions): AsyncGenerator<JobSchema[]> {
    return this.pages<JobSchema>(`projects/${enc(projectId)}/pipelines/${enc(pipelineId)}/jobs`, params, options);
  }

  /** Project jobs with keyset pagination (GitLab supports it here only with order_by=id, sort=desc). */
  projectJobs(projectId: GitLabId, params: QueryParams = {}, options?: PageOptions): AsyncGenerator<JobSchema[]> {
    return this.pages<JobSchema>(`projects/${enc(projectId)}/jobs`, { pagination: 'keyset', order_by: 'id', sort: 'desc', ...params }, options);
  }

  projectReleases(projectId: GitLabId, params: QueryParams = {}, options?: PageOptions): AsyncGenerator<ReleaseSchema[]> {
    return this.pages<ReleaseSchema>(`projects/${enc(projectId)}/releases`, params, options);
  }

  projectDeployments(projectId: GitLabId, params: QueryParams = {}, options?: PageOptions): AsyncGenerator<DeploymentSchema[]> {
    return this.pages<DeploymentSchema>(`projects/${enc(projectId)}/deployments`, { order_by: 'id', sort: 'asc', ...params }, options);
  }

  /** Direct members of a group (not inherited ones: those belong to the ancestor group). */
  groupMembers(groupId: GitLabId, params: QueryParams = {}, options?: PageOptions): AsyncGenerator<MemberSchema[]> {
    return this.pages<MemberSchema>(`groups/${enc(groupId)}/members`, params, options);
  }

  // --- Hooks -----------------------------------------------------------------------------------

  /** Every hook of the group (404 when group hooks are unavailable: Free tier / CE). */
  async listGroupHooks(groupId: GitLabId): Promise<GitLabHook[]> {
    return collect(this.pages<GitLabHook>(`groups/${enc(groupId)}/hooks`, {}, { maxPages: 10 }));
  }

  async createGroupHook(groupId: GitLabId, spec: HookSpec<GroupHookEvent>): Promise<GitLabHook> {
    const body = hookBody(spec, GROUP_HOOK_EVENT_FLAGS);
    // gitbeaker 43.8's option type lacks most flags; the method spreads options into the body, so a cast sends them all.
    return (await this.api.GroupHooks.add(groupId, spec.url, body as AddResourceHookOptions)) as unknown as GitLabHook;
  }

  async editGroupHook(groupId: GitLabId, hookId: number, spec: HookSpec<GroupHookEvent>): Promise<GitLabHook> {
    const body = hookBody(spec, GROUP_HOOK_EVENT_FLAGS);
    return (await this.api.GroupHooks.edit(groupId, hookId, spec.url, body as AddResourceHookOptions)) as unknown as GitLabHook;
  }

  /** true when deleted, false when it was already gone. */
  async deleteGroupHook(groupId: GitLabId, hookId: number): Promise<boolean> {
    const res = await this.transport.request({ method: 'DELETE', path: `groups/${enc(groupId)}/hooks/${enc(hookId)}`, accept: [404] });
    return res.status !== 404;
  }

  /** Sends a test delivery (GitLab 17.1+; rate limited to 5/min). A 2xx re-enables an auto-disabled hook. */
  async testGroupHook(groupId: GitLabId, hookId: number, trigger: HookTestTrigger = 'push_events'): Promise<void> {
    await this.transport.request({ method: 'POST', path: `groups/${enc(groupId)}/hooks/${enc(hookId)}/test/${trigger}` });
  }

  async listProjectHooks(projectId: GitLabId): Promise<GitLabHook[]> {
    return collect(this.pages<GitLabHook>(`projects/${enc(projectId)}/hooks`, {}, { maxPages: 10 }));
  }

  async createProjectHook(projectId: GitLabId, spec: HookSpec<ProjectHookEvent>): Promise<GitLabHook> {
    const body = hookBody(spec, PROJECT_HOOK_EVENT_FLAGS);
    return (await this.api.ProjectHooks.add(projectId, spec.url, body as AddResourceHookOptions)) as unknown as GitLabHook;
  }

  async editProjectHook(projectId: GitLabId, hookId: number, spec: HookSpec<ProjectHookEvent>): Promise<GitLabHook> {
    const body = hookBody(spec, PROJECT_HOOK_EVENT_FLAGS);
    return (await this.api.ProjectHooks.edit(projectId, hookId, spec.url, body as AddResourceHookOptions)) as unknown as GitLabHook;
  }

  async deleteProjectHook(projectId: GitLabId, hookId: number): Promise<boolean> {
    const res = await this.transport.request({ method: 'DELETE', path: `projects/${enc(projectId)}/hooks/${enc(hookId)}`, accept: [404] });
    return res.status !== 404;
  }

  async testProjectHook(projectId: GitLabId, hookId: number, trigger: HookTestTrigger = 'push_events'): Promise<void> {
    await this.transport.request({ method: 'POST', path: `projects/${enc(projectId)}/hooks/${enc(hookId)}/test/${trigger}` });
  }

  // --- Preflight ------------------------------------------------------------------------------

  /** Server version: `GET /metadata` (15.2+), falling back to the older `GET /version`. */
  async version(): Promise<GitLabVersion> {
    const res = await this.transport.request<GitLabVersion>({ method: 'GET', path: 'metadata', accept: [404] });
    if (res.status !== 404) return res.body;
    return (await this.transport.request<GitLabVersion>({ method: 'GET', path: 'version' })).body;
  }

  async currentUser(): Promise<ExpandedUserSchema> {
    return (await this.api.Users.showCurrentUser()) as ExpandedUserSchema;
  }

  /** The token's own record (`GET /personal_access_tokens/self`; also works for group/project access tokens). */
  async tokenInfo(): Promise<GitLabTokenInfo> {
    return (await this.transport.request<GitLabTokenInfo>({ method: 'GET', path: 'personal_access_tokens/self' })).body;
  }

  async tokenScopes(): Promise<string[]> {
    return (await this.tokenInfo()).scopes ?? [];
  }

  /** A group by numeric id or full path, or null when not found (or not visible to the token). */
  async group(idOrPath: GitLabId): Promise<GroupSchema | null> {
    const res = await this.transport.request<GroupSchema>({ method: 'GET', path: `groups/${enc(idOrPath)}`, query: 'with_projects=false', accept: [404] });
    return res.status === 404 ? null : res.body;
  }

  /** The user's effective membership in a group (inherited included), or null. `access_level` 50 = Owner. */
  async groupMember(groupId: GitLabId, userId: number): Promise<MemberSchema | null> {
    const res = await this.transport.request<MemberSchema>({ method: 'GET', path: `groups/${enc(groupId)}/members/all/${enc(userId)}`, accept: [404] });
    return res.status === 404 ? null : res.body;
  }
}

async function collect<T>(it: AsyncGenerator<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of it) out.push(...page);
  return out;
}
