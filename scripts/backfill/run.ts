// `runBackfill`: every existing GitLab object of the listed groups into Port, then reconcile.
// Phases, parents first: groups (and their direct members) → projects → in parallel: group-level
// merge requests and issues, and per project pipelines → jobs → deployments → releases. Each page
// is mapped (in the mapping worker; pages queued while it is busy share one jq call) and handed to
// the writer as it arrives; only identifiers (and each project's id, path and URL, for its own
// lists) are kept across pages, so memory does not grow with the objects.
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import { backfillFields, defaultOptions, renderBackfillMappings } from '../bundle/render.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';
import type { QueryParams } from '../clients/gitlab/index.ts';
import { coalescingMapper } from '../mapping/coalescing-mapper.ts';
import type { MappedEntity } from '../mapping/types.ts';
import { IdSet } from './id-set.ts';
import { createBackfillEngine, startBackfillMapper } from './mapper.ts';
import { PortCircuitBreaker, type CircuitTrip } from './circuit-breaker.ts';
import { forEachLimited, Limiter } from './limiter.ts';
import { withEnvironmentTiers } from './environment-tiers.ts';
import { EnvironmentTierBatches } from './environment-tiers-graphql.ts';
import { listPages, type ListOptions } from './list-pages.ts';
import { ownedQuery, ownedScope } from './ownership.ts';
import { reconcile, type ReconcileKind } from './reconcile.ts';
import { candidateRules } from './reconcile-candidates.ts';
import { startProgressTimers } from './progress-timers.ts';
import { staleRule, type StaleContext } from './stale-rules.ts';
import { scanChangedPipelines, type PipelineActivity } from './changed-pipelines.ts';
import { KindStats } from './stats.ts';
import { BACKFILL_KINDS, type BackfillKind, type BackfillMapper, type BackfillOptions, type BackfillStop, type BackfillSummary, type ReconcileReport } from './types.ts';
import { slimmer, type Slimmer } from './slim.ts';
import { resolveWindow, type HistoryWindow } from './window.ts';
import { describe, EntityWriter } from './writer.ts';

export * from './types.ts';

export const DEFAULT_GITLAB_CONCURRENCY = 8;
export const DEFAULT_PORT_CONCURRENCY = 5;
export const DEFAULT_DELETION_THRESHOLD = 0.5;

/** Kinds listed per project, in this order (children after parents). */
const PER_PROJECT_KINDS: readonly BackfillKind[] = ['pipelines', 'jobs', 'deployments', 'releases'];

type Obj = Record<string, unknown>;

/** What the per-group kinds need of a group (the mapping reads `.parent.id`). */
function slimGroup(g: Obj): Obj {
  return { id: g.id, name: g.name, path: g.path, full_path: g.full_path, web_url: g.web_url, parent_id: g.parent_id };
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillSummary> {
  // Whatever maps, pages queued while it is busy are mapped together (see coalescing-mapper.ts).
  const run = (engine: BackfillMapper) => new BackfillRun(options, coalescingMapper((m, i) => engine.evaluateBackfill(m, i))).run();
  if (options.engine) return run(options.engine);
  if (options.mappingWorker === false) return run(await createBackfillEngine());
  const mapper = await startBackfillMapper();
  try {
    return await run(mapper);
  } finally {
    await mapper.close();
  }
}

class BackfillRun {
  private readonly kinds: Set<BackfillKind>;
  private readonly stats = new Map<BackfillKind, KindStats>();
  private readonly mappings = new Map<BackfillKind, BundleMapping[]>();
  /** Per kind: what of the object and of its parent jq is handed (the file's `fields`). */
  private readonly slim = new Map<BackfillKind, { object: Slimmer; parent: Slimmer }>();
  /** Identifiers listed in GitLab this run, per blueprint. */
  private readonly seen = new Map<string, IdSet>();
  /** Blueprints whose seen-set is complete for relation checks (their listing finished without error). */
  private readonly authoritative = new Set<string>();
  /** blueprint → relation id → target blueprint. */
  private readonly relationTargets = new Map<string, Map<string, string>>();
  private readonly gl: Limiter;
  private readonly portLimiter: Limiter;
  private readonly writer: EntityWriter;
  private readonly window: HistoryWindow;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly gitlab: GitLabClient;
  private groups: Obj[] = [];
  private topGroups: Obj[] = [];
  private projectsComplete = false;
  /** Incremental: which projects have changed pipelines (changed-pipelines.ts), when GraphQL could tell. */
  private activity: PipelineActivity | undefined;
  /** Deployments' environment tiers through GraphQL, many projects a request (environment-tiers-graphql.ts). */
  private tierBatches: EnvironmentTierBatches | undefined;
  /** Every project listed by phaseProjects, as the per-project lists need it (`projectAsParent`). */
  private readonly projects: Obj[] = [];
  /** What the per-project kinds read of their parent project (their `fields.parent`), plus id and path. */
  private readonly projectAsParent: Slimmer;
  /** Aborted by the caller's signal (interrupted) or by the circuit breaker (Port stopped answering). */
  private readonly stop = new AbortController();
  private readonly breaker: PortCircuitBreaker;
  private readonly onOuterAbort = () => this.stop.abort(this.o.signal?.reason);

  constructor(private readonly o: BackfillOptions, private readonly engine: BackfillMapper) {
    const unknown = (o.kinds ?? []).filter((k) => !BACKFILL_KINDS.includes(k));
    if (unknown.length) throw new Error(`unknown backfill kind(s) ${unknown.join(', ')}; use: ${BACKFILL_KINDS.join(', ')}`);
    if (!o.groups.length) throw new Error('no GitLab group to backfill: give at least one top-level group');
    this.kinds = new Set(o.kinds?.length ? o.kinds : BACKFILL_KINDS);
    this.now = o.now ?? Date.now;
    this.window = o.updatedSince !== undefined ? { since: o.updatedSince } : resolveWindow(o.sinceDays, this.now());
    this.log = o.log ?? (() => undefined);
    this.gitlab = o.gitlab;
    const installOptions = { ...defaultOptions(o.bundle), ...(o.options ?? {}) };
    for (const kind of BACKFILL_KINDS) {
      const mappings = renderBackfillMappings(o.bundle, kind, installOptions);
      this.mappings.set(kind, mappings);
      const fields = backfillFields(o.bundle, kind);
      this.slim.set(kind, { object: slimmer(fields.object), parent: slimmer(fields.parent) });
      this.stats.set(kind, new KindStats(kind, mappings[0]?.blueprint ?? kind));
    }
    const parentFields = PER_PROJECT_KINDS.map((k) => backfillFields(o.bundle, k).parent);
    this.projectAsParent = slimmer(parentFields.some((f) => f === undefined) ? undefined : ['id', 'path_with_namespace', ...new Set(parentFields.flatMap((f) => f ?? []))]);
    for (const b of o.bundle.blueprints) {
      this.relationTargets.set(b.content.identifier, new Map(Object.entries(b.content.relations ?? {}).map(([rid, r]) => [rid, r.target])));
    }
    this.gl = new Limiter(o.gitlabConcurrency ?? DEFAULT_GITLAB_CONCURRENCY);
    this.portLimiter = new Limiter(o.portConcurrency ?? DEFAULT_PORT_CONCURRENCY);
    this.breaker = new PortCircuitBreaker(o.circuitBreaker, (trip) => this.tripped(trip));
    if (o.signal?.aborted) this.onOuterAbort();
    else o.signal?.addEventListener('abort', this.onOuterAbort, { once: true });
    this.writer = new EntityWriter({
      port: o.port,
      limiter: this.portLimiter,
      dryRun: o.dryRun === true,
      compareBatch: o.compareBatch ?? 100,
      maxPending: o.maxPendingEntities ?? 2000,
      signal: this.stop.signal,
      breaker: this.breaker,
    });
  }

  private st(kind: BackfillKind): KindStats {
    return this.stats.get(kind)!;
  }

  private seenOf(blueprint: string): IdSet {
    let s = this.seen.get(blueprint);
    if (!s) this.seen.set(blueprint, (s = new IdSet()));
    return s;
  }

  private get aborted(): boolean {
    return this.stop.signal.aborted;
  }

  private src() {
    return { gitlab: this.gitlab, limiter: this.gl, signal: this.stop.signal };
  }

  /** Port keeps failing: stop listing GitLab and cancel what is queued (the writer sees the signal). */
  private tripped(trip: CircuitTrip): void {
    this.log(`backfill: Port stopped answering at ${trip.at} (${trip.failures} requests failed in a row): ${trip.cause}; stopping the run`);
    this.stop.abort(new Error(`Port stopped answering: ${trip.cause}`));
  }

  /** The summary's `stopped`, when the breaker tripped. */
  private stopReport(kinds: BackfillSummary['kinds']): BackfillStop | undefined {
    const trip = this.breaker.tripped;
    if (!trip) return undefined;
    const written = Object.values(kinds).reduce((n, k) => n + k.written, 0);
    return {
      reason: `Port stopped answering at ${trip.at}: ${trip.cause}; ${written} entities ${this.o.dryRun ? 'validated' : 'written'} before; a re-run resumes where this one stopped (unchanged entities are skipped)`,
      at: trip.at, cause: trip.cause, written,
    };
  }

  async run(): Promise<BackfillSummary> {
    const started = this.now();
    const stopProgress = startProgressTimers([...this.stats.values()].filter((s) => this.kinds.has(s.kind)), this.o, this.now);
    try {
      const needGroups = this.any('groups', 'members', 'projects');
      const needProjects = this.any('projects', 'mergeRequests', 'issues', 'pipelines', 'jobs', 'deployments', 'releases');
      if (needGroups || needProjects) await this.phaseGroups(needGroups);
      if (this.kinds.has('members')) await this.phaseMembers();
      await this.writer.flush();
      if (needProjects) await this.phaseProjects();
      await this.writer.flush();
      await Promise.all([
        this.phaseGroupList('mergeRequests'),
        this.phaseGroupList('issues'),
        this.phasePerProject(),
      ]);
      await this.writer.flush();
      for (const s of this.stats.values()) if (s.state === 'running') s.finish(this.now());
      const reports = await this.reconcile();
      const kinds: BackfillSummary['kinds'] = {};
      for (const kind of BACKFILL_KINDS) {
        if (!this.kinds.has(kind)) continue;
        const s = this.st(kind);
        const summary = s.summary();
        const report = reports.get(s);
        if (report) summary.reconcile = report;
        kinds[kind] = summary;
      }
      const anyFailed = Object.values(kinds).some((k) => k.failed > 0 || !k.complete);
      const stopped = this.stopReport(kinds);
      return {
        ok: !anyFailed && !this.aborted,
        kinds,
        ...(this.o.dryRun ? { dryRun: true } : {}),
        ...(this.o.signal?.aborted ? { interrupted: true } : {}),
        ...(stopped ? { stopped } : {}),
        seconds: Math.round((this.now() - started) / 100) / 10,
        requests: { gitlab: this.gl.started, port: this.portLimiter.started },
        usage: { gitlab: this.gl.usage(), port: this.portLimiter.usage() },
        since: this.window.since,
      };
    } finally {
      stopProgress();
      this.o.signal?.removeEventListener('abort', this.onOuterAbort);
    }
  }

  private any(...kinds: BackfillKind[]): boolean {
    return kinds.some((k) => this.kinds.has(k));
  }

  // ---- mapping and writing ---------------------------------------------------------------------

  /** Maps one page (one jq call) and queues the entities; marks every identifier as seen. */
  private async ingest(kind: BackfillKind, objects: Obj[], parent: Obj, alsoKnown?: ReadonlySet<string>): Promise<void> {
    if (!objects.length || this.aborted) return;
    const s = this.st(kind);
    s.fetched += objects.length;
    const mappings = this.mappings.get(kind)!;
    const gitlab = { url: this.gitlab.host };
    const slim = this.slim.get(kind)!;
    const slimParent = slim.parent(parent);
    const results = await this.engine.evaluateBackfill(mappings, objects.map((o) => ({ object: slim.object(o), parent: slimParent, gitlab })));
    const byBlueprint = new Map<string, MappedEntity[]>();
    results.forEach((r, i) => {
      const upserts = r.actions.filter((a) => a.action === 'upsert');
      if (!upserts.length) {
        if (r.problems.length) s.fail(`mapping failed: ${r.problems.map((p) => `${p.field ?? ''} ${p.message}`.trim()).join('; ')}`, `${kind} ${String(objects[i]!.id ?? i)}`);
        else s.skipped++;
        return;
      }
      for (const a of upserts) {
        this.seenOf(a.blueprint).add(a.entity.identifier);
        let list = byBlueprint.get(a.blueprint);
        if (!list) byBlueprint.set(a.blueprint, (list = []));
        list.push(this.checkedRelations(a.blueprint, a.entity, alsoKnown));
      }
    });
    for (const [blueprint, entities] of byBlueprint) await this.writer.add(blueprint, s, entities);
  }

  /**
   * Drops relation values that point at an entity GitLab did not list in this run (a deployment
   * of a job outside the window, a group's parent outside the listed groups): Port would create
   * an empty placeholder for it. A merge upsert keeps whatever relation Port already has.
   */
  private checkedRelations(blueprint: string, entity: MappedEntity, alsoKnown?: ReadonlySet<string>): MappedEntity {
    const relations = entity.relations;
    if (!relations) return entity;
    const targets = this.relationTargets.get(blueprint);
    let out: Record<string, unknown> | undefined;
    for (const [rid, value] of Object.entries(relations)) {
      const target = targets?.get(rid);
      if (!target || !(this.authoritative.has(target) || alsoKnown?.has(target)) || value === null || value === undefined) continue;
      const seen = this.seenOf(target);
      if (Array.isArray(value)) {
        const kept = value.filter((v) => seen.has(String(v)));
        if (kept.length !== value.length) (out ??= { ...relations })[rid] = kept;
      } else if (!seen.has(String(value))) {
        out ??= { ...relations };
        delete out[rid];
      }
    }
    return out ? { ...entity, relations: out } : entity;
  }

  /** Reads a whole list into `ingest`; a failure marks the kind incomplete (no reconcile) and is reported. */
  private async list(
    kind: BackfillKind, what: string, path: string, params: QueryParams, parent: Obj,
    opts: ListOptions & {
      /** Which listed objects to write. */
      filter?: (o: Obj) => boolean;
      write?: boolean;
      /** Sees every raw page; returning true ends the list after this page (counted complete). */
      onPage?: (page: Obj[]) => boolean | void;
      /** Blueprints whose seen-set is complete for this list's relations. */
      alsoKnown?: ReadonlySet<string>;
      /** Completes a page's objects with what the list leaves out (another GitLab read) before mapping. */
      complete?: (page: Obj[]) => Promise<Obj[]>;
    } = {},
  ): Promise<boolean> {
    const s = this.st(kind);
    const write = opts.write ?? this.kinds.has(kind);
    try {
      for await (const page of listPages<Obj>(this.src(), path, params, { ...opts, onTotal: write ? (t) => s.announce(t) : undefined })) {
        if (this.aborted) break;
        const stop = opts.onPage?.(page);
        if (write) {
          const kept = opts.filter ? page.filter(opts.filter) : page;
          await this.ingest(kind, opts.complete ? await opts.complete(kept) : kept, parent, opts.alsoKnown);
        }
        if (stop === true) break;
      }
      if (this.aborted) {
        s.complete = false;
        return false;
      }
      return true;
    } catch (err) {
      if (this.aborted) {
        s.complete = false;
        return false;
      }
      s.incomplete(`could not list ${what}: ${describe(err)}`);
      return false;
    }
  }

  // ---- phases ----------------------------------------------------------------------------------

  private async phaseGroups(write: boolean): Promise<void> {
    const s = this.st('groups');
    const writeGroups = write && this.kinds.has('groups');
    if (writeGroups) s.start(this.now());
    let complete = true;
    for (const g of this.o.groups) {
      if (this.aborted) break;
      let top: Obj | null;
      try {
        top = (await this.gl.run(() => this.gitlab.group(g.id))) as Obj | null;
      } catch (err) {
        complete = false;
        s.incomplete(`could not read group ${g.full_path} (${g.id}): ${describe(err)}`);
        continue;
      }
      if (!top) {
        complete = false;
        s.incomplete(`group ${g.full_path} (${g.id}) was not found or the token cannot see it`);
        continue;
      }
      const topSlim = slimGroup(top);
      this.topGroups.push(topSlim);
      this.groups.push(topSlim);
      if (writeGroups) await this.ingest('groups', [top], top);
      else this.seenOf(s.blueprint).add(String(top.id));
      const ok = await this.list('groups', `the subgroups of ${g.full_path}`, `groups/${g.id}/descendant_groups`, { order_by: 'id', sort: 'asc' }, topSlim, {
        write: writeGroups,
        onPage: (page) => {
          for (const d of page) {
            this.groups.push(slimGroup(d));
            if (!writeGroups) this.seenOf(s.blueprint).add(String(d.id));
          }
        },
      });
      complete &&= ok;
    }
    if (complete && !this.aborted) this.authoritative.add(s.blueprint);
    if (writeGroups) s.finish(this.now());
  }

  private async phaseMembers(): Promise<void> {
    const s = this.st('members');
    s.start(this.now());
    await forEachLimited(this.groups, this.gl.size, async (g) => {
      await this.list('members', `the members of group ${String(g.full_path)}`, `groups/${String(g.id)}/members`, {}, g);
    }, this.stop.signal);
    if (!this.st('groups').complete) s.complete = false;
    s.finish(this.now());
  }

  private async phaseProjects(): Promise<void> {
    const s = this.st('projects');
    const write = this.kinds.has('projects');
    if (write) s.start(this.now());
    let complete = this.topGroups.length === this.o.groups.length;
    for (const top of this.topGroups) {
      if (this.aborted) break;
      const ok = await this.list('projects', `the projects of ${String(top.full_path)}`, `groups/${String(top.id)}/projects`,
        { include_subgroups: true, with_shared: false, order_by: 'id', sort: 'asc' }, top, {
          parallel: this.gl.size,
          write,
          onPage: (page) => {
            for (const p of page) {
              // What the per-project lists need, kept so that they do not list the projects again.
              this.projects.push(this.projectAsParent(p));
              if (!write) this.seenOf(s.blueprint).add(String(p.id));
            }
          },
        });
      complete &&= ok;
    }
    if (!complete) s.complete = false;
    this.projectsComplete = complete && !this.aborted;
    if (this.projectsComplete) this.authoritative.add(s.blueprint);
    if (write) s.finish(this.now());
  }

  /** Group-level merge requests or issues: everything open, plus everything else updated in the window. */
  private async phaseGroupList(kind: 'mergeRequests' | 'issues'): Promise<void> {
    if (!this.kinds.has(kind)) return;
    const s = this.st(kind);
    s.start(this.now());
    const endpoint = kind === 'mergeRequests' ? 'merge_requests' : 'issues';
    // non_archived=false: archived projects are in Port (marked), so are their MRs and issues.
    const base: QueryParams = { scope: 'all', non_archived: false, order_by: 'created_at', sort: 'asc' };
    if (s.complete && this.topGroups.length < this.o.groups.length) s.complete = false;
    for (const top of this.topGroups) {
      const path = `groups/${String(top.id)}/${endpoint}`;
      const name = `the ${kind === 'mergeRequests' ? 'merge requests' : 'issues'} of ${String(top.full_path)}`;
      if (this.o.updatedSince !== undefined) {
        // Incremental: whatever changed, in any state (issues: no state = all).
        const changed = { ...base, ...(kind === 'mergeRequests' ? { state: 'all' } : {}), updated_after: this.o.updatedSince };
        await this.list(kind, `updated ${name}`, path, changed, top, { parallel: this.gl.size });
        continue;
      }
      if (this.window.since === null) {
        await this.list(kind, name, path, kind === 'mergeRequests' ? { ...base, state: 'all' } : base, top, { parallel: this.gl.size });
        continue;
      }
      await this.list(kind, `open ${name}`, path, { ...base, state: 'opened' }, top, { parallel: this.gl.size });
      // The rest of the window; open ones were read above.
      const rest = kind === 'mergeRequests' ? { ...base, state: 'all', updated_after: this.window.since } : { ...base, state: 'closed', updated_after: this.window.since };
      await this.list(kind, `recently updated ${name}`, path, rest, top, { parallel: this.gl.size, filter: (o) => o.state !== 'opened' });
    }
    s.finish(this.now());
  }

  /** Pipelines → jobs → deployments → releases, per project, several projects at once. */
  private async phasePerProject(): Promise<void> {
    const perProject = PER_PROJECT_KINDS;
    if (!perProject.some((k) => this.kinds.has(k))) return;
    for (const k of perProject) if (this.kinds.has(k)) this.st(k).start(this.now());
    if (!this.projectsComplete) {
      for (const k of perProject) if (this.kinds.has(k)) this.st(k).incomplete('the project list was incomplete (see projects); only the projects listed were read');
    }
    if (this.o.updatedSince !== undefined && this.any('pipelines', 'jobs', 'deployments') && this.o.graphqlPipelineScan !== false) this.activity = await this.pipelineActivity(this.o.updatedSince);
    if (this.kinds.has('deployments') && this.o.graphqlEnvironmentTiers !== false) {
      this.tierBatches = new EnvironmentTierBatches({ gitlab: this.gitlab, run: (r) => this.gl.run(r), src: () => this.src(), signal: this.stop.signal, log: this.log });
    }
    try {
      // A project's lists are read one after the other (children after parents); projects in parallel.
      await forEachLimited(this.projects, this.gl.size, (p) => this.oneProject(p), this.stop.signal);
    } catch (err) {
      for (const k of perProject) if (this.kinds.has(k)) this.st(k).incomplete(describe(err));
    }
    // The deployments still waiting for their tiers' batch.
    await this.tierBatches?.drain();
    if (this.aborted) for (const k of perProject) this.st(k).complete = false;
    for (const k of perProject) if (this.kinds.has(k)) this.st(k).finish(this.now());
  }

  /** Incremental: the projects with pipelines updated since `since`, by GraphQL; undefined when it failed (then REST, per project). */
  private async pipelineActivity(since: string): Promise<PipelineActivity | undefined> {
    const activity: PipelineActivity = { scanned: new Set(), changed: new Set() };
    try {
      for (const top of this.topGroups) await scanChangedPipelines(this.gitlab, String(top.full_path), since, (r) => this.gl.run(r), activity, this.stop.signal);
      return activity;
    } catch (err) {
      if (!this.aborted) this.log(`backfill: could not ask GitLab's GraphQL API which projects have changed pipelines (${describe(err)}); listing every project's pipelines instead`);
      return undefined;
    }
  }

  private async oneProject(p: Obj): Promise<void> {
    const id = String(p.id);
    const name = `project ${String(p.path_with_namespace ?? id)}`;
    const since = this.window.since;
    const pipelineIds = new Set<number>();
    let oldestPipeline = Infinity;
    let pipelinesOk = true;
    // Incremental: GraphQL saw this project without a pipeline updated in the window; its REST list would be empty.
    const quiet = this.activity !== undefined && this.activity.scanned.has(Number(p.id)) && !this.activity.changed.has(Number(p.id));
    if (this.any('pipelines', 'jobs') && !quiet) {
      pipelinesOk = await this.list('pipelines', `the pipelines of ${name}`, `projects/${id}/pipelines`, since ? { updated_after: since } : {}, p, {
        onPage: (page) => {
          for (const pipe of page) {
            pipelineIds.add(Number(pipe.id));
            const t = Date.parse(String(pipe.created_at));
            if (Number.isFinite(t)) oldestPipeline = Math.min(oldestPipeline, t);
            if (!this.kinds.has('pipelines')) this.seenOf(this.st('pipelines').blueprint).add(String(pipe.id));
          }
        },
      });
    }
    let jobsOk = false;
    if (this.kinds.has('jobs')) {
      if (!pipelinesOk) this.st('jobs').incomplete(`skipped the jobs of ${name}: its pipelines could not be listed`);
      else if (pipelineIds.size === 0) jobsOk = true;
      else {
        // Jobs of the listed pipelines only (child pipelines and pipelines outside the window are
        // not in Port). Newest first: once a page reaches a job older than the oldest listed
        // pipeline, no later job can belong to a listed pipeline.
        jobsOk = await this.list('jobs', `the jobs of ${name}`, `projects/${id}/jobs`, { pagination: 'keyset', order_by: 'id', sort: 'desc' }, p, {
          filter: (j) => pipelineIds.has(Number((j.pipeline as Obj | undefined)?.id)),
          onPage: (page) => {
            const last = page[page.length - 1];
            return last !== undefined && Date.parse(String(last.created_at)) < oldestPipeline;
          },
        });
      }
    }
    // A deployment's job relation is kept only for jobs listed above (else Port would create an empty job).
    const known = jobsOk ? new Set([this.st('jobs').blueprint]) : undefined;
    // GitLab pairs the updated_at filter with updated_at order (DeploymentsFinder); ids otherwise.
    const deployments = this.o.updatedSince !== undefined ? { order_by: 'updated_at', sort: 'asc', updated_after: this.o.updatedSince } : { order_by: 'id', sort: 'asc' };
    if (this.kinds.has('deployments')) {
      // Each deployment's environment tier: held for a GraphQL batch of projects
      // (environment-tiers-graphql.ts), else from the project's environments list (environment-tiers.ts).
      const held = this.tierBatches?.project(id, String(p.path_with_namespace));
      const tiers = new Map<string, Map<number, string>>();
      await this.list('deployments', `the deployments of ${name}`, `projects/${id}/deployments`, deployments, p, { alsoKnown: known, complete: (page) => (held ? held.page(page) : withEnvironmentTiers(this.src(), id, page, tiers)) });
      await held?.end((objs) => this.ingest('deployments', objs, p, known), (err) => this.st('deployments').incomplete(`could not read the environment tiers of the deployments of ${name}: ${describe(err)}`));
    }
    // Incremental: GitLab's releases API has no updated_after; they are reconciled only under a project that is gone.
    if (this.kinds.has('releases') && this.o.updatedSince === undefined) await this.list('releases', `the releases of ${name}`, `projects/${id}/releases`, {}, p);
  }

  // ---- reconcile -------------------------------------------------------------------------------

  private async reconcile() {
    const approved = new Map<string, Set<string>>();
    if (this.o.reconcile === false) {
      const out = new Map<KindStats, ReconcileReport>();
      for (const k of this.kinds) out.set(this.st(k), { status: 'skipped', reason: 'reconcile is off' });
      return out;
    }
    // Ownership (ownership.ts) by the top-level groups as GitLab answered them (their web_url gives the URL root).
    const scope = this.topGroups.length ? ownedScope(this.gitlab.host, this.topGroups as unknown as Array<{ id: number; full_path: string; web_url?: string }>) : null;
    const incremental = this.o.updatedSince !== undefined;
    const stale: StaleContext = {
      seen: (bp) => this.seenOf(bp), window: this.window, incremental, projectsComplete: this.projectsComplete,
      projectBlueprint: this.st('projects').blueprint, pipelineBlueprint: this.st('pipelines').blueprint, approved,
    };
    const kinds: ReconcileKind[] = [];
    for (const kind of BACKFILL_KINDS) {
      if (!this.kinds.has(kind)) continue;
      const s = this.st(kind);
      const blocked = this.breaker.tripped ? 'the run stopped: Port stopped answering' : this.aborted ? 'the run was interrupted' : !s.complete || !scope ? 'the listing was incomplete (see failures); nothing is deleted until a run lists everything' : undefined;
      const isStale = staleRule(kind, s.blueprint, stale);
      kinds.push({ stats: s, blocked, isStale, emptyBeforeRun: await this.writer.wasEmptyBeforeWriting(s.blueprint), ...(incremental && this.o.reconcileReadsAll !== true ? { candidates: () => this.candidates(kind, approved) } : {}) });
    }
    return reconcile(kinds, approved, {
      port: this.o.port,
      limiter: this.portLimiter,
      dryRun: this.o.dryRun === true,
      threshold: this.o.deletionThreshold ?? DEFAULT_DELETION_THRESHOLD,
      ours: (bp) => ownedQuery(this.o.bundle.blueprints.map((b) => b.content), bp, scope!),
      log: this.log,
    });
  }

  /** Incremental: the searches that select what this kind's stale rule could find (reconcile-candidates.ts). */
  private candidates(kind: BackfillKind, approved: Map<string, Set<string>>) {
    const bp = this.st(kind).blueprint;
    const projectBp = this.st('projects').blueprint;
    const pipelineBp = this.st('pipelines').blueprint;
    const relationTo = (target: string) => [...(this.relationTargets.get(bp) ?? [])].find(([, t]) => t === target)?.[0];
    const schema = this.o.bundle.blueprints.find((b) => b.content.identifier === bp)?.content.schema.properties ?? {};
    return candidateRules(kind, {
      since: this.o.updatedSince!,
      // GitLab's clock may run ahead of this machine's; a year covers any skew.
      until: new Date(this.now() + 365 * 86_400_000).toISOString(),
      properties: new Set(Object.keys(schema)),
      projectRelation: relationTo(projectBp),
      goneProjects: [...(approved.get(projectBp) ?? [])],
      pipelineRelation: relationTo(pipelineBp),
      pipelines: [...this.seenOf(pipelineBp), ...(approved.get(pipelineBp) ?? [])],
    });
  }
}
