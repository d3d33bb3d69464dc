// Runs the mapping engine off the main thread: jq calls are synchronous and take most of a
// backfill's CPU, so on the main thread they stall every request in flight.
import { parentPort, workerData } from 'node:worker_threads';
import type { BundleMapping } from '../../../schemas/mapping.schema.ts';
import type { JqRuntimeName } from '../../jq/runtime.ts';
import { createMappingEngine } from '../engine.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';

const port = parentPort!;
const engine = await createMappingEngine({ engine: (workerData as { engine?: JqRuntimeName }).engine, warn: () => {} });
// Mapping lists arrive once per key; the engine caches its compiled program per list object.
const lists = new Map<string, BundleMapping[]>();

port.on('message', (m: WorkerRequest) => {
  if (m.type === 'mappings') {
    lists.set(m.key, m.mappings);
    return;
  }
  let reply: WorkerReply;
  try {
    const mappings = lists.get(m.key);
    if (!mappings) throw new Error(`no mappings registered under ${m.key}`);
    reply = { type: 'results', id: m.id, results: engine.evaluateBackfill(mappings, m.inputs) };
  } catch (err) {
    reply = { type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ type: 'ready', runtime: engine.runtime.name } satisfies WorkerReply);
