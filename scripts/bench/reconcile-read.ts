// Focused measurement (not part of `npm run bench`): what reconcile's read-back costs with the
// ownership query (ownership.ts: url prefix, or relation chain when there is no url) against the
// former `$datasource` query, on the same Port content. One backfill of the chosen world into a
// local Port, then every blueprint read back with each query, alternately, ROUNDS times:
// entities matched, search requests, and wall time (the local Port runs in this process, so its
// work is included). Usage: npx tsx scripts/bench/reconcile-read.ts [small|medium|large] [rounds]
import { loadBundle } from '../bundle/load.ts';
import { renderBlueprints } from '../bundle/render.ts';
import { GitLabClient } from '../clients/gitlab/index.ts';
import { PortClient, PORT_SEARCH_MAX_LIMIT } from '../clients/port/index.ts';
import { runBackfill } from '../backfill/run.ts';
import { ownedQuery, ownedScope } from '../backfill/ownership.ts';
import { userAgent } from '../clients/shared/user-agent.ts';
import type { EntitiesQuery } from '../port/types.ts';
import { startLocalGitLab, type SeedName } from '../sandbox/gitlab/index.ts';
import { startLocalPort } from '../sandbox/port/server.ts';
import { createBlueprintsInOrder } from '../install/blueprint-apply.ts';

const size = (process.argv[2] ?? 'large') as SeedName;
const rounds = Number(process.argv[3] ?? 2);
const INSTALL = 'gl-000000000000';
/** The read before ownership.ts: `$datasource` carries this package and the install id. */
const datasourceQuery: EntitiesQuery = { combinator: 'and', rules: [{ property: '$datasource', operator: 'contains', value: 'port-gitlab-template/' }, { property: '$datasource', operator: 'contains', value: `/${INSTALL}` }] };
const OLD_FIELDS = ['identifier', 'properties.state', 'properties.updatedAt', 'relations.project', 'relations.pipeline'];
const NEW_FIELDS = ['identifier', 'properties.state', 'properties.updatedAt', 'properties.createdAt', 'properties.finishedAt', 'relations.project', 'relations.pipeline'];

const bundle = loadBundle();
const gitlab = await startLocalGitLab({ seed: size, rateLimit: false });
const port = await startLocalPort({ rateLimit: false });
try {
  const client = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url }).forInstall(INSTALL);
  await createBlueprintsInOrder(client, renderBlueprints(bundle));
  const gl = new GitLabClient({ host: gitlab.url, token: gitlab.token, rateLimits: { '**': 1_000_000 } });
  const t0 = Date.now();
  const run = await runBackfill({ bundle, port: client, gitlab: gl, groups: [{ id: gitlab.groupId, full_path: gitlab.group }], sinceDays: null, progressIntervalMs: 0 });
  process.stderr.write(`backfill of ${size}: ${Math.round((Date.now() - t0) / 1000)} s, ${Object.values(run.kinds).reduce((n, k) => n + k.written, 0)} entities written (datasource ${userAgent(INSTALL)})\n`);
  const top = (await gl.group(gitlab.groupId)) as { id: number; full_path: string; web_url: string };
  const scope = ownedScope(gitlab.url, [top]);
  const blueprints = bundle.blueprints.map((b) => b.content);

  const read = async (bp: string, query: EntitiesQuery, include: string[]) => {
    let entities = 0;
    let requests = 0;
    const start = process.hrtime.bigint();
    for await (const page of client.searchEntityPages(bp, { query, include, limit: PORT_SEARCH_MAX_LIMIT })) {
      requests++;
      entities += page.length;
    }
    return { entities, requests, ms: Number(process.hrtime.bigint() - start) / 1e6 };
  };
  const totals = { datasource: { entities: 0, requests: 0, ms: 0 }, ownership: { entities: 0, requests: 0, ms: 0 } };
  for (let r = 0; r < rounds; r++) {
    for (const b of blueprints) {
      const order = r % 2 === 0 ? (['datasource', 'ownership'] as const) : (['ownership', 'datasource'] as const);
      for (const which of order) {
        const res = which === 'datasource' ? await read(b.identifier, datasourceQuery, OLD_FIELDS) : await read(b.identifier, ownedQuery(blueprints, b.identifier, scope), NEW_FIELDS);
        if (r === rounds - 1) process.stderr.write(`  ${b.identifier.padEnd(20)} ${which.padEnd(10)} ${String(res.entities).padStart(7)} entities ${String(res.requests).padStart(4)} requests ${res.ms.toFixed(0).padStart(6)} ms\n`);
        totals[which].entities += res.entities;
        totals[which].requests += res.requests;
        totals[which].ms += res.ms;
      }
    }
  }
  const per = (t: { entities: number; requests: number; ms: number }) => ({ entities: t.entities / rounds, requests: t.requests / rounds, seconds: Math.round(t.ms / rounds) / 1000 });
  process.stdout.write(`${JSON.stringify({ size, rounds, datasource: per(totals.datasource), ownership: per(totals.ownership) })}\n`);
} finally {
  await Promise.allSettled([gitlab.close(), port.close()]);
}
