// The bundle must survive Port's engine upgrades: every webhook mapping on every documented
// payload (and derived variants) gives identical actions on Port's jq 1.6 and on jq 1.8.2, and
// no expression yields more than one output (Port would silently keep only the first).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../scripts/bundle/load.ts';
import { defaultOptions, renderWebhookMappings } from '../../scripts/bundle/render.ts';
import { createMappingEngine, type MappingEngine } from '../../scripts/mapping/engine.ts';
import type { MappingResult, WebhookRequest } from '../../scripts/mapping/types.ts';
import { NATIVE_JQ, requireNativeEngine } from '../helpers/engines.ts';
import { payload, payloadNames } from '../helpers/fixtures.ts';
import { olderPayloads } from '../helpers/older-payloads.ts';

const bundle = loadBundle();
const NULLABLE = new Set(['title', 'description', 'name', 'ref', 'url', 'web_url', 'created_at', 'updated_at', 'finished_at', 'username', 'email', 'tag', 'sha', 'status', 'state']);

function nulled(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nulled);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, NULLABLE.has(k) && typeof v !== 'object' ? null : nulled(v)]));
  }
  return value;
}

function requests(): Array<[string, WebhookRequest]> {
  const originals: Array<[string, WebhookRequest & { body: any }]> = [
    ...payloadNames().map((name): [string, WebhookRequest & { body: any }] => [name, payload(name)]),
    // Deliveries of older GitLab versions (blocks and ids missing), test/helpers/older-payloads.ts.
    ...olderPayloads().map(({ name, request }): [string, WebhookRequest & { body: any }] => [name, request]),
  ];
  return originals.flatMap(([name, original]): Array<[string, WebhookRequest]> => {
    const shouting = { ...original, headers: Object.fromEntries(Object.entries(original.headers).map(([k, v]) => [k.toUpperCase(), v])) };
    const nulls = { ...original, body: nulled(original.body) };
    return [[name, original], [`${name} (HEADERS UPPERCASE)`, shouting], [`${name} (null fields)`, nulls]];
  });
}

const summary = (r: MappingResult) => ({ actions: r.actions, problems: r.problems.map((p) => `${p.mapping}:${p.field}`).sort() });

describe.each([false, true])('webhook mappings with confidentialIssues=%s', { tags: [NATIVE_JQ] }, (confidentialIssues) => {
  const mappings = renderWebhookMappings(bundle, { ...defaultOptions(bundle), confidentialIssues });
  let native: MappingEngine;
  let wasm: MappingEngine;
  beforeAll(async () => {
    requireNativeEngine();
    native = await createMappingEngine({ engine: 'port-native' });
    wasm = await createMappingEngine({ engine: 'jq-wasm' });
  });

  it.each(requests())('%s: identical on jq 1.6 and jq 1.8', (_name, request) => {
    expect(summary(wasm.evaluateWebhook(mappings, request))).toEqual(summary(native.evaluateWebhook(mappings, request)));
  });

  it('has no expression with more than one output on any payload', () => {
    const expressions = [...new Set(mappings.flatMap((m) => [m.filter, m.entity.identifier, m.entity.title ?? '', ...Object.values(m.entity.properties ?? {}), ...Object.values(m.entity.relations ?? {})].filter(Boolean)))];
    // One program counts the outputs of every expression (each on its own, errors as -1), and one
    // batched call runs it on every request: one call per expression and request took minutes.
    const counter = `[${expressions.map((e) => `(try ([(\n${e}\n)] | length) catch -1)`).join(',\n')}]`;
    const cases = requests();
    const inputs = cases.map(([, request]) => ({ headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])), body: request.body, queryParams: {} }));
    const counts = wasm.runtime.firstOfEach(counter, inputs);
    const multi: string[] = [];
    counts.forEach((c, i) => {
      if (!Array.isArray(c)) throw new Error(`${cases[i]![0]}: the counting program failed: ${String(c)}`);
      c.forEach((n, j) => {
        if (typeof n === 'number' && n > 1) multi.push(`${cases[i]![0]}: ${expressions[j]!.slice(-80)} → ${n} outputs`);
      });
    });
    expect(multi).toEqual([]);
    // Not vacuous: most expressions yield exactly one output somewhere.
    expect(counts.flat().filter((n) => n === 1).length).toBeGreaterThan(expressions.length);
  });
});
