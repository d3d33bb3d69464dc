/**
 * The control API of the local GitLab: changes the state the way GitLab users would (open/merge/
 * close an MR, run a pipeline, deploy, release, create/destroy projects and subgroups, add/remove
 * members). Each change is visible through REST at once and is delivered to every hook GitLab
 * would call; the returned promise settles when all deliveries have finished, so tests are
 * deterministic.
 */
import type { EventDispatcher, EventReport } from './events.ts';
import type { PayloadBuilder } from './hook-payloads.ts';
import type { RestRenderer } from './rest-shapes.ts';
import type { GitLabState, GroupView } from './state.ts';
import type { DeploymentRec, IssueRec, MemberRec, MergeRequestRec, PipelineRec, PipelineStatus, ProjectRec, ReleaseRec, Visibility } from './model.ts';
import { ID_BASE } from './world.ts';
import { sha40 } from './hash.ts';

export type Ref = number | string;
export type ChangeResult<T> = { object: T; events: EventReport[] };

type Json = Record<string, unknown>;

export class ControlApi {
  constructor(
    private readonly state: GitLabState,
    private readonly events: EventDispatcher,
    private readonly payloads: PayloadBuilder,
    private readonly rest: RestRenderer,
    /** The user the control API acts as (the main token's user). */
    private readonly actorId: number,
  ) {}

  // ---- lookups -----------------------------------------------------------------------------------
  private project(ref: Ref): ProjectRec {
    const p = typeof ref === 'number' ? this.state.project(ref) : this.state.projectByPath(ref);
    if (!p) throw new Error(`project ${JSON.stringify(ref)} does not exist in the local GitLab`);
    return p;
  }
  private group(ref: Ref): GroupView {
    const g = typeof ref === 'number' ? this.state.group(ref) : this.state.groupByPath(ref);
    if (!g) throw new Error(`group ${JSON.stringify(ref)} does not exist in the local GitLab`);
    return g;
  }
  private mr(project: ProjectRec, iid: number): MergeRequestRec {
    const mr = this.state.mergeRequestByIid(project.id, iid);
    if (!mr) throw new Error(`merge request !${iid} does not exist in project ${project.id}`);
    return mr;
  }
  private issueOf(project: ProjectRec, iid: number): IssueRec {
    const is = this.state.issueByIid(project.id, iid);
    if (!is) throw new Error(`issue #${iid} does not exist in project ${project.id}`);
    return is;
  }

  /**
   * Makes the changes in `change` (calls of this API) silently: REST shows them, no hook is called
   * (as while a hook is disabled, or for changes GitLab sends no event for). Returns what `change` returns.
   */
  silently<T>(change: () => Promise<T>): Promise<T> {
    return this.events.withoutDeliveries(change);
  }

  // ---- merge requests ----------------------------------------------------------------------------
  async openMergeRequest(projectRef: Ref, o: { title: string; description?: string | null; sourceBranch?: string; targetBranch?: string; labels?: string[]; assigneeIds?: number[]; reviewerIds?: number[]; authorId?: number; draft?: boolean }): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const now = this.state.now();
    const iid = this.state.nextIidFor('mr', p.id, this.state.generatedCountIn(this.state.world.mrStart, p.id));
    const mr: MergeRequestRec = {
      id: this.state.allocate('mergeRequest'), iid, projectId: p.id, title: o.title, description: o.description ?? null,
      state: 'opened', createdAt: now, updatedAt: now, mergedAt: null, closedAt: null, authorId: o.authorId ?? this.actorId,
      assigneeIds: o.assigneeIds ?? [], reviewerIds: o.reviewerIds ?? [], mergeUserId: null, closedById: null,
      sourceBranch: o.sourceBranch ?? `feature/change-${iid}`, targetBranch: o.targetBranch ?? p.defaultBranch,
      labels: [...(o.labels ?? [])].sort(), draft: o.draft ?? o.title.startsWith('Draft:'), sha: sha40(7, 7, now % 1e9),
      mergeCommitSha: null, userNotesCount: 0,
    };
    this.state.saveMergeRequest(mr, true);
    const changes = {
      author_id: this.payloads.change(null, mr.authorId), created_at: this.payloads.change(null, this.payloads.utc(now)),
      id: this.payloads.change(null, mr.id), iid: this.payloads.change(null, mr.iid), title: this.payloads.change(null, mr.title),
      updated_at: this.payloads.change(null, this.payloads.utc(now)),
    };
    return this.mrEvent(p, mr, 'open', changes);
  }

  async updateMergeRequest(projectRef: Ref, iid: number, o: { title?: string; description?: string | null; labels?: string[] }): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const before = this.mr(p, iid);
    const now = this.state.now();
    const after: MergeRequestRec = { ...before, ...(o.title !== undefined ? { title: o.title } : {}), ...(o.description !== undefined ? { description: o.description } : {}), ...(o.labels ? { labels: [...o.labels].sort() } : {}), updatedAt: now };
    this.state.saveMergeRequest(after, false);
    const changes: Json = { updated_at: this.payloads.change(this.payloads.utc(before.updatedAt), this.payloads.utc(now)) };
    if (o.title !== undefined) changes.title = this.payloads.change(before.title, after.title);
    if (o.description !== undefined) changes.description = this.payloads.change(before.description, after.description);
    return this.mrEvent(p, after, 'update', changes);
  }

  mergeMergeRequest(projectRef: Ref, iid: number): Promise<ChangeResult<Json>> {
    return this.transitionMr(projectRef, iid, 'merged', 'merge');
  }
  closeMergeRequest(projectRef: Ref, iid: number): Promise<ChangeResult<Json>> {
    return this.transitionMr(projectRef, iid, 'closed', 'close');
  }
  reopenMergeRequest(projectRef: Ref, iid: number): Promise<ChangeResult<Json>> {
    return this.transitionMr(projectRef, iid, 'opened', 'reopen');
  }

  private async transitionMr(projectRef: Ref, iid: number, state: MergeRequestRec['state'], action: string): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const before = this.mr(p, iid);
    const allowed = state === 'opened' ? before.state === 'closed' : before.state === 'opened';
    if (!allowed) throw new Error(`merge request !${iid} is ${before.state}; cannot ${action} it`);
    const now = this.state.now();
    const after: MergeRequestRec = {
      ...before, state, updatedAt: now,
      mergedAt: state === 'merged' ? now : before.mergedAt, mergeUserId: state === 'merged' ? this.actorId : before.mergeUserId,
      mergeCommitSha: state === 'merged' ? sha40(9, 9, now % 1e9) : before.mergeCommitSha,
      closedAt: state === 'closed' ? now : state === 'opened' ? null : before.closedAt,
      closedById: state === 'closed' ? this.actorId : state === 'opened' ? null : before.closedById,
    };
    this.state.saveMergeRequest(after, false);
    const stateId = { opened: 1, closed: 2, merged: 3, locked: 4 };
    return this.mrEvent(p, after, action, {
      state_id: this.payloads.change(stateId[before.state], stateId[state]),
      updated_at: this.payloads.change(this.payloads.utc(before.updatedAt), this.payloads.utc(now)),
    });
  }

  private async mrEvent(p: ProjectRec, mr: MergeRequestRec, action: string, changes: Json): Promise<ChangeResult<Json>> {
    const report = await this.events.dispatch({
      header: 'Merge Request Hook', flag: 'merge_requests_events', groupId: p.namespaceId, projectId: p.id,
      payload: this.payloads.mergeRequest(mr, action, this.actorId, changes),
    });
    return { object: this.rest.mergeRequest(mr), events: [report] };
  }

  // ---- issues ------------------------------------------------------------------------------------
  async openIssue(projectRef: Ref, o: { title: string; description?: string | null; confidential?: boolean; labels?: string[]; assigneeIds?: number[]; issueType?: 'issue' | 'incident' }): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const now = this.state.now();
    const iid = this.state.nextIidFor('issue', p.id, this.state.generatedCountIn(this.state.world.issueStart, p.id));
    const is: IssueRec = {
      id: this.state.allocate('issue'), iid, projectId: p.id, title: o.title, description: o.description ?? null, state: 'opened',
      createdAt: now, updatedAt: now, closedAt: null, closedById: null, authorId: this.actorId, assigneeIds: o.assigneeIds ?? [],
      labels: [...(o.labels ?? [])].sort(), confidential: o.confidential ?? false, issueType: o.issueType ?? 'issue', dueDate: null,
    };
    this.state.saveIssue(is, true);
    return this.issueEvent(p, is, 'open', {
      author_id: this.payloads.change(null, is.authorId), created_at: this.payloads.change(null, this.payloads.utc(now)),
      id: this.payloads.change(null, is.id), iid: this.payloads.change(null, is.iid), title: this.payloads.change(null, is.title),
      updated_at: this.payloads.change(null, this.payloads.utc(now)),
    });
  }
  closeIssue(projectRef: Ref, iid: number): Promise<ChangeResult<Json>> { return this.transitionIssue(projectRef, iid, 'closed', 'close'); }
  reopenIssue(projectRef: Ref, iid: number): Promise<ChangeResult<Json>> { return this.transitionIssue(projectRef, iid, 'opened', 'reopen'); }

  private async transitionIssue(projectRef: Ref, iid: number, state: IssueRec['state'], action: string): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const before = this.issueOf(p, iid);
    if (before.state === state) throw new Error(`issue #${iid} is already ${state}`);
    const now = this.state.now();
    const after: IssueRec = { ...before, state, updatedAt: now, closedAt: state === 'closed' ? now : null, closedById: state === 'closed' ? this.actorId : null };
    this.state.saveIssue(after, false);
    return this.issueEvent(p, after, action, {
      state_id: this.payloads.change(before.state === 'opened' ? 1 : 2, state === 'opened' ? 1 : 2),
      closed_at: this.payloads.change(this.payloads.utc(before.closedAt), this.payloads.utc(after.closedAt)),
      updated_at: this.payloads.change(this.payloads.utc(before.updatedAt), this.payloads.utc(now)),
    });
  }

  private async issueEvent(p: ProjectRec, is: IssueRec, action: string, changes: Json): Promise<ChangeResult<Json>> {
    const report = await this.events.dispatch({
      header: is.confidential ? 'Confidential Issue Hook' : 'Issue Hook',
      flag: is.confidential ? 'confidential_issues_events' : 'issues_events',
      groupId: p.namespaceId, projectId: p.id, payload: this.payloads.issue(is, action, this.actorId, changes),
    });
    return { object: this.rest.issue(is), events: [report] };
  }

  // ---- pipelines, jobs, deployments, releases ----------------------------------------------------
  /** Runs a pipeline to its final status: one Job Hook per job, then the Pipeline Hook. */
  async runPipeline(projectRef: Ref, o: { status?: PipelineStatus; ref?: string; jobs?: number; source?: string } = {}): Promise<ChangeResult<Json> & { jobs: Json[] }> {
    const p = this.project(projectRef);
    const now = this.state.now();
    const count = Math.max(1, Math.min(50, o.jobs ?? 3));
    const status = o.status ?? 'success';
    const finished = ['success', 'failed', 'canceled'].includes(status);
    const id = this.state.allocate('pipeline');
    const jobIds = Array.from({ length: count }, () => this.state.allocate('job'));
    const pipe: PipelineRec = {
      id, iid: this.state.nextIidFor('pipeline', p.id, this.state.generatedCountIn(this.state.world.pipeStart, p.id)),
      projectId: p.id, status, source: o.source ?? 'push', ref: o.ref ?? p.defaultBranch, sha: sha40(11, 11, id),
      beforeSha: sha40(12, 12, id), name: null, createdAt: now - 120_000, updatedAt: now,
      startedAt: status === 'pending' ? null : now - 100_000, finishedAt: finished ? now : null,
      duration: finished ? 100 : null, queuedDuration: 20, userId: this.actorId, jobIds,
    };
    const jobs = this.state.buildJobs(pipe, count);
    this.state.addPipeline(pipe, jobs);
    const reports: EventReport[] = [];
    for (const j of jobs) {
      reports.push(await this.events.dispatch({ header: 'Job Hook', flag: 'job_events', groupId: p.namespaceId, projectId: p.id, payload: this.payloads.job(j, pipe) }));
    }
    reports.push(await this.events.dispatch({ header: 'Pipeline Hook', flag: 'pipeline_events', groupId: p.namespaceId, projectId: p.id, payload: this.payloads.pipeline(pipe, jobs) }));
    return { object: this.rest.pipeline(pipe), jobs: jobs.map((j) => this.rest.job(j)), events: reports };
  }

  /**
   * A deployment to `environment` (default production). `staging` and `production` are the
   * generated world's two environments of the project; any other name is a new environment of the
   * project (its first deployment creates it), with the tier GitLab guesses from its name.
   */
  async deploy(projectRef: Ref, o: { environment?: string; status?: DeploymentRec['status']; ref?: string } = {}): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const now = this.state.now();
    const env = o.environment ?? 'production';
    const deployments = this.state.projectDeployments(p.id);
    let environmentId: number;
    let environmentTier: string;
    if (env === 'production' || env === 'staging') {
      environmentId = ID_BASE.environment + (this.state.world.projectIndexOf(p.id) ?? 100_000 + p.id) * 2 + (env === 'production' ? 1 : 0);
      environmentTier = env;
    } else {
      let known: DeploymentRec | undefined;
      for (let i = 0; i < deployments.length && !known; i++) if (deployments.at(i).environment === env) known = deployments.at(i);
      environmentId = known ? known.environmentId : this.state.allocate('environment');
      environmentTier = known ? known.environmentTier : guessTier(env);
    }
    const id = this.state.allocate('deployment');
    const d: DeploymentRec = {
      id, iid: deployments.length + 1, projectId: p.id, ref: o.ref ?? p.defaultBranch, sha: sha40(13, 13, id), status: o.status ?? 'success',
      environment: env, environmentId,
      environmentTier, environmentExternalUrl: env === 'production' ? `https://${p.path}.example.com` : null,
      createdAt: now, updatedAt: now, finishedAt: o.status === 'running' ? null : now, userId: this.actorId, deployableJobId: null,
    };
    this.state.addDeployment(d);
    const report = await this.events.dispatch({ header: 'Deployment Hook', flag: 'deployment_events', groupId: p.namespaceId, projectId: p.id, payload: this.payloads.deployment(d) });
    return { object: this.rest.deployment(d), events: [report] };
  }

  async createRelease(projectRef: Ref, o: { tagName: string; name?: string; description?: string | null }): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    if (this.state.release(p.id, o.tagName)) throw new Error(`release ${o.tagName} already exists in project ${p.id}`);
    const now = this.state.now();
    const id = this.state.allocate('release');
    const r: ReleaseRec = {
      id, projectId: p.id, tagName: o.tagName, name: o.name ?? o.tagName, description: o.description ?? null, createdAt: now,
      releasedAt: now, authorId: this.actorId, sha: sha40(14, 14, id), commitMessage: `Release ${o.tagName}`,
    };
    this.state.addRelease(r);
    const report = await this.events.dispatch({ header: 'Release Hook', flag: 'releases_events', groupId: p.namespaceId, projectId: p.id, payload: this.payloads.release(r, 'create') });
    return { object: this.rest.release(r), events: [report] };
  }

  async deleteRelease(projectRef: Ref, tagName: string): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const r = this.state.release(p.id, tagName);
    if (!r) throw new Error(`release ${tagName} does not exist in project ${p.id}`);
    const object = this.rest.release(r);
    const payload = this.payloads.release(r, 'delete');
    this.state.deleteRelease(r.id);
    const report = await this.events.dispatch({ header: 'Release Hook', flag: 'releases_events', groupId: p.namespaceId, projectId: p.id, payload });
    return { object, events: [report] };
  }

  // ---- projects, subgroups, members --------------------------------------------------------------
  private owners(groupId: number): { name: string; email: string }[] {
    return this.state.allMembers(groupId).filter((m) => m.accessLevel === 50).slice(0, 5).map((m) => {
      const u = this.state.user(m.userId);
      return { name: u?.name ?? 'Ghost User', email: u?.email ?? '[REDACTED]' };
    });
  }

  async createProject(groupRef: Ref, o: { name: string; path?: string; visibility?: Visibility }): Promise<ChangeResult<Json>> {
    const g = this.group(groupRef);
    const p = this.state.createProject(g.id, o.name, o.path ?? slugify(o.name), this.actorId, o.visibility ?? 'private');
    const report = await this.events.dispatch({ header: 'Project Hook', flag: 'project_events', groupId: g.id, projectId: null, payload: this.payloads.projectEvent(p, 'project_create', this.state.now(), this.owners(g.id)) });
    return { object: this.rest.project(p), events: [report] };
  }

  async destroyProject(projectRef: Ref): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const object = this.rest.project(p);
    const payload = this.payloads.projectEvent(p, 'project_destroy', this.state.now(), this.owners(p.namespaceId));
    this.state.deleteProject(p.id);
    const report = await this.events.dispatch({ header: 'Project Hook', flag: 'project_events', groupId: p.namespaceId, projectId: null, payload });
    return { object, events: [report] };
  }

  async createSubgroup(parentRef: Ref, o: { name: string; path?: string }): Promise<ChangeResult<Json>> {
    const parent = this.group(parentRef);
    const g = this.state.createGroup(parent.id, o.name, o.path ?? slugify(o.name));
    const report = await this.events.dispatch({ header: 'Subgroup Hook', flag: 'subgroup_events', groupId: parent.id, projectId: null, payload: this.payloads.subgroupEvent(g, parent, 'subgroup_create', this.state.now()) });
    return { object: this.rest.group(g), events: [report] };
  }

  async destroySubgroup(groupRef: Ref): Promise<ChangeResult<Json>> {
    const g = this.group(groupRef);
    if (g.parentId === null) throw new Error(`group ${g.fullPath} is a top-level group; destroySubgroup only removes subgroups`);
    const parent = this.group(g.parentId);
    const object = this.rest.group(g);
    const payload = this.payloads.subgroupEvent(g, parent, 'subgroup_destroy', this.state.now());
    this.state.deleteGroup(g.id);
    const report = await this.events.dispatch({ header: 'Subgroup Hook', flag: 'subgroup_events', groupId: parent.id, projectId: null, payload });
    return { object, events: [report] };
  }

  async addMember(groupRef: Ref, o: { userId: number; accessLevel: MemberRec['accessLevel']; expiresAt?: number | null }): Promise<ChangeResult<Json>> {
    const g = this.group(groupRef);
    if (!this.state.user(o.userId)) throw new Error(`user ${o.userId} does not exist in the local GitLab`);
    const existing = this.state.directMembers(g.id).find((m) => m.userId === o.userId);
    const now = this.state.now();
    const m: MemberRec = { userId: o.userId, groupId: g.id, accessLevel: o.accessLevel, createdAt: existing?.createdAt ?? now, expiresAt: o.expiresAt ?? null, createdById: this.actorId };
    this.state.setMember(g.id, o.userId, m);
    const event = existing ? 'user_update_for_group' : 'user_add_to_group';
    const report = await this.events.dispatch({ header: 'Member Hook', flag: 'member_events', groupId: g.id, projectId: null, payload: this.payloads.memberEvent(m, g, event, now) });
    return { object: this.rest.member(m), events: [report] };
  }

  async removeMember(groupRef: Ref, userId: number): Promise<ChangeResult<Json>> {
    const g = this.group(groupRef);
    const m = this.state.directMembers(g.id).find((x) => x.userId === userId);
    if (!m) throw new Error(`user ${userId} is not a direct member of group ${g.fullPath}`);
    const object = this.rest.member(m);
    this.state.setMember(g.id, userId, null);
    const report = await this.events.dispatch({ header: 'Member Hook', flag: 'member_events', groupId: g.id, projectId: null, payload: this.payloads.memberEvent(m, g, 'user_remove_from_group', this.state.now()) });
    return { object, events: [report] };
  }

  // ---- silent changes: GitLab sends no hook event for any of these ---------------------------------
  /** Deletes a merge request (GitLab: no event; README "Backfill"). */
  async deleteMergeRequest(projectRef: Ref, iid: number): Promise<ChangeResult<Json>> {
    const mr = this.mr(this.project(projectRef), iid);
    const object = this.rest.mergeRequest(mr);
    this.state.deleteMergeRequest(mr.id);
    return { object, events: [] };
  }

  /** Deletes an issue (no event). */
  async deleteIssue(projectRef: Ref, iid: number): Promise<ChangeResult<Json>> {
    const is = this.issueOf(this.project(projectRef), iid);
    const object = this.rest.issue(is);
    this.state.deleteIssue(is.id);
    return { object, events: [] };
  }

  /** Deletes a pipeline and its jobs (no event). */
  async deletePipeline(projectRef: Ref, pipelineId: number): Promise<ChangeResult<Json>> {
    const p = this.project(projectRef);
    const pipe = this.state.pipeline(pipelineId);
    if (!pipe || pipe.projectId !== p.id) throw new Error(`pipeline ${pipelineId} does not exist in project ${p.id}`);
    const object = this.rest.pipeline(pipe);
    this.state.deletePipeline(pipe.id);
    return { object, events: [] };
  }

  /** Transfers a project (created through this API) to another group; group hooks get no event. */
  async transferProject(projectRef: Ref, namespaceRef: Ref): Promise<ChangeResult<Json>> {
    const p = this.state.transferProject(this.project(projectRef).id, this.group(namespaceRef).id);
    return { object: this.rest.project(p), events: [] };
  }

  /** Transfers a subgroup (created through this API) under another group, or to the top level with `null`; no event. */
  async transferGroup(groupRef: Ref, parentRef: Ref | null): Promise<ChangeResult<Json>> {
    const g = this.state.transferGroup(this.group(groupRef).id, parentRef === null ? null : this.group(parentRef).id);
    // A new top-level group without an owner gets the user who moved it (GitLab's Groups::TransferService#ensure_ownership).
    if (g.parentId === null && !this.state.directMembers(g.id).some((m) => m.accessLevel === 50)) {
      this.state.setMember(g.id, this.actorId, { userId: this.actorId, groupId: g.id, accessLevel: 50, createdAt: this.state.now(), expiresAt: null, createdById: this.actorId });
    }
    return { object: this.rest.group(g), events: [] };
  }
}

function slugify(name: string): string {
  const s = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'project';
}

/** GitLab's Environment#guess_tier: the tier an environment gets from its name unless `deployment_tier` sets one. */
export function guessTier(name: string): string {
  if (/(dev|review|trunk)/i.test(name)) return 'development';
  if (/(test|tst|int|ac(ce|)pt|qa|qc|control|quality)/i.test(name)) return 'testing';
  if (/(st(a|)g|mod(e|)l|pre|demo|non)/i.test(name)) return 'staging';
  if (/(pr(o|)d|live)/i.test(name)) return 'production';
  return 'other';
}
