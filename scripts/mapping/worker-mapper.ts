// The mapping engine in a worker thread, for callers that do I/O while mapping (the backfill):
// the same results as `evaluateBackfill`, as a promise, with the event loop left free.
import { Worker } from 'node:worker_threads';
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import type { JqRuntimeName } from '../jq/runtime.ts';
import type { MappingResult } from './types.ts';
import type { WorkerReply, WorkerRequest } from './worker/protocol.ts';

export interface AsyncMapper {
  evaluateBackfill(mappings: readonly BundleMapping[], inputs: readonly unknown[]): Promise<MappingResult[]>;
  close(): Promise<void>;
}

export async function startWorkerMapper(options: { engine?: JqRuntimeName } = {}): Promise<AsyncMapper> {
  const worker = new Worker(new URL('./worker/entry.js', import.meta.url), { workerData: { engine: options.engine } });
  const pending = new Map<number, { resolve: (r: MappingResult[]) => void; reject: (e: Error) => void }>();
  const keys = new WeakMap<readonly BundleMapping[], string>();
  let nextId = 1;
  let failure: Error | undefined;

  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', (m: WorkerReply) => (m.type === 'ready' ? resolve() : reject(new Error('mapping worker did not start'))));
    worker.once('error', reject);
  });
  worker.on('message', (m: WorkerReply) => {
    if (m.type === 'ready') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.type === 'results') p.resolve(m.results);
    else p.reject(new Error(`mapping worker: ${m.message}`));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`mapping worker exited (${code})`)));
  await ready;

  const post = (m: WorkerRequest) => worker.postMessage(m);
  return {
    evaluateBackfill(mappings, inputs) {
      if (failure) return Promise.reject(failure);
      let key = keys.get(mappings);
      if (!key) {
        key = `m${nextId++}`;
        keys.set(mappings, key);
        post({ type: 'mappings', key, mappings: [...mappings] });
      }
      const id = nextId++;
      return new Promise<MappingResult[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ type: 'evaluate', id, key: key!, inputs: [...inputs] });
      });
    },
    async close() {
      failure ??= new Error('mapping worker closed');
      await worker.terminate();
    },
  };
}
