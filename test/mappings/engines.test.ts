// The bundle's jq must give identical results on Port's own engine (native libjq, jq 1.6-era) and
// on a current jq (jq-wasm, jq 1.8), so that it survives Port's engine upgrades.
import { describe, expect, it } from 'vitest';
import { harness, payload, payloadFiles, restObject } from './helpers.ts';
import { loadNativeRuntime } from '../../scripts/jq/native-runtime.ts';
import { NATIVE_JQ } from '../helpers/engines.ts';
import { olderPayloads } from '../helpers/older-payloads.ts';

describe('same results on both jq engines', { tags: [NATIVE_JQ] }, () => {
  it('native binding is installed here (otherwise this comparison would be vacuous)', () => {
    expect(loadNativeRuntime()).not.toBeInstanceOf(Error);
  });

  it('every webhook payload, including derived variants, with both option settings', async () => {
    const [native, wasm] = await Promise.all([harness('port-native'), harness('jq-wasm')]);
    const requests = payloadFiles.map((f) => payload(f));
    const release = payload('release.create');
    release.body.tag = 'версия 2.0#β';
    const deployment = payload('deployment');
    delete deployment.body.commit_url;
    const confidential = payload('issue.open');
    confidential.headers['X-Gitlab-Event'] = 'Confidential Issue Hook';
    requests.push(release, deployment, confidential, { headers: { 'X-Gitlab-Event': 'Push Hook' }, body: 'not json' });
    // Deliveries of older GitLab versions: blocks and ids missing (test/helpers/older-payloads.ts).
    requests.push(...olderPayloads().map((p) => p.request));
    for (const options of [{ confidentialIssues: false }, { confidentialIssues: true }]) {
      const a = native.engine.evaluateWebhookBatch(native.webhook(options), requests);
      const b = wasm.engine.evaluateWebhookBatch(wasm.webhook(options), requests);
      expect(b.map((r) => r.actions)).toEqual(a.map((r) => r.actions));
      // Error texts may differ between jq versions; where they happen may not.
      expect(b.map((r) => r.problems.map((p) => p.field))).toEqual(a.map((r) => r.problems.map((p) => p.field)));
    }
  });

  it('every REST example through the backfill mappings', async () => {
    const [native, wasm] = await Promise.all([harness('port-native'), harness('jq-wasm')]);
    const cases: Array<[Parameters<typeof native.backfill>[0], string, string]> = [
      ['groups', 'group', 'group'], ['projects', 'project', 'group'], ['mergeRequests', 'merge_request', 'group'], ['issues', 'issue', 'group'],
      ['pipelines', 'pipeline', 'project'], ['pipelines', 'pipeline.list', 'project'], ['jobs', 'job', 'project'], ['deployments', 'deployment', 'project'],
      ['releases', 'release', 'project'], ['members', 'member', 'group'],
    ];
    for (const [kind, object, parent] of cases) {
      const input = { object: restObject(object), parent: restObject(parent) };
      expect(wasm.backfill(kind, input), `${kind} ${object}`).toEqual(native.backfill(kind, input));
    }
  });
});
