// Purge when the Port side is shared (shared-port.ts): delete only the entities that belong to this
// install (backfill/ownership.ts: its GitLab's URLs under its top-level groups, or a relation
// chain to one of them — whoever wrote them last, the webhook included), leaving the blueprint
// and everyone else's entities.
import type { PortClient } from '../clients/port/index.ts';
import { deleteInBulk, PORT_SEARCH_MAX_LIMIT, type BulkDeleteOutcome } from '../clients/port/index.ts';
import { ownedQuery, type OwnedScope } from '../backfill/ownership.ts';
import type { Blueprint } from '../port/types.ts';
import { explainError } from './errors.ts';

/** Identifiers of the entities of `blueprint` that belong to the install (all pages). */
export async function ownEntityIds(port: PortClient, blueprints: readonly Blueprint[], blueprint: string, scope: OwnedScope): Promise<string[]> {
  const ids: string[] = [];
  const query = ownedQuery(blueprints, blueprint, scope);
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
 * skip entities. Never with delete_dependents: a dependent may be an entity that is not ours.
 */
export async function purgeOwnEntities(port: PortClient, blueprints: readonly Blueprint[], blueprint: string, scope: OwnedScope): Promise<OwnPurge> {
  const ids = await ownEntityIds(port, blueprints, blueprint, scope);
  return deleteInBulk(port, blueprint, ids, { reason: (err) => explainError(err).message });
}
