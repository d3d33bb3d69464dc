// The opt-in mapping worker (jq off the main thread, so it does not stall the requests in
// flight): the same results as mapping on the main thread, and a complete backfill with it.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { renderBackfillMappings } from '../../scripts/bundle/render.ts';
import { createMappingEngine } from '../../scripts/mapping/engine.ts';
import { startWorkerMapper } from '../../scripts/mapping/worker-mapper.ts';
import { gitlabTruth, startSandboxes, type Sandboxes } from './helpers.ts';
import { expectPortMatchesGitLab, SEED, totals } from './expect-port.ts';

let sb: Sandboxes | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('mapping worker', () => {
  it('gives exactly the main-thread engine\'s results, and refuses work once closed', async () => {
    const bundle = loadBundle();
    const mr = JSON.parse(readFileSync(new URL('../fixtures/gitlab-rest/merge_request.json', import.meta.url), 'utf8')).object;
    const mappings = renderBackfillMappings(bundle, 'mergeRequests');
    const inputs = [0, 1, 2].map((i) => ({ object: { ...mr, id: mr.id + i, title: `Résumé ${i} 🚀` }, parent: { id: 1 }, gitlab: { url: 'https://gitlab.example.com' } }));
    const worker = await startWorkerMapper({ engine: 'jq-wasm' });
    const engine = await createMappingEngine({ engine: 'jq-wasm' });
    expect(await worker.evaluateBackfill(mappings, inputs)).toEqual(engine.evaluateBackfill(mappings, inputs));
    await worker.close();
    await expect(worker.evaluateBackfill(mappings, inputs)).rejects.toThrow(/closed/);
  });

  it('backfills a nested multi-page group completely with mappingWorker', async () => {
    sb = await startSandboxes({ gitlab: { seed: SEED } });
    const truth = await gitlabTruth(sb.gitlabClient, sb.gitlab.groupId);
    const summary = await sb.backfill({ engine: undefined, mappingWorker: true });
    expect(summary.ok).toBe(true);
    expect(totals(summary, 'failed')).toBe(0);
    await expectPortMatchesGitLab(sb, truth);
  });
});
