// The sync's decisions on their own: which mode, from when, and which stored watermarks are sound.
import { describe, expect, test } from 'vitest';
import { planSync } from '../../scripts/sync/plan.ts';
import { parseWatermark, WATERMARK_FORMAT } from '../../scripts/sync/watermark.ts';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const stored = (last: number, full: number, extra: Record<string, unknown> = {}) => ({ identifier: 'gl-0123456789ab', properties: { lastSyncStartedAt: iso(last), lastFullSyncStartedAt: iso(full), formatVersion: WATERMARK_FORMAT, ...extra } });
const opts = { forceFull: false, fullAfterHours: 24, overlapMinutes: 15, nowMs: NOW };

describe('parseWatermark', () => {
  test('a sound watermark', () => {
    expect(parseWatermark(stored(NOW - H, NOW - 2 * H), NOW)).toEqual({ status: 'ok', watermark: { lastSyncStartedAt: iso(NOW - H), lastFullSyncStartedAt: iso(NOW - 2 * H) } });
  });
  test('missing, and each way of being corrupt', () => {
    expect(parseWatermark(null, NOW).status).toBe('missing');
    expect(parseWatermark({ identifier: 'x', properties: {} }, NOW)).toMatchObject({ status: 'corrupt', problem: 'format version null, expected 1' });
    expect(parseWatermark(stored(NOW, NOW, { lastSyncStartedAt: 'yesterday' }), NOW)).toMatchObject({ status: 'corrupt', problem: 'lastSyncStartedAt is "yesterday", not a date-time' });
    expect(parseWatermark(stored(NOW + 10 * 60_000, NOW), NOW)).toMatchObject({ status: 'corrupt' });
    expect(parseWatermark(stored(NOW - 2 * H, NOW - H), NOW)).toMatchObject({ status: 'corrupt', problem: 'the last full sync is newer than the last sync' });
  });
  test('a few minutes ahead is clock skew between runners, not corruption', () => {
    expect(parseWatermark(stored(NOW + 60_000, NOW - H), NOW).status).toBe('ok');
  });
});

describe('planSync', () => {
  const ok = (last: number, full: number) => parseWatermark(stored(last, full), NOW);
  test('incremental from the last sync minus the overlap', () => {
    expect(planSync(ok(NOW - H, NOW - 5 * H), opts)).toMatchObject({ mode: 'incremental', updatedSince: iso(NOW - H - 15 * 60_000) });
    expect(planSync(ok(NOW - H, NOW - 5 * H), { ...opts, overlapMinutes: 0 }).updatedSince).toBe(iso(NOW - H));
  });
  test('full: asked for, no or a bad watermark, or the last full one too old', () => {
    expect(planSync(ok(NOW - H, NOW - 5 * H), { ...opts, forceFull: true })).toMatchObject({ mode: 'full', reason: 'a full sync was asked for (--full)' });
    expect(planSync(parseWatermark(null, NOW), opts)).toMatchObject({ mode: 'full' });
    expect(planSync({ status: 'unreadable', problem: 'could not read the watermark from Port: 503' }, opts).reason).toContain('could not read the watermark');
    expect(planSync(ok(NOW - H, NOW - 24 * H), opts)).toMatchObject({ mode: 'full' });
    expect(planSync(ok(NOW - H, NOW - 23.9 * H), opts)).toMatchObject({ mode: 'incremental' });
    expect(planSync(ok(NOW - H, NOW - 2 * H), { ...opts, fullAfterHours: 1 })).toMatchObject({ mode: 'full' });
  });
});
