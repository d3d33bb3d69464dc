/**
 * The deterministic generated GitLab world. Only the group tree and per-project prefix sums are
 * stored (memory grows with the number of groups and projects, not with the number of MRs,
 * issues, pipelines, jobs…); every other object is computed from (seed, kind, index) on demand.
 *
 * Layout: groups are numbered in depth-first preorder and projects are assigned in that order,
 * so a group's whole subtree owns one contiguous range of project indexes — and, through the
 * prefix sums, one contiguous range of MR/issue/pipeline/job/release/deployment indexes.
 * A second top-level "partners" group owns the projects shared into the main group.
 */
import { between, findSlot, h32, pick, sha40, unit } from './hash.ts';
import type {
  DeploymentRec, GroupRec, IssueRec, JobRec, MemberRec, MergeRequestRec, PipelineRec, PipelineStatus, ProjectRec,
  ReleaseRec, UserRec, Visibility,
} from './model.ts';
import { DEPLOY_JOBS, FIRST_NAMES, ISSUE_TITLES, JOB_LAYOUT, LABELS, LAST_NAMES, MR_TITLES, PROJECT_WORDS, TEAM_NAMES } from './names.ts';
import type { SeedSpec } from './seed-spec.ts';

/** Id bases per table (GitLab ids are per table; distinct ranges make mix-ups visible). */
export const ID_BASE = {
  group: 100, project: 10_000, user: 100, mergeRequest: 1_000_000, issue: 3_000_000, pipeline: 5_000_000,
  job: 7_000_000, release: 12_000_000, deployment: 13_000_000, environment: 500,
} as const;

const DAY = 86_400_000;
/** Dates beyond the history (member expiry, issue due dates) are set this far after its end. */
const EXPIRY_AFTER_END = Date.UTC(2026, 0, 1) - Date.UTC(2025, 5, 1);
const DUE_AFTER_END = 30 * DAY;
/** Prefix sums are Int32: keep every kind below this many objects. */
const LIMIT = 1_000_000_000;

const SALT = {
  user: 1, groupName: 2, projectWord: 3, projectVis: 4, archived: 5, projectDesc: 6, mrCount: 7, issueCount: 8,
  pipeCount: 9, jpp: 10, relCount: 11, depCount: 12, mrTitle: 13, mrState: 14, mrUpd: 15, mrDesc: 16, mrAuthor: 17,
  mrAssign: 18, mrReview: 19, mrLabels: 20, mrDraft: 21, mrSha: 22, mrMergeSha: 23, mrNotes: 24, mrJitter: 25,
  issTitle: 30, issState: 31, issUpd: 32, issDesc: 33, issAuthor: 34, issAssign: 35, issLabels: 36, issConf: 37,
  issType: 38, issDue: 39, issJitter: 40, pipeStatus: 50, pipeSource: 51, pipeRef: 52, pipeSha: 53, pipeUser: 54,
  pipeName: 55, pipeDur: 56, pipeQueue: 57, pipeJitter: 58, jobDur: 60, jobQueue: 61, relDesc: 70, relAuthor: 71,
  relSha: 72, depStatus: 80, depUser: 81, depSha: 82, memberLevel: 90, memberExpiry: 91, groupVis: 92, topics: 93,
} as const;

export type GroupNode = GroupRec & {
  index: number;
  depth: number;
  /** Exclusive end of this group's subtree in preorder. */
  subtreeEnd: number;
  projStart: number;
  projEnd: number;
  subtreeProjEnd: number;
};

export type Counts = {
  groups: number; projects: number; mergeRequests: number; issues: number; pipelines: number; jobs: number;
  releases: number; deployments: number; members: number; users: number; total: number;
};

export class GeneratedWorld {
  readonly groups: GroupNode[] = [];
  readonly groupIndexById = new Map<number, number>();
  readonly groupIndexByPath = new Map<string, number>();
  /** Index of the partners group (owner of shared projects). */
  readonly partnerGroupIndex: number;
  /** Projects of the main tree are [0, treeProjects); shared ones follow. */
  readonly treeProjects: number;
  readonly projectCount: number;
  readonly mrStart: Int32Array;
  readonly issueStart: Int32Array;
  readonly pipeStart: Int32Array;
  readonly jobStart: Int32Array;
  readonly relStart: Int32Array;
  readonly depStart: Int32Array;
  readonly jobsPerPipeline: Uint8Array;
  private readonly projGroupStarts: Int32Array;
  private readonly projGroupIndex: Int32Array;
  private readonly s: number;
  /** Generated history spans t0 .. tEnd (spec.historyStart/End); everything the control API creates is later. */
  private readonly t0: number;
  private readonly tEnd: number;

  constructor(readonly spec: SeedSpec) {
    this.s = spec.seed;
    this.t0 = spec.historyStart;
    this.tEnd = spec.historyEnd;
    this.buildTree();
    this.treeProjects = spec.projects;
    this.projectCount = spec.projects + spec.sharedProjects;
    const P = this.projectCount;
    const perProject = (salt: number, avg: number) => {
      const starts = new Int32Array(P + 1);
      for (let p = 0; p < P; p++) {
        const n = avg === 0 ? 0 : between(this.s, salt, p, Math.floor(avg / 2), Math.ceil(avg * 1.5));
        if (starts[p] + n > LIMIT) throw new Error(`seed makes more than ${LIMIT} objects of one kind; lower the per-project sizes`);
        starts[p + 1] = starts[p] + n;
      }
      return starts;
    };
    this.mrStart = perProject(SALT.mrCount, spec.mergeRequestsPerProject);
    this.issueStart = perProject(SALT.issueCount, spec.issuesPerProject);
    this.pipeStart = perProject(SALT.pipeCount, spec.pipelinesPerProject);
    this.relStart = perProject(SALT.relCount, spec.releasesPerProject);
    this.depStart = perProject(SALT.depCount, spec.deploymentsPerProject);
    this.jobsPerPipeline = new Uint8Array(P);
    this.jobStart = new Int32Array(P + 1);
    for (let p = 0; p < P; p++) {
      this.jobsPerPipeline[p] = between(this.s, SALT.jpp, p, 1, Math.max(1, spec.jobsPerPipeline * 2 - 1));
      const next = this.jobStart[p] + (this.pipeStart[p + 1] - this.pipeStart[p]) * this.jobsPerPipeline[p];
      if (next > LIMIT) throw new Error(`seed makes more than ${LIMIT} jobs; lower pipelinesPerProject or jobsPerPipeline`);
      this.jobStart[p + 1] = next;
    }
    // project index -> owning group, via the groups' project ranges (only groups with projects).
    const owners = this.groups.filter((g) => g.projEnd > g.projStart);
    this.projGroupStarts = Int32Array.from(owners.map((g) => g.projStart));
    this.projGroupIndex = Int32Array.from(owners.map((g) => g.index));
    this.partnerGroupIndex = this.groups.length - 1;
  }

  private buildTree(): void {
    const { spec } = this;
    let expected = 0;
    for (let d = 0, n = 1; d <= spec.groupDepth; d++, n *= spec.groupFanout) expected += n;
    if (expected > 5000) throw new Error(`seed makes ${expected} groups; keep groupFanout^groupDepth small (at most 5,000 groups)`);
    const perGroup = Math.floor(spec.projects / expected);
    const extra = spec.projects % expected;
    let projCursor = 0;
    const visit = (parent: GroupNode | null, depth: number, name: string, path: string): GroupNode => {
      const index = this.groups.length;
      const own = perGroup + (index < extra ? 1 : 0);
      const node: GroupNode = {
        index, depth, id: ID_BASE.group + index, name, path,
        fullPath: parent ? `${parent.fullPath}/${path}` : path,
        fullName: parent ? `${parent.fullName} / ${name}` : name,
        parentId: parent ? parent.id : null,
        description: depth === 0 ? 'Top-level group of the local GitLab sandbox' : `${name} team`,
        visibility: pick<Visibility>(this.s, SALT.groupVis, index, ['private', 'private', 'internal']),
        createdAt: this.t0 - (5000 - index) * 3_600_000,
        subtreeEnd: index + 1, projStart: projCursor, projEnd: projCursor + own, subtreeProjEnd: projCursor + own,
      };
      projCursor += own;
      this.groups.push(node);
      if (depth < spec.groupDepth) {
        const offset = h32(this.s, SALT.groupName, index) % TEAM_NAMES.length;
        for (let k = 0; k < spec.groupFanout; k++) {
          const [childName, childPath] = TEAM_NAMES[(offset + k) % TEAM_NAMES.length];
          visit(node, depth + 1, childName, childPath);
        }
      }
      node.subtreeEnd = this.groups.length;
      node.subtreeProjEnd = projCursor;
      return node;
    };
    visit(null, 0, titleCase(spec.groupPath), spec.groupPath);
    const partnerIndex = this.groups.length;
    const partnerPath = `${spec.groupPath}-partners`;
    this.groups.push({
      index: partnerIndex, depth: 0, id: ID_BASE.group + partnerIndex, name: 'Partners', path: partnerPath,
      fullPath: partnerPath, fullName: 'Partners', parentId: null, description: 'Projects shared into the sandbox group',
      visibility: 'private', createdAt: this.t0 - 6000 * 3_600_000, subtreeEnd: partnerIndex + 1,
      projStart: spec.projects, projEnd: spec.projects + spec.sharedProjects, subtreeProjEnd: spec.projects + spec.sharedProjects,
    });
    for (const g of this.groups) {
      this.groupIndexById.set(g.id, g.index);
      this.groupIndexByPath.set(g.fullPath.toLowerCase(), g.index);
    }
  }

  counts(): Counts {
    const P = this.projectCount;
    const c = {
      groups: this.groups.length, projects: P, mergeRequests: this.mrStart[P], issues: this.issueStart[P],
      pipelines: this.pipeStart[P], jobs: this.jobStart[P], releases: this.relStart[P], deployments: this.depStart[P],
      members: (this.groups.length - 1) * Math.min(this.spec.membersPerGroup, this.spec.users), users: this.spec.users,
    };
    return { ...c, total: Object.values(c).reduce((a, b) => a + b, 0) };
  }

  // ---- users --------------------------------------------------------------------------------
  user(u: number): UserRec {
    const first = FIRST_NAMES[h32(this.s, SALT.user, u) % FIRST_NAMES.length];
    const last = LAST_NAMES[h32(this.s, SALT.user + 100, u) % LAST_NAMES.length];
    const username = `user${u + 1}`;
    return { id: ID_BASE.user + u, name: `${first} ${last}`, username, email: `${username}@example.com`, createdAt: this.t0 - 400 * DAY + u * 60_000 };
  }
  userIdAt(u: number): number { return ID_BASE.user + (u % this.spec.users); }
  userIndexOf(id: number): number | null {
    const u = id - ID_BASE.user;
    return u >= 0 && u < this.spec.users ? u : null;
  }

  // ---- groups & projects ----------------------------------------------------------------------
  projectGroupIndex(p: number): number {
    return this.projGroupIndex[findSlot(this.projGroupStarts, p, this.projGroupStarts.length)];
  }

  projectIndexOf(id: number): number | null {
    const p = id - ID_BASE.project;
    return p >= 0 && p < this.projectCount ? p : null;
  }

  project(p: number): ProjectRec {
    const [word, slug] = PROJECT_WORDS[h32(this.s, SALT.projectWord, p) % PROJECT_WORDS.length];
    const g = this.groups[this.projectGroupIndex(p)];
    const n = this.mrStart[p + 1] - this.mrStart[p];
    const createdAt = this.t0 - (this.projectCount - p) * 3_600_000;
    return {
      id: ID_BASE.project + p,
      name: `${word} ${p + 1}`,
      path: `${slug}-${p + 1}`,
      namespaceId: g.id,
      description: unit(this.s, SALT.projectDesc, p) < 0.25 ? null : `${word} maintained by ${g.name}`,
      defaultBranch: 'main',
      visibility: pick<Visibility>(this.s, SALT.projectVis, p, ['private', 'private', 'internal', 'public']),
      archived: this.isArchived(p),
      topics: unit(this.s, SALT.topics, p) < 0.5 ? [] : [slug.split('-')[0]],
      createdAt,
      // A project without MRs was last active long ago — but not before it existed (short histories).
      lastActivityAt: Math.max(createdAt, this.tEnd - (h32(this.s, SALT.mrUpd, p) % (30 * DAY)) - (n === 0 ? 200 * DAY : 0)),
      creatorId: this.userIdAt(p),
    };
  }

  isArchived(p: number): boolean {
    return unit(this.s, SALT.archived, p) < this.spec.archivedFraction;
  }

  /** Members of a group (direct, generated). */
  members(groupIndex: number): MemberRec[] {
    const out: MemberRec[] = [];
    const n = Math.min(this.spec.membersPerGroup, this.spec.users);
    const levels = [10, 15, 20, 30, 30, 40, 50] as const;
    for (let m = 0; m < n; m++) {
      const u = (groupIndex * 7 + m) % this.spec.users;
      const key = groupIndex * 1000 + m;
      out.push({
        userId: ID_BASE.user + u, groupId: this.groups[groupIndex].id,
        accessLevel: levels[h32(this.s, SALT.memberLevel, key) % levels.length],
        createdAt: this.groups[groupIndex].createdAt + (m + 1) * DAY,
        expiresAt: unit(this.s, SALT.memberExpiry, key) < 0.15 ? this.tEnd + EXPIRY_AFTER_END + (m % 28) * DAY : null,
        createdById: ID_BASE.user,
      });
    }
    return out;
  }

  // ---- merge requests -------------------------------------------------------------------------
  private time(index: number, total: number, jitterSalt: number): number {
    const step = Math.max(1, Math.floor((this.tEnd - this.t0) / Math.max(1, total)));
    return this.t0 + index * step + (h32(this.s, jitterSalt, index) % step);
  }

  mergeRequest(m: number): MergeRequestRec {
    const P = this.projectCount;
    const p = findSlot(this.mrStart, m, P);
    const k = m - this.mrStart[p];
    const createdAt = this.time(m, this.mrStart[P], SALT.mrJitter);
    const updatedAt = Math.min(this.tEnd, createdAt + (h32(this.s, SALT.mrUpd, m) % (20 * DAY)));
    const r = unit(this.s, SALT.mrState, m);
    const state = r < 0.3 ? 'opened' : r < 0.8 ? 'merged' : r < 0.95 ? 'closed' : 'locked';
    const author = this.userIdAt(h32(this.s, SALT.mrAuthor, m));
    const titleBase = MR_TITLES[h32(this.s, SALT.mrTitle, m) % MR_TITLES.length];
    const draft = titleBase.startsWith('Draft:') || unit(this.s, SALT.mrDraft, m) < 0.05;
    return {
      id: ID_BASE.mergeRequest + m, iid: k + 1, projectId: ID_BASE.project + p,
      title: draft && !titleBase.startsWith('Draft:') ? `Draft: ${titleBase}` : titleBase,
      description: unit(this.s, SALT.mrDesc, m) < 0.2 ? null : `Closes #${k + 1}.\n\nGenerated merge request ${k + 1}.`,
      state, createdAt, updatedAt,
      mergedAt: state === 'merged' ? updatedAt : null,
      closedAt: state === 'closed' ? updatedAt : null,
      authorId: author,
      assigneeIds: unit(this.s, SALT.mrAssign, m) < 0.4 ? [] : [this.userIdAt(h32(this.s, SALT.mrAssign + 1, m))],
      reviewerIds: unit(this.s, SALT.mrReview, m) < 0.5 ? [] : [this.userIdAt(h32(this.s, SALT.mrReview + 1, m))],
      mergeUserId: state === 'merged' ? this.userIdAt(h32(this.s, SALT.mrReview + 2, m)) : null,
      closedById: state === 'closed' ? author : null,
      sourceBranch: `feature/change-${k + 1}`, targetBranch: 'main',
      labels: pickLabels(this.s, SALT.mrLabels, m),
      draft,
      sha: sha40(this.s, SALT.mrSha, m),
      mergeCommitSha: state === 'merged' ? sha40(this.s, SALT.mrMergeSha, m) : null,
      userNotesCount: h32(this.s, SALT.mrNotes, m) % 12,
    };
  }

  // ---- issues ----------------------------------------------------------------------------------
  issue(i: number): IssueRec {
    const P = this.projectCount;
    const p = findSlot(this.issueStart, i, P);
    const k = i - this.issueStart[p];
    const createdAt = this.time(i, this.issueStart[P], SALT.issJitter);
    const updatedAt = Math.min(this.tEnd, createdAt + (h32(this.s, SALT.issUpd, i) % (40 * DAY)));
    const closed = unit(this.s, SALT.issState, i) < 0.6;
    const author = this.userIdAt(h32(this.s, SALT.issAuthor, i));
    return {
      id: ID_BASE.issue + i, iid: k + 1, projectId: ID_BASE.project + p,
      title: ISSUE_TITLES[h32(this.s, SALT.issTitle, i) % ISSUE_TITLES.length],
      description: unit(this.s, SALT.issDesc, i) < 0.25 ? null : `Steps to reproduce for issue ${k + 1}.`,
      state: closed ? 'closed' : 'opened', createdAt, updatedAt,
      closedAt: closed ? updatedAt : null,
      closedById: closed ? author : null,
      authorId: author,
      assigneeIds: unit(this.s, SALT.issAssign, i) < 0.5 ? [] : [this.userIdAt(h32(this.s, SALT.issAssign + 1, i))],
      labels: pickLabels(this.s, SALT.issLabels, i),
      confidential: unit(this.s, SALT.issConf, i) < 0.1,
      issueType: unit(this.s, SALT.issType, i) < 0.05 ? 'incident' : 'issue',
      dueDate: unit(this.s, SALT.issDue, i) < 0.7 ? null : this.tEnd + DUE_AFTER_END + (i % 28) * DAY,
    };
  }

  // ---- pipelines & jobs ------------------------------------------------------------------------
  pipeline(q: number): PipelineRec {
    const P = this.projectCount;
    const p = findSlot(this.pipeStart, q, P);
    const k = q - this.pipeStart[p];
    const createdAt = this.time(q, this.pipeStart[P], SALT.pipeJitter);
    const r = unit(this.s, SALT.pipeStatus, q);
    const status: PipelineStatus = r < 0.6 ? 'success' : r < 0.8 ? 'failed' : r < 0.85 ? 'canceled' : r < 0.9 ? 'running'
      : r < 0.93 ? 'skipped' : r < 0.97 ? 'manual' : 'pending';
    const source = pick(this.s, SALT.pipeSource, q, ['push', 'push', 'push', 'merge_request_event', 'schedule', 'web']);
    const ref = source === 'push' || source === 'schedule' ? 'main' : `feature/change-${(k % 7) + 1}`;
    const queued = status === 'pending' ? null : 1 + (h32(this.s, SALT.pipeQueue, q) % 120);
    const startedAt = status === 'pending' || status === 'skipped' ? null : createdAt + (queued ?? 0) * 1000;
    const finished = ['success', 'failed', 'canceled'].includes(status);
    const duration = finished ? 30 + (h32(this.s, SALT.pipeDur, q) % 1200) : null;
    const finishedAt = finished && startedAt !== null ? startedAt + (duration ?? 0) * 1000 : null;
    const jpp = this.jobsPerPipeline[p];
    return {
      id: ID_BASE.pipeline + q, iid: k + 1, projectId: ID_BASE.project + p, status, source, ref,
      sha: sha40(this.s, SALT.pipeSha, q), beforeSha: sha40(this.s, SALT.pipeSha, q + 1_000_000_000),
      name: unit(this.s, SALT.pipeName, q) < 0.5 ? null : `Pipeline for branch: ${ref}`,
      createdAt, updatedAt: finishedAt ?? startedAt ?? createdAt, startedAt, finishedAt, duration,
      queuedDuration: queued, userId: this.userIdAt(h32(this.s, SALT.pipeUser, q)),
      jobIds: { first: ID_BASE.job + this.jobStart[p] + k * jpp, count: jpp },
    };
  }

  job(j: number): JobRec {
    const P = this.projectCount;
    const p = findSlot(this.jobStart, j, P);
    const local = j - this.jobStart[p];
    const jpp = this.jobsPerPipeline[p];
    const pipe = this.pipeline(this.pipeStart[p] + Math.floor(local / jpp));
    return jobOfPipeline(pipe, local % jpp, jpp, (salt, i) => h32(this.s, salt, i), j);
  }

  // ---- releases & deployments ------------------------------------------------------------------
  release(r: number): ReleaseRec {
    const P = this.projectCount;
    const p = findSlot(this.relStart, r, P);
    const k = r - this.relStart[p];
    const createdAt = this.time(r, this.relStart[P], SALT.relSha);
    const tag = `v1.${k}.0`;
    return {
      id: ID_BASE.release + r, projectId: ID_BASE.project + p, tagName: tag,
      name: k % 4 === 3 ? `Version ${tag} — «Ünïcode»` : `Release ${tag}`,
      description: unit(this.s, SALT.relDesc, r) < 0.3 ? null : `Changes in ${tag}`,
      createdAt, releasedAt: createdAt, authorId: this.userIdAt(h32(this.s, SALT.relAuthor, r)),
      sha: sha40(this.s, SALT.relSha, r), commitMessage: `Release ${tag}`,
    };
  }

  deployment(d: number): DeploymentRec {
    const P = this.projectCount;
    const p = findSlot(this.depStart, d, P);
    const k = d - this.depStart[p];
    const createdAt = this.time(d, this.depStart[P], SALT.depSha);
    const r = unit(this.s, SALT.depStatus, d);
    const status = r < 0.8 ? 'success' : r < 0.9 ? 'failed' : r < 0.95 ? 'running' : 'canceled';
    const production = k % 2 === 1;
    const pipes = this.pipeStart[p + 1] - this.pipeStart[p];
    const jpp = this.jobsPerPipeline[p];
    const deployable = pipes === 0 ? null : ID_BASE.job + this.jobStart[p] + (k % pipes) * jpp + (jpp - 1);
    const finished = status !== 'running';
    const project = this.project(p);
    return {
      id: ID_BASE.deployment + d, iid: k + 1, projectId: project.id, ref: 'main', sha: sha40(this.s, SALT.depSha, d),
      status, environment: production ? 'production' : 'staging',
      environmentId: ID_BASE.environment + p * 2 + (production ? 1 : 0),
      environmentTier: production ? 'production' : 'staging',
      environmentExternalUrl: production ? `https://${project.path}.example.com` : null,
      createdAt, updatedAt: createdAt + 60_000, finishedAt: finished ? createdAt + 60_000 : null,
      userId: this.userIdAt(h32(this.s, SALT.depUser, d)), deployableJobId: deployable,
    };
  }
}

function pickLabels(seed: number, salt: number, i: number): string[] {
  const n = h32(seed, salt, i) % 3;
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const l = LABELS[h32(seed, salt + 1 + k, i) % LABELS.length];
    if (!out.includes(l)) out.push(l);
  }
  return out.sort();
}

function titleCase(path: string): string {
  return path.split(/[-_.]/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
}

/**
 * Job `pos` (0-based) of a pipeline with `count` jobs. Shared by generated and created pipelines
 * so their jobs agree with the pipeline's status the same way.
 */
export function jobOfPipeline(pipe: PipelineRec, pos: number, count: number, hash: (salt: number, i: number) => number, hashIndex: number): JobRec {
  const isDeploy = count >= 3 && pos === count - 1;
  const layout = isDeploy ? { name: DEPLOY_JOBS[pipe.iid % 2], stage: 'deploy' } : JOB_LAYOUT[Math.min(pos, JOB_LAYOUT.length - 1)];
  const name = pos >= JOB_LAYOUT.length && !isDeploy ? `${layout.name}-${pos}` : layout.name;
  const failing = Math.max(0, Math.min(count - 1, 1));
  let status: string;
  switch (pipe.status) {
    case 'success': status = 'success'; break;
    case 'failed': status = pos < failing ? 'success' : pos === failing ? 'failed' : 'skipped'; break;
    case 'running': status = pos < failing ? 'success' : pos === failing ? 'running' : 'created'; break;
    case 'canceled': status = pos < failing ? 'success' : 'canceled'; break;
    case 'manual': status = pos === count - 1 ? 'manual' : 'success'; break;
    case 'pending': status = pos === 0 ? 'pending' : 'created'; break;
    default: status = pipe.status;
  }
  const ran = ['success', 'failed', 'canceled', 'running'].includes(status) && pipe.startedAt !== null;
  const started = ran ? pipe.startedAt! + pos * 20_000 : null;
  const finished = ran && status !== 'running';
  const duration = finished ? 5 + (hash(SALT.jobDur, hashIndex) % 300) + (hash(SALT.jobDur, hashIndex) % 1000) / 1000 : null;
  return {
    id: (Array.isArray(pipe.jobIds) ? pipe.jobIds[pos] : pipe.jobIds.first + pos),
    pipelineId: pipe.id, projectId: pipe.projectId, name, stage: layout.stage, status, ref: pipe.ref, sha: pipe.sha,
    createdAt: pipe.createdAt, startedAt: started,
    finishedAt: finished && started !== null ? started + Math.round((duration ?? 0) * 1000) : null,
    duration, queuedDuration: ran ? (hash(SALT.jobQueue, hashIndex) % 60000) / 1000 : null,
    allowFailure: layout.name === 'security-scan', failureReason: status === 'failed' ? 'script_failure' : null,
    userId: pipe.userId, tagList: pos % 2 === 0 ? ['docker'] : ['docker', 'linux'],
    environment: isDeploy ? (layout.name === 'deploy-production' ? 'production' : 'staging') : null,
  };
}
