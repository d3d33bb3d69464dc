// A focused measurement of `sync` (not part of `npm run bench`): GitLab and Port requests and wall
// time of a full sync, an incremental sync with nothing changed, and an incremental sync after
// ~1% of the merge requests, issues and pipelines changed without an event, against the local
// GitLab and Port in this process (no latency injected). Usage:
//   node --experimental-strip-types scripts/bench/sync-requests.ts [--seed small|medium|large]   (or npx tsx)
import { parseArgs } from 'node:util';
import { loadBundle } from '../bundle/load.ts';
import { renderBlueprints } from '../bundle/render.ts';
import { GitLabClient } from '../clients/gitlab/index.ts';
import { PortClient } from '../clients/port/index.ts';
import { startBackfillMapper } from '../backfill/mapper.ts';
import { installIdOf } from '../install/install-id.ts';
import { startLocalGitLab } from '../sandbox/gitlab/index.ts';
import { startLocalPort } from '../sandbox/port/server.ts';
import { runSync, type SyncSummary } from '../sync/run.ts';
import { changeSilently } from './silent-changes.ts';
import { createBlueprintsInOrder } from '../install/blueprint-apply.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: 'large' }, share: { type: 'string', default: '0.01' } } });
const seed = values.seed as 'small' | 'medium' | 'large';
const share = Number(values.share);

const bundle = loadBundle();
const gitlab = await startLocalGitLab({ seed, rateLimit: false });
const port = await startLocalPort({ rateLimit: false });
const portClient = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url });
await createBlueprintsInOrder(portClient, renderBlueprints(bundle));
const gl = new GitLabClient({ host: gitlab.url, token: gitlab.token, rateLimits: { '**': 1_000_000 } });
const groups = [{ id: gitlab.groupId, full_path: gitlab.group }];
const installId = installIdOf(gitlab.url, [gitlab.groupId]);
const engine = await startBackfillMapper();
const inputs = { portClientId: port.clientId, portClientSecret: port.clientSecret, portApiUrl: port.url, gitlabUrl: gitlab.url, gitlabToken: gitlab.token, gitlabGroups: [], confidentialIssues: false };

async function measure(label: string, full = false): Promise<SyncSummary> {
  const s = await runSync({
    bundle, inputs, gitlab: gl, port: portClient.forInstall(installId), groups, installId, engine,
    full, fullAfterHours: 24, overlapMinutes: 15, skipHooks: true, progressIntervalMs: 0,
  });
  const written = Object.values(s.kinds).reduce((n, k) => n + k.written, 0);
  console.log(JSON.stringify({ label, ok: s.ok, mode: s.mode, seconds: s.seconds, gitlabRequests: s.requests?.gitlab, portRequests: s.requests?.port, written }));
  return s;
}

try {
  console.log(JSON.stringify({ seed, counts: gitlab.counts() }));
  const full = await measure('full (first sync: no watermark)');
  await measure('incremental, nothing changed');
  // ~share of the MRs, issues and pipelines change without an event (a disabled hook).
  console.log(JSON.stringify({ changedSilently: await changeSilently(gitlab, share) }));
  await measure(`incremental, ${share * 100}% of MRs, issues and pipelines changed silently`);
  await measure('full (--full), nothing changed', true);
  console.log(JSON.stringify({ fullBackfillGitlabRequests: full.requests?.gitlab }));
} finally {
  await engine.close();
  await gitlab.close();
  await port.close();
}
