// `npm run bench:mapping`: entities/s for mapping 10,000 Merge Request Hook deliveries with the
// bundle's webhook mappings, on Port's native engine (one call per request, as Port's ingest
// would) and on jq-wasm (batched). Payloads are GitLab's documented example with ids, titles
// (some unicode), states and labels varied. Writes bench/results/mapping.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../bundle/load.ts';
import { renderWebhookMappings } from '../bundle/render.ts';
import { createMappingEngine } from '../mapping/engine.ts';
import { loadNativeRuntime } from '../jq/native-runtime.ts';
import type { WebhookRequest } from '../mapping/types.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const root = fileURLToPath(new URL('../../', import.meta.url));
const base = JSON.parse(readFileSync(`${root}test/fixtures/gitlab-payloads/merge_request.open.json`, 'utf8'));
const STATES = [['opened', 'open'], ['merged', 'merge'], ['closed', 'close'], ['opened', 'update']] as const;
const TITLES = ['Fix pipeline cache', 'Résumé parsing 🚀', '修复构建', 'Draft: refactor client'];

function payloads(n: number): WebhookRequest[] {
  return Array.from({ length: n }, (_, i) => {
    const p = structuredClone(base);
    const [state, action] = STATES[i % STATES.length]!;
    p.body.object_attributes.id = 100_000 + i;
    p.body.object_attributes.iid = i + 1;
    p.body.object_attributes.title = `${TITLES[i % TITLES.length]} #${i}`;
    p.body.object_attributes.state = state;
    p.body.object_attributes.action = action;
    p.body.project.id = 1 + (i % 50);
    p.headers['X-Gitlab-Event-UUID'] = `bench-${i}`;
    return p;
  });
}

// Wall time and this process's CPU time: the machine is shared, so CPU seconds tell what one
// core sustains when it is not also serving other work.
function time<T>(fn: () => T): { result: T; seconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = fn();
  const c = process.cpuUsage(c0);
  return { result, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
}

const bundle = loadBundle();
const mappings = renderWebhookMappings(bundle);
const requests = payloads(COUNT);
const rows: Array<Record<string, unknown>> = [];

const engines = loadNativeRuntime() instanceof Error ? (['jq-wasm'] as const) : (['port-native', 'jq-wasm'] as const);
for (const name of engines) {
  const engine = await createMappingEngine({ engine: name });
  engine.evaluateWebhookBatch(mappings, requests.slice(0, 50)); // warm-up: compile, JIT
  const mode = name === 'port-native' ? 'one call per request' : 'batches of 100';
  const { result, seconds, cpuSeconds } = time(() => {
    if (name === 'port-native') return requests.map((r) => engine.evaluateWebhook(mappings, r));
    const out = [];
    for (let i = 0; i < requests.length; i += 100) out.push(...engine.evaluateWebhookBatch(mappings, requests.slice(i, i + 100)));
    return out;
  });
  // An event can upsert one entity in several partial writes (e.g. the MR, then its author):
  // count distinct entities per payload, and the write actions separately.
  const actions = result.reduce((n, r) => n + r.actions.length, 0);
  const entities = result.reduce((n, r) => n + new Set(r.actions.map((a) => `${a.blueprint}/${a.entity.identifier}`)).size, 0);
  const problems = result.reduce((n, r) => n + r.problems.length, 0);
  rows.push({
    engine: `${name} (${engine.runtime.jqVersion})`,
    mode,
    payloads: COUNT,
    entities,
    actions,
    problems,
    'wall s': Number(seconds.toFixed(2)),
    'cpu s': Number(cpuSeconds.toFixed(2)),
    'entities/s (cpu)': Math.round(entities / cpuSeconds),
    'entities/s (wall)': Math.round(entities / seconds),
    'actions/s (cpu)': Math.round(actions / cpuSeconds),
  });
}

const report = {
  benchmark: 'mapping',
  date: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  mappings: mappings.length,
  note: 'One run on a shared 2-core machine, single-threaded. entities = distinct entities per payload (the MR and its project); actions = the partial upserts that write them. (cpu) rates divide by this process\'s CPU time, (wall) by elapsed time.',
  loadAverage: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2))),
  rows,
};
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(`${root}bench/results/mapping.json`, JSON.stringify(report, null, 2) + '\n');
console.table(rows);
console.log(`written to bench/results/mapping.json`);
