/**
 * Sizes and time span of the generated GitLab world. Presets: `small` (tiny, for fast tests), `medium`, and
 * `large` (>= 1,000 projects and >= 200,000 objects, for the backfill benchmark). A spec object
 * may override any size; `describeSeed` reports the resulting object counts.
 */
export type SeedSpec = {
  /** PRNG seed: same seed and sizes, same world. */
  seed: number;
  /** Path of the top-level group. */
  groupPath: string;
  /** Levels of subgroups below the top-level group (0 = no subgroups). */
  groupDepth: number;
  /** Subgroups per group. */
  groupFanout: number;
  /** Projects in the group tree (spread over all groups). */
  projects: number;
  /** Projects of another namespace shared into the top-level group (`with_shared`). */
  sharedProjects: number;
  /** Fraction of projects that are archived. */
  archivedFraction: number;
  /** Averages per project (each project gets between half and one and a half times the average). */
  mergeRequestsPerProject: number;
  issuesPerProject: number;
  pipelinesPerProject: number;
  /** Average jobs per pipeline (>= 1). */
  jobsPerPipeline: number;
  releasesPerProject: number;
  deploymentsPerProject: number;
  /** Direct members of each group. */
  membersPerGroup: number;
  /** Size of the user pool members and authors are drawn from. */
  users: number;
  /**
   * The generated history (MRs, issues, pipelines, jobs, releases, deployments) spans these epoch ms;
   * what the control API creates later is stamped by the clock. Fixed by default, so that a seed is
   * the same world whenever it runs; `recentHistory` puts it inside the backfill's window.
   */
  historyStart: number;
  historyEnd: number;
};

const DAY = 86_400_000;

/** A history of `days` days ending at the start of `now`'s UTC day: relative to now, the same all day. */
export function recentHistory(now: number, days: number): Pick<SeedSpec, 'historyStart' | 'historyEnd'> {
  const historyEnd = Math.floor(now / DAY) * DAY;
  return { historyStart: historyEnd - days * DAY, historyEnd };
}

export type SeedName = 'small' | 'medium' | 'large';

const BASE: SeedSpec = {
  seed: 42,
  groupPath: 'sandbox-org',
  groupDepth: 2,
  groupFanout: 2,
  projects: 6,
  sharedProjects: 1,
  archivedFraction: 0.1,
  mergeRequestsPerProject: 4,
  issuesPerProject: 4,
  pipelinesPerProject: 3,
  jobsPerPipeline: 3,
  releasesPerProject: 1,
  deploymentsPerProject: 2,
  membersPerGroup: 3,
  users: 12,
  historyStart: Date.UTC(2023, 0, 2, 9, 0, 0),
  historyEnd: Date.UTC(2025, 5, 1, 0, 0, 0),
};

export const SEED_PRESETS: Record<SeedName, SeedSpec> = {
  small: BASE,
  medium: {
    ...BASE, groupDepth: 3, groupFanout: 2, projects: 120, sharedProjects: 3, mergeRequestsPerProject: 20,
    issuesPerProject: 20, pipelinesPerProject: 15, jobsPerPipeline: 3, releasesPerProject: 3, deploymentsPerProject: 5,
    membersPerGroup: 5, users: 60,
  },
  large: {
    ...BASE, groupDepth: 3, groupFanout: 3, projects: 1200, sharedProjects: 10, mergeRequestsPerProject: 40,
    issuesPerProject: 40, pipelinesPerProject: 30, jobsPerPipeline: 3, releasesPerProject: 3, deploymentsPerProject: 5,
    membersPerGroup: 8, users: 400,
  },
};

const INT_LIMITS: Partial<Record<keyof SeedSpec, [number, number]>> = {
  groupDepth: [0, 6], groupFanout: [1, 10], projects: [1, 100_000], sharedProjects: [0, 1000],
  mergeRequestsPerProject: [0, 100_000], issuesPerProject: [0, 100_000], pipelinesPerProject: [0, 100_000],
  jobsPerPipeline: [1, 50], releasesPerProject: [0, 1000], deploymentsPerProject: [0, 100_000],
  membersPerGroup: [0, 1000], users: [1, 100_000],
};

/** Resolves a preset name or a (partial) spec object into a validated SeedSpec. */
export function resolveSeed(seed: SeedName | (Partial<SeedSpec> & { preset?: SeedName }) | undefined): SeedSpec {
  if (seed === undefined) return { ...SEED_PRESETS.small };
  if (typeof seed === 'string') {
    const preset = SEED_PRESETS[seed as SeedName];
    if (!preset) throw new Error(`unknown seed "${seed}": use small, medium, large or a spec object`);
    return { ...preset };
  }
  const { preset, ...rest } = seed;
  const base = preset ? SEED_PRESETS[preset] : SEED_PRESETS.small;
  if (!base) throw new Error(`unknown seed preset "${preset}": use small, medium or large`);
  const spec = { ...base, ...rest } as SeedSpec;
  for (const key of Object.keys(rest)) {
    if (!(key in BASE)) throw new Error(`unknown seed field "${key}"; known fields: ${Object.keys(BASE).join(', ')}`);
  }
  for (const [key, [min, max]] of Object.entries(INT_LIMITS) as [keyof SeedSpec, [number, number]][]) {
    const v = spec[key] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`seed.${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  for (const key of ['historyStart', 'historyEnd'] as const) {
    if (!Number.isSafeInteger(spec[key]) || spec[key] < 0) throw new Error(`seed.${key} must be a time in epoch milliseconds, got ${JSON.stringify(spec[key])}`);
  }
  if (spec.historyEnd - spec.historyStart < DAY) throw new Error(`seed.historyEnd must be at least a day after seed.historyStart (got ${new Date(spec.historyStart).toISOString()} … ${new Date(spec.historyEnd).toISOString()})`);
  if (!Number.isInteger(spec.seed)) throw new Error(`seed.seed must be an integer, got ${JSON.stringify(spec.seed)}`);
  if (!(spec.archivedFraction >= 0 && spec.archivedFraction <= 1)) throw new Error(`seed.archivedFraction must be between 0 and 1, got ${spec.archivedFraction}`);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(spec.groupPath)) throw new Error(`seed.groupPath "${spec.groupPath}" is not a valid GitLab group path`);
  return spec;
}
