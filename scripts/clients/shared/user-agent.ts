// Our User-Agent. Port records the writer's User-Agent as the entity's `$datasource`, so a
// distinctive one lets the reconciler find the entities this integration wrote.
import { readFileSync } from 'node:fs';

let cachedVersion: string | undefined;

export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  cachedVersion = pkg.version;
  return cachedVersion;
}

export const USER_AGENT_PRODUCT = 'port-gitlab-template';
/** Every install id starts with it (install-id.ts); a `$datasource` without `/gl-` predates install ids. */
export const INSTALL_ID_PREFIX = 'gl-';

/** `port-gitlab-template/<version>` or `port-gitlab-template/<version>/<installId>`. */
export function userAgent(installId?: string): string {
  const base = `${USER_AGENT_PRODUCT}/${packageVersion()}`;
  if (!installId) return base;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(installId)) {
    throw new Error(`Install id "${installId}" is not usable in a User-Agent: use 1-64 characters from A-Z a-z 0-9 . _ -`);
  }
  return `${base}/${installId}`;
}
