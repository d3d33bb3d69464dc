// The history window: everything open plus what was updated in the last N days, and a reconcile
// that does not mistake older entities for deleted ones.
import { afterEach, describe, expect, it } from 'vitest';
import { byId, gitlabTruth, startSandboxes, type Sandboxes } from './helpers.ts';
import { SEED, totals } from './expect-port.ts';

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('history window', () => {
  // The generated world ends on 2025-06-01; "now" is set a little later.
  const now = () => Date.parse('2025-06-10T00:00:00Z');

  it('reads everything open plus what was updated in the window, and reconcile leaves older entities alone', async () => {
    sb = await startSandboxes({ gitlab: { seed: { ...SEED, projects: 40, pipelinesPerProject: 4 } } });
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    const since = Date.parse('2025-06-10T00:00:00Z') - 60 * 86_400_000;
    const recent = (x: Record<string, any>) => Date.parse(x.updated_at) >= since;
    const wantMrs = truth.mergeRequests.filter((m) => m.state === 'opened' || recent(m)).map((m) => String(m.id)).sort();
    const wantPipes = truth.pipelines.filter(recent).map((p) => String(p.id)).sort();
    const wantJobs = truth.jobs.filter((j) => wantPipes.includes(String(j.pipeline.id))).map((j) => String(j.id)).sort();
    expect(wantMrs.length).toBeGreaterThan(0);
    expect(wantMrs.length).toBeLessThan(truth.mergeRequests.length);
    expect(wantPipes.length).toBeLessThan(truth.pipelines.length);

    const windowed = await sb.backfill({ sinceDays: 60, now });
    expect(windowed.ok).toBe(true);
    expect(windowed.since).toBe(new Date(since).toISOString());
    expect([...byId(sb.port, 'gitlabMergeRequest').keys()].sort()).toEqual(wantMrs);
    expect([...byId(sb.port, 'gitlabPipeline').keys()].sort()).toEqual(wantPipes);
    expect([...byId(sb.port, 'gitlabJob').keys()].sort()).toEqual(wantJobs);
    expect(sb.port.entities('gitlabIssue').every((i) => i.properties.state === 'opened' || Date.parse(String(i.properties.updatedAt)) >= since)).toBe(true);

    // A full run first, then a windowed one: older entities are not "gone", nothing is deleted.
    const full = await sb.backfill();
    expect(full.ok).toBe(true);
    const count = sb.port.entities('gitlabMergeRequest').length;
    expect(count).toBe(truth.mergeRequests.length);
    const again = await sb.backfill({ sinceDays: 60, now });
    expect(totals(again, 'deleted')).toBe(0);
    expect(totals(again, 'written')).toBe(0);
    expect(sb.port.entities('gitlabMergeRequest').length).toBe(count);
  });
});
