// isSingleOutput decides which fields get the cheap `try` wrapper instead of "first output": a
// wrong "yes" on an expression with no output would drop a whole mapping, so the negatives matter
// as much as the positives, and every bundle expression it accepts is run on real payloads.
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { renderBackfillMappings, renderWebhookMappings } from '../../scripts/bundle/render.ts';
import { createMappingEngine } from '../../scripts/mapping/engine.ts';
import { isSingleOutput } from '../../scripts/mapping/single-output.ts';
import { backfillKinds } from '../../schemas/backfill-file.schema.ts';
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import { ENGINES, onEngine, requireNativeEngine } from '../helpers/engines.ts';
import { payload, payloadNames } from '../helpers/fixtures.ts';
import { restObject } from '../mappings/helpers.ts';

const bundle = loadBundle();

describe('isSingleOutput', () => {
  it.each([
    '.body.object_attributes.title',
    '.body.project.id | tostring',
    '.headers."x-gitlab-event" == "Merge Request Hook" and .body.object_kind == "merge_request"',
    '[.object.labels[]? | if type == "object" then .name else . end]',
    '[.object.reviewers[]?.username]',
    '.object | if has("draft") then .draft else .work_in_progress end',
    '.a as $x | $x.b // "none"',
    '{"0": "a", "10": "b"}[.level | tostring] // null',
    '.name[0:3] + .name[-2:]',
    '{id: .a, name}',
    bundle.functions.gitlab_date + ' .object.created_at | gitlab_date',
    bundle.functions.port_id + ' .object.tag_name | port_id',
    bundle.functions.access_level_name + ' .object.access_level | access_level_name',
    bundle.functions.visibility_name + ' .body.project.visibility_level | visibility_name',
  ])('yes: %s', (e) => expect(isSingleOutput(e)).toBe(true));

  it.each([
    '.a, .b', '(.a, .b) | tostring', '.a[]', '.[]', '.a[]?', '.a?', '$c[]', '..', 'empty', '.a // empty', 'try .a', 'first(.a)',
    'range(3)', 'limit(1; .a[])', '.[0, 1]', '{a: (.x, .y)}', '{(.a, .b): 1}', '"\\(.a)"', '.a | @base64', 'def f(g): g; f(.a)',
    'def f: .a, .b; f', 'def f: .a;', 'if (.a, .b) then 1 else 2 end', '.a | splits("x")', '.a | match("x"; "g")', '',
  ])('no: %s', (e) => expect(isSingleOutput(e)).toBe(false));
});

/** Every field expression of a rendered mapping list. */
function fieldExpressions(mappings: readonly BundleMapping[]): string[] {
  return [...new Set(mappings.flatMap((m) => [m.filter, m.entity.identifier, m.entity.title, m.entity.icon, ...Object.values(m.entity.properties ?? {}), ...Object.values(m.entity.relations ?? {})]))]
    .filter((e): e is string => typeof e === 'string');
}

for (const name of ENGINES) describe(`every bundle expression called single-output gives exactly one output or an error, on ${name}`, onEngine(name), () => {
  it('webhook expressions on every vendored payload, and backfill expressions on the documented REST objects', async () => {
    if (name === 'port-native') requireNativeEngine();
    const engine = await createMappingEngine({ engine: name });
    const count = (e: string, input: unknown) => engine.evaluateExpression(`try ([${e}] | length) catch 1`, input).value;
    const wrong: string[] = [];
    const webhook = fieldExpressions(renderWebhookMappings(bundle, { confidentialIssues: true })).filter(isSingleOutput);
    expect(webhook.length).toBeGreaterThan(50);
    const inputs = payloadNames().map((p) => {
      const request = payload(p);
      return [p, { headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])), body: request.body, queryParams: {} }] as const;
    });
    // Expression by expression: Port's binding caches few compiled programs.
    for (const e of webhook) for (const [p, input] of inputs) if (count(e, input) !== 1) wrong.push(`${p}: ${e.slice(-80)}`);
    const parents = { group: restObject('group'), project: restObject('project') };
    const rest: Record<string, string[]> = { groups: ['group'], projects: ['project'], mergeRequests: ['merge_request'], issues: ['issue'], pipelines: ['pipeline', 'pipeline.list'], jobs: ['job'], releases: ['release'], deployments: ['deployment'], members: ['member'] };
    for (const kind of backfillKinds) {
      const expressions = fieldExpressions(renderBackfillMappings(bundle, kind, { confidentialIssues: true })).filter(isSingleOutput);
      const objects = rest[kind]!.map((f) => [f, { object: restObject(f), parent: kind === 'groups' || kind === 'projects' || kind === 'members' ? parents.group : parents.project, gitlab: { url: 'https://gitlab.example.com' } }] as const);
      for (const e of expressions) for (const [f, input] of objects) if (count(e, input) !== 1) wrong.push(`${kind}/${f}: ${e.slice(-80)}`);
    }
    expect(wrong).toEqual([]);
  });
});
