// The backfill's pure parts: the "unchanged" comparison, identifier sets, the window, the report.
import { describe, expect, it } from 'vitest';
import { IdSet } from '../../scripts/backfill/id-set.ts';
import { forEachLimited, Limiter } from '../../scripts/backfill/limiter.ts';
import { backfillExitCode, formatSummary, progressLines } from '../../scripts/backfill/report.ts';
import { sameAsPort } from '../../scripts/backfill/unchanged.ts';
import { inWindow, resolveWindow } from '../../scripts/backfill/window.ts';

describe('sameAsPort', () => {
  const stored = { identifier: '7', title: 'Fix CI', properties: { state: 'opened', labels: ['a', 'b'], createdAt: '2025-01-02T03:04:05.000Z', extra: 'set by a user' }, relations: { project: '3' } };

  it('is true when every field the write would send already holds the same value', () => {
    expect(sameAsPort({ identifier: '7', title: 'Fix CI', properties: { state: 'opened', labels: ['a', 'b'], createdAt: '2025-01-02T03:04:05Z', closedAt: null }, relations: { project: '3' } }, stored)).toBe(true);
  });

  it('is false when a value differs, an array changes order, a relation moves, or Port has no such entity', () => {
    expect(sameAsPort({ identifier: '7', title: 'Fix CI!', properties: {} }, stored)).toBe(false);
    expect(sameAsPort({ identifier: '7', properties: { labels: ['b', 'a'] } }, stored)).toBe(false);
    expect(sameAsPort({ identifier: '7', properties: { state: 'closed' } }, stored)).toBe(false);
    expect(sameAsPort({ identifier: '7', properties: { createdAt: '2025-01-02T03:04:06Z' } }, stored)).toBe(false);
    expect(sameAsPort({ identifier: '7', relations: { project: '4' } }, stored)).toBe(false);
    expect(sameAsPort({ identifier: '7', properties: { closedAt: '2025-01-02T03:04:05Z' } }, stored)).toBe(false);
    expect(sameAsPort({ identifier: '7' }, undefined)).toBe(false);
  });

  it('ignores a null title (it is not sent, so it cannot change anything)', () => {
    expect(sameAsPort({ identifier: '7', title: null, properties: { state: 'opened' } }, stored)).toBe(true);
  });
});

describe('IdSet', () => {
  it('keeps numeric and other identifiers apart without confusing "007" with "7"', () => {
    const s = new IdSet();
    for (const id of ['7', '42-v1.0', '007', '9007199254740993']) s.add(id);
    expect(s.has('7')).toBe(true);
    expect(s.has('007')).toBe(true);
    expect(s.has('07')).toBe(false);
    expect(s.has('42-v1.0')).toBe(true);
    expect(s.has('9007199254740993')).toBe(true);
    expect(s.has('9007199254740992')).toBe(false);
    expect(s.size).toBe(4);
  });
});

describe('window', () => {
  const now = Date.parse('2026-03-01T00:00:00Z');
  it('defaults to 90 days, null means everything, and bad values are refused', () => {
    expect(resolveWindow(undefined, now).since).toBe('2025-12-01T00:00:00.000Z');
    expect(resolveWindow(null, now).since).toBeNull();
    expect(() => resolveWindow(-1, now)).toThrow(/sinceDays/);
  });
  it('compares stored date-times with the window start', () => {
    const w = resolveWindow(10, now);
    expect(inWindow(w, '2026-02-25T00:00:00Z')).toBe(true);
    expect(inWindow(w, '2026-02-01T00:00:00Z')).toBe(false);
    expect(inWindow(w, null)).toBe(false);
    expect(inWindow({ since: null }, null)).toBe(true);
  });
});

describe('limiter', () => {
  it('never runs more than its size at once, and forEachLimited visits every item', async () => {
    const l = new Limiter(3);
    let active = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimited([...Array(20).keys()], 5, async (i) => {
      await l.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active--;
        seen.push(i);
      });
    });
    expect(peak).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(l.started).toBe(20);
  });

  it('measures how long all its slots were taken and how long a task took', async () => {
    let t = 0;
    const l = new Limiter(2, () => t);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const both = [l.run(() => gate), l.run(() => gate)];
    t = 10;
    release();
    await Promise.all(both);
    await l.run(async () => { t = 14; }); // one slot of two: not saturated
    t = 20;
    expect(l.usage()).toEqual({ slots: 2, started: 3, meanMs: 8, saturation: 0.5 });
  });
});


describe('report', () => {
  it('prints a per-kind table, failures with reasons and reconcile decisions', () => {
    const lines = formatSummary({
      ok: false, since: null, seconds: 3.2,
      kinds: {
        projects: { fetched: 10, written: 8, unchanged: 1, deleted: 0, failed: 1, complete: true, failures: [{ identifier: '12', reason: 'Port refused it: 422 invalid' }], reconcile: { status: 'refused', reason: '6 of 10 gitlabProject entities (60%) are gone from GitLab, more than the 50% deletion threshold; nothing deleted' } },
      },
    });
    expect(lines[0]).toBe('backfill in 3.2 s, window: everything');
    expect(lines).toContain('  projects             10           8          1        0       1  complete');
    expect(lines).toContain('    - 12: Port refused it: 422 invalid');
    expect(lines.some((l) => l.includes('projects reconcile (refused): 6 of 10'))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/FAILED/);
  });

  it('ends an interrupted run with the exit code it really has (130), and a failed one with 1', () => {
    const interrupted = formatSummary({ ok: false, interrupted: true, kinds: {} });
    expect(interrupted.at(-1)).toBe('backfill: INTERRUPTED; the exit code is 130 — run it again to complete the work');
    expect(backfillExitCode({ ok: false, interrupted: true })).toBe(130);
    expect(formatSummary({ ok: false, kinds: {} }).at(-1)).toBe('backfill: FAILED (see above); the exit code is 1');
    expect(backfillExitCode({ ok: false })).toBe(1);
    expect(backfillExitCode({ ok: true })).toBe(0);
  });

  it('names the API that set the pace, with the flag that gives it room, on runs long enough to tell', () => {
    const usage = { gitlab: { slots: 8, started: 500, meanMs: 21, saturation: 0.12 }, port: { slots: 5, started: 900, meanMs: 28.4, saturation: 0.92 } };
    const base = { ok: true, kinds: {}, usage };
    expect(formatSummary({ ...base, seconds: 60 })).toContain('  Port set the pace: its 5 request slots were all busy 92% of the run (28.4 ms a request); `port-gitlab backfill --port-concurrency 10` would allow more if your Port organisation\'s rate limit allows');
    expect(formatSummary({ ...base, seconds: 60 }).some((l) => l.includes('GitLab set the pace'))).toBe(false);
    expect(formatSummary({ ...base, seconds: 4 }).some((l) => l.includes('set the pace'))).toBe(false);
  });

  it('shows a bar and an ETA when GitLab announced the total', () => {
    const [line] = progressLines({ at: 10_000, kinds: [{ kind: 'projects', state: 'running', fetched: 50, written: 40, unchanged: 10, failed: 0, total: 100, startedAt: 0 }] }, 10);
    expect(line).toContain('[#####.....]');
    expect(line).toContain('50/100 fetched');
    expect(line).toContain('5/s ETA 0:10');
  });
});
