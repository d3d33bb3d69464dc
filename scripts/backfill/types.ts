// The backfill's public shapes: what the installer and the `backfill` command pass in, and the
// summary they get back. The contract the installer codes against is `BackfillOptions` (required
// part) and `BackfillSummary`; everything else is optional and may grow.
import type { Bundle } from '../bundle/load.ts';
import type { BundleOptions } from '../bundle/render.ts';
import type { GitLabClient } from '../clients/gitlab/index.ts';
import type { PortClient } from '../clients/port/index.ts';
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import type { MappingResult } from '../mapping/types.ts';
import type { LimiterUsage } from './limiter.ts';
import type { CircuitBreakerOptions } from './circuit-breaker.ts';

/** The engine (synchronous) or the worker mapper (asynchronous): both map a page of REST objects. */
export interface BackfillMapper {
  evaluateBackfill(mappings: readonly BundleMapping[], inputs: readonly unknown[]): MappingResult[] | Promise<MappingResult[]>;
}

/** Parents before children: the order of template.json `parts.backfill`. */
export const BACKFILL_KINDS = ['groups', 'members', 'projects', 'mergeRequests', 'issues', 'pipelines', 'jobs', 'deployments', 'releases'] as const;
export type BackfillKind = (typeof BACKFILL_KINDS)[number];

export interface BackfillGroup {
  id: number;
  full_path: string;
}

export interface BackfillOptions {
  bundle: Bundle;
  port: PortClient;
  gitlab: GitLabClient;
  /** Top-level groups; their descendants are included. */
  groups: BackfillGroup[];
  /** Install options (e.g. `confidentialIssues`); default: template.json defaults. */
  options?: BundleOptions;
  /** List and compare, validate writes with Port (`validation_only`), delete nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Plain progress and summary lines (never secrets). */
  log?: (line: string) => void;

  // ---- optional knobs ------------------------------------------------------------------------
  /** Kinds to run (default all); parents are still listed (not written) when a child needs them. */
  kinds?: readonly BackfillKind[];
  /**
   * History window for merge requests, issues, pipelines and jobs: everything open plus what was
   * updated in the last N days. Default 90; `null` = everything.
   */
  sinceDays?: number | null;
  /**
   * Incremental (`sync`): merge requests, issues, pipelines (and their jobs) and deployments updated
   * at or after this ISO date-time only, instead of the history window; reconcile then deletes only
   * what that listing proves gone (see scripts/sync/). Releases have no `updated_after`: they are not
   * listed, only reconciled under projects that are gone (else Port refuses to delete the project).
   */
  updatedSince?: string;
  /**
   * Incremental only: find the projects with changed pipelines through GitLab's GraphQL API
   * (changed-pipelines.ts), and list only their pipelines (default true); false lists every project's.
   */
  graphqlPipelineScan?: boolean;
  /**
   * Read the deployments' environment tiers through GitLab's GraphQL API, many projects a request
   * (environment-tiers-graphql.ts; default true); false reads each project's environments list.
   */
  graphqlEnvironmentTiers?: boolean;
  /**
   * Incremental only: reconcile reads back every entity of ours, not only those that could be
   * stale (reconcile-candidates.ts). For the test that both decide the same.
   */
  reconcileReadsAll?: boolean;
  /** Concurrent GitLab requests (default 8). */
  gitlabConcurrency?: number;
  /** Concurrent Port requests (default 5, as Ocean). */
  portConcurrency?: number;
  /** Reconcile refuses to delete more than this share of our entities of a blueprint (default 0.5). */
  deletionThreshold?: number;
  /** false: never delete (default true). */
  reconcile?: boolean;
  /** Interval of plain progress lines through `log` (default 10 s; 0 = none). */
  progressIntervalMs?: number;
  /** Called with live counts (for a TTY progress display). */
  onProgress?: (progress: BackfillProgress) => void;
  /** Entities compared with Port per search request (default 100). */
  compareBatch?: number;
  /** Upper bound of entities buffered or in flight towards Port (default 2,000): memory stays flat. */
  maxPendingEntities?: number;
  /** Reuse a mapping engine (default: one is created for the run). Anything with `evaluateBackfill` will do. */
  engine?: BackfillMapper;
  /**
   * Map in a worker thread (default true; ignored with `engine`), so that jq does not stall the
   * requests in flight. The large benchmark: 3,558 entities/s with, 2,873 without; peak RSS
   * 224 vs 183 MB (README "Benchmarks").
   */
  mappingWorker?: boolean;
  /** "Now" for the window (default Date.now()). */
  now?: () => number;
  /** When Port keeps failing, the run stops (scripts/backfill/circuit-breaker.ts); tests tune it. */
  circuitBreaker?: Partial<CircuitBreakerOptions>;
}

/** Why a run stopped before the end: Port stopped answering (the circuit breaker tripped). */
export interface BackfillStop {
  /** The whole story in one sentence, as printed. */
  reason: string;
  /** When Port began failing (ISO 8601). */
  at: string;
  cause: string;
  /** Entities written (or validated, in a dry run) before the stop. */
  written: number;
}

export interface KindFailure {
  identifier?: string;
  reason: string;
}

export interface ReconcileReport {
  /** What reconcile did for this kind, in one sentence. */
  status: 'deleted' | 'nothing-stale' | 'skipped' | 'dry-run' | 'refused';
  reason: string;
  /** Entities of the blueprint that belong to this install (ownership.ts), as Port had them before deleting. */
  ours?: number;
  /** Incremental sync: the entities read back from Port, those that could be stale (reconcile-candidates.ts). */
  read?: number;
  /** Stale entities found (in GitLab no more). */
  stale?: number;
  /** Stale identifiers (at most 100 listed), e.g. what a dry run would delete. */
  staleIdentifiers?: string[];
  /** Stale entities Port refused to delete (another entity depends on them), with reasons. */
  kept?: KindFailure[];
}

export interface KindSummary {
  fetched: number;
  written: number;
  unchanged: number;
  deleted: number;
  failed: number;
  /** Listed completely (every page of every parent); only then is reconcile allowed. */
  complete: boolean;
  /** At most 100 kept; `failed` is the exact count. */
  failures: KindFailure[];
  /** Objects the mappings intentionally skip (e.g. confidential issues). */
  skipped?: number;
  reconcile?: ReconcileReport;
  blueprint?: string;
  seconds?: number;
}

export interface BackfillSummary {
  ok: boolean;
  kinds: Record<string, KindSummary>;
  dryRun?: boolean;
  interrupted?: boolean;
  /** Set when the run stopped because Port kept failing; nothing was deleted. */
  stopped?: BackfillStop;
  seconds?: number;
  /** Requests sent (for the benchmark): GitLab list pages, Port searches/bulks/deletes. */
  requests?: { gitlab: number; port: number };
  /** How busy each API's request slots were: which one held the run back (README "Backfill"). */
  usage?: { gitlab: LimiterUsage; port: LimiterUsage };
  /** `null` when the window was everything. */
  since?: string | null;
}

export interface KindProgress {
  kind: BackfillKind;
  state: 'waiting' | 'running' | 'done';
  fetched: number;
  written: number;
  unchanged: number;
  failed: number;
  /** Objects GitLab announced (x-total), when it did for every list; else undefined. */
  total?: number;
  startedAt?: number;
}

export interface BackfillProgress {
  at: number;
  kinds: KindProgress[];
}
