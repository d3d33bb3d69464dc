// The backfill under failure: 429 with Retry-After and 5xx bursts on both APIs, Port's token
// expiring mid-run, an entity Port rejects, and an interrupted run that the next run completes.
import { afterEach, describe, expect, it } from 'vitest';
import { GitLabClient, type GitLabRequest } from '../../scripts/clients/gitlab/index.ts';
import type { GitLabRetryEvent } from '../../scripts/clients/gitlab/index.ts';
import type { RetryEvent } from '../../scripts/clients/port/index.ts';
import { gitlabTruth, startSandboxes, type Sandboxes } from './helpers.ts';
import { expectPortMatchesGitLab, SEED, totals } from './expect-port.ts';

const MEDIUM = { ...SEED, projects: 30 };

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('backfill under faults', () => {
  it('loses nothing to 429s with Retry-After and 5xx bursts on both APIs, and honours Retry-After', async () => {
    const glRetries: GitLabRetryEvent[] = [];
    const portRetries: RetryEvent[] = [];
    sb = await startSandboxes({
      gitlab: { seed: MEDIUM },
      gitlabClient: { onRetry: (e) => glRetries.push(e) },
      portClient: { onRetry: (e) => portRetries.push(e) },
    });
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    sb.gitlab.faults.configure({ throttleBurst: { every: 40, length: 3, retryAfterSeconds: 1 }, errorRate: 0.08, errorStatus: 502, seed: 7 });
    sb.port.faults.configure({ throttleBurst: { every: 25, length: 2, retryAfterSeconds: 1 }, errorRate: 0.08, errorStatus: 503, seed: 9 });
    sb.gitlab.faults.failNext(3, 500); // a burst of 5xx on the very first requests
    sb.port.faults.failNext(3, 500);

    const run = await sb.backfill();
    expect(run.ok).toBe(true);
    expect(totals(run, 'failed')).toBe(0);
    expect(sb.gitlab.faults.stats.throttled).toBeGreaterThan(0);
    expect(sb.gitlab.faults.stats.errors).toBeGreaterThan(3);
    expect(sb.port.faults.stats.throttled).toBeGreaterThan(0);
    expect(sb.port.faults.stats.errors).toBeGreaterThan(3);
    // Every 429 waited exactly what the server asked for.
    expect(glRetries.filter((e) => e.status === 429).length).toBeGreaterThan(0);
    expect(glRetries.filter((e) => e.status === 429).every((e) => e.waitMs === 1000)).toBe(true);
    expect(portRetries.filter((e) => e.status === 429).length).toBeGreaterThan(0);
    expect(portRetries.filter((e) => e.status === 429).every((e) => e.waitMs === 1000)).toBe(true);
    sb.gitlab.faults.clear();
    sb.port.faults.clear();
    await expectPortMatchesGitLab(sb, truth);
  });

  it('carries on when Port\'s access token expires mid-run', async () => {
    // The local Port's clock jumps 4 hours after a while: every token issued before is expired.
    let calls = 0;
    const now = () => Date.now() + (++calls > 400 ? 4 * 3600_000 : 0);
    sb = await startSandboxes({ gitlab: { seed: MEDIUM }, port: { now, tokenLifetimeSeconds: 3 * 3600 } });
    const tokensBefore = sb.port.requestCounts()['POST /v1/auth/access_token'] ?? 0;
    const run = await sb.backfill();
    expect(calls).toBeGreaterThan(400);
    expect(run.ok).toBe(true);
    expect(sb.port.requestCounts()['POST /v1/auth/access_token']).toBeGreaterThan(tokensBefore);
    await expectPortMatchesGitLab(sb);
  });

  it('reports an entity Port rejects, and writes the rest', async () => {
    sb = await startSandboxes();
    // Port's blueprint now only allows open issues: closed ones are refused (207, per index).
    const bp = (await sb.portClient.getBlueprint('gitlabIssue'))!;
    const state = bp.schema.properties.state!;
    await sb.portClient.patchBlueprint('gitlabIssue', { schema: { ...bp.schema, properties: { ...bp.schema.properties, state: { ...state, enum: ['opened'], enumColors: { opened: state.enumColors!.opened! } } } } });
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    const publicIssues = truth.issues.filter((i) => !i.confidential);
    const closed = publicIssues.filter((i) => i.state === 'closed').map((i) => String(i.id)).sort();
    expect(closed.length).toBeGreaterThan(0);

    const run = await sb.backfill();
    expect(run.ok).toBe(false);
    expect(run.kinds.issues!.failed).toBe(closed.length);
    expect(run.kinds.issues!.written).toBe(publicIssues.length - closed.length);
    expect(run.kinds.issues!.failures.map((f) => f.identifier).sort()).toEqual(closed);
    expect(run.kinds.issues!.failures[0]!.reason).toMatch(/Port refused it: 422/);
    expect(run.kinds.issues!.complete).toBe(true);
    expect(sb.port.entities('gitlabIssue').map((e) => e.identifier).sort()).toEqual(publicIssues.filter((i) => i.state === 'opened').map((i) => String(i.id)).sort());
    // Every other kind landed in full.
    for (const [kind, k] of Object.entries(run.kinds)) if (kind !== 'issues') expect([kind, k.failed, k.written]).toEqual([kind, 0, k.fetched - (k.skipped ?? 0)]);
  });

  it('leaves a consistent Port when interrupted, and the next run completes the work', async () => {
    sb = await startSandboxes({ gitlab: { seed: MEDIUM } });
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    const abort = new AbortController();
    // A GitLab client that "receives Ctrl-C" after its 60th request.
    let requests = 0;
    const base = sb.gitlabClient;
    const interrupting = new (class extends GitLabClient {
      override request<T>(req: GitLabRequest) {
        if (++requests === 60) abort.abort(new Error('SIGINT'));
        return super.request<T>(req);
      }
    })({ host: sb.gitlab.url, token: sb.gitlab.token, rateLimits: { '**': 1_000_000 } });
    void base;

    const cut = await sb.backfill({ gitlab: interrupting, signal: abort.signal });
    expect(cut.interrupted).toBe(true);
    expect(cut.ok).toBe(false);
    expect(Object.values(cut.kinds).every((k) => k.deleted === 0 && k.reconcile?.status === 'skipped')).toBe(true);
    const partial = totals(cut, 'written');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(truth.jobs.length + truth.mergeRequests.length + truth.issues.length);

    const next = await sb.backfill();
    expect(next.ok).toBe(true);
    expect(next.interrupted).toBeUndefined();
    expect(totals(next, 'written')).toBeGreaterThan(0);
    await expectPortMatchesGitLab(sb, truth);
  });
});
