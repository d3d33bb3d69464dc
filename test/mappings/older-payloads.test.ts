// Deliveries of older GitLab versions (test/helpers/older-payloads.ts): each maps to the entities
// the payload really names, from the ids it carries, and no payload at all — documented, derived
// variant or older shape, webhook or backfill — makes Port write or relate to an entity "null".
import { beforeAll, describe, expect, it } from 'vitest';
import { isMadeUpIdentifier } from '../../scripts/bundle/missing-id-probe.ts';
import type { MappingResult, WebhookRequest } from '../../scripts/mapping/types.ts';
import { OLDER_PAYLOADS, olderPayloads } from '../helpers/older-payloads.ts';
import { harness, merged, payload, payloadFiles, realProblems, restObject, summary, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});

const older = (name: string) => OLDER_PAYLOADS.find((p) => p.name === name)!.build();

describe('deliveries of older GitLab versions', () => {
  it('job before the project block: project from project_id and the repository block, absolute URLs', () => {
    const r = h.run(older('job, before the project block (a gitlab.com delivery of January 2023)'));
    expect(summary(r)).toEqual(['upsert gitlabProject 380', 'upsert gitlabPipeline 2366', 'upsert gitlabJob 1977']);
    expect(realProblems(r)).toEqual([]);
    // Only what the repository block knows: no pathWithNamespace/namespace/defaultBranch nulls.
    expect(merged(r, 'gitlabProject', '380')).toEqual({
      identifier: '380', title: 'gitlab_test',
      properties: { url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test', visibility: 'public', description: 'Atque in sunt eos similique dolores voluptatem.' },
    });
    expect(merged(r, 'gitlabPipeline', '2366')).toMatchObject({ properties: { url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/2366' }, relations: { project: '380' } });
    expect(merged(r, 'gitlabJob', '1977')).toMatchObject({
      properties: { url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/1977', createdAt: '2021-02-23T02:41:37Z' },
      relations: { pipeline: '2366', project: '380' },
    });
  });

  it('job of GitLab 8 (no pipeline_id): the pipeline is commit.id', () => {
    const r = h.run(older('job, GitLab 8 (no pipeline_id: commit.id is the pipeline)'));
    expect(summary(r)).toEqual(['upsert gitlabProject 380', 'upsert gitlabPipeline 2366', 'upsert gitlabJob 1977']);
    expect(realProblems(r)).toEqual([]);
    expect(merged(r, 'gitlabJob', '1977').relations).toEqual({ pipeline: '2366', project: '380' });
  });

  it('a job naming no pipeline and no project: no pipeline upsert, no relation, no URL (null, not "null" or "/-/jobs/…")', () => {
    const req = older('job, GitLab 8 (no pipeline_id: commit.id is the pipeline)');
    delete req.body.commit;
    delete req.body.project_id;
    delete req.body.repository;
    const r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabJob 1977']);
    expect(realProblems(r)).toEqual([]);
    expect(merged(r, 'gitlabJob', '1977')).toMatchObject({ properties: { url: null }, relations: { pipeline: null, project: null } });
  });

  it('merge request of GitLab 8 (no project block): the target project, from target_project_id and the repository block', () => {
    const r = h.run(older('merge request, GitLab 8 (no project block)'));
    expect(summary(r)).toEqual(['upsert gitlabProject 14', 'upsert gitlabMergeRequest 99', 'upsert gitlabMergeRequest 99']);
    expect(realProblems(r)).toEqual([]);
    expect(merged(r, 'gitlabProject', '14')).toEqual({
      identifier: '14', title: 'Gitlab Test', properties: { url: 'http://example.com/gitlabhq/gitlab-test', description: 'Aut reprehenderit ut est.' },
    });
    expect(merged(r, 'gitlabMergeRequest', '99')).toMatchObject({ properties: { state: 'opened', draft: false, labels: [] }, relations: { project: '14' } });
  });

  it('merge request whose project block has no id (older project hook_attrs): target_project_id, with the block\'s properties', () => {
    const r = h.run(older('merge request, project block without id (older project hook_attrs)'));
    expect(summary(r)).toEqual(['upsert gitlabProject 14', 'upsert gitlabMergeRequest 99', 'upsert gitlabMergeRequest 99']);
    expect(realProblems(r)).toEqual([]);
    expect(merged(r, 'gitlabProject', '14').properties).toMatchObject({ pathWithNamespace: 'gitlabhq/gitlab-test', namespace: 'GitlabHQ', visibility: 'public' });
    expect(merged(r, 'gitlabMergeRequest', '99').relations).toEqual({ project: '14' });
  });

  it('issue of GitLab 8 (no project block), and one whose project block has no id: object_attributes.project_id', () => {
    for (const name of ['issue, GitLab 8 (no project block)', 'issue, project block without id (older project hook_attrs)']) {
      const r = h.run(older(name));
      expect(summary(r), name).toEqual(['upsert gitlabProject 14', 'upsert gitlabIssue 301', 'upsert gitlabIssue 301']);
      expect(realProblems(r), name).toEqual([]);
      expect(merged(r, 'gitlabIssue', '301').relations, name).toEqual({ project: '14' });
    }
    const conf = older('issue, GitLab 8 (no project block)');
    conf.headers['X-Gitlab-Event'] = 'Confidential Issue Hook';
    expect(summary(h.run(conf, { confidentialIssues: true }))).toEqual(['upsert gitlabProject 14', 'upsert gitlabIssue 301', 'upsert gitlabIssue 301']);
  });

  it('pipeline without iid: "Pipeline <id> on <ref>", not "Pipeline #null on …"', () => {
    const r = h.run(older('pipeline, no iid'));
    expect(summary(r)).toEqual(['upsert gitlabProject 1', 'upsert gitlabPipeline 31']);
    expect(realProblems(r)).toEqual([]);
    expect(merged(r, 'gitlabPipeline', '31')).toMatchObject({
      title: 'Pipeline 31 on master', properties: { iid: null, url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/31' }, relations: { project: '1' },
    });
  });

  it('pipeline without ref: no " on null"', () => {
    const req = payload('pipeline');
    req.body.object_attributes.ref = null;
    expect(merged(h.run(req), 'gitlabPipeline', '31').title).toBe('Pipeline #3');
  });

  it('pipeline whose project block has no id: nothing names the project, so no project and no relation', () => {
    const r = h.run(older('pipeline, no iid and a project block without id'));
    expect(summary(r)).toEqual(['upsert gitlabPipeline 31']);
    expect(realProblems(r)).toEqual([]);
    expect(merged(r, 'gitlabPipeline', '31')).toMatchObject({ title: 'Pipeline 31 on master', relations: { project: null } });
  });

  it('deployment: the ref GitLab\'s builder sends is mapped; a payload without ref leaves it alone', () => {
    const r = h.run(older('deployment with ref (today\'s builder)'));
    expect(summary(r)).toEqual(['upsert gitlabProject 30', 'upsert gitlabJob 796', 'upsert gitlabDeployment 15', 'upsert gitlabDeployment 15', 'upsert gitlabDeployment 15']);
    expect(realProblems(r)).toEqual([]);
    expect(merged(r, 'gitlabDeployment', '15').properties).toMatchObject({ ref: 'master', status: 'success' });
    expect(merged(h.run(payload('deployment')), 'gitlabDeployment', '15').properties).not.toHaveProperty('ref');
  });

  it('deployment before environment_tier: the tier the backfill wrote is left alone', () => {
    const req = payload('deployment');
    delete req.body.environment_tier;
    const r = h.run(req);
    expect(summary(r)).toEqual(['upsert gitlabProject 30', 'upsert gitlabJob 796', 'upsert gitlabDeployment 15']);
    expect(merged(r, 'gitlabDeployment', '15').properties).not.toHaveProperty('environmentTier');
  });

  it('deployment before deployment_id: the project and the job, no deployment named "null"', () => {
    const r = h.run(older('deployment, before deployment_id'));
    expect(summary(r)).toEqual(['upsert gitlabProject 30', 'upsert gitlabJob 796']);
    expect(realProblems(r)).toEqual([]);
  });

  it('backfill: a REST pipeline without iid gets the same title as its Pipeline Hook', () => {
    const rest = { ...restObject('pipeline'), iid: undefined };
    delete rest.iid;
    const e = h.backfill('pipelines', { object: rest, parent: restObject('project') }).actions[0]!.entity;
    expect(e.title).toBe(`Pipeline ${rest.id} on ${rest.ref}`);
  });
});

/** Every identifier and relation value of every action: none may be an absent id made into a string. */
function madeUp(result: MappingResult): string[] {
  const out: string[] = [];
  for (const a of result.actions) {
    if (isMadeUpIdentifier(a.entity.identifier)) out.push(`${a.action} ${a.blueprint} ${JSON.stringify(a.entity.identifier)}`);
    for (const [k, v] of Object.entries(a.entity.relations ?? {})) {
      for (const x of Array.isArray(v) ? v : [v]) if (isMadeUpIdentifier(x)) out.push(`${a.blueprint} ${a.entity.identifier} → ${k} ${JSON.stringify(x)}`);
    }
  }
  for (const p of result.problems) if (/"null"/.test(p.message)) out.push(`problem: ${p.field}: ${p.message}`);
  return out;
}

/** Every key, at any depth, removed one at a time would be too many runs: remove each top-level block and each id-like key. */
function withoutIds(request: WebhookRequest & { body: any }): Array<[string, WebhookRequest]> {
  const out: Array<[string, WebhookRequest]> = [];
  const body = request.body;
  if (!body || typeof body !== 'object') return out;
  const paths: string[][] = [];
  for (const [k, v] of Object.entries(body)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      paths.push([k]);
      for (const kk of Object.keys(v)) if (kk === 'id' || kk.endsWith('_id')) paths.push([k, kk]);
    } else if (k === 'id' || k.endsWith('_id') || k === 'tag') paths.push([k]);
  }
  for (const path of paths) {
    const copy = structuredClone(request);
    let o: any = copy.body;
    for (const k of path.slice(0, -1)) o = o[k];
    delete o[path[path.length - 1]!];
    out.push([`without ${path.join('.')}`, copy]);
  }
  return out;
}

describe('no entity or relation named "null", whatever the payload lacks', () => {
  const requests: Array<[string, WebhookRequest]> = [
    ...payloadFiles.flatMap((f) => {
      const r = payload(f);
      return [[f, r], ...withoutIds(r).map(([n, x]) => [`${f} ${n}`, x])] as Array<[string, WebhookRequest]>;
    }),
    ...olderPayloads().flatMap(({ name, request }) => [[name, request], ...withoutIds(request).map(([n, x]) => [`${name} ${n}`, x])] as Array<[string, WebhookRequest]>),
  ];

  it.each([false, true])('webhook, every documented and older payload, each with every block and id removed in turn (confidentialIssues=%s)', (confidentialIssues) => {
    const options = { confidentialIssues };
    const results = h.engine.evaluateWebhookBatch(h.webhook(options), requests.map(([, r]) => r));
    const found = results.flatMap((r, i) => madeUp(r).map((m) => `${requests[i]![0]}: ${m}`));
    expect(found).toEqual([]);
    // The check is not vacuous: the variants do reach the mappings.
    expect(results.filter((r) => r.actions.length).length).toBeGreaterThan(100);
  });

  it('backfill, every REST example, and each with its ids removed', () => {
    const cases: Array<[Parameters<Harness['backfill']>[0], string, string]> = [
      ['groups', 'group', 'group'], ['projects', 'project', 'group'], ['mergeRequests', 'merge_request', 'group'], ['issues', 'issue', 'group'],
      ['pipelines', 'pipeline', 'project'], ['pipelines', 'pipeline.list', 'project'], ['jobs', 'job', 'project'], ['deployments', 'deployment', 'project'],
      ['releases', 'release', 'project'], ['members', 'member', 'group'],
    ];
    const found: string[] = [];
    for (const [kind, object, parent] of cases) {
      const full = { object: restObject(object), parent: restObject(parent) };
      const inputs: Array<[string, { object: any; parent: any }]> = [[`${kind} ${object}`, full]];
      for (const side of ['object', 'parent'] as const) {
        for (const k of Object.keys(full[side])) {
          if (k !== 'id' && !k.endsWith('_id') && k !== 'tag_name' && k !== 'pipeline' && k !== 'namespace' && k !== 'deployable') continue;
          const copy = structuredClone(full);
          delete copy[side][k];
          inputs.push([`${kind} ${object} without ${side}.${k}`, copy]);
        }
      }
      for (const [name, input] of inputs) found.push(...madeUp(h.backfill(kind, input)).map((m) => `${name}: ${m}`));
    }
    expect(found).toEqual([]);
  });
});
