// install prints its backfill section in the backfill command's own format (formatSummary), so
// a person sees one table whichever command ran the backfill.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import { formatSummary } from '../../scripts/backfill/report.ts';
import type { BackfillSummary } from '../../scripts/backfill/types.ts';
import { FAST, captureIO, startSandboxes, type Sandboxes } from './helpers.ts';

/** The column header both commands print above the per-kind rows. */
const HEADER = /^\s*kind\s+fetched\s+written\s+unchanged\s+deleted\s+failed\s+listing$/m;

describe('the backfill section of the install summary', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes();
  });
  afterAll(async () => {
    await sb?.close();
  });

  test('is the backfill command\'s table, line for line, indented under the install\'s lines', async () => {
    const c = captureIO(sb.env);
    const r = await runInstallCommand([], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
    const backfill = r.summary!.backfill as BackfillSummary;
    const expected = formatSummary(backfill).map((l) => `  ${l}`);
    const out = c.out().split('\n');
    const start = out.indexOf(expected[0]!);
    expect(start, c.out()).toBeGreaterThan(0);
    expect(out.slice(start, start + expected.length)).toEqual(expected);
    expect(c.out()).toMatch(HEADER);
    expect(out).toContain('  backfill: ok');
    for (const kind of Object.keys(backfill.kinds)) expect(c.out()).toMatch(new RegExp(`^  {3}${kind}\\s+\\d+\\s+\\d+`, 'm'));

    // The backfill command prints the same columns (here: everything unchanged, nothing written).
    const b = captureIO(sb.env);
    const again = await runBackfillCommand([], { io: b.io, tuning: FAST });
    expect(again.exitCode, b.err()).toBe(0);
    expect(b.out()).toMatch(HEADER);
    expect(formatSummary(again.summary!).join('\n') + '\n').toBe(b.out());
  });

  test('a skipped backfill says so in one line', async () => {
    const c = captureIO(sb.env);
    const r = await runInstallCommand(['--skip-backfill'], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
    expect(c.out()).toContain('  backfill: skipped (--skip-backfill)');
    expect(c.out()).not.toMatch(HEADER);
  });
});
