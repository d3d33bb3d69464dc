/**
 * The local GitLab's data: the generated world plus an overlay of changes made through the
 * control API (created, modified and deleted objects). Queries return virtual sequences in the
 * order GitLab documents for each list; nothing here materialises a whole generated list.
 */
import {
  arraySeq, concat, filtered, FilterCache, mapSeq, rangeSeq, reversed, type Seq,
} from './seq.ts';
import type {
  DeploymentRec, GroupRec, IssueRec, JobRec, MemberRec, MergeRequestRec, PipelineRec, ProjectRec, ReleaseRec, UserRec,
} from './model.ts';
import { GeneratedWorld, ID_BASE, jobOfPipeline, type GroupNode } from './world.ts';
import { h32 } from './hash.ts';

export type GroupView = GroupRec & { depth: number };

/** Internal view of a token's owner. */
export type TokenUser = UserRec & { accessLevel: number };

type SortDir = 'asc' | 'desc';

export class GitLabState {
  /** Bumped on every change so cached filter indexes are never reused across changes. */
  version = 0;
  readonly cache = new FilterCache(64);
  private readonly createdGroups = new Map<number, GroupView>();
  private readonly deletedGroups = new Set<number>();
  private readonly createdProjects = new Map<number, ProjectRec>();
  private readonly projectOverrides = new Map<number, ProjectRec>();
  private readonly deletedProjects = new Set<number>();
  private readonly mrs = new Map<number, MergeRequestRec>();
  private readonly createdMrIds: number[] = [];
  private readonly issues = new Map<number, IssueRec>();
  private readonly createdIssueIds: number[] = [];
  private readonly createdPipelines: PipelineRec[] = [];
  private readonly createdJobs = new Map<number, JobRec>();
  private readonly createdReleases: ReleaseRec[] = [];
  private readonly deletedReleases = new Set<number>();
  private readonly createdDeployments: DeploymentRec[] = [];
  private readonly memberChanges = new Map<string, MemberRec | null>();
  /** Removed without a hook event, as GitLab removes them (silent-changes section below). */
  private readonly deletedMrIds = new Set<number>();
  private readonly deletedIssueIds = new Set<number>();
  private readonly deletedPipelineIds = new Set<number>();
  private readonly tokenUsers = new Map<number, TokenUser>();
  private readonly nextId = {
    group: 0, project: 0, mergeRequest: 0, issue: 0, pipeline: 0, job: 0, release: 0, deployment: 0,
    /** Environments other than the generated `staging`/`production` (control API `deploy`). */
    environment: 900_000,
  };
  private readonly nextIid = new Map<string, number>();

  constructor(readonly world: GeneratedWorld, readonly now: () => number) {
    const c = world.counts();
    this.nextId.group = ID_BASE.group + world.groups.length;
    this.nextId.project = ID_BASE.project + world.projectCount;
    this.nextId.mergeRequest = ID_BASE.mergeRequest + c.mergeRequests;
    this.nextId.issue = ID_BASE.issue + c.issues;
    this.nextId.pipeline = ID_BASE.pipeline + c.pipelines;
    this.nextId.job = ID_BASE.job + c.jobs;
    this.nextId.release = ID_BASE.release + c.releases;
    this.nextId.deployment = ID_BASE.deployment + c.deployments;
  }

  touch(): void { this.version++; }
  allocate(kind: keyof GitLabState['nextId']): number { return this.nextId[kind]++; }

  // ---- users -------------------------------------------------------------------------------------
  addTokenUser(user: TokenUser): void {
    this.tokenUsers.set(user.id, user);
  }
  user(id: number): UserRec | null {
    const t = this.tokenUsers.get(id);
    if (t) return t;
    const u = this.world.userIndexOf(id);
    return u === null ? null : this.world.user(u);
  }
  get topGroup(): GroupNode { return this.world.groups[0]; }

  // ---- groups ------------------------------------------------------------------------------------
  private rawGroup(id: number): GroupView | null {
    const idx = this.world.groupIndexById.get(id);
    if (idx !== undefined) return this.world.groups[idx];
    return this.createdGroups.get(id) ?? null;
  }

  /** A live group by id, or null when unknown or deleted (itself or an ancestor). */
  group(id: number): GroupView | null {
    const g = this.rawGroup(id);
    if (!g) return null;
    for (let cur: GroupView | null = g; cur; cur = cur.parentId === null ? null : this.rawGroup(cur.parentId)) {
      if (this.deletedGroups.has(cur.id)) return null;
    }
    return g;
  }

  groupByPath(fullPath: string): GroupView | null {
    const idx = this.world.groupIndexByPath.get(fullPath.toLowerCase());
    if (idx !== undefined) return this.group(this.world.groups[idx].id);
    for (const g of this.createdGroups.values()) if (g.fullPath.toLowerCase() === fullPath.toLowerCase()) return this.group(g.id);
    return null;
  }

  /** The group and its ancestors, nearest first. */
  ancestry(groupId: number): GroupView[] {
    const out: GroupView[] = [];
    for (let g = this.rawGroup(groupId); g; g = g.parentId === null ? null : this.rawGroup(g.parentId)) out.push(g);
    return out;
  }

  isSelfOrDescendant(groupId: number, ancestorId: number): boolean {
    return this.ancestry(groupId).some((g) => g.id === ancestorId);
  }

  /** True when the group lies in the sandbox's main tree (not the partners namespace). */
  inMainTree(groupId: number): boolean { return this.isSelfOrDescendant(groupId, this.topGroup.id); }

  descendants(groupId: number, directOnly: boolean): GroupView[] {
    const out: GroupView[] = [];
    const idx = this.world.groupIndexById.get(groupId);
    if (idx !== undefined) {
      const node = this.world.groups[idx];
      for (let i = node.index + 1; i < node.subtreeEnd; i++) {
        const g = this.world.groups[i];
        if (directOnly && g.parentId !== groupId) continue;
        if (this.group(g.id)) out.push(g);
      }
    }
    for (const g of this.createdGroups.values()) {
      if (g.id === groupId || !this.group(g.id)) continue;
      if (directOnly ? g.parentId === groupId : this.isSelfOrDescendant(g.id, groupId)) out.push(g);
    }
    return out;
  }

  createGroup(parentId: number, name: string, path: string): GroupView {
    const parent = this.group(parentId);
    if (!parent) throw new Error(`parent group ${parentId} does not exist`);
    const fullPath = `${parent.fullPath}/${path}`;
    if (this.groupByPath(fullPath)) throw new Error(`group path "${fullPath}" is already taken`);
    const g: GroupView = {
      id: this.allocate('group'), name, path, fullPath, fullName: `${parent.fullName} / ${name}`, parentId,
      description: '', visibility: parent.visibility, createdAt: this.now(), depth: parent.depth + 1,
    };
    this.createdGroups.set(g.id, g);
    this.touch();
    return g;
  }

  deleteGroup(id: number): void { this.deletedGroups.add(id); this.touch(); }

  // ---- projects ----------------------------------------------------------------------------------
  project(id: number): ProjectRec | null {
    if (this.deletedProjects.has(id)) return null;
    const p = this.projectOverrides.get(id) ?? this.createdProjects.get(id) ?? this.generatedProject(id);
    if (!p || !this.group(p.namespaceId)) return null;
    return p;
  }
  private generatedProject(id: number): ProjectRec | null {
    const p = this.world.projectIndexOf(id);
    return p === null ? null : this.world.project(p);
  }

  projectByPath(fullPath: string): ProjectRec | null {
    const cut = fullPath.lastIndexOf('/');
    if (cut <= 0) return null;
    const group = this.groupByPath(fullPath.slice(0, cut));
    const path = fullPath.slice(cut + 1).toLowerCase();
    if (!group) return null;
    const idx = this.world.groupIndexById.get(group.id);
    if (idx !== undefined) {
      const node = this.world.groups[idx];
      for (let p = node.projStart; p < node.projEnd; p++) {
        const proj = this.project(ID_BASE.project + p);
        if (proj && proj.path.toLowerCase() === path) return proj;
      }
    }
    for (const proj of this.createdProjects.values()) {
      if (proj.namespaceId === group.id && proj.path.toLowerCase() === path && this.project(proj.id)) return proj;
    }
    return null;
  }

  projectFullPath(p: ProjectRec): string {
    const g = this.rawGroup(p.namespaceId);
    return `${g ? g.fullPath : 'unknown'}/${p.path}`;
  }

  /** Projects of a group, ascending by creation (= id). */
  groupProjects(groupId: number, o: { includeSubgroups: boolean; withShared: boolean; archived?: boolean }): Seq<ProjectRec> {
    const parts: Seq<ProjectRec>[] = [];
    const idx = this.world.groupIndexById.get(groupId);
    if (idx !== undefined) {
      const node = this.world.groups[idx];
      const end = o.includeSubgroups ? node.subtreeProjEnd : node.projEnd;
      parts.push(rangeSeq(end - node.projStart, (i) => this.projectOverrides.get(ID_BASE.project + node.projStart + i) ?? this.world.project(node.projStart + i)));
      if (o.withShared && node.index === 0) {
        const partner = this.world.groups[this.world.partnerGroupIndex];
        parts.push(rangeSeq(partner.projEnd - partner.projStart, (i) => this.projectOverrides.get(ID_BASE.project + partner.projStart + i) ?? this.world.project(partner.projStart + i)));
      }
    }
    parts.push(arraySeq([...this.createdProjects.values()].filter((p) =>
      o.includeSubgroups ? this.isSelfOrDescendant(p.namespaceId, groupId) : p.namespaceId === groupId)));
    const pred = (p: ProjectRec) => !this.deletedProjects.has(p.id) && this.group(p.namespaceId) !== null
      && (o.archived === undefined || p.archived === o.archived);
    return filtered(concat(...parts), pred, this.cache, `projects:${this.version}:${groupId}:${o.includeSubgroups}:${o.withShared}:${o.archived}`);
  }

  createProject(namespaceId: number, name: string, path: string, creatorId: number, visibility: ProjectRec['visibility']): ProjectRec {
    const g = this.group(namespaceId);
    if (!g) throw new Error(`group ${namespaceId} does not exist`);
    if (this.projectByPath(`${g.fullPath}/${path}`)) throw new Error(`project path "${g.fullPath}/${path}" is already taken`);
    const now = this.now();
    const p: ProjectRec = {
      id: this.allocate('project'), name, path, namespaceId, description: null, defaultBranch: 'main', visibility,
      archived: false, topics: [], createdAt: now, lastActivityAt: now, creatorId,
    };
    this.createdProjects.set(p.id, p);
    this.touch();
    return p;
  }

  deleteProject(id: number): void { this.deletedProjects.add(id); this.touch(); }

  updateProject(p: ProjectRec): void {
    if (this.createdProjects.has(p.id)) this.createdProjects.set(p.id, p); else this.projectOverrides.set(p.id, p);
    this.touch();
  }

  /** Generated index range of the projects under a group (subtree), or null for created groups. */
  private subtreeRange(groupId: number): { start: number; end: number } | null {
    const idx = this.world.groupIndexById.get(groupId);
    if (idx === undefined) return null;
    const node = this.world.groups[idx];
    return { start: node.projStart, end: node.subtreeProjEnd };
  }

  private projectLive(projectId: number, nonArchived: boolean): boolean {
    const p = this.project(projectId);
    return p !== null && (!nonArchived || !p.archived);
  }

  // ---- merge requests ----------------------------------------------------------------------------
  mergeRequest(id: number): MergeRequestRec | null {
    const o = this.mrs.get(id);
    if (o) return o;
    const m = id - ID_BASE.mergeRequest;
    if (m < 0 || m >= this.world.mrStart[this.world.projectCount]) return null;
    return this.world.mergeRequest(m);
  }
  mergeRequestByIid(projectId: number, iid: number): MergeRequestRec | null {
    const mr = this.byIid(projectId, iid, this.world.mrStart, ID_BASE.mergeRequest, (id) => this.mergeRequest(id), this.createdMrIds);
    return mr && !this.deletedMrIds.has(mr.id) ? mr : null;
  }
  saveMergeRequest(mr: MergeRequestRec, created: boolean): void {
    this.mrs.set(mr.id, mr);
    if (created) this.createdMrIds.push(mr.id);
    this.touch();
  }
  nextIidFor(kind: string, projectId: number, generatedCount: number): number {
    const key = `${kind}:${projectId}`;
    const n = (this.nextIid.get(key) ?? generatedCount) + 1;
    this.nextIid.set(key, n);
    return n;
  }
  generatedCountIn(starts: Int32Array, projectId: number): number {
    const p = this.world.projectIndexOf(projectId);
    return p === null ? 0 : starts[p + 1] - starts[p];
  }

  /** A project's record by iid: generated ones have iids 1..n in id order, created ones are looked up. */
  private byIid<T extends { projectId: number; iid: number }>(projectId: number, iid: number, starts: Int32Array, base: number,
    get: (id: number) => T | null, createdIds: number[]): T | null {
    const p = this.world.projectIndexOf(projectId);
    if (p !== null) {
      const n = starts[p + 1] - starts[p];
      if (iid >= 1 && iid <= n) return get(base + starts[p] + iid - 1);
    }
    for (const id of createdIds) {
      const r = get(id)!;
      if (r.projectId === projectId && r.iid === iid) return r;
    }
    return null;
  }

  /** Ascending-by-id sequence of generated + created records for a group subtree. */
  private groupRecords<T extends { projectId: number }>(groupId: number, starts: Int32Array, base: number,
    get: (id: number) => T | null, createdIds: number[]): Seq<T> {
    const range = this.subtreeRange(groupId);
    const parts: Seq<T>[] = [];
    if (range) {
      const first = starts[range.start];
      parts.push(rangeSeq(starts[range.end] - first, (i) => get(base + first + i)!));
    }
    const created = createdIds.map((id) => get(id)!).filter((r) => {
      const p = this.project(r.projectId);
      return p !== null && this.isSelfOrDescendant(p.namespaceId, groupId);
    });
    parts.push(arraySeq(created));
    return concat(...parts);
  }

  groupMergeRequests(groupId: number, f: ListFilter & { state?: string; authorId?: number }): Seq<MergeRequestRec> {
    const all = this.groupRecords(groupId, this.world.mrStart, ID_BASE.mergeRequest, (id) => this.mergeRequest(id), this.createdMrIds);
    const pred = (mr: MergeRequestRec) => !this.deletedMrIds.has(mr.id) && this.projectLive(mr.projectId, f.nonArchived)
      && (f.state === undefined || f.state === 'all' || mr.state === f.state)
      && (f.authorId === undefined || mr.authorId === f.authorId)
      && timeFilter(mr, f) && (f.labels === undefined || f.labels.every((l) => mr.labels.includes(l)));
    const trivial = this.noRecordFilter(f) && (f.state === undefined || f.state === 'all') && f.authorId === undefined && this.deletedMrIds.size === 0;
    const seq = trivial ? all : filtered(all, pred, this.cache, `mrs:${this.version}:${groupId}:${JSON.stringify(f)}`);
    return this.ordered(seq, f, `mrs:${groupId}:${JSON.stringify(f)}`);
  }

  // ---- issues ------------------------------------------------------------------------------------
  issue(id: number): IssueRec | null {
    const o = this.issues.get(id);
    if (o) return o;
    const i = id - ID_BASE.issue;
    if (i < 0 || i >= this.world.issueStart[this.world.projectCount]) return null;
    return this.world.issue(i);
  }
  issueByIid(projectId: number, iid: number): IssueRec | null {
    const is = this.byIid(projectId, iid, this.world.issueStart, ID_BASE.issue, (id) => this.issue(id), this.createdIssueIds);
    return is && !this.deletedIssueIds.has(is.id) ? is : null;
  }
  saveIssue(issue: IssueRec, created: boolean): void {
    this.issues.set(issue.id, issue);
    if (created) this.createdIssueIds.push(issue.id);
    this.touch();
  }
  groupIssues(groupId: number, f: ListFilter & { state?: string; confidential?: boolean; issueType?: string; authorId?: number }): Seq<IssueRec> {
    const all = this.groupRecords(groupId, this.world.issueStart, ID_BASE.issue, (id) => this.issue(id), this.createdIssueIds);
    const pred = (is: IssueRec) => !this.deletedIssueIds.has(is.id) && this.projectLive(is.projectId, f.nonArchived)
      && (f.state === undefined || f.state === 'all' || is.state === f.state)
      && (f.confidential === undefined || is.confidential === f.confidential)
      && (f.issueType === undefined || is.issueType === f.issueType)
      && (f.authorId === undefined || is.authorId === f.authorId)
      && timeFilter(is, f) && (f.labels === undefined || f.labels.every((l) => is.labels.includes(l)));
    const trivial = this.noRecordFilter(f) && (f.state === undefined || f.state === 'all') && f.authorId === undefined
      && f.confidential === undefined && f.issueType === undefined && this.deletedIssueIds.size === 0;
    const seq = trivial ? all : filtered(all, pred, this.cache, `issues:${this.version}:${groupId}:${JSON.stringify(f)}`);
    return this.ordered(seq, f, `issues:${groupId}:${JSON.stringify(f)}`);
  }

  /**
   * True when a list query keeps every record: then the (possibly huge) generated range is served
   * as a view without a counting pass.
   */
  private noRecordFilter(f: ListFilter): boolean {
    const archivedMatters = f.nonArchived && (this.world.spec.archivedFraction > 0 || this.projectOverrides.size > 0);
    return !archivedMatters && this.deletedProjects.size === 0 && this.deletedGroups.size === 0
      && f.updatedAfter === undefined && f.updatedBefore === undefined && f.createdAfter === undefined
      && f.createdBefore === undefined && f.labels === undefined;
  }

  /**
   * Applies order_by/sort. Ascending id order equals ascending created_at order by construction,
   * so those are views; other orders sort an index array (numbers, not objects) cached per query.
   */
  private ordered<T extends { id: number; createdAt: number; updatedAt: number }>(s: Seq<T>, f: ListFilter, key: string): Seq<T> {
    if (f.orderBy === 'id' || f.orderBy === 'created_at') return f.sort === 'asc' ? s : reversed(s);
    const cacheKey = `order:${this.version}:${key}`;
    let order = this.sortCache.get(cacheKey);
    if (!order) {
      const keys = new Float64Array(s.length);
      for (let i = 0; i < s.length; i++) keys[i] = s.at(i).updatedAt;
      order = Int32Array.from({ length: s.length }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
      this.sortCache.clear();
      this.sortCache.set(cacheKey, order);
    }
    const o = order;
    const asc: Seq<T> = { length: s.length, at: (i) => s.at(o[i]) };
    return f.sort === 'asc' ? asc : reversed(asc);
  }
  private readonly sortCache = new Map<string, Int32Array>();

  // ---- pipelines & jobs --------------------------------------------------------------------------
  pipeline(id: number): PipelineRec | null {
    if (this.deletedPipelineIds.has(id)) return null;
    const q = id - ID_BASE.pipeline;
    if (q >= 0 && q < this.world.pipeStart[this.world.projectCount]) return this.world.pipeline(q);
    return this.createdPipelines.find((p) => p.id === id) ?? null;
  }
  job(id: number): JobRec | null {
    const j = id - ID_BASE.job;
    const job = j >= 0 && j < this.world.jobStart[this.world.projectCount] ? this.world.job(j) : this.createdJobs.get(id) ?? null;
    return job && !this.deletedPipelineIds.has(job.pipelineId) ? job : null;
  }
  /** Ascending by id. */
  projectPipelines(projectId: number): Seq<PipelineRec> {
    const p = this.world.projectIndexOf(projectId);
    const parts: Seq<PipelineRec>[] = [];
    if (p !== null) {
      const first = this.world.pipeStart[p];
      parts.push(rangeSeq(this.world.pipeStart[p + 1] - first, (i) => this.world.pipeline(first + i)));
    }
    parts.push(arraySeq(this.createdPipelines.filter((x) => x.projectId === projectId)));
    const all = concat(...parts);
    return this.deletedPipelineIds.size ? filtered(all, (x) => !this.deletedPipelineIds.has(x.id), this.cache, `pipes-live:${this.version}:${projectId}`) : all;
  }
  /** Ascending by id. */
  projectJobs(projectId: number): Seq<JobRec> {
    const p = this.world.projectIndexOf(projectId);
    const parts: Seq<JobRec>[] = [];
    if (p !== null) {
      const first = this.world.jobStart[p];
      parts.push(rangeSeq(this.world.jobStart[p + 1] - first, (i) => this.world.job(first + i)));
    }
    parts.push(arraySeq([...this.createdJobs.values()].filter((x) => x.projectId === projectId)));
    const all = concat(...parts);
    // A deleted pipeline's jobs go with it.
    return this.deletedPipelineIds.size ? filtered(all, (x) => !this.deletedPipelineIds.has(x.pipelineId), this.cache, `jobs-live:${this.version}:${projectId}`) : all;
  }
  pipelineJobs(pipe: PipelineRec): JobRec[] {
    const ids = Array.isArray(pipe.jobIds) ? pipe.jobIds : Array.from({ length: pipe.jobIds.count }, (_, i) => (pipe.jobIds as { first: number }).first + i);
    return ids.map((id) => this.job(id)!).filter(Boolean);
  }
  addPipeline(pipe: PipelineRec, jobs: JobRec[]): void {
    this.createdPipelines.push(pipe);
    for (const j of jobs) this.createdJobs.set(j.id, j);
    this.touch();
  }
  /** Builds the jobs of a new pipeline with the same layout rules as generated ones. */
  buildJobs(pipe: PipelineRec, count: number): JobRec[] {
    return Array.from({ length: count }, (_, pos) =>
      jobOfPipeline(pipe, pos, count, (salt, i) => h32(this.world.spec.seed, salt, i), pipe.id + pos));
  }

  // ---- releases & deployments --------------------------------------------------------------------
  /** Ascending by creation. */
  projectReleases(projectId: number): Seq<ReleaseRec> {
    const p = this.world.projectIndexOf(projectId);
    const parts: Seq<ReleaseRec>[] = [];
    if (p !== null) {
      const first = this.world.relStart[p];
      parts.push(rangeSeq(this.world.relStart[p + 1] - first, (i) => this.world.release(first + i)));
    }
    parts.push(arraySeq(this.createdReleases.filter((x) => x.projectId === projectId)));
    return filtered(concat(...parts), (r) => !this.deletedReleases.has(r.id), this.cache, `releases:${this.version}:${projectId}`);
  }
  release(projectId: number, tagName: string): ReleaseRec | null {
    const all = this.projectReleases(projectId);
    for (let i = 0; i < all.length; i++) if (all.at(i).tagName === tagName) return all.at(i);
    return null;
  }
  addRelease(r: ReleaseRec): void { this.createdReleases.push(r); this.touch(); }
  deleteRelease(id: number): void { this.deletedReleases.add(id); this.touch(); }

  /** Ascending by id. */
  projectDeployments(projectId: number): Seq<DeploymentRec> {
    const p = this.world.projectIndexOf(projectId);
    const parts: Seq<DeploymentRec>[] = [];
    if (p !== null) {
      const first = this.world.depStart[p];
      parts.push(rangeSeq(this.world.depStart[p + 1] - first, (i) => this.world.deployment(first + i)));
    }
    parts.push(arraySeq(this.createdDeployments.filter((x) => x.projectId === projectId)));
    return concat(...parts);
  }
  addDeployment(d: DeploymentRec): void { this.createdDeployments.push(d); this.touch(); }

  // ---- members -----------------------------------------------------------------------------------
  directMembers(groupId: number): MemberRec[] {
    const idx = this.world.groupIndexById.get(groupId);
    const base = idx === undefined ? [] : this.world.members(idx);
    const byUser = new Map<number, MemberRec>(base.map((m) => [m.userId, m]));
    for (const t of this.tokenUsers.values()) {
      if (groupId === this.topGroup.id) {
        byUser.set(t.id, { userId: t.id, groupId, accessLevel: t.accessLevel as MemberRec['accessLevel'], createdAt: this.topGroup.createdAt, expiresAt: null, createdById: t.id });
      }
    }
    for (const [key, change] of this.memberChanges) {
      const [g, u] = key.split(':').map(Number);
      if (g !== groupId) continue;
      if (change) byUser.set(u, change); else byUser.delete(u);
    }
    return [...byUser.values()].sort((a, b) => a.userId - b.userId);
  }
  /** Direct plus inherited members; a user in several ancestors appears once, with the highest access level. */
  allMembers(groupId: number): MemberRec[] {
    const best = new Map<number, MemberRec>();
    for (const g of this.ancestry(groupId)) {
      for (const m of this.directMembers(g.id)) {
        const cur = best.get(m.userId);
        if (!cur || m.accessLevel > cur.accessLevel) best.set(m.userId, m);
      }
    }
    return [...best.values()].sort((a, b) => a.userId - b.userId);
  }
  setMember(groupId: number, userId: number, m: MemberRec | null): void {
    this.memberChanges.set(`${groupId}:${userId}`, m);
    this.touch();
  }
  // ---- silent changes: what GitLab does without any hook event -----------------------------------
  deleteMergeRequest(id: number): void { this.deletedMrIds.add(id); this.touch(); }
  deleteIssue(id: number): void { this.deletedIssueIds.add(id); this.touch(); }
  /** Its jobs go with it. */
  deletePipeline(id: number): void { this.deletedPipelineIds.add(id); this.touch(); }

  /**
   * Moves a project into another group. Only projects created through the control API: generated
   * ones (and their merge requests and issues) are served from their group's fixed index range.
   */
  transferProject(id: number, namespaceId: number): ProjectRec {
    const p = this.createdProjects.get(id);
    if (!p || !this.project(id)) throw new Error(`project ${id} was not created through the control API; the local GitLab transfers only those`);
    const g = this.group(namespaceId);
    if (!g) throw new Error(`group ${namespaceId} does not exist`);
    if (this.projectByPath(`${g.fullPath}/${p.path}`)) throw new Error(`project path "${g.fullPath}/${p.path}" is already taken`);
    const moved = { ...p, namespaceId };
    this.createdProjects.set(id, moved);
    this.touch();
    return moved;
  }

  /**
   * Moves a subgroup under another group, or to the top level (parentId null), with its subgroups
   * and projects. Only groups created through the control API (generated ones live in index ranges).
   */
  transferGroup(id: number, parentId: number | null): GroupView {
    const g = this.createdGroups.get(id);
    if (!g || !this.group(id)) throw new Error(`group ${id} was not created through the control API; the local GitLab transfers only those`);
    const parent = parentId === null ? null : this.group(parentId);
    if (parentId !== null && !parent) throw new Error(`group ${parentId} does not exist`);
    if (parent && this.isSelfOrDescendant(parent.id, id)) throw new Error(`group ${id} cannot move into its own subtree`);
    const fullPath = parent ? `${parent.fullPath}/${g.path}` : g.path;
    if (this.groupByPath(fullPath)) throw new Error(`group path "${fullPath}" is already taken`);
    const rebase = (x: GroupView, p: GroupView | null) => {
      const moved: GroupView = { ...x, parentId: p ? p.id : null, fullPath: p ? `${p.fullPath}/${x.path}` : x.path, fullName: p ? `${p.fullName} / ${x.name}` : x.name, depth: p ? p.depth + 1 : 0 };
      this.createdGroups.set(x.id, moved);
      for (const child of [...this.createdGroups.values()].filter((c) => c.parentId === x.id)) rebase(child, moved);
      return moved;
    };
    const moved = rebase(g, parent);
    this.touch();
    return moved;
  }

  /** The effective access level of a user on a group (inherited from ancestors), 0 if none. */
  accessLevel(userId: number, groupId: number): number {
    return this.allMembers(groupId).find((m) => m.userId === userId)?.accessLevel ?? 0;
  }
}

export type ListFilter = {
  nonArchived: boolean;
  updatedAfter?: number; updatedBefore?: number; createdAfter?: number; createdBefore?: number;
  labels?: string[];
  orderBy: 'created_at' | 'updated_at' | 'id';
  sort: SortDir;
};

function timeFilter(r: { createdAt: number; updatedAt: number }, f: ListFilter): boolean {
  return (f.updatedAfter === undefined || r.updatedAt >= f.updatedAfter)
    && (f.updatedBefore === undefined || r.updatedAt <= f.updatedBefore)
    && (f.createdAfter === undefined || r.createdAt >= f.createdAfter)
    && (f.createdBefore === undefined || r.createdAt <= f.createdBefore);
}

export { mapSeq };
