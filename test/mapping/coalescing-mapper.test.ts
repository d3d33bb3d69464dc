// The coalescing mapper merges what queues while the engine is busy into one call per mapping
// list, and hands each caller exactly its own results, in order.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { renderBackfillMappings } from '../../scripts/bundle/render.ts';
import { coalescingMapper } from '../../scripts/mapping/coalescing-mapper.ts';
import { createMappingEngine, type MappingEngine } from '../../scripts/mapping/engine.ts';
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import { restObject } from '../mappings/helpers.ts';

let engine: MappingEngine;
let releases: BundleMapping[];
let issues: BundleMapping[];
const project = restObject('project');

/** `n` releases with distinct tags: each maps to its own identifier. */
function releaseInputs(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({ object: { ...restObject('release'), tag_name: `v${from + i}` }, parent: project, gitlab: { url: 'https://gitlab.example.com' } }));
}

beforeAll(async () => {
  engine = await createMappingEngine();
  const bundle = loadBundle();
  releases = renderBackfillMappings(bundle, 'releases');
  issues = renderBackfillMappings(bundle, 'issues', { confidentialIssues: true });
});

const ids = (results: Awaited<ReturnType<MappingEngine['evaluateBackfill']>>) => results.map((r) => r.actions.map((a) => a.entity.identifier).join(','));

describe('coalescingMapper', () => {
  it('merges requests queued in one turn into one call per mapping list and splits the results back', async () => {
    const calls: Array<{ mappings: readonly BundleMapping[]; n: number }> = [];
    const mapper = coalescingMapper((m, i) => {
      calls.push({ mappings: m, n: i.length });
      return engine.evaluateBackfill(m, i);
    });
    const a = releaseInputs(3, 0);
    const b = releaseInputs(4, 10);
    const c = [{ object: restObject('issue'), parent: restObject('group'), gitlab: { url: 'https://gitlab.example.com' } }];
    const [ra, rc, rb] = await Promise.all([mapper.evaluateBackfill(releases, a), mapper.evaluateBackfill(issues, c), mapper.evaluateBackfill(releases, b)]);
    expect(calls.map((x) => [x.mappings === releases ? 'releases' : 'issues', x.n])).toEqual([['releases', 7], ['issues', 1]]);
    expect(ids(ra)).toEqual(ids(engine.evaluateBackfill(releases, a)));
    expect(ids(rb)).toEqual(ids(engine.evaluateBackfill(releases, b)));
    expect(ids(rc)).toEqual(ids(engine.evaluateBackfill(issues, c)));
    expect(ids(rb)[0]).toMatch(/-v10$/);
  });

  it('never merges more than maxInputs, and a single larger request still goes through whole', async () => {
    const sizes: number[] = [];
    const mapper = coalescingMapper((m, i) => {
      sizes.push(i.length);
      return engine.evaluateBackfill(m, i);
    }, { maxInputs: 5 });
    const results = await Promise.all([3, 2, 2, 9, 1].map((n, k) => mapper.evaluateBackfill(releases, releaseInputs(n, k * 100))));
    expect(sizes).toEqual([5, 2, 9, 1]);
    expect(results.map((r) => r.length)).toEqual([3, 2, 2, 9, 1]);
  });

  it('rejects every request of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const mapper = coalescingMapper((m, i) => {
      if (fail) throw new Error('mapping worker exited (1)');
      return engine.evaluateBackfill(m, i);
    });
    const failed = await Promise.allSettled([mapper.evaluateBackfill(releases, releaseInputs(1)), mapper.evaluateBackfill(releases, releaseInputs(2))]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await mapper.evaluateBackfill(releases, releaseInputs(2))).toHaveLength(2);
  });
});
