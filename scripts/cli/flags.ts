// Flags several commands share, defined once so that every command that has one spells and
// documents it the same way (a job passes the same flags to install, backfill, a future sync),
// and the pairs of flags a command refuses together.
import type { ParseArgsConfig } from 'node:util';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

export const SHARED_FLAGS = {
  json: { json: { type: 'boolean' } },
  dryRun: { 'dry-run': { type: 'boolean' } },
  /** Commands that never ask accept it too, so one set of flags works for all of them. */
  yes: { yes: { type: 'boolean', short: 'y' } },
} as const satisfies Record<string, FlagOptions>;

/** Two flags that contradict each other: giving both is refused, with why. */
export interface FlagConflict {
  flags: readonly [string, string];
  why: string;
}

/** One sentence per conflicting pair given on the command line. */
export function conflictProblems(values: Record<string, unknown>, conflicts: readonly FlagConflict[]): string[] {
  const given = (flag: string) => values[flag] !== undefined && values[flag] !== false;
  return conflicts
    .filter((c) => given(c.flags[0]) && given(c.flags[1]))
    .map((c) => `--${c.flags[0]} and --${c.flags[1]} cannot be used together: ${c.why}`);
}
