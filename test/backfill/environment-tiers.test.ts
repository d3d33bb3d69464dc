// The deployments' environment tiers (environment-tiers-graphql.ts): read through GitLab's GraphQL
// API for many projects a request, with the same `environmentTier` in Port as the REST
// environments lists give; no `GET /projects/:id/environments` when GraphQL answers; the REST
// lists when it cannot (a GitLab before `Environment.tier`, an error), with the same result; a
// project whose deployments name many environments through REST (every page of them); and no
// environment read at all when deployments are not backfilled.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GitLabClient } from '../../scripts/clients/gitlab/index.ts';
import { EnvironmentTierBatches, MAX_NAMES_PER_PROJECT, TIER_QUERY_BUDGET, projectCost, tierQuery } from '../../scripts/backfill/environment-tiers-graphql.ts';
import { Limiter } from '../../scripts/backfill/limiter.ts';
import type { LocalGitLabOptions } from '../../scripts/sandbox/gitlab/index.ts';
import { startSandboxes, type Sandboxes } from './helpers.ts';

type Obj = Record<string, any>;
const ENV_LIST = /^GET \/api\/v4\/projects\/\d+\/environments$/;

interface Proxy { url: string; log: string[]; close(): Promise<void> }

/** A loopback proxy in front of the local GitLab that logs requests; `graphql` replaces GraphQL's answer. */
async function proxy(target: string, graphql?: { status: number; body: unknown }): Promise<Proxy> {
  const t = new URL(target);
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    const line = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    log.push(line);
    if (graphql && line === 'POST /api/graphql') {
      req.resume();
      res.writeHead(graphql.status, { 'content-type': 'application/json' }).end(JSON.stringify(graphql.body));
      return;
    }
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('backfill: environment tiers through GraphQL', { timeout: 120_000 }, () => {
  let sb: Sandboxes | undefined;
  let px: Proxy | undefined;
  afterEach(async () => {
    await px?.close();
    await sb?.close();
    px = sb = undefined;
  });

  async function start(gitlab: LocalGitLabOptions = {}, graphql?: { status: number; body: unknown }) {
    sb = await startSandboxes({ gitlab: { seed: 'small', ...gitlab } });
    px = await proxy(sb.gitlab.url, graphql);
    const client = new GitLabClient({ host: px.url, token: sb.gitlab.token, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 }, rateLimits: { '**': 1_000_000 } });
    return { sb, px, client };
  }

  /** Every deployment's tier as the REST lists give it (the deployments list, each project's environments list). */
  async function restTiers(s: Sandboxes): Promise<{ tiers: Map<string, string | null>; projects: Map<number, { path: string; names: Set<string> }> }> {
    const c = s.gitlabClient;
    const tiers = new Map<string, string | null>();
    const projects = new Map<number, { path: string; names: Set<string> }>();
    for await (const page of c.pages<Obj>(`groups/${s.gitlab.groupId}/projects`, { include_subgroups: true, with_shared: false })) {
      for (const p of page) {
        const envs = new Map<number, string>();
        for await (const ep of c.pages<Obj>(`projects/${p.id}/environments`)) for (const e of ep) envs.set(e.id, e.tier);
        for await (const dp of c.pages<Obj>(`projects/${p.id}/deployments`)) {
          for (const d of dp) {
            tiers.set(String(d.id), envs.get(d.environment.id) ?? null);
            let entry = projects.get(p.id);
            if (!entry) projects.set(p.id, (entry = { path: p.path_with_namespace, names: new Set() }));
            entry.names.add(d.environment.name);
          }
        }
      }
    }
    return { tiers, projects };
  }

  function portTiers(s: Sandboxes): Map<string, string | null> {
    return new Map(s.port.entities('gitlabDeployment').map((e) => [e.identifier, (e.properties?.environmentTier as string | undefined) ?? null]));
  }

  it('reads every tier through GraphQL, many projects a request, and no environments list; the same tiers as REST', async () => {
    const { sb: s, px: p, client } = await start({ seed: 'medium' });
    const want = await restTiers(s);
    expect(want.tiers.size).toBeGreaterThan(20);
    expect(new Set(want.tiers.values())).toEqual(new Set(['production', 'staging']));
    const summary = await s.backfill({ gitlab: client });
    expect(summary.ok, JSON.stringify(summary.kinds.deployments)).toBe(true);
    expect(portTiers(s)).toEqual(want.tiers);
    expect(p.log.filter((l) => ENV_LIST.test(l))).toEqual([]);
    // Batches as the budget allows: at least Σcost / budget requests, at most one more per batch's leftover.
    const costs = [...want.projects.values()].map((x) => projectCost(x.names.size));
    const total = costs.reduce((a, b) => a + b, 0);
    const graphql = p.log.filter((l) => l === 'POST /api/graphql').length;
    expect(want.projects.size).toBeGreaterThan(10);
    expect(graphql).toBeGreaterThanOrEqual(Math.ceil(total / TIER_QUERY_BUDGET));
    expect(graphql).toBeLessThanOrEqual(Math.ceil(total / (TIER_QUERY_BUDGET - Math.max(...costs) + 1)));
    expect(graphql).toBeLessThan(want.projects.size / 10);

    // The REST way over the same Port writes nothing: it reads the same tiers.
    const before = p.log.length;
    const rest = await s.backfill({ gitlab: client, graphqlEnvironmentTiers: false });
    expect(rest.kinds.deployments).toMatchObject({ written: 0, failed: 0 });
    expect(p.log.slice(before).filter((l) => ENV_LIST.test(l)).length).toBe(want.projects.size);
    expect(p.log.slice(before)).not.toContain('POST /api/graphql');
  });

  it('the query stays within GitLab\'s complexity limit: the local GitLab (GitLab\'s formula) accepts a full batch', async () => {
    const { sb: s } = await start();
    const want = await restTiers(s);
    const [path, x] = [...want.projects.values()].map((v) => [v.path, v] as const)[0]!;
    // As many projects as the budget holds, each asking for two names.
    const n = Math.floor(TIER_QUERY_BUDGET / projectCost(2));
    const { query, variables } = tierQuery(Array.from({ length: n }, () => ({ path, names: [...x.names].slice(0, 1).concat('nope') })));
    const res = await fetch(`${s.gitlab.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'private-token': s.gitlab.token }, body: JSON.stringify({ query: query.replace('{', '{ queryComplexity { score limit }'), variables }) });
    const body = (await res.json()) as Obj;
    expect(body.errors).toBeUndefined();
    expect(body.data.queryComplexity).toEqual({ score: n * projectCost(2) + 3, limit: 250 });
    expect(body.data.p0).toEqual({ e0: { id: expect.stringMatching(/^gid:\/\/gitlab\/Environment\/\d+$/), tier: expect.stringMatching(/^(PRODUCTION|STAGING)$/) }, e1: null });
  });

  it('a GitLab before Environment.tier (15.3): one refused request, then each project\'s environments list; the same tiers', async () => {
    const { sb: s, px: p, client } = await start({ version: '15.3.0-ee' });
    const want = await restTiers(s);
    const lines: string[] = [];
    const summary = await s.backfill({ gitlab: client, log: (l) => lines.push(l) });
    expect(summary.ok).toBe(true);
    expect(portTiers(s)).toEqual(want.tiers);
    expect(p.log.filter((l) => l === 'POST /api/graphql').length).toBe(1);
    expect(p.log.filter((l) => ENV_LIST.test(l)).length).toBe(want.projects.size);
    expect(lines.join('\n')).toContain("Field 'tier' doesn't exist on type 'Environment'");
  });

  it('GraphQL answers with an error: each project\'s environments list; the same tiers', async () => {
    const { sb: s, px: p, client } = await start({}, { status: 200, body: { errors: [{ message: 'Internal server error' }] } });
    const want = await restTiers(s);
    const summary = await s.backfill({ gitlab: client, kinds: ['projects', 'deployments'] });
    expect(summary.ok).toBe(true);
    expect(portTiers(s)).toEqual(want.tiers);
    expect(p.log.filter((l) => l === 'POST /api/graphql').length).toBe(1);
    expect(p.log.filter((l) => ENV_LIST.test(l)).length).toBe(want.projects.size);
  });

  it('a project whose deployments name 120 environments: through REST, every page of them; the others through GraphQL', async () => {
    const { sb: s, px: p, client } = await start();
    const first = (await restTiers(s)).projects.keys().next().value!;
    const names = Array.from({ length: 120 }, (_, i) => ['review/feature-', 'qa-', 'prod-eu-', 'demo-', 'sandbox-'][i % 5] + i);
    await s.gitlab.silently(async () => { for (const n of names) await s.gitlab.deploy(first, { environment: n }); });
    const want = await restTiers(s);
    expect(want.projects.get(first)!.names.size).toBeGreaterThan(MAX_NAMES_PER_PROJECT);
    expect(new Set(want.tiers.values())).toEqual(new Set(['production', 'staging', 'development', 'testing', 'other']));
    const summary = await s.backfill({ gitlab: client, kinds: ['projects', 'deployments'] });
    expect(summary.ok).toBe(true);
    expect(portTiers(s)).toEqual(want.tiers);
    // Its environments list: two pages (122 environments); no other project's.
    expect(p.log.filter((l) => ENV_LIST.test(l))).toEqual([`GET /api/v4/projects/${first}/environments`, `GET /api/v4/projects/${first}/environments`]);
    expect(p.log.filter((l) => l === 'POST /api/graphql').length).toBeGreaterThan(0);
  });

  it('a project with more deployments than it may hold: its environments list is read once, its pages completed as they come', async () => {
    const { sb: s, px: p, client } = await start();
    const id = (await restTiers(s)).projects.keys().next().value!;
    await s.gitlab.silently(async () => { for (const e of ['staging', 'production', 'staging', 'production']) await s.gitlab.deploy(id, { environment: e }); });
    const want = await restTiers(s);
    const x = want.projects.get(id)!;
    const deployments: Obj[] = [];
    for await (const page of client.pages<Obj>(`projects/${id}/deployments`)) deployments.push(...page);
    expect(deployments.length).toBeGreaterThan(4);
    const batches = new EnvironmentTierBatches({ gitlab: client, run: (r) => r(), src: () => ({ gitlab: client, limiter: new Limiter(2) }), maxHeldPerProject: 3 });
    const one = batches.project(String(id), x.path);
    const written: Obj[] = [];
    written.push(...(await one.page(deployments.slice(0, 2))));
    expect(written).toEqual([]);
    written.push(...(await one.page(deployments.slice(2, 4))));
    expect(written).toHaveLength(4);
    written.push(...(await one.page(deployments.slice(4))));
    await one.end(async (d) => { written.push(...d); }, (err) => { throw err; });
    await batches.drain();
    expect(written.map((d) => String(d.id))).toEqual(deployments.map((d) => String(d.id)));
    expect(new Map(written.map((d) => [String(d.id), d.environment.tier]))).toEqual(new Map(deployments.map((d) => [String(d.id), want.tiers.get(String(d.id))])));
    expect(p.log.filter((l) => ENV_LIST.test(l) || l === 'POST /api/graphql')).toEqual([`GET /api/v4/projects/${id}/environments`]);
  });

  it('reads no environment when deployments are not backfilled', async () => {
    const { sb: s, px: p, client } = await start();
    const summary = await s.backfill({ gitlab: client, kinds: ['projects', 'pipelines'] });
    expect(summary.ok).toBe(true);
    expect(p.log.filter((l) => ENV_LIST.test(l) || l === 'POST /api/graphql')).toEqual([]);
  });
});
