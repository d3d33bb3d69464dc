// One install per top-level group in a Port organisation. A group that another install already
// covers (its hook feeds that install's own Port webhook) would get a second hook: GitLab would
// deliver every event twice, both installs would reconcile its entities, and uninstalling one
// (--purge) would delete what the other still maps. The usual cause is a changed GITLAB_GROUPS
// (another install id): the earlier install must be uninstalled first. Read from what the
// preflight already has (each group's hooks) plus one list of the organisation's webhooks.
import type { GitLabHook } from '../clients/gitlab/index.ts';
import type { StoredWebhook } from '../port/types.ts';
import { HOOK_NAME } from './hooks-repair.ts';
import { installIdOfWebhook } from './install-webhook.ts';

export interface CoveredGroup {
  group: string;
  hook: number;
  webhook: string;
}

/** Groups whose hook feeds another install's own webhook in this Port organisation. */
export function groupsOfOtherInstalls(groups: ReadonlyArray<{ full_path: string; groupHooks?: GitLabHook[] }>, webhooks: readonly StoredWebhook[], own: string, bundleIdentifier: string): CoveredGroup[] {
  const others = new Map(webhooks.filter((w) => w.identifier && w.identifier !== own && installIdOfWebhook(bundleIdentifier, w.identifier)).map((w) => [w.url, w.identifier!]));
  const out: CoveredGroup[] = [];
  for (const g of groups) {
    for (const h of g.groupHooks ?? []) {
      const webhook = h.name === HOOK_NAME ? others.get(h.url) : undefined;
      if (webhook) out.push({ group: g.full_path, hook: h.id, webhook });
    }
  }
  return out;
}

export function describeCovered(covered: readonly CoveredGroup[]): { message: string; fix: string } {
  return {
    message: `${covered.map((c) => `"${c.group}" is already covered by another install in this Port organisation (its hook ${c.hook} feeds the Port webhook "${c.webhook}")`).join('; ')}: a second install would make GitLab deliver every event twice, and uninstalling either would remove what the other maps`,
    fix: 'list each top-level group in one install only: to change an install\'s GITLAB_GROUPS, run `port-gitlab uninstall` with its old GITLAB_GROUPS first, then install with the new list',
  };
}
