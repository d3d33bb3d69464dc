// Issue 10 §5: after a random sequence of GitLab changes — some delivered by the hook, some made
// without any event, some while GitLab has the hook disabled — incremental syncs plus the periodic
// full sync leave Port identical to a fresh full backfill into an empty Port (the same entities,
// with the same values for everything a backfill writes). Several sequences (seeds). After each
// incremental sync, a dry run that lists every project's pipelines through REST and reads every
// entity back from Port finds nothing more to write or delete: the GraphQL scan and the narrowed
// reconcile miss nothing within the window.
import { seededRandom } from '../../scripts/sandbox/http/random.ts';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runInstallCommand } from '../../scripts/commands/install.ts';
import { runSyncCommand } from '../../scripts/commands/sync.ts';
import type { SyncSummary } from '../../scripts/sync/run.ts';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { renderBlueprints } from '../../scripts/bundle/render.ts';
import { GitLabClient } from '../../scripts/clients/gitlab/index.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { createBackfillEngine } from '../../scripts/backfill/mapper.ts';
import { runBackfill } from '../../scripts/backfill/run.ts';
import type { MappingEngine } from '../../scripts/mapping/engine.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';
import { FAST, captureIO, startSandboxes, type Sandboxes } from '../install/helpers.ts';
import { createBlueprintsInOrder } from '../../scripts/install/blueprint-apply.ts';

type Obj = Record<string, any>;
const bundle = loadBundle();
const BLUEPRINTS = bundle.blueprints.map((b) => b.content.identifier);

const prng = seededRandom;

/** What a fresh backfill would write, per blueprint: identifier → title, properties, relations. */
function catalog(port: LocalPort): Record<string, Record<string, Obj>> {
  const out: Record<string, Record<string, Obj>> = {};
  for (const bp of BLUEPRINTS) {
    out[bp] = {};
    for (const e of port.entities(bp)) out[bp][String(e.identifier)] = { title: e.title ?? null, properties: e.properties ?? {}, relations: e.relations ?? {} };
  }
  return out;
}

// Each sequence runs a dozen syncs and two installs: minutes on a loaded two-core machine.
describe('incremental syncs plus the periodic full sync equal a fresh backfill', { timeout: 300_000 }, () => {
  let sb: Sandboxes;
  let engine: MappingEngine;
  // GitLab's clock runs ahead of this process's: a minute more before each sync, so that GitLab's
  // limit on hook test deliveries (5 a minute; every sync's hook check sends one) is not hit, as
  // with syncs an hour apart. A GitLab clock ahead of the runner's is also clock skew the sync must absorb.
  let gitlabAhead = 0;
  beforeAll(async () => {
    engine = await createBackfillEngine();
  });
  // Each sequence on a fresh install.
  beforeEach(async () => {
    gitlabAhead = 0;
    sb = await startSandboxes({ gitlab: { now: () => Date.now() + gitlabAhead } });
    const c = captureIO(sb.env);
    const r = await runInstallCommand([], { io: c.io, tuning: FAST });
    expect(r.exitCode, c.err()).toBe(0);
  });
  afterEach(async () => {
    await sb?.close();
  });

  /** A run that does not move GitLab's clock (no hook test delivery: --skip-hooks). */
  async function checkRun(args: string[], extra: Record<string, unknown>): Promise<SyncSummary> {
    const c = captureIO(sb.env);
    const r = await runSyncCommand(['--json', ...args], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0, engine, ...extra } });
    expect(r.exitCode, c.out() + c.err()).toBe(0);
    return JSON.parse(c.out());
  }

  async function sync(args: string[] = []): Promise<SyncSummary> {
    gitlabAhead += 61_000;
    const c = captureIO(sb.env);
    const r = await runSyncCommand(['--json', ...args], { io: c.io, tuning: FAST, extra: { progressIntervalMs: 0, engine } });
    expect(r.exitCode, c.out() + c.err()).toBe(0);
    return JSON.parse(c.out());
  }

  test.each([20261202, 7])('a random sequence of delivered, silent and missed changes (seed %i)', async (seed) => {
    const rand = prng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const api = async (path: string): Promise<Obj[]> => (await (await fetch(`${sb.gitlab.url}/api/v4/${path}`, { headers: { 'private-token': sb.gitlab.token } })).json()) as Obj[];
    const projects = async () => api(`groups/${sb.gitlab.groupId}/projects?include_subgroups=true&with_shared=false&archived=false&per_page=100`);
    const subgroups = async () => api(`groups/${sb.gitlab.groupId}/descendant_groups?per_page=100`);
    const openMrs = async (p: number) => (await api(`groups/${sb.gitlab.groupId}/merge_requests?state=opened&per_page=100&scope=all`)).filter((m) => m.project_id === p);
    const openIssues = async (p: number) => (await api(`groups/${sb.gitlab.groupId}/issues?state=opened&per_page=100&scope=all`)).filter((m) => m.project_id === p);
    let n = 0;

    /** One random change; returns what it did (for the failure message). */
    const change = async (): Promise<string> => {
      const p = pick(await projects()).id as number;
      n++;
      switch (Math.floor(rand() * 10)) {
        case 0: await sb.gitlab.openMergeRequest(p, { title: `change ${n}: new MR` }); return 'open MR';
        case 1: { const m = await openMrs(p); if (!m.length) return 'no MR'; await sb.gitlab.updateMergeRequest(p, pick(m).iid, { title: `change ${n}: retitled` }); return 'retitle MR'; }
        case 2: { const m = await openMrs(p); if (!m.length) return 'no MR'; await sb.gitlab.mergeMergeRequest(p, pick(m).iid); return 'merge MR'; }
        case 3: await sb.gitlab.openIssue(p, { title: `change ${n}: new issue` }); return 'open issue';
        case 4: { const i = await openIssues(p); if (!i.length) return 'no issue'; await sb.gitlab.closeIssue(p, pick(i).iid); return 'close issue'; }
        case 5: await sb.gitlab.runPipeline(p, { status: pick(['success', 'failed'] as const), jobs: 2 }); return 'pipeline';
        case 6: await sb.gitlab.deploy(p, { environment: pick(['staging', 'production'] as const) }); return 'deploy';
        case 7: await sb.gitlab.createRelease(p, { tagName: `v${n}.0.0` }); return 'release';
        case 8: { const g = pick(await subgroups()); await sb.gitlab.createProject(g.id, { name: `Created ${n}` }); return 'create project'; }
        default: {
          const ps = await projects();
          if (ps.length <= 3) return 'keep projects';
          await sb.gitlab.destroyProject(p);
          return 'destroy project';
        }
      }
    };

    // The first sync after install is incremental: the install's backfill stored the watermark.
    expect((await sync()).mode).toBe('incremental');
    const log: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 6; i++) {
        const how = rand();
        if (how < 0.4) log.push(`delivered ${await change()}`);
        else if (how < 0.8) log.push(`silent ${await sb.gitlab.silently(change)}`);
        else {
          // Four failed deliveries: GitLab disables the hook; the next changes are not sent at all.
          sb.port.faults.failNext(4, 503);
          for (let k = 0; k < 20 && sb.gitlab.hooks()[0]!.alert_status === 'executable'; k++) log.push(`failed delivery ${await change()}`);
          sb.port.faults.clear(); // faults left over (changes that sent nothing) must not hit the sync
          log.push(`while disabled ${await change()}`);
        }
      }
      // A release deleted without an event only a full sync can find.
      if (round === 1) {
        const p = (await projects())[0]!.id as number;
        const rel = (await api(`projects/${p}/releases`))[0];
        if (rel) log.push(`silent ${await sb.gitlab.silently(async () => { await sb.gitlab.deleteRelease(p, rel.tag_name); return 'delete release'; })}`);
      }
      const s = await sync();
      expect(s.mode, log.join('\n')).toBe('incremental');
      // What the incremental sync read (GitLab's GraphQL API for which projects' pipelines changed;
      // only the entities that could be stale read back from Port) left nothing that listing every
      // project's pipelines and reading every entity back would write or delete in the same window.
      const check = await checkRun(['--dry-run', '--skip-hooks'], { graphqlPipelineScan: false, reconcileReadsAll: true });
      for (const [kind, k] of Object.entries(check.kinds)) {
        expect(k.written, `${kind} after: ${log.join(', ')}`).toBe(0);
        // Stale is only what the sync found too and did not delete (the deletion threshold, or a
        // parent Port kept because of it).
        expect(k.reconcile?.staleIdentifiers ?? [], `${kind} after: ${log.join(', ')}`).toEqual((k.reconcile?.staleIdentifiers ?? []).filter((id) => s.kinds[kind]!.reconcile?.staleIdentifiers?.includes(id)));
      }
    }
    // The periodic full sync (by age in production; here asked for).
    expect((await sync(['--full'])).mode).toBe('full');
    expect(sb.gitlab.hooks()[0].alert_status).toBe('executable');

    // A fresh full backfill into an empty Port.
    const fresh = await startLocalPort({ rateLimit: false });
    try {
      const portClient = new PortClient({ clientId: fresh.clientId, clientSecret: fresh.clientSecret, baseUrl: fresh.url, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
      await createBlueprintsInOrder(portClient, renderBlueprints(bundle));
      const gitlab = new GitLabClient({ host: sb.gitlab.url, token: sb.gitlab.token, rateLimits: { '**': 1_000_000 } });
      const summary = await runBackfill({ bundle, port: portClient, gitlab, groups: [{ id: sb.gitlab.groupId, full_path: sb.gitlab.group }], engine, progressIntervalMs: 0 });
      expect(summary.ok).toBe(true);
      const want = catalog(fresh);
      const got = catalog(sb.port);
      for (const bp of BLUEPRINTS) {
        expect(Object.keys(got[bp]!).sort(), `${bp} identifiers after: ${log.join(', ')}`).toEqual(Object.keys(want[bp]!).sort());
        // Same values for everything a backfill writes. A hook delivery may have added properties GitLab's
        // REST lists do not carry (a pipeline's duration and finished_at): Port merges, so they stay.
        for (const [id, e] of Object.entries(want[bp]!)) expect(got[bp]![id], `${bp} ${id}`).toMatchObject(e);
      }
    } finally {
      await fresh.close();
    }
  });
});
