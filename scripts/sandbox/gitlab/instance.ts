/**
 * One local GitLab instance: state, hooks, renderers, event dispatch and the control API, wired
 * together. The HTTP server (server.ts) is a thin layer over this.
 */
import { randomUUID } from 'node:crypto';
import { FixedWindowLimiter } from '../http/rate-limit.ts';
import { ControlApi } from './control.ts';
import type { DeliveryResult } from './delivery.ts';
import { EventDispatcher } from './events.ts';
import { PayloadBuilder } from './hook-payloads.ts';
import { HookStore, type HookKind, type HookRec, type HookFlag } from './hooks.ts';
import { RestRenderer } from './rest-shapes.ts';
import { GitLabState, type TokenUser } from './state.ts';
import { GeneratedWorld } from './world.ts';
import type { SeedSpec } from './seed-spec.ts';
import { DEFAULT_MAX_OFFSET } from './pagination.ts';

export type TokenInfo = {
  id: number; name: string; token: string; scopes: string[]; user: TokenUser; createdAt: number; expiresAt: string | null;
};

export type InstanceOptions = {
  spec: SeedSpec; baseUrl: string; version: string; tier: 'free' | 'premium'; now: () => number; hookTimeoutMs: number;
  maxOffset: number;
};

const TRIGGER_EVENT: Record<string, string> = {
  push_events: 'Push Hook', tag_push_events: 'Tag Push Hook', issues_events: 'Issue Hook',
  confidential_issues_events: 'Confidential Issue Hook', merge_requests_events: 'Merge Request Hook', job_events: 'Job Hook',
  pipeline_events: 'Pipeline Hook', releases_events: 'Release Hook',
};

export class GitLabInstance {
  readonly world: GeneratedWorld;
  readonly state: GitLabState;
  readonly hooks = new HookStore();
  readonly rest: RestRenderer;
  readonly payloads: PayloadBuilder;
  readonly events: EventDispatcher;
  readonly tokens = new Map<string, TokenInfo>();
  readonly version: string;
  readonly tier: 'free' | 'premium';
  readonly maxOffset: number;
  /** The most recent deliveries (bounded), newest last. */
  readonly deliveryLog: DeliveryResult[] = [];
  private readonly testLimiter: FixedWindowLimiter;
  private control?: ControlApi;

  constructor(readonly options: InstanceOptions) {
    this.world = new GeneratedWorld(options.spec);
    this.state = new GitLabState(this.world, options.now);
    this.version = options.version;
    this.tier = options.tier;
    this.maxOffset = options.maxOffset || DEFAULT_MAX_OFFSET;
    this.rest = new RestRenderer(this.state, options.baseUrl);
    this.payloads = new PayloadBuilder(this.state, options.baseUrl, options.tier === 'premium' ? 'premium' : null);
    this.events = new EventDispatcher(this.state, this.hooks, options.tier === 'premium', () => ({
      instanceUrl: options.baseUrl, version: this.version, timeoutMs: options.hookTimeoutMs,
    }), (results) => this.log(results));
    // GitLab: hook test requests are limited to 5 per minute per group/project and user.
    this.testLimiter = new FixedWindowLimiter({ limit: 5, windowMs: 60_000, now: options.now });
  }

  private log(results: DeliveryResult[]): void {
    this.deliveryLog.push(...results);
    if (this.deliveryLog.length > 1000) this.deliveryLog.splice(0, this.deliveryLog.length - 1000);
  }

  addToken(t: { token: string; name: string; scopes: string[]; user: TokenUser; expiresAt?: string | null }): TokenInfo {
    const info: TokenInfo = { id: this.tokens.size + 1, name: t.name, token: t.token, scopes: t.scopes, user: t.user, createdAt: this.options.now(), expiresAt: t.expiresAt ?? null };
    this.tokens.set(t.token, info);
    this.state.addTokenUser(t.user);
    return info;
  }

  controlApi(actorId: number): ControlApi {
    this.control ??= new ControlApi(this.state, this.events, this.payloads, this.rest, actorId);
    return this.control;
  }

  takeHookTestBudget(kind: HookKind, ownerId: number, userId: number): boolean {
    return !this.testLimiter.take(`${kind}:${ownerId}:${userId}`).allowed;
  }

  /** `POST …/hooks/:id/test/:trigger`: sends a sample event regardless of the disabled state. */
  async testHook(h: HookRec, trigger: string): Promise<DeliveryResult | { outcome: 'failed'; status?: number; error: string }> {
    const header = TRIGGER_EVENT[trigger];
    const sample = this.sampleProject(h);
    if (!header || !sample) return { outcome: 'failed', error: `Ensure the ${h.kind} has data for ${trigger.replace(/_events$/, '')} events.` };
    const payload = this.samplePayload(trigger as HookFlag, sample);
    if (!payload) return { outcome: 'failed', error: `Ensure the project has ${trigger.replace(/_events$/, '').replace(/_/g, ' ')}.` };
    const r = await this.events.send(h, header, payload, randomUUID(), this.state.now(), true);
    this.log([r]);
    return r;
  }

  private sampleProject(h: HookRec): number | null {
    if (h.kind === 'project') return h.ownerId;
    const s = this.state.groupProjects(h.ownerId, { includeSubgroups: true, withShared: false });
    return s.length ? s.at(s.length - 1).id : null;
  }

  private samplePayload(trigger: HookFlag, projectId: number): unknown {
    const p = this.state.project(projectId)!;
    const actor = [...this.tokens.values()][0]?.user.id ?? 1;
    const last = <T>(s: { length: number; at(i: number): T }) => (s.length ? s.at(s.length - 1) : null);
    switch (trigger) {
      case 'merge_requests_events': {
        const mr = this.state.mergeRequestByIid(p.id, 1);
        return mr && this.payloads.mergeRequest(mr, 'open', actor, {});
      }
      case 'issues_events':
      case 'confidential_issues_events': {
        const is = this.state.issueByIid(p.id, 1);
        return is && this.payloads.issue(is, 'open', actor, {});
      }
      case 'pipeline_events': {
        const pipe = last(this.state.projectPipelines(p.id));
        return pipe && this.payloads.pipeline(pipe, this.state.pipelineJobs(pipe));
      }
      case 'job_events': {
        const job = last(this.state.projectJobs(p.id));
        return job && this.payloads.job(job, this.state.pipeline(job.pipelineId)!);
      }
      case 'releases_events': {
        const rel = last(this.state.projectReleases(p.id));
        return rel && this.payloads.release(rel, 'create');
      }
      default: {
        const u = this.state.user(actor);
        const sha = this.state.projectPipelines(p.id).length ? last(this.state.projectPipelines(p.id))!.sha : '0'.repeat(40);
        const tag = trigger === 'tag_push_events';
        return {
          object_kind: tag ? 'tag_push' : 'push', event_name: tag ? 'tag_push' : 'push', before: '0'.repeat(40), after: sha,
          ref: tag ? 'refs/tags/v1.0.0' : `refs/heads/${p.defaultBranch}`, ref_protected: true, checkout_sha: sha, message: null,
          user_id: actor, user_name: u?.name, user_username: u?.username, user_email: u?.email, user_avatar: null,
          project_id: p.id, project: this.payloads.project(p), commits: [], total_commits_count: 0, push_options: {},
          repository: { name: p.name, url: `${this.options.baseUrl}/${this.state.projectFullPath(p)}.git`, description: p.description ?? '', homepage: `${this.options.baseUrl}/${this.state.projectFullPath(p)}`, git_http_url: `${this.options.baseUrl}/${this.state.projectFullPath(p)}.git`, git_ssh_url: `git@127.0.0.1:${this.state.projectFullPath(p)}.git`, visibility_level: 0 },
        };
      }
    }
  }
}
