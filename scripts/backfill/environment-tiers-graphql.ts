// Environment tiers through GitLab's GraphQL API, for many projects a request, instead of one
// REST environments list per project (environment-tiers.ts). GitLab resolves
// `Project.environments` for one project a request (FieldCallCount, limit 1), so the batch asks
// `Project.environment(name:)` (no such limit) for the names the project's deployments give:
//   p0: project(fullPath: $p0) { e0: environment(name: $n0_0) { id tier } … } …
// A project's deployment pages are held until its list ends, then handed to the batch and the
// worker goes on (the backfill keeps its GitLab requests in flight); a batch is sent when the next
// project would push it over the complexity budget, and the rest when the per-project phase ends.
// `Environment.tier` is GitLab's DeploymentTier enum (PRODUCTION …; GitLab 15.4+), lower-cased as
// REST and the Deployment Hook give it. Whatever GraphQL cannot answer goes through REST, as before:
// a project it did not show or an environment it did not find (that project), a project naming
// many environments (REST pages 100 of them), and any failed request (that batch, then the rest
// of the run: an error, no GraphQL, a GitLab without `tier`).
import { graphqlQuery } from '../clients/gitlab/graphql.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';
import { applyTiers, withEnvironmentTiers } from './environment-tiers.ts';
import type { ListSource } from './list-pages.ts';

type Obj = Record<string, unknown>;

/**
 * Complexity budget of one request: GitLab refuses more than 250 for a token (200 anonymous); the
 * anonymous limit leaves a margin. A project costs 1 (`project`, a resolver field: children + 1)
 * plus 3 per environment name (`environment`, a resolver field: `id` + `tier` + 1).
 */
export const TIER_QUERY_BUDGET = 200;
export const projectCost = (names: number) => 1 + 3 * names;
/** A project whose deployments name more environments is read through REST (100 a page). */
export const MAX_NAMES_PER_PROJECT = 20;
/** Deployments held for one project before its tiers are read through REST at once (memory bound). */
export const MAX_HELD_PER_PROJECT = 2_000;
/** Deployments held across projects before a finished project waits for a batch to be sent. */
const MAX_HELD = 20_000;

export interface TierBatchOptions {
  gitlab: GitLabClient;
  /** Wraps each GraphQL request (the backfill's GitLab limiter). */
  run: <T>(request: () => Promise<T>) => Promise<T>;
  /** The REST fallback's list source. */
  src: () => ListSource;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Default MAX_HELD_PER_PROJECT (tests lower it). */
  maxHeldPerProject?: number;
}

interface Entry {
  projectId: string;
  path: string;
  names: string[];
  deployments: Obj[];
  /** Maps and writes the completed deployments. */
  ingest: (deployments: Obj[]) => Promise<void>;
  /** Their tiers could not be read: nothing of them is written (the kind becomes incomplete). */
  failed: (err: unknown) => void;
}

/** `gid://gitlab/Environment/42` → 42. */
function environmentId(gid: unknown): number | undefined {
  const m = typeof gid === 'string' ? /^gid:\/\/gitlab\/Environment\/(\d+)$/.exec(gid) : null;
  return m ? Number(m[1]) : undefined;
}

/** The query for some projects' environment names, and its variables. */
export function tierQuery(entries: ReadonlyArray<{ path: string; names: readonly string[] }>): { query: string; variables: Record<string, string> } {
  const defs: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, string> = {};
  entries.forEach((e, i) => {
    defs.push(`$p${i}: ID!`);
    variables[`p${i}`] = e.path;
    const envs = e.names.map((n, j) => {
      defs.push(`$n${i}_${j}: String`);
      variables[`n${i}_${j}`] = n;
      return `e${j}: environment(name: $n${i}_${j}) { id tier }`;
    });
    fields.push(`p${i}: project(fullPath: $p${i}) { ${envs.join(' ')} }`);
  });
  return { query: `query EnvironmentTiers(${defs.join(', ')}) {\n  ${fields.join('\n  ')}\n}`, variables };
}

export class EnvironmentTierBatches {
  private pending: Entry[] = [];
  private pendingCost = 0;
  private held = 0;
  private readonly inflight = new Set<Promise<void>>();
  /** Why GraphQL is no longer asked in this run (every project then goes through REST). */
  private disabled: string | undefined;
  /** GraphQL requests sent, projects answered by GraphQL, projects read through REST. */
  readonly counts = { requests: 0, graphql: 0, rest: 0 };

  constructor(readonly options: TierBatchOptions) {}

  /** One project's deployments: hold its pages (`page`), then hand them over (`end`). */
  project(projectId: string, path: string): ProjectDeployments {
    return new ProjectDeployments(this, projectId, path);
  }

  /** Sends what is pending and waits for every batch: call when no project will be added. */
  async drain(): Promise<void> {
    this.send();
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  /** @internal A finished project's held deployments. */
  async add(e: Entry): Promise<void> {
    if (!e.deployments.length) return;
    if (this.disabled !== undefined || e.names.length > MAX_NAMES_PER_PROJECT) return this.rest(e);
    const cost = projectCost(e.names.length);
    if (this.pending.length && this.pendingCost + cost > TIER_QUERY_BUDGET) this.send();
    this.pending.push(e);
    this.pendingCost += cost;
    this.held += e.deployments.length;
    if (this.pendingCost >= TIER_QUERY_BUDGET) this.send();
    // Memory bound: wait for batches in flight while too many deployments are held.
    while (this.held > MAX_HELD && this.inflight.size) await Promise.race([...this.inflight]);
  }

  /** @internal One project's tiers through REST (GET /projects/:id/environments), as before. */
  async rest(e: Entry): Promise<void> {
    this.counts.rest++;
    let completed: Obj[];
    try {
      completed = await withEnvironmentTiers(this.options.src(), e.projectId, e.deployments, new Map());
    } catch (err) {
      if (!this.options.signal?.aborted) e.failed(err);
      return;
    }
    try {
      await e.ingest(completed);
    } catch (err) {
      e.failed(err);
    }
  }

  private send(): void {
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingCost = 0;
    const p: Promise<void> = this.request(batch).finally(() => {
      this.held -= batch.reduce((n, e) => n + e.deployments.length, 0);
      this.inflight.delete(p);
    });
    this.inflight.add(p);
  }

  private async request(batch: Entry[]): Promise<void> {
    if (this.options.signal?.aborted) return;
    let data: Record<string, Obj | null> | undefined;
    if (this.disabled === undefined) {
      const { query, variables } = tierQuery(batch);
      try {
        this.counts.requests++;
        data = await this.options.run(() => graphqlQuery<Record<string, Obj | null>>(this.options.gitlab, query, variables, this.options.signal));
      } catch (err) {
        if (this.options.signal?.aborted) return;
        this.disabled ??= err instanceof Error ? err.message : String(err);
        this.options.log?.(`backfill: could not read environment tiers through GitLab's GraphQL API (${this.disabled}); reading each project's environments list instead`);
      }
    }
    for (const [i, e] of batch.entries()) {
      if (this.options.signal?.aborted) return;
      const tiers = data ? this.answered(data[`p${i}`], e.names) : undefined;
      if (!tiers) {
        await this.rest(e);
        continue;
      }
      this.counts.graphql++;
      try {
        await e.ingest(applyTiers(e.deployments, tiers));
      } catch (err) {
        e.failed(err);
      }
    }
  }

  /** Environment id → tier from one project's answer; undefined when it is not a full answer. */
  private answered(project: Obj | null | undefined, names: readonly string[]): Map<number, string> | undefined {
    if (!project) return undefined;
    const tiers = new Map<number, string>();
    for (let j = 0; j < names.length; j++) {
      const env = project[`e${j}`] as Obj | null | undefined;
      const id = env ? environmentId(env.id) : undefined;
      if (id === undefined) return undefined;
      if (typeof env!.tier === 'string') tiers.set(id, env!.tier.toLowerCase());
    }
    return tiers;
  }
}

/** One project's deployments between its list and its batch. */
export class ProjectDeployments {
  private held: Obj[] = [];
  private readonly names = new Set<string>();
  /** Set once over MAX_HELD_PER_PROJECT: this project's tiers come from REST, read once; pages are completed as they come. */
  private rest: Map<string, Map<number, string>> | undefined;

  constructor(private readonly batches: EnvironmentTierBatches, private readonly projectId: string, private readonly path: string) {}

  /** What of this page to write now: nothing while held; everything once the project went to REST. */
  async page(page: Obj[]): Promise<Obj[]> {
    if (this.rest) return withEnvironmentTiers(this.batches.options.src(), this.projectId, page, this.rest);
    for (const d of page) {
      const name = (d.environment as Obj | null | undefined)?.name;
      if (typeof name === 'string') this.names.add(name);
    }
    this.held.push(...page);
    if (this.held.length <= (this.batches.options.maxHeldPerProject ?? MAX_HELD_PER_PROJECT)) return [];
    this.rest = new Map();
    const all = this.held;
    this.held = [];
    this.batches.counts.rest++;
    return withEnvironmentTiers(this.batches.options.src(), this.projectId, all, this.rest);
  }

  /** Hands the held deployments to the batch; waits only when too many are held across projects. */
  end(ingest: (deployments: Obj[]) => Promise<void>, failed: (err: unknown) => void): Promise<void> {
    const deployments = this.held;
    this.held = [];
    return this.batches.add({ projectId: this.projectId, path: this.path, names: [...this.names], deployments, ingest, failed });
  }
}
