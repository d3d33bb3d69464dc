// One GitLab instance per Port organisation. Every entity identifier is GitLab's numeric id
// (README "Data model"), and ids are per instance: project 42 of gitlab.example.com and project 42
// of gitlab.com are one entity in Port, and each instance's backfill and webhook would silently
// overwrite the other's. So install, backfill and sync refuse to run for a GitLab instance when the
// bundle's blueprints already hold entities of another one, and name the way out.
//
// Detection, cheap and reliable: every mapping writes the object's GitLab URL, which starts with
// the instance's URL root (ownership.ts reads that root from GitLab's own `web_url`), so one Port
// search per blueprint with a `url` — `url` set and not under this root, at most a few entities —
// finds them, whoever wrote them (backfill, webhook, a person). And each install's own Port webhook
// records its instance in its description (`GitLab instance: <root>`), which covers an install that
// has written nothing yet (--skip-backfill, no event so far). The webhook needs no check of its
// own: an instance that is refused never gets a Port webhook or a GitLab hook, so its events
// never reach Port.
import type { PortClient } from '../clients/port/index.ts';
import type { Blueprint, EntitiesQuery } from '../port/types.ts';
import { groupUrls, type OwnedGroup } from '../backfill/ownership.ts';
import { PortApiError } from '../clients/port/errors.ts';
import { installIdOfWebhook } from './install-webhook.ts';

/** Port's limit on a webhook description (create-a-webhook.json: maxLength 200). */
const DESCRIPTION_MAX = 200;
const INSTANCE_MARK = ' GitLab instance: ';

/** The bundle's description plus the instance's root, when that fits Port's limit (else the bundle's alone). */
export function webhookDescription(base: string | undefined, root: string): string | undefined {
  const withRoot = `${base ?? ''}${INSTANCE_MARK}${root}`.trim();
  return withRoot.length <= DESCRIPTION_MAX ? withRoot : base;
}

/** The instance an install's own webhook recorded, if any. */
export function recordedRoot(description: string | undefined): string | undefined {
  const i = description?.lastIndexOf(INSTANCE_MARK.trim()) ?? -1;
  return i >= 0 ? description!.slice(i + INSTANCE_MARK.trim().length).trim() || undefined : undefined;
}

/** Other installs' webhooks recording another instance. Credentials that may not read webhooks (a backfill's): none known. */
export async function webhooksOfOtherInstances(port: PortClient, bundleIdentifier: string, root: string): Promise<Array<{ identifier: string; root: string }>> {
  let all;
  try {
    all = await port.listWebhooks();
  } catch (err) {
    if (err instanceof PortApiError && (err.status === 403 || err.status === 401)) return [];
    throw err;
  }
  return all
    .filter((w) => w.identifier && installIdOfWebhook(bundleIdentifier, w.identifier))
    .map((w) => ({ identifier: w.identifier!, root: recordedRoot(w.description) }))
    .filter((w): w is { identifier: string; root: string } => w.root !== undefined && w.root !== root);
}

/** Entities named in the refusal, per blueprint. */
const EXAMPLES = 3;

export interface OtherInstanceEntities {
  blueprint: string;
  examples: Array<{ identifier: string; url: string }>;
}

export interface InstanceCheck {
  check: 'gitlab.instance';
  status: 'ok' | 'fail';
  message: string;
  fix?: string;
  /** What was found (fail only). */
  found?: OtherInstanceEntities[];
}

const FIX = 'use a separate Port organisation for each GitLab instance; or, to move this organisation to this instance, run `port-gitlab uninstall --purge` for the other instance (its GITLAB_URL and groups) first; entities that are not another GitLab\'s (made by hand) must have their url cleared or be deleted';

/** Entities with a url that is not under `root` (GitLab's URL root of this instance, no trailing slash). */
export function otherInstanceQuery(root: string): EntitiesQuery {
  return { combinator: 'and', rules: [{ property: 'url', operator: 'isNotEmpty' }, { property: 'url', operator: 'doesNotBeginsWith', value: `${root}/` }] };
}

/** The bundle's blueprints that have a `url` property and exist in Port (searching a missing one is a 404). */
export function urlBlueprints(bundleBlueprints: readonly Blueprint[], existing: ReadonlySet<string>): string[] {
  return bundleBlueprints.filter((b) => existing.has(b.identifier) && Object.hasOwn(b.schema.properties ?? {}, 'url')).map((b) => b.identifier);
}

/** One search per blueprint, a few entities each. */
export async function findOtherInstanceEntities(port: PortClient, blueprints: readonly string[], root: string): Promise<OtherInstanceEntities[]> {
  const found: OtherInstanceEntities[] = [];
  for (const blueprint of blueprints) {
    for await (const page of port.searchEntityPages(blueprint, { query: otherInstanceQuery(root), include: ['identifier', 'properties.url'], limit: EXAMPLES, maxPages: 1 })) {
      const examples = page.map((e) => ({ identifier: String(e.identifier), url: String((e.properties as Record<string, unknown> | undefined)?.url ?? '') }));
      if (examples.length) found.push({ blueprint, examples });
    }
  }
  return found;
}

/** The instance's URL root, as GitLab writes it in front of every URL (from the first group's `web_url`). */
export function instanceRoot(gitlabUrl: string, groups: readonly OwnedGroup[]): string {
  return groupUrls(gitlabUrl, groups[0]).root;
}

export async function checkOneInstance(port: PortClient, gitlabUrl: string, groups: readonly OwnedGroup[], blueprints: readonly string[], bundleWebhook?: string): Promise<InstanceCheck> {
  const root = instanceRoot(gitlabUrl, groups);
  const found = await findOtherInstanceEntities(port, blueprints, root);
  const webhooks = !found.length && bundleWebhook ? await webhooksOfOtherInstances(port, bundleWebhook, root) : [];
  if (webhooks.length) {
    return {
      check: 'gitlab.instance', status: 'fail',
      message: `another install in this Port organisation is for another GitLab instance than ${root}: ${webhooks.map((w) => `Port webhook "${w.identifier}" (${w.root})`).join(', ')}. Identifiers are GitLab's numeric ids, which each instance numbers on its own: both in one Port organisation would overwrite each other's entities`,
      fix: FIX,
    };
  }
  if (!found.length) return { check: 'gitlab.instance', status: 'ok', message: `Port holds no GitLab entity of another instance than ${root}` };
  const named = found.flatMap((f) => f.examples.map((e) => `${f.blueprint} "${e.identifier}" (${e.url})`));
  return {
    check: 'gitlab.instance', status: 'fail', found,
    message: `Port already holds entities of another GitLab instance than ${root}: ${named.join(', ')}${found.some((f) => f.examples.length >= EXAMPLES) ? ', …' : ''}. Identifiers are GitLab's numeric ids, which each instance numbers on its own: both in one Port organisation would overwrite each other's entities`,
    fix: FIX,
  };
}
