// Purge when the Port side is shared (shared-port.ts): delete only the entities this install
// wrote (`$datasource` carries its install id), leaving the blueprint and everyone else's entities.
import type { PortClient } from '../clients/port/index.ts';
import { deleteInBulk, PORT_SEARCH_MAX_LIMIT, type BulkDeleteOutcome } from '../clients/port/index.ts';
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

/** What was deleted, and what Port refused to delete (another entity points at it) with its reason. */
export type OwnPurge = BulkDeleteOutcome;

/**
 * Deletes this install's entities of one blueprint, in bulk. Listed in full before the first
 * delete: Port deletes asynchronously and its cursors are offsets, so deleting while paging could
 * skip entities. Never with delete_dependents: a dependent may be an entity we cannot attribute.
 */
export async function purgeOwnEntities(port: PortClient, blueprint: string, installId: string): Promise<OwnPurge> {
  const ids = await ownEntityIds(port, blueprint, installId);
  return deleteInBulk(port, blueprint, ids, { reason: (err) => explainError(err).message });
}
