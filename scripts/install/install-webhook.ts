// Each install's own Port webhook. Older versions gave every install in a Port organisation
// the bundle's one webhook (`gitlabIntegration`): one secret for all, and an uninstall that had to
// guess whether another install still delivered to it. Now an install's webhook is the bundle's
// identifier plus the install id's hash (`gitlabIntegration-<12 hex>`, at most 30 characters as
// Port requires), so install, doctor, sync and uninstall of one install name only its own webhook
// and never read, rotate or delete another's secret.
//
// Migration: the bundle's own identifier is the legacy shared webhook. An install whose hooks
// still point at it keeps working: doctor, sync and uninstall use it until `install` gives the
// install its own webhook, repoints its hooks there (one hook update each: events go to the legacy
// webhook until then, to the new one after, so nothing is lost) and deletes the legacy webhook once
// no install that has not migrated yet is left (shared-port.ts: `legacyWebhookUse`).
import type { PortClient } from '../clients/port/index.ts';
import { INSTALL_ID_PREFIX } from '../clients/shared/user-agent.ts';
import type { StoredWebhook } from '../port/types.ts';
import type { HookOwnerHints } from './hooks-repair.ts';

/** Port's limit on a webhook identifier (create-a-webhook.json: maxLength 30). */
export const WEBHOOK_IDENTIFIER_MAX = 30;

/** `<bundle identifier, cut to fit>-<the install id's 12 hex digits>`. */
export function installWebhookIdentifier(bundleIdentifier: string, installId: string): string {
  if (!installId.startsWith(INSTALL_ID_PREFIX)) throw new Error(`"${installId}" is not an install id`);
  const hash = installId.slice(INSTALL_ID_PREFIX.length);
  return `${bundleIdentifier.slice(0, WEBHOOK_IDENTIFIER_MAX - hash.length - 1)}-${hash}`;
}

/** The install id whose own webhook this is (by its identifier), or undefined for any other webhook. */
export function installIdOfWebhook(bundleIdentifier: string, webhookIdentifier: string): string | undefined {
  const m = /-([0-9a-f]{12})$/.exec(webhookIdentifier);
  if (!m) return undefined;
  const id = `${INSTALL_ID_PREFIX}${m[1]}`;
  return installWebhookIdentifier(bundleIdentifier, id) === webhookIdentifier ? id : undefined;
}

export interface InstallWebhooks {
  /** This install's own webhook identifier. */
  identifier: string;
  own: StoredWebhook | null;
  /** The webhook every install shared before per-install webhooks (the bundle's identifier). */
  legacyIdentifier: string;
  legacy: StoredWebhook | null;
}

/** Reads both (the legacy one may already be known from the preflight's read). */
export async function readInstallWebhooks(port: PortClient, bundleIdentifier: string, installId: string, legacy?: StoredWebhook | null): Promise<InstallWebhooks> {
  const identifier = installWebhookIdentifier(bundleIdentifier, installId);
  return {
    identifier,
    own: await port.getWebhook(identifier),
    legacyIdentifier: bundleIdentifier,
    legacy: legacy !== undefined ? legacy : await port.getWebhook(bundleIdentifier),
  };
}

/**
 * The webhook the install's hooks feed now: its own; else — an install of an older version that
 * has not run `install` since — the legacy shared one; null when neither exists.
 */
export function activeWebhook(w: InstallWebhooks): { identifier: string; webhook: StoredWebhook; legacy: boolean } | null {
  if (w.own) return { identifier: w.identifier, webhook: w.own, legacy: false };
  if (w.legacy) return { identifier: w.legacyIdentifier, webhook: w.legacy, legacy: true };
  return null;
}

/** Which hooks on the install's targets are its own besides those at the active URL. */
export function hookOwnerHints(w: InstallWebhooks): HookOwnerHints {
  return { ...(w.own && w.legacy ? { legacyUrl: w.legacy.url } : {}), identifiers: [w.identifier, w.legacyIdentifier] };
}

/** What doctor and sync say about an install that still uses the legacy webhook. */
export function legacyWebhookNote(w: InstallWebhooks): string {
  return `this install still feeds the Port webhook "${w.legacyIdentifier}" that every install shared in older versions; run \`port-gitlab install\` to give it its own ("${w.identifier}"): its hooks are repointed without losing an event`;
}
