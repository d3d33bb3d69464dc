// Upgrading an install made before the metrics: Port already has the nine blueprints without the
// new properties and without aggregation, calculation and mirror properties. The plan adds the
// properties in stage 1 and the metrics in stage 3 (their targets, relations and properties exist
// by then); a re-run changes nothing; the local Port (which checks every name a metric uses)
// accepts each step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { renderBlueprints } from '../../scripts/bundle/render.ts';
import { PortClient } from '../../scripts/clients/port/index.ts';
import { applyBlueprints, createBlueprintsInOrder } from '../../scripts/install/blueprint-apply.ts';
import { planBlueprints } from '../../scripts/install/blueprint-plan.ts';
import { CreationJournal } from '../../scripts/install/journal.ts';
import type { Blueprint } from '../../scripts/port/types.ts';
import { startLocalPort, type LocalPort } from '../../scripts/sandbox/port/server.ts';

const NEW_PROPERTIES: Record<string, string[]> = { gitlabMergeRequest: ['leadTimeHours'], gitlabPipeline: ['onDefaultBranch', 'defaultBranchStatusKey'], gitlabDeployment: ['environmentTier'] };

/** The bundle as it was before the metrics. */
function before(b: Blueprint): Blueprint {
  const { aggregationProperties: _a, calculationProperties: _c, mirrorProperties: _m, ...rest } = structuredClone(b);
  for (const p of NEW_PROPERTIES[b.identifier] ?? []) delete rest.schema.properties[p];
  return rest;
}

let port: LocalPort;
let client: PortClient;
const blueprints = renderBlueprints(loadBundle());

beforeAll(async () => {
  port = await startLocalPort({ rateLimit: false });
  client = new PortClient({ clientId: port.clientId, clientSecret: port.clientSecret, baseUrl: port.url });
  await createBlueprintsInOrder(client, blueprints.map(before));
});
afterAll(async () => {
  await port?.close();
});

describe('upgrading an install made before the metrics', () => {
  it('adds the properties first and the metrics last; a re-run sends nothing', async () => {
    const plan = planBlueprints(blueprints, await client.listBlueprints());
    expect(plan.forbidden).toEqual([]);
    const project = plan.items.find((i) => i.identifier === 'gitlabProject')!;
    expect(project.action).toBe('update');
    expect(project.stages.base).toBeUndefined();
    expect(Object.keys(project.stages.derived!).sort()).toEqual(['aggregationProperties', 'calculationProperties', 'mirrorProperties']);
    const mr = plan.items.find((i) => i.identifier === 'gitlabMergeRequest')!;
    expect(Object.keys(mr.stages.base!.schema!.properties)).toContain('leadTimeHours');

    await applyBlueprints(client, plan, new CreationJournal());
    for (const want of blueprints) {
      const stored = port.blueprint(want.identifier)!;
      for (const k of ['aggregationProperties', 'calculationProperties', 'mirrorProperties'] as const) expect(stored[k] ?? {}, `${want.identifier} ${k}`).toEqual(want[k] ?? {});
      expect(Object.keys(stored.schema.properties).sort()).toEqual(Object.keys(want.schema.properties).sort());
    }
    const again = planBlueprints(blueprints, await client.listBlueprints());
    expect(again.items.map((i) => i.action)).toEqual(blueprints.map(() => 'unchanged'));
  });

  it('Port refuses the metrics before what they name exists: why they come last', async () => {
    const fresh = await startLocalPort({ rateLimit: false });
    try {
      const c = new PortClient({ clientId: fresh.clientId, clientSecret: fresh.clientSecret, baseUrl: fresh.url, retry: { baseDelayMs: 1, maxDelayMs: 5, maxWaitMs: 100 } });
      await createBlueprintsInOrder(c, blueprints.map(before));
      const project = blueprints.find((b) => b.identifier === 'gitlabProject')!;
      // The MR blueprint still lacks leadTimeHours: averaging it is refused.
      const err = await c.patchBlueprint('gitlabProject', { aggregationProperties: project.aggregationProperties }).catch((e) => e);
      expect(err.status).toBe(422);
      expect(err.message).toContain('"leadTimeHours", which is not a property of blueprint "gitlabMergeRequest"');
    } finally {
      await fresh.close();
    }
  });
});
