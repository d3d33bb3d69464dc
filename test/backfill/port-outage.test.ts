// The backfill when Port dies mid-run (issue 12 §4): the circuit breaker stops the run within a
// bounded number of failures, GitLab is barely read after Port went away, nothing is deleted, the
// summary (and --json) says what happened, and a re-run once Port is back converges. Isolated
// failures and 429 bursts do not stop it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { DEFAULT_CIRCUIT_BREAKER } from '../../scripts/backfill/circuit-breaker.ts';
import { DEFAULT_PORT_CONCURRENCY, type BackfillSummary } from '../../scripts/backfill/run.ts';
import { runBackfillCommand } from '../../scripts/commands/backfill.ts';
import type { CommandIO } from '../../scripts/install/io.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';
import { gitlabTruth, startSandboxes, type Sandboxes } from './helpers.ts';
import { expectPortMatchesGitLab, SEED, totals } from './expect-port.ts';

// ~1,300 entities: enough Port writes and GitLab pages for an outage in the middle of the run.
const WORLD = { ...SEED, projects: 24, mergeRequestsPerProject: 12, issuesPerProject: 12, pipelinesPerProject: 3, jobsPerPipeline: 4 };
const BULK = 'POST /v1/blueprints/:blueprint/entities/bulk';
/** Entities in one bulk upsert (Port's maximum). */
const PER_REQUEST = 20;
/** At most this many entities can fail before the breaker trips: its streak plus what was in flight, a full bulk each. */
const MAX_FAILED = (DEFAULT_CIRCUIT_BREAKER.maxConsecutiveFailures + DEFAULT_PORT_CONCURRENCY) * PER_REQUEST;
/** Several backfills of the world each, on a shared 2-core machine. */
const SLOW = 120_000;

let sb: Sandboxes | undefined;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  await sb?.close();
  sb = undefined;
  for (const c of cleanup.splice(0).reverse()) await c();
});

function gitlabRequests(s: Sandboxes): number {
  return Object.values(s.gitlab.requestCounts()).reduce((n, c) => n + c, 0);
}

function expectStoppedByPort(run: BackfillSummary, cause: RegExp): void {
  expect(run.ok).toBe(false);
  expect(run.interrupted).toBeUndefined();
  expect(run.stopped).toBeDefined();
  const { reason, at, written } = run.stopped!;
  expect(reason).toBe(`Port stopped answering at ${at}: ${run.stopped!.cause}; ${written} entities written before; a re-run resumes where this one stopped (unchanged entities are skipped)`);
  expect(run.stopped!.cause).toMatch(cause);
  expect(written).toBe(totals(run, 'written'));
  expect(written).toBeGreaterThan(0);
  // Reconcile did not run: nothing deleted, every kind says why.
  expect(totals(run, 'deleted')).toBe(0);
  for (const k of Object.values(run.kinds)) expect(k.reconcile).toEqual({ status: 'skipped', reason: 'the run stopped: Port stopped answering' });
  expect(totals(run, 'failed')).toBeLessThanOrEqual(MAX_FAILED);
}

describe('backfill when Port stops answering', () => {
  it('Port goes away mid-run: stops within a bounded number of failures, reads little more from GitLab; a re-run after Port is back converges', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backfill-outage-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const stateFile = join(dir, 'port.json');
    sb = await startSandboxes({ gitlab: { seed: WORLD }, port: { stateFile } });
    const s = sb;
    const truth = await gitlabTruth(s.gitlabClient, s.gitlab.groupId);
    const entities = truth.groups.length + truth.projects.length + truth.mergeRequests.length + truth.issues.length + truth.pipelines.length + truth.jobs.length;
    const gitlabBefore = gitlabRequests(s);

    // The Port server shuts down (connections refused from then on) as the 8th bulk write is sent.
    let bulks = 0;
    let gitlabAtDeath: number | undefined;
    const dying = new (class extends PortClient {
      override async upsertEntities(...args: Parameters<PortClient['upsertEntities']>) {
        if (++bulks === 8) {
          gitlabAtDeath = gitlabRequests(s);
          await s.port.close();
        }
        return super.upsertEntities(...args);
      }
    })({ clientId: s.port.clientId, clientSecret: s.port.clientSecret, baseUrl: s.port.url, retry: { baseDelayMs: 5, maxDelayMs: 20 } });

    const lines: string[] = [];
    const cut = await s.backfill({ port: dying, log: (l) => lines.push(l) });
    expect(gitlabAtDeath).toBeDefined();
    expectStoppedByPort(cut, /ECONNREFUSED/);
    expect(lines.filter((l) => l.startsWith('backfill: Port stopped answering at '))).toHaveLength(1);
    // Without the breaker every remaining entity failed; with it, a few bulks' worth.
    expect(totals(cut, 'failed')).toBeGreaterThan(0);
    expect(totals(cut, 'written') + totals(cut, 'failed')).toBeLessThan(entities / 2);
    const afterDeath = gitlabRequests(s) - gitlabAtDeath!;
    const cutTotal = gitlabRequests(s) - gitlabBefore;

    // Port is back, with what it had stored; the re-run completes and converges.
    const back: LocalPort = await startLocalPort({ port: Number(new URL(s.port.url).port), stateFile, rateLimit: false });
    cleanup.push(() => back.close());
    s.port = back;
    const before = gitlabRequests(s);
    const next = await s.backfill();
    const full = gitlabRequests(s) - before;
    expect(next.ok).toBe(true);
    expect(next.stopped).toBeUndefined();
    expect(totals(next, 'unchanged')).toBeGreaterThan(0);
    await expectPortMatchesGitLab(s, truth);

    // GitLab after Port went away: at most what the GitLab slots (8) had in flight, a few times over.
    expect(afterDeath).toBeLessThanOrEqual(24);
    expect(afterDeath).toBeLessThan(full / 4);
    expect(cutTotal).toBeLessThan(full);
  }, SLOW);

  it('Port answering 503 to everything mid-run: `port-gitlab backfill` exits 1 saying it stopped and why (text and --json); once Port recovers a re-run exits 0', async () => {
    sb = await startSandboxes({ gitlab: { seed: WORLD } });
    const s = sb;
    const env = {
      PORT_CLIENT_ID: s.port.clientId, PORT_CLIENT_SECRET: s.port.clientSecret, PORT_API_URL: s.port.url,
      GITLAB_URL: s.gitlab.url, GITLAB_TOKEN: s.gitlab.token, GITLAB_GROUPS: s.gitlab.group,
    };
    const tuning = { gitlab: { rateLimits: { '**': 1_000_000 } }, port: { retry: { baseDelayMs: 5, maxDelayMs: 20 } } };
    // Port starts failing every request once it has taken a few more bulk writes.
    const failAfter = (writes: number) => {
      const start = s.port.requestCounts()[BULK] ?? 0;
      const timer = setInterval(() => {
        if ((s.port.requestCounts()[BULK] ?? 0) - start < writes) return;
        s.port.faults.configure({ errorRate: 1, errorStatus: 503 });
        clearInterval(timer);
      }, 1);
      cleanup.push(() => clearInterval(timer));
    };
    const run = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const io: CommandIO = { env, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false, prompt: async () => '' };
      // The shared engine: no mapping worker to start for each of the three runs.
      const r = await runBackfillCommand(['--since-days', 'all', ...args], { io, tuning, extra: { engine: s.engine } });
      return { ...r, out: out.join(''), err: err.join('') };
    };

    failAfter(5);
    const text = await run([]);
    expect(text.exitCode).toBe(1);
    expectStoppedByPort(text.summary!, /^HTTP 503 internal_error: Injected fault: HTTP 503 \(after 6 attempts\)$/);
    expect(text.err).toMatch(/^backfill: Port stopped answering at \S+ \(\d+ requests failed in a row\): HTTP 503/m);
    expect(text.err).toMatch(/^backfill — STOPPED: Port stopped answering in [\d.]+ s/m);
    expect(text.err).toContain(`  stopped: ${text.summary!.stopped!.reason}\n`);

    s.port.faults.clear();
    failAfter(5);
    const json = await run(['--json']);
    expect(json.exitCode).toBe(1);
    const summary = JSON.parse(json.out) as BackfillSummary;
    expectStoppedByPort(summary, /HTTP 503/);
    expect(summary.stopped!.reason).toMatch(/^Port stopped answering at /);
    // The second run resumed: what the first had written was unchanged.
    expect(totals(summary, 'unchanged')).toBeGreaterThan(0);

    s.port.faults.clear();
    const again = await run([]);
    expect(again.exitCode).toBe(0);
    expect(again.summary!.stopped).toBeUndefined();
    await expectPortMatchesGitLab(s);
  }, SLOW);

  it('does not stop for isolated failures or 429 bursts: the failed entities are reported, the rest is written and reconciled', async () => {
    // Two attempts per request only, so that some Port requests do fail after the client's retries.
    sb = await startSandboxes({ gitlab: { seed: WORLD }, portClient: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } } });
    sb.port.faults.configure({ errorRate: 0.3, errorStatus: 502, throttleBurst: { every: 40, length: 3, retryAfterSeconds: 0 }, seed: 3 });
    const run = await sb.backfill();
    expect(run.stopped).toBeUndefined();
    expect(sb.port.faults.stats.errors).toBeGreaterThan(10);
    expect(sb.port.faults.stats.throttled).toBeGreaterThan(2);
    // Some requests failed twice: their entities are reported, and the run went on to the end.
    expect(totals(run, 'failed')).toBeGreaterThan(0);
    expect(Object.values(run.kinds).every((k) => k.complete)).toBe(true);
    expect(Object.values(run.kinds).some((k) => k.reconcile?.status === 'nothing-stale' || k.reconcile?.status === 'deleted')).toBe(true);

    sb.port.faults.clear();
    const next = await sb.backfill();
    expect(next.ok).toBe(true);
    await expectPortMatchesGitLab(sb);
  }, SLOW);
});
