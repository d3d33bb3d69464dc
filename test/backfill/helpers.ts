// Shared set-up for the backfill tests: a local GitLab (generated world) and a local Port with
// the bundle's blueprints, and clients with short retry delays so that faults cost milliseconds.
import { loadBundle, type Bundle } from '../../scripts/bundle/load.ts';
import { renderBlueprints } from '../../scripts/bundle/render.ts';
import { GitLabClient, type GitLabClientOptions } from '../../scripts/clients/gitlab/index.ts';
import { PortClient, type PortClientOptions } from '../../scripts/clients/port/index.ts';
import type { MappingEngine } from '../../scripts/mapping/engine.ts';
import { createBackfillEngine } from '../../scripts/backfill/mapper.ts';
import { runBackfill, type BackfillOptions, type BackfillSummary } from '../../scripts/backfill/run.ts';
import { startLocalGitLab, type LocalGitLab, type LocalGitLabOptions } from '../../scripts/sandbox/gitlab/index.ts';
import { startLocalPort, type LocalPort, type LocalPortOptions } from '../../scripts/sandbox/port/server.ts';
import { createBlueprintsInOrder } from '../../scripts/install/blueprint-apply.ts';

export interface Sandboxes {
  gitlab: LocalGitLab;
  port: LocalPort;
  bundle: Bundle;
  portClient: PortClient;
  gitlabClient: GitLabClient;
  engine: MappingEngine;
  backfill(extra?: Partial<BackfillOptions>): Promise<BackfillSummary>;
  close(): Promise<void>;
}

let sharedEngine: MappingEngine | undefined;

export async function startSandboxes(o: { gitlab?: LocalGitLabOptions; port?: LocalPortOptions; portClient?: Partial<PortClientOptions>; gitlabClient?: Partial<GitLabClientOptions> } = {}): Promise<Sandboxes> {
  const bundle = loadBundle();
  const gitlab = await startLocalGitLab({ rateLimit: false, ...o.gitlab });
  const port = await startLocalPort({ rateLimit: false, ...o.port });
  const fast = { baseDelayMs: 5, maxDelayMs: 20 };
  const portClient = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url, retry: fast, ...o.portClient });
  await createBlueprintsInOrder(portClient, renderBlueprints(bundle));
  const gitlabClient = new GitLabClient({ host: gitlab.url, token: gitlab.token, retry: fast, rateLimits: { '**': 1_000_000 }, ...o.gitlabClient });
  sharedEngine ??= await createBackfillEngine();
  const engine = sharedEngine;
  return {
    gitlab, port, bundle, portClient, gitlabClient, engine,
    backfill: (extra = {}) => runBackfill({
      bundle, port: portClient, gitlab: gitlabClient, groups: [{ id: gitlab.groupId, full_path: gitlab.group }],
      engine, sinceDays: null, progressIntervalMs: 0, ...extra,
    }),
    async close() {
      await Promise.allSettled([gitlab.close(), port.close()]);
    },
  };
}

/** Entities of a blueprint in the local Port, by identifier. */
export function byId(port: LocalPort, blueprint: string) {
  return new Map(port.entities(blueprint).map((e) => [e.identifier, e]));
}

type Obj = Record<string, any>;

/** What GitLab holds for the group, read plainly (one sequential list per endpoint): the ground truth. */
export type Truth = Awaited<ReturnType<typeof gitlabTruth>>;

export async function gitlabTruth(c: GitLabClient, groupId: number) {
  const all = async (path: string, params: Record<string, string | number | boolean> = {}): Promise<Obj[]> => {
    const out: Obj[] = [];
    for await (const page of c.pages<Obj>(path, params)) out.push(...page);
    return out;
  };
  const top = (await c.group(groupId)) as Obj;
  const groups = [top, ...(await all(`groups/${groupId}/descendant_groups`))];
  const projects = await all(`groups/${groupId}/projects`, { include_subgroups: true, with_shared: false });
  const mergeRequests = await all(`groups/${groupId}/merge_requests`, { state: 'all', scope: 'all', non_archived: false });
  const issues = await all(`groups/${groupId}/issues`, { scope: 'all', non_archived: false });
  const pipelines: Obj[] = [];
  const jobs: Obj[] = [];
  const deployments: Obj[] = [];
  const releases: Array<Obj & { projectId: number }> = [];
  for (const p of projects) {
    const pipes = await all(`projects/${p.id}/pipelines`);
    pipelines.push(...pipes.map((x) => ({ ...x, project_id: x.project_id ?? p.id })));
    const ids = new Set(pipes.map((x) => x.id));
    jobs.push(...(await all(`projects/${p.id}/jobs`)).filter((j) => ids.has(j.pipeline.id)).map((j) => ({ ...j, projectId: p.id })));
    deployments.push(...(await all(`projects/${p.id}/deployments`)).map((d) => ({ ...d, projectId: p.id })));
    releases.push(...(await all(`projects/${p.id}/releases`)).map((r) => ({ ...r, projectId: p.id })));
  }
  const members: Array<Obj & { groupId: number }> = [];
  for (const g of groups) members.push(...(await all(`groups/${g.id}/members`)).map((m) => ({ ...m, groupId: g.id })));
  return { groups, projects, mergeRequests, issues, pipelines, jobs, deployments, releases, members };
}

/** Port's identifier of a release (`<projectId>-<tag>`, characters Port forbids as `_`). */
export function releaseId(projectId: number, tag: string): string {
  return `${projectId}-${tag}`.replace(/[^\p{L}0-9@_.+:\\/=-]/gu, '_');
}
