// Ctrl-C on the real CLI: `port-gitlab backfill` spawned as a user runs it, against sandbox
// servers in this process (latency on both APIs, so the run is still going when the signal
// lands). SIGINT once Port holds some entities: exit 130, every entity in Port whole (valid for
// its blueprint and equal to what an uninterrupted run writes), and the next run completes the work.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { PACKAGE_ROOT } from '../../scripts/bundle/paths.ts';
import { renderBlueprints } from '../../scripts/bundle/render.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { checkEntity } from '../../scripts/port/entity-check.ts';
import { startLocalGitLab, type LocalGitLab } from '../../scripts/sandbox/gitlab/index.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';
import type { StoredEntity } from '../../scripts/sandbox/port/store.ts';
import { createBlueprintsInOrder } from '../../scripts/install/blueprint-apply.ts';

const BIN = join(PACKAGE_ROOT, 'scripts/bin/port-gitlab.js');
const bundle = loadBundle();
const BLUEPRINTS = renderBlueprints(bundle);
/** Enough objects (~1,000 entities) that, with latency, the run lasts well past the first writes. */
const SEED = { preset: 'small' as const, groupDepth: 2, groupFanout: 2, projects: 30, mergeRequestsPerProject: 6, issuesPerProject: 6, pipelinesPerProject: 3, jobsPerPipeline: 3, membersPerGroup: 2 };
const LATENCY_MS = 40;

type Run = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Spawns `port-gitlab backfill` against the sandboxes; `whileRunning` may signal the child. */
function backfill(env: Record<string, string>, whileRunning?: (child: ReturnType<typeof spawn>) => Promise<void>): Promise<Run> {
  // Only what the CLI needs: no credentials of the machine running the tests leak in.
  const child = spawn(process.execPath, [BIN, 'backfill', '--since-days', 'all'], {
    cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise<Run>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return (async () => {
    try {
      await whileRunning?.(child);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return exited;
  })();
}

const total = (port: LocalPort) => BLUEPRINTS.reduce((n, b) => n + port.entities(b.identifier).length, 0);
const counts = (port: LocalPort) => Object.fromEntries(BLUEPRINTS.map((b) => [b.identifier, port.entities(b.identifier).length]));
/** What an entity holds, without Port's bookkeeping (timestamps, writer). */
const content = (e: StoredEntity) => ({ identifier: e.identifier, title: e.title, icon: e.icon, team: e.team, properties: e.properties, relations: e.relations });

describe('port-gitlab backfill interrupted with SIGINT', () => {
  let gitlab: LocalGitLab;
  let port: LocalPort;
  let reference: LocalPort;
  const envFor = (p: LocalPort) => ({
    PORT_CLIENT_ID: p.clientId, PORT_CLIENT_SECRET: p.clientSecret, PORT_API_URL: p.url,
    GITLAB_URL: gitlab.url, GITLAB_TOKEN: gitlab.token, GITLAB_GROUPS: gitlab.group,
  });

  beforeAll(async () => {
    gitlab = await startLocalGitLab({ seed: SEED, rateLimit: false });
    port = await startLocalPort({ rateLimit: false });
    reference = await startLocalPort({ rateLimit: false });
    for (const p of [port, reference]) {
      const client = new PortClient({ clientId: p.clientId, clientSecret: p.clientSecret, baseUrl: p.url });
      await createBlueprintsInOrder(client, BLUEPRINTS);
    }
  });
  afterAll(async () => {
    await Promise.allSettled([gitlab?.close(), port?.close(), reference?.close()]);
  });

  test('exits 130 leaving only whole entities; the next run completes the work', async () => {
    // The uninterrupted run, into a Port of its own: what a complete backfill holds.
    const full = await backfill(envFor(reference));
    expect(full.code, full.stderr).toBe(0);
    const expected = counts(reference);
    expect(total(reference)).toBeGreaterThan(500);

    // The same backfill, slowed down, interrupted once Port holds some of it.
    gitlab.faults.configure({ latencyMs: LATENCY_MS });
    port.faults.configure({ latencyMs: LATENCY_MS });
    let atSignal = 0;
    const cut = await backfill(envFor(port), async (child) => {
      // Bounded: 60 s of 50 ms polls at most (the first writes come after ~2 s of start-up).
      for (let i = 0; i < 1200 && total(port) < 40; i++) {
        if (child.exitCode !== null) throw new Error(`the backfill ended before it was interrupted (exit ${child.exitCode})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      atSignal = total(port);
      expect(atSignal).toBeGreaterThanOrEqual(40);
      child.kill('SIGINT');
    });
    expect(cut.signal).toBeNull();
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stderr).toContain('backfill: interrupting');
    expect(cut.stderr).toContain('INTERRUPTED, run it again to complete');
    // The last line names the exit code the run really has.
    expect(cut.stderr.trim().split('\n').at(-1)).toMatch(/the exit code is 130/);
    const written = total(port);
    expect(written).toBeGreaterThanOrEqual(atSignal);
    expect(written).toBeLessThan(total(reference));

    // Nothing half-written: each entity is valid for its blueprint (required properties and
    // relations included) and holds exactly what the uninterrupted run wrote for it.
    for (const b of BLUEPRINTS) {
      const want = new Map(reference.entities(b.identifier).map((e) => [e.identifier, content(e)]));
      for (const e of port.entities(b.identifier)) {
        expect(checkEntity(content(e), b), `${b.identifier}/${e.identifier}`).toEqual([]);
        expect(content(e), `${b.identifier}/${e.identifier}`).toEqual(want.get(e.identifier));
      }
    }

    // The next run (at full speed) completes the work: the same entities as the uninterrupted run.
    gitlab.faults.configure({});
    port.faults.configure({});
    const next = await backfill(envFor(port));
    expect(next.code, next.stderr).toBe(0);
    expect(counts(port)).toEqual(expected);
    for (const b of BLUEPRINTS) {
      const want = reference.entities(b.identifier).map(content).sort((x, y) => x.identifier.localeCompare(y.identifier));
      expect(port.entities(b.identifier).map(content).sort((x, y) => x.identifier.localeCompare(y.identifier))).toEqual(want);
    }
  }, 60_000); // three CLI runs, each starting tsx and checking the bundle as validate does (~1 s), with latency
});
