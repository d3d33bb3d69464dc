// Purge when the Port side is shared (shared-port.ts): delete only the entities this install
// wrote (`$datasource` carries its install id), leaving the blueprint and everyone else's entities.
import type { PortClient } from '../clients/port/index.ts';
import { PORT_BULK_DELETE_MAX, PORT_SEARCH_MAX_LIMIT } from '../clients/port/index.ts';
import { userAgent } from '../clients/shared/user-agent.ts';
import { oursQuery } from '../backfill/reconcile.ts';
import { explainError } from './errors.ts';

/** Identifiers of the entities of `blueprint` that install `installId` wrote (all pages). */
export async function ownEntityIds(port: PortClient, blueprint: string, installId: string): Promise<string[]> {
  const ids: string[] = [];
  const query = oursQuery(userAgent(installId));
  for await (const page of port.searchEntityPages(blueprint, { query, include: ['identifier'], limit: PORT_SEARCH_MAX_LIMIT })) {
    for (const e of page) ids.push(String(e.identifier));
  }
  return ids;
}

export interface OwnPurge {
  deleted: number;
  /** Entities Port refused to delete (another entity points at them), with its reason. */
  kept: Array<{ identifier: string; reason: string }>;
}

/**
 * Deletes this install's entities of one blueprint, in bulk. Listed in full before the first
 * delete: Port deletes asynchronously and its cursors are offsets, so deleting while paging could
 * skip entities. Never with delete_dependents: a dependent may be an entity we cannot attribute.
 */
export async function purgeOwnEntities(port: PortClient, blueprint: string, installId: string): Promise<OwnPurge> {
  const ids = await ownEntityIds(port, blueprint, installId);
  const out: OwnPurge = { deleted: 0, kept: [] };
  for (let i = 0; i < ids.length; i += PORT_BULK_DELETE_MAX) {
    const batch = ids.slice(i, i + PORT_BULK_DELETE_MAX);
    try {
      await port.deleteEntities(blueprint, batch);
      out.deleted += batch.length;
    } catch {
      // Port refuses the whole batch when one entity has dependents: find which, one by one.
      for (const id of batch) {
        try {
          if (await port.deleteEntity(blueprint, id)) out.deleted++;
        } catch (err) {
          out.kept.push({ identifier: id, reason: explainError(err).message });
        }
      }
    }
  }
  return out;
}
