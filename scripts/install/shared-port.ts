// Whether another install of this package still uses the Port side. Every install in one Port
// organisation shares the blueprints, so uninstalling one install must not delete them while
// another install's entities live in them. Each install has its own webhook (install-webhook.ts);
// the one webhook all installs shared in older versions stays while an install that has not
// migrated yet may still deliver to it (`legacyWebhookUse`).
//
// Evidence is the `$datasource` Port records (the writer's User-Agent, install-id.ts):
// `port-gitlab-template/<version>/<installId>`. An entity written before install ids existed
// (`port-gitlab-template/<version>`) cannot be attributed: it counts as another install's, since
// uninstall never deletes what it cannot attribute.
import type { PortClient } from '../clients/port/index.ts';
import { PORT_SEARCH_MAX_LIMIT } from '../clients/port/index.ts';
import { INSTALL_ID_PREFIX, USER_AGENT_PRODUCT } from '../clients/shared/user-agent.ts';
import type { EntitiesQuery } from '../port/types.ts';
import { installIdOfWebhook } from './install-webhook.ts';

const PRODUCT = `${USER_AGENT_PRODUCT}/`;
const INSTALL_ID_MARK = `/${INSTALL_ID_PREFIX}`;

export interface SharedBlueprintUse {
  blueprint: string;
  /** Entities written by other installs of this package (their install id is not ours). */
  otherInstalls: number;
  /** Entities written by a version before install ids existed: owner unknown. */
  unknownOwner: number;
  /** A count reached one search page (PORT_SEARCH_MAX_LIMIT): there are at least that many. */
  atLeast: boolean;
}

export interface SharedUse {
  /** Blueprints holding entities that are not this install's (only those with any). */
  blueprints: SharedBlueprintUse[];
  otherInstalls: number;
  unknownOwner: number;
  /** One sentence for the plan and summary: what is kept and why. */
  reason: string;
}

// Both operators are in Port's published search schema (search-a-blueprints-entities.json) and in the local Port.
const rule = (operator: 'contains' | 'doesNotContains', value: string) => ({ property: '$datasource', operator, value });

/** Written by an install of this package whose install id is none of `installIds`. */
export function otherInstallsQuery(installIds: string | readonly string[]): EntitiesQuery {
  const ids = typeof installIds === 'string' ? [installIds] : installIds;
  return { combinator: 'and', rules: [rule('contains', PRODUCT), rule('contains', INSTALL_ID_MARK), ...ids.map((id) => rule('doesNotContains', `/${id}`))] };
}

/** Written by this package before install ids existed (`port-gitlab-template/<version>`). */
export function unknownOwnerQuery(): EntitiesQuery {
  return { combinator: 'and', rules: [rule('contains', PRODUCT), rule('doesNotContains', INSTALL_ID_MARK)] };
}

/** How many entities match, up to one search page (one request). */
async function countUpToOnePage(port: PortClient, blueprint: string, query: EntitiesQuery): Promise<{ count: number; atLeast: boolean }> {
  for await (const page of port.searchEntityPages(blueprint, { query, include: ['identifier'], limit: PORT_SEARCH_MAX_LIMIT, maxPages: 1 })) {
    return { count: page.length, atLeast: page.length >= PORT_SEARCH_MAX_LIMIT };
  }
  return { count: 0, atLeast: false };
}

/**
 * Entities in `blueprints` (which must exist) that are not `installId`'s (nor of the other ids
 * given): two searches per blueprint. Null when there are none, i.e. the blueprints are this
 * install's alone.
 */
export async function findSharedUse(port: PortClient, blueprints: readonly string[], installId: string | readonly string[]): Promise<SharedUse | null> {
  const found: SharedBlueprintUse[] = [];
  for (const blueprint of blueprints) {
    const others = await countUpToOnePage(port, blueprint, otherInstallsQuery(installId));
    const unknown = await countUpToOnePage(port, blueprint, unknownOwnerQuery());
    if (others.count || unknown.count) found.push({ blueprint, otherInstalls: others.count, unknownOwner: unknown.count, atLeast: others.atLeast || unknown.atLeast });
  }
  if (!found.length) return null;
  const otherInstalls = found.reduce((n, b) => n + b.otherInstalls, 0);
  const unknownOwner = found.reduce((n, b) => n + b.unknownOwner, 0);
  return { blueprints: found, otherInstalls, unknownOwner, reason: describeSharedUse(found) };
}

function tally(found: SharedBlueprintUse[], pick: (b: SharedBlueprintUse) => number): string {
  return found
    .filter((b) => pick(b) > 0)
    .map((b, i) => `${pick(b)}${b.atLeast && pick(b) >= PORT_SEARCH_MAX_LIMIT ? '+' : ''}${i > 0 ? '' : pick(b) === 1 ? ' entity' : ' entities'} of ${b.blueprint}`)
    .join(', ');
}

export function describeSharedUse(found: SharedBlueprintUse[]): string {
  const others = tally(found, (b) => b.otherInstalls);
  const unknown = tally(found, (b) => b.unknownOwner);
  const who = [
    ...(others ? [`another install (${others})`] : []),
    ...(unknown ? [`entities of unknown owner (${unknown}, written by a version before install ids existed; uninstall never deletes what it cannot attribute, and a port-gitlab backfill run gives those still in GitLab this install's id)`] : []),
  ].join(' and ');
  return `${who} still ${others && !unknown ? 'uses' : 'use'} the blueprints`;
}

/** Installs that have their own webhook (install-webhook.ts): they no longer deliver to the legacy one. */
export async function migratedInstallIds(port: PortClient, bundleIdentifier: string): Promise<string[]> {
  return (await port.listWebhooks()).map((w) => installIdOfWebhook(bundleIdentifier, w.identifier ?? '')).filter((id): id is string => id !== undefined);
}

/**
 * Whether an install other than `installId` may still deliver to the legacy shared webhook: Port
 * holds entities of an install that has no webhook of its own yet, or of unknown owner (written
 * before install ids). Null when none: the legacy webhook can go.
 */
export async function legacyWebhookUse(port: PortClient, blueprints: readonly string[], installId: string, bundleIdentifier: string): Promise<SharedUse | null> {
  const use = await findSharedUse(port, blueprints, [installId, ...(await migratedInstallIds(port, bundleIdentifier))]);
  return use && { ...use, reason: use.reason.replace(/the blueprints$/, 'the Port webhook all installs shared before each had its own (it has not run `port-gitlab install` since)') };
}
