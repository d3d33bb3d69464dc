// GITLAB_URL → the instance root our clients use (no trailing slash, no /api/v4).

export const DEFAULT_GITLAB_URL = 'https://gitlab.com';

export function resolveGitLabHost(input?: string | null): string {
  const raw = (input ?? '').trim();
  if (raw === '') return DEFAULT_GITLAB_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`GitLab URL "${raw}" is not a URL; set GITLAB_URL to your instance root, e.g. ${DEFAULT_GITLAB_URL} or https://gitlab.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`GitLab URL "${raw}" must start with https:// (or http://). Set GITLAB_URL.`);
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(`GitLab URL must be the bare instance root without credentials, query or fragment (got ${url.origin}${url.pathname}). Set GITLAB_URL; the token goes in GITLAB_TOKEN.`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  return `${url.origin}${path}`;
}
