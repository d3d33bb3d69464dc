// Page-at-a-time listing. gitbeaker's `.all()` accumulates every page in memory under one
// timeout (gitlab.md §5.3); this yields one page, and fetches the next only when asked.
import { GitLabApiError } from './errors.ts';
import { formatQuery } from './query.ts';
import type { GitLabTransport } from './transport.ts';

export type QueryParams = Record<string, string | number | boolean | string[] | number[] | Date | undefined | null>;

export interface PageOptions {
  /** Stop after this many pages (default: effectively unbounded, 1e6). */
  maxPages?: number;
  signal?: AbortSignal;
}

/** `<url>; rel="next", <url>; rel="first"` → `{next, first}` (a rel may list several names). */
export function parseLinkHeader(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  const re = /<([^>]+)>\s*;\s*rel="([^"]+)"/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    for (const rel of m[2]!.split(/\s+/)) out[rel] = m[1]!;
  }
  return out;
}

/**
 * Yields each page (an array) of a GitLab list endpoint. Follows `Link: rel="next"`, which works
 * for offset and keyset pagination alike (keyset has no other way to the next page). `per_page`
 * defaults to 100; `x-total` is never consulted (GitLab omits it past 10,000 rows).
 */
export async function* pages<T = Record<string, unknown>>(transport: GitLabTransport, path: string, params: QueryParams = {}, options: PageOptions = {}): AsyncGenerator<T[]> {
  const maxPages = options.maxPages ?? 1_000_000;
  let url = transport.urlFor(path, formatQuery({ per_page: 100, ...params }));
  const visited = new Set<string>();
  for (let n = 0; n < maxPages; n++) {
    visited.add(url.href);
    const res = await transport.request<unknown>({ method: 'GET', url: url.href, signal: options.signal });
    if (!Array.isArray(res.body)) {
      throw new GitLabApiError({ status: res.status, method: 'GET', path: transport.relative(url), code: 'not_a_list', attempts: 1, message: 'expected a JSON array from a list endpoint' });
    }
    yield res.body as T[];
    const next = nextPageUrl(transport, url, res.headers);
    if (!next) return;
    if (visited.has(next.href)) {
      throw new GitLabApiError({ status: res.status, method: 'GET', path: transport.relative(next), code: 'pagination_loop', attempts: 1, message: 'GitLab pointed back to a page already read; stopping instead of looping' });
    }
    url = next;
  }
}

/** The next page's URL: the `Link` rel=next (re-rooted on our host), else `x-next-page` for offset pages. */
export function nextPageUrl(transport: GitLabTransport, current: URL, headers: Record<string, string>): URL | undefined {
  const link = parseLinkHeader(headers.link).next;
  if (link) return transport.rebase(link);
  // Offset pages also carry `x-next-page`; use it when a proxy dropped the Link header.
  const nextPage = headers['x-next-page'];
  if (nextPage && /^\d+$/.test(nextPage) && !current.searchParams.has('pagination')) {
    const u = new URL(current.href);
    u.searchParams.set('page', nextPage);
    return u;
  }
  return undefined;
}
