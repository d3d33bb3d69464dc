// Deletes entities of one blueprint through Port's bulk endpoint (≤ 100 a request). Port refuses
// a whole batch when one entity still has dependents; that batch is then retried one entity at a
// time, so that only the refused ones are kept (and reported with Port's reason).
import type { PortClient } from './client.ts';
import { PORT_BULK_DELETE_MAX } from './client.ts';

export interface BulkDeleteOutcome {
  deleted: number;
  kept: Array<{ identifier: string; reason: string }>;
}

export interface BulkDeleteOptions {
  /** Runs each request (e.g. through a concurrency limiter); default: directly. */
  run?: <T>(request: () => Promise<T>) => Promise<T>;
  /** Turns Port's refusal into the reason shown to the user. */
  reason: (err: unknown) => string;
}

export async function deleteInBulk(port: PortClient, blueprint: string, ids: readonly string[], o: BulkDeleteOptions): Promise<BulkDeleteOutcome> {
  const run = o.run ?? ((request) => request());
  const out: BulkDeleteOutcome = { deleted: 0, kept: [] };
  for (let i = 0; i < ids.length; i += PORT_BULK_DELETE_MAX) {
    const batch = ids.slice(i, i + PORT_BULK_DELETE_MAX);
    try {
      await run(() => port.deleteEntities(blueprint, batch));
      out.deleted += batch.length;
    } catch {
      for (const id of batch) {
        try {
          if (await run(() => port.deleteEntity(blueprint, id))) out.deleted++;
        } catch (err) {
          out.kept.push({ identifier: id, reason: o.reason(err) });
        }
      }
    }
  }
  return out;
}
