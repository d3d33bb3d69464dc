// The install id: what tells two installs into one Port organisation apart. The backfill's Port
// client sends it in its User-Agent, Port records that as each entity's `$datasource`, and
// reconcile only deletes entities whose `$datasource` carries it — so a backfill of one install
// never deletes another install's entities.
//
// Derived, not stored: a hash of the normalised GitLab URL and the sorted ids of the top-level
// groups. Group ids rather than the paths in GITLAB_GROUPS because ids never change: a group
// renamed in GitLab, or named by its id one run and by its path the next, is still the same
// install (with paths, its entities would silently stop being reconciled).
import { createHash } from 'node:crypto';
import { resolveGitLabHost } from '../clients/gitlab/host.ts';
import { INSTALL_ID_PREFIX } from '../clients/shared/user-agent.ts';

/** `gl-` + 12 hex digits (48 bits: collisions between one organisation's installs are negligible). */
export function installIdOf(gitlabUrl: string, groupIds: readonly number[]): string {
  if (!groupIds.length) throw new Error('an install id needs at least one group id');
  // URL() lower-cases scheme and host and drops a default port; resolveGitLabHost drops `/api/v4` and trailing slashes.
  const url = new URL(resolveGitLabHost(gitlabUrl));
  const root = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const ids = [...new Set(groupIds)].sort((a, b) => a - b).join(',');
  return `${INSTALL_ID_PREFIX}${createHash('sha256').update(`${root}\n${ids}`).digest('hex').slice(0, 12)}`;
}

