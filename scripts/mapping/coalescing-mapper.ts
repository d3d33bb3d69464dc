// Merges the mapping requests that queue up while the engine is busy into one call per mapping
// list. jq-wasm compiles the whole program on every call (3–6 ms for a backfill kind), so a
// project's three releases cost as much as a hundred merge requests when mapped on their own; the
// backfill lists many such short pages (pipelines, jobs, deployments, releases per project).
// Batches grow exactly when mapping is the bottleneck, and stay at one page when it is not.
import type { BundleMapping } from '../../schemas/mapping.schema.ts';
import type { MappingResult } from './types.ts';

/** Maps a batch of inputs with one mapping list; may be synchronous (in-thread engine) or not (worker). */
export type MapBatch = (mappings: readonly BundleMapping[], inputs: readonly unknown[]) => MappingResult[] | Promise<MappingResult[]>;

export interface CoalescingMapper {
  evaluateBackfill(mappings: readonly BundleMapping[], inputs: readonly unknown[]): Promise<MappingResult[]>;
}

interface Request {
  inputs: readonly unknown[];
  resolve: (r: MappingResult[]) => void;
  reject: (e: unknown) => void;
}

/** Inputs merged into one call at most: bounds the memory of one batch (~1 KB per slim object). */
export const MAX_BATCH_INPUTS = 400;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function coalescingMapper(map: MapBatch, options: { maxInputs?: number } = {}): CoalescingMapper {
  const maxInputs = options.maxInputs ?? MAX_BATCH_INPUTS;
  // Insertion order = the order lists first asked: the oldest waiting list goes first.
  const queues = new Map<readonly BundleMapping[], Request[]>();
  let draining = false;

  const takeBatch = (): { mappings: readonly BundleMapping[]; batch: Request[] } | undefined => {
    const first = queues.entries().next();
    if (first.done) return undefined;
    const [mappings, queue] = first.value;
    const batch: Request[] = [];
    let n = 0;
    while (queue.length && (batch.length === 0 || n + queue[0]!.inputs.length <= maxInputs)) {
      const r = queue.shift()!;
      batch.push(r);
      n += r.inputs.length;
    }
    // Re-queued at the back when some remain, so other lists are not starved.
    queues.delete(mappings);
    if (queue.length) queues.set(mappings, queue);
    return { mappings, batch };
  };

  const drain = async (): Promise<void> => {
    draining = true;
    try {
      // Let the requests of this event-loop turn join the first batch.
      await nextTurn();
      for (let next = takeBatch(); next; next = takeBatch()) {
        const { mappings, batch } = next;
        const inputs = batch.length === 1 ? batch[0]!.inputs : batch.flatMap((r) => r.inputs);
        try {
          const results = await map(mappings, inputs);
          if (results.length !== inputs.length) throw new Error(`mapper returned ${results.length} results for ${inputs.length} inputs`);
          let offset = 0;
          for (const r of batch) {
            r.resolve(results.slice(offset, offset + r.inputs.length));
            offset += r.inputs.length;
          }
        } catch (err) {
          for (const r of batch) r.reject(err);
        }
        // An in-thread engine blocks the loop while it maps: let responses that arrived meanwhile
        // run (and queue their pages) before the next batch.
        await nextTurn();
      }
    } finally {
      draining = false;
    }
  };

  return {
    evaluateBackfill(mappings, inputs) {
      if (!inputs.length) return Promise.resolve([]);
      return new Promise<MappingResult[]>((resolve, reject) => {
        let queue = queues.get(mappings);
        if (!queue) queues.set(mappings, (queue = []));
        queue.push({ inputs, resolve, reject });
        if (!draining) void drain();
      });
    },
  };
}
