// Shared set-up for the backfill tests: a local GitLab (generated world) and a local Port with
// the bundle's blueprints, and clients with short retry delays so that faults cost milliseconds.
import { loadBundle, type Bundle } from '../../scripts/bundle/load.ts';
import { renderBlueprints } from '../../scripts/bundle/render.ts';
import { GitLabClient, type GitLabClientOptions } from '../../scripts/clients/gitlab/index.ts';
import { PortClient, type PortClientOptions } from '../../scripts/clients/port/index.ts';
import { createMappingEngine, type MappingEngine } from '../../scripts/mapping/engine.ts';
import { runBackfill, type BackfillOptions, type BackfillSummary } from '../../scripts/backfill/run.ts';
import { startLocalGitLab, type LocalGitLab, type LocalGitLabOptions } from '../../scripts/sandbox/gitlab/index.ts';
import { startLocalPort, type LocalPort, type LocalPortOptions } from '../../scripts/sandbox/port/server.ts';

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
  for (const b of renderBlueprints(bundle)) await portClient.createBlueprint(b, { createCatalogPage: false });
  const gitlabClient = new GitLabClient({ host: gitlab.url, token: gitlab.token, retry: fast, rateLimits: { '**': 1_000_000 }, ...o.gitlabClient });
  sharedEngine ??= await createMappingEngine();
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
